//! The ranked segment cards: the edges first, the mass middle as one collapsed block.

use super::format;
use crate::protocol::{ResultView, Segment};
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`Segments`].
#[derive(Properties, PartialEq)]
pub struct SegmentsProps {
    /// The results.
    pub result: Rc<ResultView>,
    /// The selected segment.
    pub selected: Option<usize>,
    /// A segment was chosen.
    pub on_select: Callback<Option<usize>>,
}

fn stability(s: &Segment) -> String {
    match s.stability {
        Some(v) if v >= 0.8 => "reappears reliably".into(),
        Some(v) if v >= 0.5 => "reappears often".into(),
        Some(_) => "unstable".into(),
        None => "found among the unassigned".into(),
    }
}

fn card(index: usize, s: &Segment, selected: bool, on_select: &Callback<Option<usize>>) -> Html {
    let onclick = on_select.reform(move |_: MouseEvent| Some(index));
    html! {
        <li>
            <button data-testid="segment" data-segment-id={s.id.clone()} class={classes!("segment-card", selected.then_some("selected"), s.mass.then_some("mass"))}
                aria-pressed={selected.to_string()} {onclick}>
                <span class={classes!("swatch", super::colour_class(index, s.mass))}></span>
                <span class="card-body">
                    <span class="card-title"><span class="segment-name">{ s.title() }</span><span class="segment-id">{ s.id.clone() }</span></span>
                    <span class="card-size">{ format!("{} people · {} · {}", format::number(s.size as f64), format::percent(s.share), stability(s)) }</span>
                    if !s.say_line.is_empty() { <span class="card-say">{ format!("Say {}", s.say_line) }</span> }
                    if !s.do_line.is_empty() { <span class="card-do">{ format!("Do: {}", s.do_line) }</span> }
                </span>
            </button>
        </li>
    }
}

/// The segment list.
#[component]
pub fn Segments(props: &SegmentsProps) -> Html {
    let r = &props.result;
    let edges: Vec<(usize, &Segment)> = r
        .segments
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.mass)
        .collect();
    let mass: Vec<(usize, &Segment)> = r
        .segments
        .iter()
        .enumerate()
        .filter(|(_, s)| s.mass)
        .collect();
    let mass_people: usize = mass.iter().map(|(_, s)| s.size).sum();
    html! {
        <section class="segments" aria-label="Segments, most distinctive first">
            <h2>{"Segments at the edges"}</h2>
            if edges.is_empty() {
                <p class="empty">{"No small, distinctive segment stood out. Try weighting what people say or do differently."}</p>
            }
            <ol class="cards">{ for edges.iter().map(|(i, s)| card(*i, s, props.selected == Some(*i), &props.on_select)) }</ol>
            if !mass.is_empty() {
                <details class="mass">
                    <summary>{ format!("The mass middle: {} people ({}) in {} large segment{}", format::number(mass_people as f64),
                        format::percent(mass_people as f64 / r.n_people.max(1) as f64), mass.len(), if mass.len() == 1 { "" } else { "s" }) }</summary>
                    <p class="hint">{"What most people say and do."}</p>
                    <ol class="cards">{ for mass.iter().map(|(i, s)| card(*i, s, props.selected == Some(*i), &props.on_select)) }</ol>
                </details>
            }
        </section>
    }
}
