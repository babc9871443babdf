//! Progress by stage, with a cancel button. The status line above announces it to readers.

use super::state::DroppedFile;
use crate::protocol::Stage;
use yew::prelude::*;

/// Properties of [`Progress`].
#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    /// Current stage.
    pub stage: Stage,
    /// Done within the stage, 0–1.
    pub fraction: f64,
    /// The files being read.
    pub files: Vec<DroppedFile>,
    /// Cancel was pressed.
    pub on_cancel: Callback<MouseEvent>,
}

const STAGES: [Stage; 5] = [
    Stage::Reading,
    Stage::Understanding,
    Stage::Features,
    Stage::Segments,
    Stage::Describing,
];

/// The progress panel.
#[component]
pub fn Progress(props: &ProgressProps) -> Html {
    // The meaning model is loaded once, and only for free text: shown only while it loads.
    let stages: Vec<Stage> = STAGES
        .iter()
        .copied()
        .flat_map(|s| {
            let loading = s == Stage::Understanding && props.stage == Stage::Meaning;
            std::iter::once(s).chain(loading.then_some(Stage::Meaning))
        })
        .collect();
    let current = stages.iter().position(|s| *s == props.stage).unwrap_or(0);
    let names: Vec<String> = props
        .files
        .iter()
        .map(|f| format!("{} ({})", f.name, super::format::bytes(f.bytes)))
        .collect();
    html! {
        <section class="progress" aria-label="Progress">
            <p class="files">{ names.join(" · ") }</p>
            <ol class="stages">
                { for stages.iter().enumerate().map(|(i, s)| {
                    let class = if i < current { "done" } else if i == current { "current" } else { "todo" };
                    html! { <li class={class}>{ s.label() }</li> }
                }) }
            </ol>
            <progress max="1" value={props.fraction.to_string()} aria-label={props.stage.label()}></progress>
            <button data-testid="cancel" onclick={props.on_cancel.clone()}>{"Cancel"}</button>
        </section>
    }
}
