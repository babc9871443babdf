//! The drop area: drag-and-drop, a file chooser, and "Try it with example data".
//! The area is also a button (Enter or Space opens the chooser), for keyboards and readers.

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

/// Properties of [`Dropzone`].
#[derive(Properties, PartialEq)]
pub struct DropzoneProps {
    /// Files were dropped or chosen.
    pub on_files: Callback<Vec<File>>,
    /// The example button was pressed.
    pub on_example: Callback<MouseEvent>,
    /// Show the small version (once data is loaded).
    pub compact: bool,
    /// Work is under way; new files wait.
    pub disabled: bool,
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The drop area.
#[component]
pub fn Dropzone(props: &DropzoneProps) -> Html {
    let input = use_node_ref();
    let over = use_state(|| false);

    let ondragover = {
        let over = over.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(true);
        })
    };
    let ondragleave = {
        let over = over.clone();
        Callback::from(move |_: DragEvent| over.set(false))
    };
    let ondrop = {
        let over = over.clone();
        let on_files = props.on_files.clone();
        let disabled = props.disabled;
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(false);
            if !disabled {
                on_files.emit(files_of(e.data_transfer().and_then(|d| d.files())));
            }
        })
    };
    let onchange = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                on_files.emit(files_of(input.files()));
                input.set_value("");
            }
        })
    };
    let open_chooser = {
        let input = input.clone();
        Callback::from(move |_| {
            if let Some(i) = input.cast::<HtmlInputElement>() {
                i.click();
            }
        })
    };
    let onkeydown = {
        let open = open_chooser.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                open.emit(());
            }
        })
    };

    html! {
        <section class={classes!("open", props.compact.then_some("compact"))} aria-label="Your files">
            <div data-testid="dropzone" class={classes!("dropzone", (*over).then_some("over"))}
                role="button" tabindex="0" aria-label="Drop CSV exports here, or press Enter to choose files"
                {ondragover} {ondragleave} {ondrop} onclick={open_chooser.reform(|_: MouseEvent| ())} {onkeydown}>
                <p class="drop-title">{ if props.compact { "Drop other CSV exports here" } else { "Drop CSV exports here — they never leave this browser" } }</p>
                if !props.compact {
                    <p class="drop-hint">{"A survey export, a CRM or shop export, or both: they are joined on email or customer id."}</p>
                }
                <input data-testid="file-input" ref={input} type="file" accept=".csv,.tsv,.txt,text/csv" multiple=true
                    class="visually-hidden" {onchange} tabindex="-1" aria-hidden="true" />
            </div>
            if !props.compact {
                <div class="open-actions">
                    <button class="secondary" onclick={props.on_example.clone()} disabled={props.disabled}>{"Try it with example data"}</button>
                </div>
            }
        </section>
    }
}
