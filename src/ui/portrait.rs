//! A segment's portrait: in its members' words and deeds, never as a persona.

use super::format;
use crate::protocol::{Role, Segment};
use yew::prelude::*;

/// Properties of [`Portrait`].
#[derive(Properties, PartialEq)]
pub struct PortraitProps {
    /// The segment.
    pub segment: Segment,
    /// Its index (for its colour).
    pub index: usize,
    /// Everyone.
    pub n_people: usize,
    /// A quoted person was chosen.
    pub on_person: Callback<u32>,
}

/// The portrait.
#[component]
pub fn Portrait(props: &PortraitProps) -> Html {
    let s = &props.segment;
    let says_numbers: Vec<_> = s
        .differences
        .iter()
        .filter(|d| d.role == Role::StatedJobs)
        .collect();
    let does: Vec<_> = s
        .differences
        .iter()
        .filter(|d| d.role == Role::Behaviour)
        .collect();
    let stability = match s.stability {
        Some(v) => format!(
            "Reappears in {} of re-runs on resampled data (mean overlap).",
            format::percent(v)
        ),
        None => "Found among people the first pass left unassigned.".to_string(),
    };
    html! {
        <article class="portrait" data-testid="portrait" aria-label={format!("Segment {}", s.id)}>
            <header>
                <span class={classes!("swatch", super::colour_class(props.index, s.mass))}></span>
                <h2>{ format!("“{}”", s.name) }</h2>
                <span class="segment-id">{ s.id.clone() }</span>
            </header>
            <p class="size">{ format!("{} people, {} of everyone. {}", format::number(s.size as f64), format::percent(s.share), stability) }</p>
            if let Some(w) = &s.warning {
                <p class="warning" role="alert">{ w.clone() }</p>
            }
            <div class="say-do">
                <section class="say">
                    <h3>{"What they say"}</h3>
                    if s.says.is_empty() && says_numbers.is_empty() {
                        <p class="empty">{"Nothing they say sets them apart."}</p>
                    }
                    <ul class="phrases">
                        { for s.says.iter().take(6).map(|p| html! {
                            <li data-testid="phrase"><span class="phrase">{ format!("“{}”", p.text) }</span>
                                <span class="share">{ format!("{} of them vs {} of others", format::percent(p.in_segment), format::percent(p.elsewhere)) }</span></li>
                        }) }
                    </ul>
                    if !s.quotes.is_empty() {
                        <h4>{"In their own words"}</h4>
                        <ul class="quotes">
                            { for s.quotes.iter().map(|q| {
                                let row = q.row as u32;
                                let onclick = props.on_person.reform(move |_: MouseEvent| row);
                                html! {
                                    <li data-testid="quote"><blockquote>{ q.text.clone() }</blockquote>
                                        <button class="link small" {onclick}>{ format!("#{} · {}", q.row + 1, q.column) }</button></li>
                                }
                            }) }
                        </ul>
                    }
                    { for says_numbers.iter().map(|d| html! { <p class="difference">{ d.text.clone() }</p> }) }
                </section>
                <section class="do">
                    <h3>{"What they do"}</h3>
                    if does.is_empty() {
                        <p class="empty">{"Their behaviour is like everyone else's."}</p>
                    }
                    <ul>{ for does.iter().map(|d| html! { <li class="difference">{ d.text.clone() }</li> }) }</ul>
                </section>
            </div>
            if !s.needs.is_empty() {
                <section class="needs">
                    <h3>{"Unmet needs"}</h3>
                    <p class="hint">{"Opportunity = importance + how far satisfaction falls short (0–20; above 10 is underserved)."}</p>
                    <ul>
                        { for s.needs.iter().map(|n| html! {
                            <li class={classes!((n.segment > 10.0).then_some("underserved"))}>
                                { format!("{}: {:.1} (everyone {:.1})", n.outcome, n.segment, n.overall) }
                            </li>
                        }) }
                    </ul>
                </section>
            }
            if !s.who.is_empty() {
                <section class="who">
                    <h3>{"Who they are"}</h3>
                    <p class="hint">{"Describes the segment; never used to form it."}</p>
                    <ul>{ for s.who.iter().map(|w| html! { <li><strong>{ w.column.clone() }</strong>{ format!(": {}", w.summary) }</li> }) }</ul>
                </section>
            }
        </article>
    }
}
