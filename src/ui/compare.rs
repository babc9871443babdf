//! Since last month: each segment grew, shrank, is new or gone, with counts, and who moved.

use super::format;
use crate::protocol::{Change, Comparison, Matching, OUTLIER_SEGMENT};
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`Compare`].
#[derive(Properties, PartialEq)]
pub struct CompareProps {
    /// The comparison.
    pub comparison: Rc<Comparison>,
    /// A person was chosen.
    pub on_person: Callback<u32>,
}

fn named(pair: &Option<(String, String)>) -> String {
    pair.as_ref()
        .map_or_else(|| "—".to_string(), |(id, name)| format!("{id} “{name}”"))
}

/// The comparison with last month.
#[component]
pub fn Compare(props: &CompareProps) -> Html {
    let c = &props.comparison;
    let how = match &c.matching {
        Matching::Members { column, in_both } => format!(
            "Matched by the people both months hold: {} found in both by “{column}”.",
            format::number(*in_both as f64)
        ),
        Matching::Profile { columns } => format!(
            "The files share too few people to follow them, so segments are matched by their profile in the columns both months have ({}); no one is followed from month to month.",
            columns.join(", ")
        ),
    };
    let shown = c.movers.len().min(20);
    html! {
        <section class="comparison" data-testid="comparison" aria-label="Since last month">
            <h2>{ format!("Since last month ({})", c.file) }</h2>
            <p class="hint">{ how }</p>
            <table>
                <thead><tr><th>{"Now"}</th><th>{"Last month"}</th><th>{"People then → now"}</th><th>{"Change"}</th></tr></thead>
                <tbody>
                    { for c.segments.iter().map(|s| html! {
                        <tr data-testid="change-row" data-change={s.change.label()}
                            data-now={s.now.as_ref().map(|n| n.0.clone()).unwrap_or_default()}
                            data-before={s.before.as_ref().map(|b| b.0.clone()).unwrap_or_default()}>
                            <td>{ named(&s.now) }</td>
                            <td>{ named(&s.before) }</td>
                            <td class="num">{ format!("{} → {}", format::number(s.n_before as f64), format::number(s.n_now as f64)) }</td>
                            <td class={classes!("change", matches!(s.change, Change::New | Change::Gone).then_some("strong"))}>{ s.change.label() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if c.n_movers > 0 {
                <h3>{ format!("{} people moved between segments", format::number(c.n_movers as f64)) }</h3>
                <ol class="movers">
                    { for c.movers.iter().take(shown).map(|m| {
                        let row = m.row as u32;
                        let onclick = props.on_person.reform(move |_: MouseEvent| row);
                        html! {
                            <li data-testid="mover"><button class="link" {onclick}>{ format!("#{}", m.row + 1) }</button>
                                { format!(" {}: last month {}, now {}", m.key, place(&m.from), place(&m.to)) }</li>
                        }
                    }) }
                </ol>
                if c.n_movers > shown {
                    <p class="hint">{ format!("{} more; the export's segment column has everyone.", format::number((c.n_movers - shown) as f64)) }</p>
                }
            }
        </section>
    }
}

/// A segment id as a marketer reads it: the export's `edge` (in no segment) in words.
fn place(segment: &str) -> &str {
    if segment == OUTLIER_SEGMENT {
        "in no segment"
    } else {
        segment
    }
}
