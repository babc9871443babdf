//! The root component: the reducer, the worker bridge, and every effect — reading dropped
//! files, asking the worker, downloading exports.

use super::bridge::Bridge;
use super::check::Check;
use super::dropzone::Dropzone;
use super::outliers::Outliers;
use super::person::Person;
use super::portrait::Portrait;
use super::privacy::Privacy;
use super::progress::Progress;
use super::say_do::SayDoTable;
use super::segments::Segments;
use super::state::{Action, DroppedFile, Phase, State};
use crate::protocol::{
    IngestParams, Request, Response, Role, SegmentLabel, Settings, TakeAway, label_for,
    settings_from_json,
};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, Url};
use yew::prelude::*;

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

/// An `Rc` compared by identity, so hook dependencies never deep-compare a large result.
#[derive(Clone)]
struct Same<T>(Rc<T>);

impl<T> PartialEq for Same<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Starts a browser download of `bytes` as `name`.
fn download(name: &str, bytes: &[u8], mime: &str) {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<HtmlAnchorElement>().ok());
    if let Some(a) = anchor {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = Url::revoke_object_url(&url);
}

/// Fetches the shipped example exports (same-origin files in `example/`).
async fn example_files() -> Result<Vec<File>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let mut files = Vec::new();
    for name in ["example-survey.csv", "example-crm.csv"] {
        let response = wasm_bindgen_futures::JsFuture::from(
            window.fetch_with_str(&format!("./example/{name}")),
        )
        .await
        .map_err(|_| format!("could not load the example file {name}"))?;
        let response: web_sys::Response = response.dyn_into().map_err(|_| "unexpected response")?;
        if !response.ok() {
            return Err(format!(
                "could not load the example file {name} ({})",
                response.status()
            ));
        }
        let blob = wasm_bindgen_futures::JsFuture::from(response.blob().map_err(|_| "no body")?)
            .await
            .map_err(|_| "could not read the example")?;
        let parts = js_sys::Array::of1(&blob);
        let file =
            File::new_with_blob_sequence(&parts, name).map_err(|_| "could not make a file")?;
        files.push(file);
    }
    Ok(files)
}

