//! One person: their answers and behaviour, why they sit where they sit, and the people
//! most like them.

use crate::protocol::{Membership, PersonView, Role};
use std::rc::Rc;
use yew::prelude::*;

/// Properties of [`Person`].
#[derive(Properties, PartialEq)]
pub struct PersonProps {
    /// The person.
    pub person: Rc<PersonView>,
    /// Close was pressed.
    pub on_close: Callback<MouseEvent>,
    /// Another person was chosen.
    pub on_person: Callback<u32>,
}

/// The person view.
#[component]
pub fn Person(props: &PersonProps) -> Html {
    let p = &props.person;
    let place = match (&p.segment, p.membership) {
        (Some((id, name)), Membership::Core) => format!("In {id} “{name}”"),
        (Some((id, name)), _) => format!("On the edge of {id} “{name}”"),
        (None, _) => "In no segment: unlike everyone else".to_string(),
    };
    let group = |role: Role| -> Html {
        p.cells
            .iter()
            .filter(|c| c.1 == role && !c.2.trim().is_empty())
            .map(|(name, _, value)| html! { <div class="cell"><dt>{ name.clone() }</dt><dd>{ value.clone() }</dd></div> })
            .collect::<Html>()
    };
    html! {
        <aside class="person" data-testid="person" role="dialog" aria-label={format!("Person #{}", p.row + 1)}>
            <header>
                <h2>{ format!("Person #{}", p.row + 1) }</h2>
                <button onclick={props.on_close.clone()} aria-label="Close">{"Close"}</button>
            </header>
            <p class="place">{ place }</p>
            <p class="reason">{ format!("Edge score {:.2}. {}", p.edge_score, p.reason) }</p>
            <div class="person-cols">
                <section><h3>{"What they say"}</h3><dl>{ group(Role::StatedJobs) }</dl></section>
                <section><h3>{"What they do"}</h3><dl>{ group(Role::Behaviour) }</dl></section>
                <section><h3>{"Who they are"}</h3><dl>{ group(Role::DescribeOnly) }</dl></section>
            </div>
            <section class="like-them">
                <h3>{"People like this one"}</h3>
                <ul>
                    { for p.like_them.iter().map(|(row, segment, reason)| {
                        let row = *row;
                        let onclick = props.on_person.reform(move |_: MouseEvent| row);
                        html! { <li><button class="link" {onclick}>{ format!("#{} · {}", row + 1, segment) }</button><span class="reason">{ reason.clone() }</span></li> }
                    }) }
                </ul>
            </section>
        </aside>
    }
}
