//! The lone outliers (people in no segment), most unusual first, each with the reason;
//! people who give the same reason are one entry, with how many they are.

use super::format;
use crate::protocol::ResultView;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`Outliers`].
#[derive(Properties, PartialEq)]
pub struct OutliersProps {
    /// The results.
    pub result: Rc<ResultView>,
    /// A person was chosen.
    pub on_person: Callback<u32>,
}

/// The outlier list.
#[component]
pub fn Outliers(props: &OutliersProps) -> Html {
    let r = &props.result;
    if r.n_outliers == 0 {
        return html! {};
    }
    let shown = r.outliers.len().min(12);
    // People who give the same reason are listed once, with how many they are.
    let listed: usize = r
        .outliers
        .iter()
        .take(shown)
        .map(|o| o.alike.max(1) as usize)
        .sum();
    html! {
        <section class="outliers" aria-label="People in no segment">
            <h2>{ format!("People in no segment ({})", format::number(r.n_outliers as f64)) }</h2>
            <p class="hint">{"Most unusual first. “Unlike everyone” marks people far from everyone (edge score 0.5 and up); the others sit between segments."}</p>
            // Ranks are written, not list markers: Chromium kept stale markers (3–12 for ten
            // people) when a re-run shortened the list in place, and cut "10." to "0.".
            <ol class="ranked">
                { for r.outliers.iter().take(shown).enumerate().map(|(rank, o)| {
                    let row = o.row;
                    let onclick = props.on_person.reform(move |_: MouseEvent| row);
                    html! {
                        <li data-testid="outlier">
                            <span class="rank" aria-hidden="true">{ format!("{}.", rank + 1) }</span>
                            <button class="link" {onclick}>{ format!("#{}", row + 1) }</button>
                            <span class="score" title="Edge score: how far from everyone, 0 to 1">{ format!("{:.2}", o.edge_score) }</span>
                            <span class="reason">{ o.reason.clone() }</span>
                            if o.alike > 1 {
                                <span class="alike" data-testid="alike">{ format!("{} people give this reason; #{} is the most unusual of them", format::number(f64::from(o.alike)), row + 1) }</span>
                            }
                        </li>
                    }
                }) }
            </ol>
            if r.n_outliers > listed {
                <p class="hint">{ format!("{} more are in the export, with segment “edge”.", format::number(r.n_outliers.saturating_sub(listed) as f64)) }</p>
            }
        </section>
    }
}
