//! The web worker: runs the engine off the page's thread and talks only in [`protocol`] types.
//!
//! It keeps the dropped files (browser `File` handles, read lazily in 4 MiB slices with
//! `FileReaderSync`, which only workers have), the joined dataset and the last analysis, so
//! that exports and person views need no recomputation. Progress is posted as work goes;
//! cancelling is done by the page terminating this worker, so the engine needs no
//! cancellation checks. A panic would trap the worker; the page sees that as an `error` event
//! and recovers with the files it still holds.

use crate::engine::analysis::{self, Analysis, Dataset, Stage};
use crate::engine::features::TextModel;
use crate::engine::ingest::{IngestError, IngestParams, Parsed, Reader};
use crate::engine::meaning::StaticModel;
use crate::engine::schema::{self, Kind};
use crate::protocol::{InspectView, PersonView, Request, Response, ResultView};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

/// Bytes read from a file per slice.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;

/// Where the meaning model is, next to the worker's script (`assets/meaning` in dist/).
const MEANING_URL: &str = "meaning/minilm-static.bin";

#[derive(Default)]
struct State {
    files: Vec<File>,
    dataset: Option<Dataset>,
    analysis: Option<Analysis>,
    /// The meaning model, once fetched (at most once per worker). While it is missing — not
    /// needed yet, or its fetch failed — text is read by its words, the page is told, and the
    /// next analysis with free text tries again.
    meaning: Option<Rc<StaticModel>>,
}

/// Milliseconds from the worker's clock.
fn now() -> f64 {
    scope().performance().map_or(0.0, |p| p.now())
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(response: &Response) {
    let serializer =
        serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(false);
    match serde::Serialize::serialize(response, &serializer) {
        Ok(value) => {
            let _ = scope().post_message(&value);
        }
        Err(e) => {
            let failed = Response::Failed {
                message: format!("could not send the result to the page: {e}"),
            };
            if let Ok(value) = serde_wasm_bindgen::to_value(&failed) {
                let _ = scope().post_message(&value);
            }
        }
    }
}

/// Posts progress at most every 1 % of a stage, so messages never flood the page.
struct Progress {
    last: Option<(Stage, i32)>,
}

impl Progress {
    fn report(&mut self, stage: Stage, fraction: f64) {
        let step = (fraction.clamp(0.0, 1.0) * 100.0) as i32;
        if self.last == Some((stage, step)) {
            return;
        }
        self.last = Some((stage, step));
        post(&Response::Progress {
            stage,
            fraction,
            label: stage.label().to_string(),
        });
    }
}

/// Starts the worker: listens for requests and says it is ready.
pub fn run() {
    // A panic is a bug; say where it happened in the console before the worker traps.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&JsValue::from_str(&format!(
            "Edgewise worker panicked: {info}"
        )));
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        let (request, files) = if js_sys::Array::is_array(&data) {
            let array: js_sys::Array = data.unchecked_into();
            (array.get(0), Some(array.get(1)))
        } else {
            (data, None)
        };
        let request: Request = match serde_wasm_bindgen::from_value(request) {
            Ok(r) => r,
            Err(e) => {
                post(&Response::Failed {
                    message: format!("the page sent a request the worker does not understand: {e}"),
                });
                return;
            }
        };
        if let Some(files) = files.filter(js_sys::Array::is_array) {
            let files: js_sys::Array = files.unchecked_into();
            let list: Vec<File> = files
                .iter()
                .filter_map(|f| f.dyn_into::<File>().ok())
                .collect();
            STATE.with(|s| s.borrow_mut().files = list);
        }
        handle(request);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Response::Ready);
}

