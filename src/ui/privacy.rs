//! "What happens to your data": the privacy promise, in plain words.

use yew::prelude::*;

/// Properties of [`Privacy`].
#[derive(Properties, PartialEq)]
pub struct PrivacyProps {
    /// Close was pressed.
    pub on_close: Callback<MouseEvent>,
}

/// The privacy panel.
#[component]
pub fn Privacy(props: &PrivacyProps) -> Html {
    html! {
        <section class="privacy" aria-label="What happens to your data">
            <h2>{"What happens to your data"}</h2>
            <ul>
                <li>{"Your files are read by this browser tab, in a background worker, and nowhere else. Nothing is uploaded: there is no server to upload to."}</li>
                <li>{"The page loads only its own files. It has no analytics, no fonts or scripts from other sites, and its security policy forbids it from connecting anywhere."}</li>
                <li>{"Email addresses, names and phone numbers are never used to form segments, and are masked on screen. They stay in your export, which is saved on your computer."}</li>
                <li>{"Close the tab and everything is gone."}</li>
            </ul>
            <button onclick={props.on_close.clone()}>{"Close"}</button>
        </section>
    }
}
