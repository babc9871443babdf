//! Say and do, side by side: groups by what people say (rows) against groups by what they
//! do (columns), with the findings in words and the people in any cell one click away.

use super::format;
use crate::protocol::SayDoView;
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`SayDoTable`].
#[derive(Properties, PartialEq)]
pub struct SayDoProps {
    /// The table.
    pub table: Rc<SayDoView>,
    /// A person was chosen.
    pub on_person: Callback<u32>,
}

/// The say/do table.
#[component]
pub fn SayDoTable(props: &SayDoProps) -> Html {
    let t = &props.table;
    let open = use_state(|| None::<(usize, usize)>);
    let max = t.counts.iter().flatten().copied().max().unwrap_or(1).max(1);
    html! {
        <section class="say-do-table" data-testid="say-do" aria-label="Say and do">
            <h2>{"Say and do"}</h2>
            <p class="hint">{"Rows group people by what they say, columns by what they do. Where one row spreads across columns, people who say the same thing do different things."}</p>
            if let Some((shown, all)) = t.sample {
                <p class="hint">{ format!("Based on a sample of {} of {} people.", format::number(shown as f64), format::number(all as f64)) }</p>
            }
            <ul class="notes">{ for t.notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ul>
            <div class="table-wrap">
                <table>
                    <thead><tr><th></th>{ for t.r#do.iter().map(|d| html! { <th scope="col">{ d.clone() }</th> }) }</tr></thead>
                    <tbody>
                        { for t.say.iter().enumerate().map(|(r, say)| html! {
                            <tr>
                                <th scope="row">{ say.clone() }</th>
                                { for t.counts[r].iter().enumerate().map(|(c, &count)| {
                                    let open = open.clone();
                                    let onclick = Callback::from(move |_: MouseEvent| open.set(Some((r, c))));
                                    let shade = format!("shade-{}", (count * 5).div_ceil(max));
                                    html! { <td class={shade}>
                                        if count > 0 { <button class="link" {onclick}>{ format::number(count as f64) }</button> }
                                    </td> }
                                }) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            if let Some((r, c)) = *open {
                <div class="cell-people">
                    <p>{ format!("People who {} and are in “{}”:", t.say.get(r).cloned().unwrap_or_default(), t.r#do.get(c).cloned().unwrap_or_default()) }</p>
                    <ul>
                        { for t.people.get(r).and_then(|row| row.get(c)).into_iter().flatten().map(|&row| {
                            let onclick = props.on_person.reform(move |_: MouseEvent| row);
                            html! { <li><button class="link" {onclick}>{ format!("#{}", row + 1) }</button></li> }
                        }) }
                    </ul>
                </div>
            }
        </section>
    }
}