fn handle(request: Request) {
    let mut progress = Progress { last: None };
    let response = match request {
        Request::Inspect { params, settings } => inspect(&params, &settings, &mut progress),
        Request::Analyse { settings } => {
            if needs_meaning(&settings) {
                // Fetch the model first (once), then analyse; the page shows the download.
                wasm_bindgen_futures::spawn_local(async move {
                    let mut progress = Progress { last: None };
                    if let Err(message) = load_meaning(&mut progress).await {
                        web_sys::console::warn_1(&JsValue::from_str(&message));
                    }
                    post(&analyse(&settings, &mut progress));
                });
                return;
            }
            analyse(&settings, &mut progress)
        }

        Request::Export => STATE.with(|s| {
            let state = s.borrow();
            match (state.dataset.as_ref(), state.analysis.as_ref()) {
                (Some(dataset), Some(result)) => {
                    let receipt = serde_json::to_string_pretty(&analysis::receipt(dataset, result))
                        .unwrap_or_default();
                    Response::Exported {
                        csv: result.export_csv(&dataset.table),
                        receipt,
                    }
                }
                _ => Response::Failed {
                    message: "there is nothing to export yet: find segments first".into(),
                },
            }
        }),
        Request::Embed { answers } => {
            wasm_bindgen_futures::spawn_local(async move {
                let mut progress = Progress { last: None };
                let t0 = now();
                let model = match load_meaning(&mut progress).await {
                    Ok(model) => model,
                    Err(message) => {
                        post(&Response::Failed { message });
                        return;
                    }
                };
                let t1 = now();
                let with_vector = answers.iter().filter(|a| model.embed(a).is_some()).count();
                let t2 = now();
                post(&Response::Embedded {
                    answers: answers.len() as u32,
                    with_vector: with_vector as u32,
                    load_ms: t1 - t0,
                    embed_ms: t2 - t1,
                });
            });
            return;
        }
        Request::Person { row } => STATE.with(|s| {
            let state = s.borrow();
            match (state.dataset.as_ref(), state.analysis.as_ref()) {
                (Some(dataset), Some(result)) => {
                    match PersonView::of(dataset, result, row as usize) {
                        Some(view) => Response::Person(Box::new(view)),
                        None => Response::Failed {
                            message: format!("there is no person in row {}", row + 1),
                        },
                    }
                }
                _ => Response::Failed {
                    message: "find segments first".into(),
                },
            }
        }),
    };
    post(&response);
}

/// Whether this analysis reads free text by meaning and the model is not fetched yet.
fn needs_meaning(settings: &analysis::Settings) -> bool {
    if settings.features.text_model != TextModel::Meaning {
        return false;
    }
    STATE.with(|s| {
        let state = s.borrow();
        let Some(dataset) = state.dataset.as_ref() else {
            return false;
        };
        if state.meaning.is_some() {
            return false;
        }
        let mut schema = dataset.schema.clone();
        schema::apply_overrides(&mut schema, &settings.schema);
        schema
            .columns
            .iter()
            .any(|c| c.kind == Kind::FreeText && c.role.forms_segments())
    })
}

fn analyse(settings: &analysis::Settings, progress: &mut Progress) -> Response {
    STATE.with(|s| {
        let mut state = s.borrow_mut();
        let meaning = state.meaning.clone();
        let Some(dataset) = state.dataset.as_ref() else {
            return Response::Failed {
                message: "there are no files to analyse yet: drop a CSV export first".into(),
            };
        };
        match analysis::analyse(dataset, settings, meaning.as_deref(), &mut |stage, f| {
            progress.report(stage, f)
        }) {
            Ok(result) => {
                let view = ResultView::of(&result);
                state.analysis = Some(result);
                Response::Analysed(Box::new(view))
            }
            Err(e) => Response::Failed {
                message: e.to_string(),
            },
        }
    })
}

/// The meaning model: the one already loaded, or fetched now and kept for the worker's life.
async fn load_meaning(progress: &mut Progress) -> Result<Rc<StaticModel>, String> {
    if let Some(model) = STATE.with(|s| s.borrow().meaning.clone()) {
        return Ok(model);
    }
    let model = Rc::new(fetch_meaning(progress).await?);
    STATE.with(|s| s.borrow_mut().meaning = Some(Rc::clone(&model)));
    Ok(model)
}