/// The whole page.
#[component]
pub fn App() -> Html {
    let state = use_reducer(State::default);
    // The dropped files themselves (kept for retry after errors), and the latest settings
    // for callbacks created once.
    let files: Rc<RefCell<Vec<File>>> = use_mut_ref(Vec::new).clone();
    let settings_now = use_mut_ref(|| state.settings.clone());
    *settings_now.borrow_mut() = state.settings.clone();

    let bridge = {
        let dispatch = state.dispatcher();
        let settings_now = settings_now.clone();
        use_memo((), move |_| {
            let slot: Rc<RefCell<Option<Bridge>>> = Rc::new(RefCell::new(None));
            let slot_for_handler = slot.clone();
            let on_stall = {
                let dispatch = dispatch.clone();
                move || dispatch.dispatch(Action::Stalled)
            };
            let bridge = Bridge::new(
                move |response| match response {
                    None => dispatch.dispatch(Action::WorkerDied),
                    Some(Response::Ready) => {}
                    Some(Response::Progress {
                        stage, fraction, ..
                    }) => dispatch.dispatch(Action::Progress(stage, fraction)),
                    Some(Response::Inspected(view)) => {
                        dispatch.dispatch(Action::Inspected(Rc::new(*view)));
                        // Sensible defaults mean most people just want the segments: find them now.
                        if let Some(b) = slot_for_handler.borrow().as_ref() {
                            dispatch.dispatch(Action::AnalysisStarted);
                            b.send(
                                &Request::Analyse {
                                    settings: settings_now.borrow().clone(),
                                },
                                None,
                            );
                        }
                    }
                    Some(Response::Analysed(view)) => {
                        dispatch.dispatch(Action::Analysed(Rc::new(*view)))
                    }
                    Some(Response::Download {
                        name,
                        mime,
                        bytes,
                        note,
                    }) => {
                        download(&name, &bytes, &mime);
                        if !note.is_empty() {
                            dispatch.dispatch(Action::Notice(note));
                        }
                    }
                    Some(Response::Notice { message }) => {
                        dispatch.dispatch(Action::Notice(message))
                    }
                    Some(Response::Compared(c)) => dispatch.dispatch(Action::Compared(Rc::new(*c))),
                    Some(Response::Person(view)) => {
                        dispatch.dispatch(Action::PersonShown(Rc::new(*view)))
                    }
                    Some(Response::Failed { message }) => {
                        dispatch.dispatch(Action::Failed(message))
                    }
                    // Benchmarks talk to a worker of their own; the page never asks for this.
                    Some(Response::Embedded { .. }) => {}
                },
                on_stall,
            );
            *slot.borrow_mut() = Some(bridge.clone());
            bridge
        })
    };

    let read = {
        let bridge = bridge.clone();
        let files = files.clone();
        let dispatch = state.dispatcher();
        Callback::from(move |list: Vec<File>| {
            if list.is_empty() {
                return;
            }
            dispatch.dispatch(Action::FilesDropped(
                list.iter()
                    .map(|f| DroppedFile {
                        name: f.name(),
                        bytes: f.size(),
                    })
                    .collect(),
            ));
            let settings = Settings::default();
            let params = vec![IngestParams::default(); list.len()];
            bridge.send(&Request::Inspect { params, settings }, Some(&list));
            *files.borrow_mut() = list;
        })
    };

    // Reads the same files again with every setting kept: after an error, or when the user
    // chooses how a file is read.
    let read_again = {
        let bridge = bridge.clone();
        let files = files.clone();
        let dispatch = state.dispatcher();
        let settings_now = settings_now.clone();
        Callback::from(move |params: Vec<IngestParams>| {
            let list = files.borrow().clone();
            if list.is_empty() {
                return;
            }
            dispatch.dispatch(Action::ReadAgain);
            let settings = settings_now.borrow().clone();
            bridge.send(&Request::Inspect { params, settings }, Some(&list));
        })
    };

    let on_example = {
        let read = read.clone();
        let dispatch = state.dispatcher();
        Callback::from(move |_| {
            let read = read.clone();
            let dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match example_files().await {
                    Ok(list) => read.emit(list),
                    Err(message) => dispatch.dispatch(Action::Failed(message)),
                }
            });
        })
    };

    let on_cancel = {
        let bridge = bridge.clone();
        let dispatch = state.dispatcher();
        Callback::from(move |_| {
            bridge.restart();
            dispatch.dispatch(Action::Cancelled);
        })
    };

    let on_retry = {
        let read_again = read_again.clone();
        let state = state.clone();
        Callback::from(move |_| read_again.emit(state.ingest.clone()))
    };

    let on_ingest = {
        let read_again = read_again.clone();
        let state = state.clone();
        let dispatch = state.dispatcher();
        Callback::from(move |(file, params): (usize, IngestParams)| {
            let mut all = state.ingest.clone();
            if let Some(slot) = all.get_mut(file) {
                *slot = params.clone();
            }
            dispatch.dispatch(Action::SetIngest(file, params));
            read_again.emit(all);
        })
    };

    let on_role = {
        let dispatch = state.dispatcher();
        Callback::from(move |(column, role): (String, Role)| {
            dispatch.dispatch(Action::SetRole(column, role))
        })
    };
    let on_balance = {
        let dispatch = state.dispatcher();
        Callback::from(move |b: f64| dispatch.dispatch(Action::SetBalance(b)))
    };
    let on_rerun = {
        let bridge = bridge.clone();
        let state = state.clone();
        Callback::from(move |_| {
            state.dispatch(Action::AnalysisStarted);
            bridge.send(
                &Request::Analyse {
                    settings: state.settings.clone(),
                },
                None,
            );
        })
    };
    let on_select = {
        let dispatch = state.dispatcher();
        Callback::from(move |s: Option<usize>| dispatch.dispatch(Action::Select(s)))
    };
    let on_person = {
        let bridge = bridge.clone();
        Callback::from(move |row: u32| bridge.send(&Request::Person { row }, None))
    };
    let on_close_person = {
        let dispatch = state.dispatcher();
        Callback::from(move |_| dispatch.dispatch(Action::ClosePerson))
    };
    // Every file taken away carries the names the user gave, as the settings hold them now.
    let take_away = {
        let bridge = bridge.clone();
        let settings_now = settings_now.clone();
        Callback::from(move |what: TakeAway| {
            let labels = settings_now.borrow().labels.clone();
            bridge.send(&Request::TakeAway { what, labels }, None);
        })
    };
    let on_export = take_away.reform(|_: MouseEvent| TakeAway::Csv);
    let on_receipt = take_away.reform(|_: MouseEvent| TakeAway::Receipt);
    let small_quotes = use_state(|| false);
    let on_small_quotes = {
        let small_quotes = small_quotes.clone();
        Callback::from(move |e: Event| {
            let checked = e
                .target_dyn_into::<web_sys::HtmlInputElement>()
                .is_some_and(|i| i.checked());
            small_quotes.set(checked);
        })
    };
    let on_report = {
        let small_quotes = *small_quotes;
        take_away.reform(move |_: MouseEvent| TakeAway::Report {
            quotes_for_small_groups: small_quotes,
            made: js_sys::Date::new_0()
                .to_locale_date_string("default", &wasm_bindgen::JsValue::UNDEFINED)
                .into(),
        })
    };
    let on_audience = take_away.reform(|(segment, hashed): (usize, bool)| TakeAway::Audience {
        segment: segment as u32,
        hashed,
    });
    let on_label = {
        let dispatch = state.dispatcher();
        Callback::from(move |label: SegmentLabel| dispatch.dispatch(Action::SetLabel(label)))
    };
    // Last month's export, sent to the worker beside the request (never read on the page).
    let on_compare = {
        let bridge = bridge.clone();
        let settings_now = settings_now.clone();
        Callback::from(move |e: Event| {
            let Some(file) = chosen_file(&e) else {
                return;
            };
            let labels = settings_now.borrow().labels.clone();
            bridge.send(&Request::Compare { labels }, Some(&[file]));
        })
    };
    // A settings file (or receipt) replaces every setting and finds segments again, reading
    // the files anew so that join keys apply too.
    let on_load_settings = {
        let dispatch = state.dispatcher();
        let settings_now = settings_now.clone();
        let read_again = read_again.clone();
        let state = state.clone();
        Callback::from(move |e: Event| {
            let Some(file) = chosen_file(&e) else {
                return;
            };
            let dispatch = dispatch.clone();
            let settings_now = settings_now.clone();
            let read_again = read_again.clone();
            let ingest = state.ingest.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string())
                    .unwrap_or_default();
                match settings_from_json(&file.name(), &text) {
                    Ok(settings) => {
                        *settings_now.borrow_mut() = settings.clone();
                        dispatch.dispatch(Action::SettingsLoaded(settings));
                        read_again.emit(ingest);
                    }
                    Err(message) => dispatch.dispatch(Action::Notice(message)),
                }
            });
        })
    };
    let on_settings_file = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let json = serde_json::to_string_pretty(&state.settings).unwrap_or_default();
            download(
                "edgewise-settings.json",
                json.as_bytes(),
                "application/json",
            );
        })
    };
    let on_privacy = {
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::TogglePrivacy))
    };

    let status_text = match &state.phase {
        Phase::Idle => "Ready for your files".to_string(),
        Phase::Working { stage, fraction } => {
            format!("{} — {}", stage.label(), super::format::percent(*fraction))
        }
        Phase::Done => state
            .result
            .as_ref()
            .map(|r| {
                use super::format::{count, number};
                // As the list beneath names them: people in no segment, of whom those far
                // from everyone (edge score 0.5 and up) are "unlike everyone".
                let unlike = if r.n_unlike > 0 {
                    format!(" ({} unlike everyone)", number(r.n_unlike as f64))
                } else {
                    String::new()
                };
                format!(
                    "{}: {}, {} in no segment{unlike}",
                    count(r.n_people, "person", "people"),
                    count(r.segments.len(), "segment", "segments"),
                    number(r.n_outliers as f64),
                )
            })
            .unwrap_or_else(|| "Done".into()),
        // The message itself is in the alert below; said twice, it read as two failures.
        Phase::Failed {
            worker_died: true, ..
        } => "Stopped before the end: see below".into(),
        Phase::Failed { .. } => "Not analysed: see below".into(),
    };

    // The results as the user named them; the found names stay in `state.result`.
    let shown = use_memo(
        (
            state.result.clone().map(Same),
            state.settings.labels.clone(),
        ),
        |(result, labels)| {
            result.as_ref().map(|Same(r)| {
                if labels.is_empty() {
                    r.clone()
                } else {
                    Rc::new(r.with_labels(labels))
                }
            })
        },
    );
    let selected = state.selected.and_then(|i| {
        let shown = (*shown).as_ref()?.segments.get(i)?.clone();
        let found = state.result.as_ref()?.segments.get(i)?.name.clone();
        let label = label_for(&state.settings.labels, &shown.id, &found).cloned();
        Some((i, shown, found, label))
    });

    html! {
        <>
        <header class="top">
            <div class="brand">
                <h1>{"Edgewise"}</h1>
                <p class="tagline">{"Find the customers at the edges — the small groups averages hide — from what they say and what they do."}</p>
            </div>
            <button class="link" onclick={on_privacy.clone()} aria-expanded={state.privacy_open.to_string()}>{"What happens to your data"}</button>
        </header>
        if state.privacy_open {
            <Privacy on_close={on_privacy.clone()} />
        }
        <div data-testid="status" data-state={state.phase.data_state()} class={classes!("status", state.phase.data_state())} role="status" aria-live="polite">
            {status_text}
        </div>
        if let Phase::Failed { message, worker_died } = &state.phase {
            <div class="error" data-testid="error" role="alert">
                <p>{message.clone()}</p>
                if !state.files.is_empty() {
                    <button onclick={on_retry.reform(|_: MouseEvent| ())}>{ if *worker_died { "Try again" } else { "Read the files again" } }</button>
                }
            </div>
        }
        <Dropzone on_files={read.clone()} on_example={on_example} compact={state.inspect.is_some() || state.busy()} disabled={state.busy()} />
        if let Phase::Working { stage, fraction } = &state.phase {
            <Progress stage={*stage} fraction={*fraction} files={state.files.clone()} on_cancel={on_cancel} />
        }
        if let Some(inspect) = &state.inspect {
            <Check view={inspect.clone()} balance={state.settings.features.balance} dirty={state.dirty} busy={state.busy()}
                ingest={state.ingest.clone()} on_ingest={on_ingest}
                on_role={on_role} on_balance={on_balance} on_rerun={on_rerun.reform(|_: MouseEvent| ())} />
        }
        if let Some(result) = (*shown).as_ref() {
            <section class="results" aria-label="Segments">
                <div class="export-bar">
                    <button data-testid="export-csv" class="primary" onclick={on_export}>{"Download segments.csv"}</button>
                    <button data-testid="export-report" onclick={on_report}>{"Report (HTML)"}</button>
                    <label class="small"><input type="checkbox" data-testid="report-small-quotes" checked={*small_quotes} onchange={on_small_quotes} />
                        {" quotes from groups under 5"}</label>
                    <button data-testid="export-receipt" onclick={on_receipt}>{"Receipt"}</button>
                    <button data-testid="export-settings" onclick={on_settings_file}>{"Settings file"}</button>
                    <label class="button" title="Re-run with a settings file or receipt saved earlier">{"Load settings…"}
                        <input type="file" accept=".json,application/json" data-testid="load-settings" class="visually-hidden" onchange={on_load_settings} /></label>
                    <label class="button" title="Drop last month's segments.csv to see what grew, shrank, appeared or went">{"Compare with last month…"}
                        <input type="file" accept=".csv,text/csv" data-testid="compare" class="visually-hidden" onchange={on_compare} /></label>
                </div>
                if let Some(notice) = &state.notice {
                    <p class="notice" data-testid="notice" role="status">{ notice.clone() }</p>
                }
                { for result.warnings.iter().map(|w| html! { <p class="warning">{w.clone()}</p> }) }
                <div class="results-grid">
                    <div class="col-list">
                        <Segments result={result.clone()} selected={state.selected} on_select={on_select.clone()} />
                        <Outliers result={result.clone()} on_person={on_person.clone()} />
                    </div>
                    <div class="col-detail">
                        <super::map::Map result={result.clone()} selected={state.selected} on_person={on_person.clone()} />
                        if let Some((index, segment, found, label)) = selected {
                            <Portrait segment={segment} index={index} n_people={result.n_people} on_person={on_person.clone()}
                                found={found} label={label} on_label={on_label} on_audience={on_audience}
                                has_say={result.has_say} has_do={result.has_do} />
                        }
                    </div>
                </div>
                <details class="charts" data-testid="charts">
                    <summary>{"Charts: sizes, differences, unmet needs"}</summary>
                    // Markup made by the engine from escaped text (report::escape): no cell can
                    // become an element or a script.
                    { Html::from_html_unchecked(AttrValue::from(result.charts.clone())) }
                </details>
                if let Some(comparison) = &state.comparison {
                    <super::compare::Compare comparison={comparison.clone()} on_person={on_person.clone()} />
                }
                if let Some(table) = &result.say_do {
                    <SayDoTable table={Rc::new(table.clone())} on_person={on_person.clone()} />
                }
            </section>
        }
        if let Some(person) = &state.person {
            <Person person={person.clone()} on_close={on_close_person} on_person={on_person} />
        }
        <footer class="foot">
            <p>{"Edgewise runs entirely in this browser tab. No file, row or statistic is ever sent anywhere."}</p>
        </footer>
        </>
    }
}

/// The file chosen in an `<input type=file>`'s change event; the input is emptied so that
/// choosing the same file again fires the event again.
fn chosen_file(e: &Event) -> Option<web_sys::File> {
    let input = e.target_dyn_into::<web_sys::HtmlInputElement>()?;
    let file = input.files().and_then(|list| list.get(0))?;
    input.set_value("");
    Some(file)
}
