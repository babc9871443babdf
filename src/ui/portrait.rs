//! A segment's portrait: in its members' words and deeds, never as a persona.

use super::format;
use crate::protocol::{Role, Segment, SegmentLabel, shown_phrases};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
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
    /// The name Edgewise found (the segment's `name` is the one shown).
    pub found: String,
    /// The user's name and note, if any.
    pub label: Option<SegmentLabel>,
    /// The user renamed the segment or wrote a note.
    pub on_label: Callback<SegmentLabel>,
    /// The user asked for the members (`false`) or a hashed customer list (`true`).
    pub on_audience: Callback<(usize, bool)>,
    /// The analysis had columns of what people say.
    pub has_say: bool,
    /// The analysis had columns of what people do.
    pub has_do: bool,
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
    let name_input = use_node_ref();
    let note_input = use_node_ref();
    let on_save = {
        let (name_input, note_input) = (name_input.clone(), note_input.clone());
        let (id, found) = (s.id.clone(), props.found.clone());
        props.on_label.reform(move |e: SubmitEvent| {
            e.prevent_default();
            SegmentLabel {
                id: id.clone(),
                found: found.clone(),
                name: name_input
                    .cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default(),
                note: note_input
                    .cast::<HtmlTextAreaElement>()
                    .map(|t| t.value())
                    .unwrap_or_default(),
            }
        })
    };
    let index = props.index;
    let on_members = props
        .on_audience
        .reform(move |_: MouseEvent| (index, false));
    let on_customer_list = props.on_audience.reform(move |_: MouseEvent| (index, true));
    let note = props
        .label
        .as_ref()
        .map(|l| l.note.clone())
        .unwrap_or_default();
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
                <h2>{ s.title() }</h2>
                <span class="segment-id">{ s.id.clone() }</span>
            </header>
            <p class="size">{ format!("{} people, {} of everyone. {}", format::number(s.size as f64), format::percent(s.share), stability) }</p>
            if s.name != props.found {
                <p class="hint">{ format!("Named by you; Edgewise found “{}”.", props.found) }</p>
            }
            if !note.is_empty() {
                <p class="note" data-testid="segment-note-shown">{ note.clone() }</p>
            }
            <div class="segment-tools">
                <details class="rename" key={format!("{}|{}", s.id, props.found)}>
                    <summary>{"Rename or add a note"}</summary>
                    <form onsubmit={on_save}>
                        <label>{"Name "}<input ref={name_input} data-testid="segment-name-input" type="text"
                            value={props.label.as_ref().map(|l| l.name.clone()).unwrap_or_default()} placeholder={props.found.clone()} /></label>
                        <label>{"Note "}<textarea ref={note_input} data-testid="segment-note" rows="2" defaultvalue={note.clone()} /></label>
                        <button type="submit" data-testid="save-name">{"Save"}</button>
                        <span class="hint">{"Names travel into the export, report, audiences and settings file."}</span>
                    </form>
                </details>
                <button data-testid="export-audience" onclick={on_members}>{"Members (CSV)"}</button>
                <button data-testid="export-customer-list" onclick={on_customer_list}
                    title="Emails and phones normalised and SHA-256-hashed in this tab, as ad platforms accept them">{"Customer list (hashed)"}</button>
            </div>
            if let Some(w) = &s.warning {
                <p class="warning" role="alert">{ w.clone() }</p>
            }
            <div class="say-do">
                <section class="say">
                    <h3>{"What they say"}</h3>
                    if !props.has_say {
                        <p class="empty">{"No column of what people say was used (no answers, ratings or stated jobs)."}</p>
                    } else if s.says.is_empty() && says_numbers.is_empty() {
                        <p class="empty">{"Nothing they say sets them apart."}</p>
                    }
                    <ul class="phrases">
                        { for shown_phrases(&s.says).into_iter().map(|(p, question)| html! {
                            <li data-testid="phrase" title={ p.column.clone() }><span class="said"><span class="phrase">{ format!("“{}”", p.text) }</span>
                                if let Some(q) = question {
                                    <span class="question">{ format!(" in “{q}”") }</span>
                                }
                                </span>
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
                    if !props.has_do {
                        <p class="empty">{"This file has no behaviour (orders, spend, visits…) to compare: only what they say formed this segment."}</p>
                    } else if does.is_empty() {
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