/// Fetches the meaning model from the site (the service worker caches it), with progress.
async fn fetch_meaning(progress: &mut Progress) -> Result<StaticModel, String> {
    let failed = |what: &str| format!("the meaning model could not be {what}");
    progress.report(Stage::Meaning, 0.0);
    let response: web_sys::Response = JsFuture::from(scope().fetch_with_str(MEANING_URL))
        .await
        .map_err(|_| failed("fetched"))?
        .dyn_into()
        .map_err(|_| failed("fetched"))?;
    if !response.ok() {
        return Err(failed(&format!("fetched (HTTP {})", response.status())));
    }
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(0.0);
    let body = response.body().ok_or_else(|| failed("read"))?;
    let reader: web_sys::ReadableStreamDefaultReader =
        body.get_reader().dyn_into().map_err(|_| failed("read"))?;
    let mut bytes: Vec<u8> = Vec::with_capacity(total as usize);
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|_| failed("read"))?;
        let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))
            .map_err(|_| failed("read"))?;
        let array: js_sys::Uint8Array = value.dyn_into().map_err(|_| failed("read"))?;
        let start = bytes.len();
        bytes.resize(start + array.length() as usize, 0);
        array.copy_to(&mut bytes[start..]);
        if total > 0.0 {
            progress.report(Stage::Meaning, bytes.len() as f64 / total);
        }
    }
    progress.report(Stage::Meaning, 1.0);
    StaticModel::from_bytes(&bytes)
}

fn inspect(
    params: &[IngestParams],
    settings: &analysis::Settings,
    progress: &mut Progress,
) -> Response {
    let files = STATE.with(|s| s.borrow().files.clone());
    if files.is_empty() {
        return Response::Failed {
            message: "no files were received: drop one or more CSV exports".into(),
        };
    }
    // Say so before reading when the files cannot fit, rather than dying halfway.
    let sizes: Vec<(String, u64)> = files.iter().map(|f| (f.name(), f.size() as u64)).collect();
    if let Err(message) = crate::engine::ingest::fits_in_a_tab(&sizes) {
        return Response::Failed { message };
    }
    let total: f64 = files.iter().map(|f| f.size()).sum::<f64>().max(1.0);
    let mut done = 0.0;
    let mut parsed: Vec<Parsed> = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let p = params.get(i).cloned().unwrap_or_default();
        match read_file(file, p, &mut |bytes| {
            progress.report(Stage::Reading, (done + bytes) / total)
        }) {
            Ok(file_parsed) => parsed.push(file_parsed),
            Err(message) => return Response::Failed { message },
        }
        done += file.size();
    }
    progress.report(Stage::Understanding, 0.0);
    let dataset = analysis::combine(parsed, settings);
    let view = InspectView::of(&dataset);
    STATE.with(|s| {
        let mut state = s.borrow_mut();
        state.dataset = Some(dataset);
        state.analysis = None;
    });
    Response::Inspected(Box::new(view))
}

fn read_file(
    file: &File,
    params: IngestParams,
    on_bytes: &mut dyn FnMut(f64),
) -> Result<Parsed, String> {
    let name = file.name();
    let reader_sync = FileReaderSync::new()
        .map_err(|_| format!("{name}: this browser cannot read files in a worker"))?;
    let mut reader = Reader::new(&name, params);
    let size = file.size();
    let mut start = 0.0;
    while start < size {
        let end = (start + SLICE).min(size);
        let blob = file
            .slice_with_f64_and_f64(start, end)
            .map_err(|_| format!("{name}: the file could not be sliced"))?;
        let buffer = reader_sync.read_as_array_buffer(&blob).map_err(|_| {
            format!("{name}: the file could not be read (was it moved or deleted?)")
        })?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        reader
            .push(&bytes)
            .map_err(|e: IngestError| e.to_string())?;
        start = end;
        on_bytes(start);
    }
    reader.finish().map_err(|e| e.to_string())
}
