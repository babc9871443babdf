//! One person: their answers and behaviour, why they sit where they sit, and the people
//! most like them.

use crate::protocol::{Membership, PersonView, Role};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Properties of [`Person`].
#[derive(Properties, PartialEq)]
pub struct PersonProps {
    /// The person.
    pub person: Rc<PersonView>,
    /// Close was pressed, or Escape.
    pub on_close: Callback<()>,
    /// Another person was chosen.
    pub on_person: Callback<u32>,
}

/// The person view: a dialog that takes focus when it opens (and for each person shown in
/// it), closes on Escape, and gives focus back to where it was when it closes.
#[component]
pub fn Person(props: &PersonProps) -> Html {
    let p = &props.person;
    let dialog = use_node_ref();
    // Where focus was when the dialog opened: it goes back there when the dialog closes.
    use_effect_with((), |_| {
        let before = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        move || {
            if let Some(el) = before.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                && el.is_connected()
            {
                let _ = el.focus();
            }
        }
    });
    {
        let dialog = dialog.clone();
        use_effect_with(p.row, move |_| {
            if let Some(el) = dialog.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let place = match (&p.segment, p.membership) {
        (Some((id, name)), Membership::Core) => format!("In {id} “{name}”"),
        (Some((id, name)), _) => format!("On the edge of {id} “{name}”"),
        (None, _) => "In no segment".to_string(),
    };
    let group = |role: Role| -> Html {
        p.cells
            .iter()
            .filter(|c| c.1 == role && !c.2.trim().is_empty())
            .map(|(name, _, value)| html! { <div class="cell"><dt>{ name.clone() }</dt><dd>{ value.clone() }</dd></div> })
            .collect::<Html>()
    };
    html! {
        <aside class="person" data-testid="person" role="dialog" tabindex="-1" ref={dialog} {onkeydown}
            aria-label={format!("Person #{}", p.row + 1)}>
            <header>
                <h2>{ format!("Person #{}", p.row + 1) }</h2>
                <button onclick={props.on_close.reform(|_: MouseEvent| ())} aria-label="Close (Escape)">{"Close"}</button>
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
