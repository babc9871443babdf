//! The web worker: runs the engine off the page's thread and talks only in [`protocol`] types.
//!
//! It keeps the dropped files (browser `File` handles, read lazily in 4 MiB slices with
//! `FileReaderSync`, which only workers have), the joined dataset and the last analysis, so
//! that exports and person views need no recomputation. Progress is posted as work goes;
//! cancelling is done by the page terminating this worker (which ends its helpers too), so the
//! engine needs no cancellation checks.
//!
//! For large files it starts a **helper**: a second copy of this worker, on the machine's
//! other core, that builds everyone's neighbour graph while this one finds segments among
//! the sample ([`analysis::Prepared`]). With more cores it starts a pool, one helper per core
//! beyond its own (`pool_size`): each builds a share of the graph's trees, and the first
//! gathers the others' shares over message channels and finishes the graph
//! (`request_graph`). The graph depends only on the points and the seed, however its trees
//! are shared, so the result is the same as on one core; if the first helper cannot start or
//! fails, the graph is built here. Once it has the graph, the helper runs the last of the segments' three
//! stability resamples (a self-contained `ResampleJob`) while this worker runs the other two;
//! without its answer, this worker runs it too. While this worker then describes the
//! segments, the helper clusters the say/do table's two sides (`SidesJob`, a sample of
//! 3,000 people) and judges how badly everyone's answers fit the segments (`FitJob`, a part
//! of each edge score); without its answers, this worker does both. The helper also hashes large files (SHA-256,
//! for the receipt) while this worker reads and analyses them; the digests are written in
//! before anything names the files by them, and without an answer this worker hashes the
//! files itself. The meaning model is asked for as soon as read files turn out to have free
//! text ([`prefetch_meaning`]). A panic would trap the worker; the page sees that as an
//! `error` event and recovers with the files it still holds.

use crate::engine::analysis::{self, Analysis, Dataset, Stage};
use crate::engine::cluster;
use crate::engine::cluster::neighbours::{self, CandidateArrays, Candidates, Graph};
use crate::engine::cluster::stability::{Resample, ResampleJob};
use crate::engine::edges::FitJob;
use crate::engine::ingest::{FileHash, Incoming, IngestError, IngestParams, Parsed, Reader};
use crate::engine::linalg::Dense;
use crate::engine::meaning::StaticModel;
use crate::engine::saydo::{Sides, SidesJob};
use crate::protocol::{self, InspectView, PersonView, Request, Response, ResultView, TakeAway};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent, Worker};

/// Bytes read from a file per slice.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;

/// Where the meaning model is, next to the worker's script (`assets/meaning` in dist/).
const MEANING_URL: &str = "meaning/minilm-static.bin";

/// This worker's own loader, for the helper (resolved next to this worker's script; the
/// query only names it in the browser's tools).
const HELPER_SCRIPT: &str = "./worker_loader.js?helper";

/// Bytes of CSV from which on the helper hashes the files (SHA-256, for the receipt) while
/// this worker reads them. Hashing takes about a fifth of reading in WebAssembly (sha2 has no
/// hardware path there: 0.5 s of 2.3 s for 103 MB); below this size it takes milliseconds.
const HASH_APART_FROM: f64 = 2.0 * 1024.0 * 1024.0;

/// People from whom on a helper builds the neighbour graph. Below this the graph takes a
/// fraction of a second and starting a second worker would cost more than it saves.
const HELPER_FROM: usize = 10_000;

#[derive(Default)]
struct State {
    files: Vec<File>,
    /// Shared with a running analysis, which holds no borrow of the state while it waits.
    dataset: Option<Rc<Dataset>>,
    analysis: Option<Analysis>,
    /// The meaning model, once fetched (at most once per worker). While it is missing — not
    /// needed yet, or its fetch failed — text is read by its words, the page is told, and the
    /// next analysis with free text tries again.
    meaning: Option<Rc<StaticModel>>,
    /// The meaning model, asked for as soon as read files turn out to have free text
    /// ([`prefetch_meaning`]): the promise of the fetch's response. Taken by the first
    /// analysis that reads text by meaning.
    meaning_bytes: Option<js_sys::Promise>,
    /// The helper workers by number, once started ([`helper_at`]).
    helpers: Vec<Option<Rc<Helper>>>,
    /// The numbers of helpers that failed to start or stopped: their work is done here from
    /// then on.
    helpers_failed: Vec<usize>,
    /// The helper's digests of the dataset's files, while it computes them: each file's
    /// index, the file, and the promise of the answer. They are written into the dataset
    /// before anything names the files by digest ([`settle_hashes`]).
    hashing: Vec<(usize, File, js_sys::Promise)>,
    /// Counts the datasets read, so that digests are written only into the one they are of.
    readings: u32,
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

/// Posts progress at most every 1 % of a stage, so messages never flood the page, and notes
/// when each stage began, for the timings the browser benchmark prints.
struct Progress {
    last: Option<(Stage, i32)>,
    /// Each stage as it began, with the worker's clock then (milliseconds).
    began: Vec<(Stage, f64)>,
    /// Where the worker's memory grew: the stage and fraction reported first after each
    /// growth, with the memory then (MiB), for the benchmark's account of the peak.
    grew: Vec<(Stage, i32, u32)>,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            last: None,
            began: Vec::new(),
            grew: Vec::new(),
        }
    }

    fn report(&mut self, stage: Stage, fraction: f64) {
        if self.began.last().map(|b| b.0) != Some(stage) {
            self.began.push((stage, now()));
        }
        let step = (fraction.clamp(0.0, 1.0) * 100.0) as i32;
        if self.last == Some((stage, step)) {
            return;
        }
        self.last = Some((stage, step));
        let memory = memory_mib();
        if self.grew.last().is_none_or(|g| g.2 < memory) {
            self.grew.push((stage, step, memory));
        }
        post(&Response::Progress {
            stage,
            fraction,
            label: stage.label().to_string(),
        });
    }

    /// How long each stage of this request took, in order ("Building features 1.66 s, …"):
    /// from its first report to the next stage's, the last one up to now.
    fn timings(&self) -> String {
        let end = now();
        self.began
            .iter()
            .enumerate()
            .map(|(i, (stage, t))| {
                let next = self.began.get(i + 1).map_or(end, |b| b.1);
                format!("{} {:.2} s", stage.label(), (next - t) / 1000.0)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Where memory grew during this request ("Building features 0 % 310 MB, …"): the
    /// first report after each growth, so the stage that needed it ran just before.
    fn growth(&self) -> String {
        self.grew
            .iter()
            .map(|(stage, step, mib)| format!("{} {step} % {mib} MB", stage.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// This worker's WebAssembly memory in MiB (it only grows).
fn memory_mib() -> u32 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(0, |memory| {
            memory
                .buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length()
                >> 20
        })
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
        if let Some(job) = graph_job(&data) {
            wasm_bindgen_futures::spawn_local(answer_trees_job(job));
            return;
        }
        if let Some((job, parts)) = parts_job(&data, RESAMPLE_JOB) {
            let resamples = parts.and_then(|(r, w, h)| ResampleJob::from_parts(r, &w, &h).ok());
            answer_resample_job(job, resamples.as_ref());
            return;
        }
        if let Some((job, parts)) = parts_job(&data, FIT_JOB) {
            let fit = parts.and_then(|(_, w, h)| FitJob::from_parts(&w, &h).ok());
            answer_fit_job(job, fit.as_ref());
            return;
        }
        if let Some((job, parts)) = parts_job(&data, SIDES_JOB) {
            let sides = parts.and_then(|(r, w, h)| SidesJob::from_parts(r, &w, &h).ok());
            answer_sides_job(job, sides.as_ref());
            return;
        }
        if let Some((job, file)) = hash_job(&data) {
            answer_hash_job(job, &file);
            return;
        }
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
        let list: Option<Vec<File>> = files.filter(js_sys::Array::is_array).map(|files| {
            let files: js_sys::Array = files.unchecked_into();
            files
                .iter()
                .filter_map(|f| f.dyn_into::<File>().ok())
                .collect()
        });
        // Last month's export is read once for a comparison; the dropped files stay the ones
        // kept for reading again.
        if let Request::Compare { labels } = &request {
            post(&compare(list.unwrap_or_default(), labels));
            return;
        }
        if let Some(list) = list {
            STATE.with(|s| s.borrow_mut().files = list);
        }
        handle(request);
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Response::Ready);
}

fn handle(request: Request) {
    let response = match request {
        Request::Inspect { params, settings } => inspect(&params, &settings, &mut Progress::new()),
        Request::Analyse { settings } => {
            wasm_bindgen_futures::spawn_local(async move {
                let mut progress = Progress::new();
                if needs_meaning(&settings) {
                    // Fetch the model first (once), then analyse; the page shows the download.
                    if let Err(message) = load_meaning(&mut progress).await {
                        web_sys::console::warn_1(&JsValue::from_str(&message));
                    }
                }
                post(&analyse(&settings, &mut progress).await);
                // The files' digests, for the receipt: by now the helper has long sent them.
                // Whatever stops them now is said when a receipt or report is asked for.
                let _ = settle_hashes().await;
            });
            return;
        }

        // The receipt and the report name each file by its digest: they wait for the
        // helper's; a notice (which leaves the page as it is) says why one cannot be made.
        Request::TakeAway { what, labels }
            if matches!(what, TakeAway::Receipt | TakeAway::Report { .. }) =>
        {
            wasm_bindgen_futures::spawn_local(async move {
                post(&match settle_hashes().await {
                    Ok(()) => take_away(&what, &labels),
                    Err(message) => Response::Notice { message },
                });
            });
            return;
        }
        Request::TakeAway { what, labels } => take_away(&what, &labels),
        // Answered before `handle` (it brings its own file).
        Request::Compare { .. } => return,
        Request::Embed { answers } => {
            wasm_bindgen_futures::spawn_local(async move {
                let mut progress = Progress::new();
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

/// The file `what` of the last analysis.
fn take_away(what: &TakeAway, labels: &[protocol::SegmentLabel]) -> Response {
    STATE.with(|s| {
        let state = s.borrow();
        match (state.dataset.as_ref(), state.analysis.as_ref()) {
            (Some(dataset), Some(result)) => protocol::take_away(dataset, result, what, labels),
            _ => Response::Failed {
                message: "there is nothing to take away yet: find segments first".into(),
            },
        }
    })
}

/// Whether this analysis reads free text by meaning and the model is not fetched yet.
fn needs_meaning(settings: &analysis::Settings) -> bool {
    STATE.with(|s| {
        let state = s.borrow();
        state.meaning.is_none()
            && state
                .dataset
                .as_ref()
                .is_some_and(|dataset| analysis::reads_meaning(dataset, settings))
    })
}

async fn analyse(settings: &analysis::Settings, progress: &mut Progress) -> Response {
    let (dataset, meaning) = STATE.with(|s| {
        let state = s.borrow();
        (state.dataset.clone(), state.meaning.clone())
    });
    let Some(dataset) = dataset else {
        return Response::Failed {
            message: "there are no files to analyse yet: drop a CSV export first".into(),
        };
    };
    let mut report = |stage, f| progress.report(stage, f);
    let mut prepared = match analysis::prepare(&dataset, settings, meaning.as_deref(), &mut report)
    {
        Ok(prepared) => prepared,
        Err(e) => {
            return Response::Failed {
                message: e.to_string(),
            };
        }
    };
    let n = prepared.space().rows;
    let pending = if n >= HELPER_FROM {
        request_graph(prepared.space(), prepared.seed())
    } else {
        None
    };
    // Where the segments' time went, when a helper built the graph (for the benchmark).
    let mut split = String::new();
    let (clustering, helped) = match pending {
        Some(pending) => {
            let t0 = now();
            let mut part = prepared.sample_segments(&mut report);
            // The stability resamples: the helper takes the last once it has built the
            // graph, this worker runs the others meanwhile.
            let mut jobs = prepared.resample_jobs(&part, RESAMPLE_PARTS);
            let remote = if jobs.len() > 1 {
                jobs.pop().map(|job| {
                    let (reals, whole, head) = job.to_parts();
                    let promise = helper()
                        .and_then(|h| h.send_parts(RESAMPLE_JOB, &[&reals], &[&whole], &head));
                    (job, promise)
                })
            } else {
                None
            };
            let here: usize = jobs.iter().map(|j| j.len()).sum();
            let share =
                here as f64 / (here + remote.as_ref().map_or(0, |r| r.0.len())).max(1) as f64;
            let mut resamples = Vec::new();
            for job in &jobs {
                resamples.extend(job.run(&mut |f| report(Stage::Segments, 0.5 + 0.45 * share * f)));
            }
            let t1 = now();
            let (graph, mut helper_answered) =
                receive_graph(pending, prepared.space(), prepared.seed()).await;
            if let Some((job, promise)) = remote {
                let answer = match promise {
                    Some(promise) if helper_answered => {
                        JsFuture::from(within(promise, helper_patience(n)))
                            .await
                            .unwrap_or(JsValue::NULL)
                    }
                    _ => JsValue::NULL,
                };
                match resamples_from(&answer).filter(|r| job.answered_by(r)) {
                    Some(theirs) => resamples.extend(theirs),
                    None => {
                        // A helper that sent no resample is not sent more work.
                        helper_answered = false;
                        web_sys::console::warn_1(&JsValue::from_str(
                            "Edgewise: the helper worker sent no resample; running it here",
                        ));
                        resamples.extend(job.run(&mut |_| {}));
                    }
                }
            }
            prepared.settle(&mut part, resamples);
            let t2 = now();
            let clustering = prepared.segment_everyone(part, graph, &mut report);
            split = format!(
                " (the sample's segments and {here} of their resamples {:.2} s, then waiting for the helper's graph and resample {:.2} s, everyone {:.2} s)",
                (t1 - t0) / 1000.0,
                (t2 - t1) / 1000.0,
                (now() - t2) / 1000.0
            );
            (clustering, Some(helper_answered))
        }
        None => (prepared.segment(&mut report), None),
    };
    let result = match helped {
        Some(helper_answered) => {
            // The helper (unless it sent no graph or resample) clusters the say/do table's
            // two sides and judges how badly everyone's answers fit the segments, while this
            // worker describes them. Only the sides' sample is kept here: the table is found
            // here again if the helper sends no answer.
            let helper = helper().filter(|_| helper_answered);
            let mut clustering = clustering;
            let (fit_job, sides_job) = prepared.helper_jobs(&mut clustering);
            let fit = helper.as_ref().and_then(|h| {
                let (runs, head) = fit_job.parts();
                h.send_parts(FIT_JOB, &[], &runs, &head)
            });
            let sides = helper.as_ref().zip(sides_job).and_then(|(h, job)| {
                let (reals, whole, head) = job.parts();
                let promise = h.send_parts(SIDES_JOB, &reals, &[&whole], &head);
                promise.map(|promise| (job.into_sample(), promise))
            });
            let described = prepared.describe_segments(clustering, &mut report);
            let t3 = now();
            // Both answers are waited for within one span of patience.
            let deadline = now() + f64::from(helper_patience(n));
            let left = || (deadline - now()).max(0.0) as i32;
            let fit = match fit {
                Some(promise) => {
                    let answer = JsFuture::from(within(promise, left()))
                        .await
                        .unwrap_or(JsValue::NULL);
                    let fit = fit_from(&answer, n);
                    if fit.is_none() {
                        web_sys::console::warn_1(&JsValue::from_str(
                            "Edgewise: the helper worker sent no fit; judging it here",
                        ));
                    }
                    fit
                }
                None => None,
            }
            .unwrap_or_else(|| fit_job.run());
            drop(fit_job);
            let sides = match sides {
                Some((sample, promise)) => {
                    let answer = JsFuture::from(within(promise, left()))
                        .await
                        .unwrap_or(JsValue::NULL);
                    let sides = sides_from(&answer, sample.len());
                    if sides.is_none() {
                        web_sys::console::warn_1(&JsValue::from_str(
                            "Edgewise: the helper worker sent no say/do sides; finding them here",
                        ));
                    }
                    sides.map(|sides| (sample, sides))
                }
                None => None,
            };
            split.push_str(&format!(
                "; describing waited {:.2} s for the helper's fit and say/do sides",
                (now() - t3) / 1000.0
            ));
            described.finish(fit, sides, &mut report)
        }
        None => prepared.describe(clustering, &mut report),
    };
    let view = ResultView::of(&result);
    // WebAssembly memory only grows, so its size now is this worker's peak so far; the
    // browser benchmark reads it (`bench/browser.mjs analysis`).
    web_sys::console::debug_1(&JsValue::from_str(&format!(
        "Edgewise: worker memory {} MB after the analysis; it grew before {}",
        memory_mib(),
        progress.growth()
    )));
    web_sys::console::debug_1(&JsValue::from_str(&format!(
        "Edgewise: worker stages: {}{split}",
        progress.timings()
    )));
    STATE.with(|s| {
        let mut state = s.borrow_mut();
        // Kept for exports and person views unless other files were read meanwhile.
        if state
            .dataset
            .as_ref()
            .is_some_and(|d| Rc::ptr_eq(d, &dataset))
        {
            state.analysis = Some(result);
        }
    });
    Response::Analysed(Box::new(view))
}

/// Asks the helpers for everyone's neighbour graph of `points`; the promise resolves with
/// the first helper's answer, for [`graph_from`]. With one helper (two cores) it builds the
/// whole graph. With more, each builds a share of the forest's trees, and the others send
/// theirs straight to the first over message channels; the first merges them and finishes
/// the graph. So this worker never holds the trees' candidates, only the graph, as with one
/// helper. `None` if the first helper cannot run here (the graph is then built here).
fn request_graph(points: &Dense, seed: u64) -> Option<js_sys::Promise> {
    // Without the first helper the graph is built here: no other helper is asked.
    let first = helper()?;
    let parts = pool_size(points);
    let mut gather = Vec::new();
    for number in 1..parts {
        let Ok(channel) = web_sys::MessageChannel::new() else {
            break;
        };
        let trees = neighbours::tree_share(number, parts);
        let give = Role::Give(channel.port2());
        let asked = helper_at(number).and_then(|h| h.request(points, seed, &trees, parts, give));
        if asked.is_none() {
            // The first helper is told at once that this share will not come, and builds it.
            let _ = channel.port2().post_message(&JsValue::NULL);
        }
        gather.push(channel.port1());
    }
    let trees = neighbours::tree_share(0, parts);
    first.request(points, seed, &trees, parts, Role::Gather(gather))
}

/// Stops the helpers beyond the first once the graph is in: each holds its share's memory
/// (about 500 MB at a million people) for as long as it runs. The next large file starts
/// them again.
fn stop_pool() {
    let pool: Vec<Rc<Helper>> = STATE.with(|s| {
        let mut state = s.borrow_mut();
        state
            .helpers
            .iter_mut()
            .skip(1)
            .filter_map(Option::take)
            .collect()
    });
    for helper in pool {
        helper.worker.terminate();
    }
}

/// Everyone's neighbour graph from the first helper, or built here if it sends none in time
/// (the same graph either way), and whether it answered (a stability resample is queued
/// behind it).
async fn receive_graph(pending: js_sys::Promise, points: &Dense, seed: u64) -> (Graph, bool) {
    let n = points.rows;
    // However the helper fares, this analysis does not wait for it forever.
    let answer = JsFuture::from(within(pending, helper_patience(n)))
        .await
        .unwrap_or(JsValue::NULL);
    stop_pool();
    match graph_from(&answer, n) {
        Some(graph) => (graph, true),
        None => {
            web_sys::console::warn_1(&JsValue::from_str(
                "Edgewise: the helper worker sent no neighbour graph; building it here",
            ));
            (cluster::everyone_graph(points, seed), false)
        }
    }
}

/// Helpers to build the neighbour graph of `points`: one per core beyond this worker's
/// (`navigator.hardwareConcurrency`), at least one and at most one per tree of the graph's
/// forest, and no more than the helpers beyond the first can hold in
/// `cluster::GRAPH_MEMORY` (each with its own copy of the points). The
/// page's address can say how many cores to use (`?cores=4`), which the page passes on to
/// this worker's address (for tests and benchmarks).
fn pool_size(points: &Dense) -> usize {
    let asked = scope()
        .location()
        .search()
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("cores=")?.parse::<usize>().ok());
    let cores = asked.unwrap_or_else(|| scope().navigator().hardware_concurrency() as usize);
    cluster::everyone_graph_helpers(points, cores.saturating_sub(1))
}

/// How long to wait for the helper's graph of `n` people (and then for its stability
/// resample, and then for its fit and say/do sides together) after this worker's own part
/// is done, in milliseconds: far more than it takes (about 2 s for 100,000 people), so that
/// only a helper that stopped answering is given up on; its work is then done here.
fn helper_patience(n: usize) -> i32 {
    (30_000.0 + 0.1 * n as f64).min(600_000.0) as i32
}

/// `promise`, or `null` if it has not settled within `ms` milliseconds.
fn within(promise: js_sys::Promise, ms: i32) -> js_sys::Promise {
    let timeout = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    js_sys::Promise::race(&js_sys::Array::of2(&promise, &timeout))
}

/// A helper worker (a copy of this one that builds neighbour graphs), seen from this one.
///
/// A worker drops messages that arrive before its WebAssembly has started and installed its
/// handler, so jobs wait here until the helper says `Ready` (as the page's bridge does for
/// this worker). A hotel bookings file of 15,402 rows used to hang at "Finding segments —
/// 95 %" when its job was posted into a helper that was still starting.
struct Helper {
    worker: Worker,
    /// Jobs (message, buffers to transfer) held until the helper is ready; `None` once it is.
    queued: Rc<RefCell<Option<Vec<Job>>>>,
    /// Jobs sent and not yet answered.
    waiting: Rc<RefCell<Waiting>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

/// A job for the helper (a graph, resamples, the say/do sides, the fit or a file's digest):
/// the message and the buffers it transfers.
type Job = (js_sys::Object, js_sys::Array);

/// Jobs sent to the helper: each resolves with the answer that carries its number, or with
/// `null` if the helper stops, so that an answer never reaches the wrong analysis.
#[derive(Default)]
struct Waiting {
    next: u32,
    jobs: Vec<(u32, js_sys::Function)>,
}

/// The first helper (the one that also hashes files, and runs a stability resample, the
/// say/do sides and the fit).
fn helper() -> Option<Rc<Helper>> {
    helper_at(0)
}

/// Helper number `number`, started now if it is not running yet; `None` if it cannot run
/// here.
fn helper_at(number: usize) -> Option<Rc<Helper>> {
    let (running, failed) = STATE.with(|s| {
        let state = s.borrow();
        (
            state.helpers.get(number).cloned().flatten(),
            state.helpers_failed.contains(&number),
        )
    });
    if failed {
        return None;
    }
    if running.is_some() {
        return running;
    }
    // The first helper's address is the loader's with `?helper`, the others' `?helper=N`.
    let script = match number {
        0 => HELPER_SCRIPT.to_string(),
        n => format!("{HELPER_SCRIPT}={n}"),
    };
    let worker = Worker::new(&script).ok();
    let Some(worker) = worker else {
        STATE.with(|s| s.borrow_mut().helpers_failed.push(number));
        return None;
    };
    let waiting: Rc<RefCell<Waiting>> = Rc::default();
    let queued: Rc<RefCell<Option<Vec<Job>>>> = Rc::new(RefCell::new(Some(Vec::new())));
    let answered = Rc::clone(&waiting);
    let to_send = Rc::clone(&queued);
    let sender = worker.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        // The helper says `Ready` when it starts: send what waited. Only numbered messages
        // are answers.
        let job = job_number(&data);
        if job.is_none() {
            let held = to_send.borrow_mut().take().unwrap_or_default();
            for (message, transfer) in held {
                if sender
                    .post_message_with_transfer(&message, &transfer)
                    .is_err()
                {
                    let number = job_number(&message);
                    let resolve = {
                        let mut waiting = answered.borrow_mut();
                        let at = waiting.jobs.iter().position(|(j, _)| Some(*j) == number);
                        at.map(|at| waiting.jobs.remove(at).1)
                    };
                    if let Some(resolve) = resolve {
                        let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
                    }
                }
            }
            return;
        }
        let resolve = {
            let mut waiting = answered.borrow_mut();
            let at = waiting.jobs.iter().position(|(j, _)| Some(*j) == job);
            at.map(|at| waiting.jobs.remove(at).1)
        };
        if let Some(resolve) = resolve {
            let _ = resolve.call1(&JsValue::NULL, &data);
        }
    });
    let failed = Rc::clone(&waiting);
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        let said = match number {
            0 => "the helper worker stopped; its work is done in this worker".to_string(),
            n => format!("helper worker {n} stopped; the first helper builds its share"),
        };
        web_sys::console::warn_1(&JsValue::from_str(&format!("Edgewise: {said}")));
        STATE.with(|s| {
            let mut state = s.borrow_mut();
            if let Some(slot) = state.helpers.get_mut(number) {
                *slot = None;
            }
            state.helpers_failed.push(number);
        });
        let jobs = std::mem::take(&mut failed.borrow_mut().jobs);
        for (_, resolve) in jobs {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let helper = Rc::new(Helper {
        worker,
        queued,
        waiting,
        _on_message: on_message,
        _on_error: on_error,
    });
    STATE.with(|s| {
        let mut state = s.borrow_mut();
        if state.helpers.len() <= number {
            state.helpers.resize(number + 1, None);
        }
        state.helpers[number] = Some(Rc::clone(&helper));
    });
    Some(helper)
}

impl Helper {
    /// Sends the points, a share of the forest's trees (of `parts` shares) and the helper's
    /// role; the promise resolves with the helper's answer: the graph for [`graph_from`] from
    /// the first helper, an empty answer from the others.
    fn request(
        &self,
        points: &Dense,
        seed: u64,
        trees: &std::ops::Range<usize>,
        parts: usize,
        role: Role,
    ) -> Option<js_sys::Promise> {
        let values = js_sys::Float64Array::from(points.data.as_slice());
        let job = js_sys::Object::new();
        let set =
            |key: &str, value: &JsValue| js_sys::Reflect::set(&job, &JsValue::from_str(key), value);
        set(GRAPH_JOB, &values).ok()?;
        set("rows", &JsValue::from_f64(points.rows as f64)).ok()?;
        set("cols", &JsValue::from_f64(points.cols as f64)).ok()?;
        set("seed", &JsValue::from_str(&seed.to_string())).ok()?;
        set("treesFrom", &JsValue::from_f64(trees.start as f64)).ok()?;
        set("treesTo", &JsValue::from_f64(trees.end as f64)).ok()?;
        set("parts", &JsValue::from_f64(parts as f64)).ok()?;
        let transfer = js_sys::Array::of1(&values.buffer());
        match role {
            Role::Gather(ports) => {
                let list = js_sys::Array::new();
                for port in ports {
                    transfer.push(&port);
                    list.push(&port);
                }
                set("gather", &list).ok()?;
            }
            Role::Give(port) => {
                transfer.push(&port);
                set("give", &port).ok()?;
            }
        }
        self.send(job, transfer).map(|(_, promise)| promise)
    }

    /// Sends a job of plain arrays under `key`: runs of reals and runs of whole numbers, each
    /// kind written one run after another straight into the message (this worker's memory
    /// holds no joined copy), beside the description `head`; the promise resolves with the
    /// helper's answer ([`resamples_from`], [`sides_from`], [`fit_from`]).
    fn send_parts(
        &self,
        key: &str,
        reals: &[&[f64]],
        whole: &[&[u32]],
        head: &str,
    ) -> Option<js_sys::Promise> {
        let reals = joined(
            reals,
            js_sys::Float64Array::new_with_length,
            |a, at, end, run| a.subarray(at, end).copy_from(run),
        )?;
        let whole = joined(
            whole,
            js_sys::Uint32Array::new_with_length,
            |a, at, end, run| a.subarray(at, end).copy_from(run),
        )?;
        let message = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| {
            js_sys::Reflect::set(&message, &JsValue::from_str(key), value)
        };
        set(key, &JsValue::from_str(head)).ok()?;
        set("reals", &reals).ok()?;
        set("whole", &whole).ok()?;
        self.send(
            message,
            js_sys::Array::of2(&reals.buffer(), &whole.buffer()),
        )
        .map(|(_, promise)| promise)
    }

    /// Asks for `file`'s SHA-256; the promise resolves with the answer for [`hash_from`].
    /// The file crosses as a handle (a `File` is cloned, not copied); the helper reads it.
    fn hash(&self, file: &File) -> Option<js_sys::Promise> {
        let job = js_sys::Object::new();
        js_sys::Reflect::set(&job, &JsValue::from_str(HASH_JOB), file).ok()?;
        self.send(job, js_sys::Array::new())
            .map(|(_, promise)| promise)
    }

    /// Numbers `job` and sends it (or holds it until the helper is ready); returns the number
    /// and a promise that resolves with the answer that carries it, or `null` if the helper
    /// stops.
    fn send(&self, job: js_sys::Object, transfer: js_sys::Array) -> Option<(u32, js_sys::Promise)> {
        let number = {
            let mut waiting = self.waiting.borrow_mut();
            waiting.next = waiting.next.wrapping_add(1);
            waiting.next
        };
        js_sys::Reflect::set(
            &job,
            &JsValue::from_str("job"),
            &JsValue::from_f64(f64::from(number)),
        )
        .ok()?;
        let waiting = Rc::clone(&self.waiting);
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            waiting.borrow_mut().jobs.push((number, resolve));
        });
        if let Some(held) = self.queued.borrow_mut().as_mut() {
            held.push((job, transfer));
            return Some((number, promise));
        }
        if self
            .worker
            .post_message_with_transfer(&job, &transfer)
            .is_err()
        {
            self.waiting.borrow_mut().jobs.retain(|(j, _)| *j != number);
            return None;
        }
        Some((number, promise))
    }
}

/// The key of a graph job's points.
const GRAPH_JOB: &str = "edgewiseNeighbours";
/// The key of a hash job's file.
const HASH_JOB: &str = "edgewiseHash";
/// The key that marks a message as stability resamples for the helper (its description).
const RESAMPLE_JOB: &str = "edgewiseResamples";
/// The key that marks a message as the say/do table's sides for the helper (its description).
const SIDES_JOB: &str = "edgewiseSayDoSides";
/// The key that marks a message as everyone's fit for the helper (its description).
const FIT_JOB: &str = "edgewiseFit";

/// Jobs the stability resamples are dealt into: this worker runs all but the last, the
/// helper the last (with the default three resamples, two here and one there: the helper's
/// graph of 100,000 people takes about as long as the sample's own segments).
const RESAMPLE_PARTS: usize = 2;

/// A job of plain arrays under `key` ([`Helper::send_parts`]) sent by the worker that
/// started this one: the number and the arrays, or `None` for arrays that are not there
/// (the job is answered at once, without results, and the worker does it itself).
#[allow(clippy::type_complexity)]
fn parts_job(data: &JsValue, key: &str) -> Option<(u32, Option<(Vec<f64>, Vec<u32>, String)>)> {
    if !data.is_object() {
        return None;
    }
    let get = |key: &str| js_sys::Reflect::get(data, &JsValue::from_str(key)).ok();
    let head = get(key)?.as_string()?;
    let number = job_number(data)?;
    let reals = get("reals").and_then(|r| r.dyn_into::<js_sys::Float64Array>().ok());
    let whole = get("whole").and_then(|w| w.dyn_into::<js_sys::Uint32Array>().ok());
    // A job of whole numbers only sends no reals.
    let parts = match (reals, whole) {
        (Some(reals), Some(whole)) => Some((reals.to_vec(), whole.to_vec(), head)),
        (None, Some(whole)) => Some((Vec::new(), whole.to_vec(), head)),
        _ => None,
    };
    Some((number, parts))
}

/// Sends the answer to job `job`: `words` under `key`, or no results (`None`: the job could
/// not be read, and the worker does it itself).
fn answer_words(job: u32, key: &str, words: Option<Vec<u32>>) {
    let words = words.map(|w| {
        let array = js_sys::Uint32Array::from(w.as_slice());
        let buffer = array.buffer();
        (JsValue::from(array), buffer)
    });
    answer_array(job, key, words);
}

/// Sends the answer to job `job`: a typed array and its buffer (transferred) under `key`, or
/// no results.
fn answer_array(job: u32, key: &str, array: Option<(JsValue, js_sys::ArrayBuffer)>) {
    let answer = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &answer,
        &JsValue::from_str("job"),
        &JsValue::from_f64(f64::from(job)),
    );
    let Some((array, buffer)) = array else {
        let _ = scope().post_message(&answer);
        return;
    };
    let _ = js_sys::Reflect::set(&answer, &JsValue::from_str(key), &array);
    let _ = scope().post_message_with_transfer(&answer, &js_sys::Array::of1(&buffer));
}

/// The whole numbers under `key` in a helper's answer, or `None` if it sent none.
fn words_from(answer: &JsValue, key: &str) -> Option<Vec<u32>> {
    if !answer.is_object() {
        return None;
    }
    Some(
        js_sys::Reflect::get(answer, &JsValue::from_str(key))
            .ok()?
            .dyn_into::<js_sys::Uint32Array>()
            .ok()?
            .to_vec(),
    )
}

/// Runs the resamples of job `job` and sends them back as whole numbers with the number; a
/// job that could not be read is answered without resamples, so the worker runs them itself.
fn answer_resample_job(job: u32, resamples: Option<&ResampleJob>) {
    let words = resamples.map(|resamples| {
        let t0 = now();
        let words = Resample::to_words(&resamples.run(&mut |_| {}));
        web_sys::console::debug_1(&JsValue::from_str(&format!(
            "Edgewise: helper stages: {} stability resample(s) {:.2} s",
            resamples.len(),
            (now() - t0) / 1000.0
        )));
        words
    });
    answer_words(job, "resamples", words);
}

/// The resamples in the helper's answer, or `None` if it sent none.
fn resamples_from(answer: &JsValue) -> Option<Vec<Resample>> {
    Resample::from_words(&words_from(answer, "resamples")?)
}

/// Clusters both sides of the say/do table for job `job` and sends each side's groups
/// back; a job that could not be read is answered without them.
fn answer_sides_job(job: u32, sides: Option<&SidesJob>) {
    let words = sides.map(|sides| {
        let t0 = now();
        let words = sides.run().to_words();
        web_sys::console::debug_1(&JsValue::from_str(&format!(
            "Edgewise: helper stages: the say/do table's sides {:.2} s",
            (now() - t0) / 1000.0
        )));
        words
    });
    answer_words(job, "sides", words);
}

/// Judges how badly everyone's answers fit the segments for job `job` and sends it back; a
/// job that could not be read is answered without it.
fn answer_fit_job(job: u32, fit: Option<&FitJob>) {
    let fit = fit.map(|fit| {
        let t0 = now();
        let array = js_sys::Float64Array::from(fit.run().as_slice());
        web_sys::console::debug_1(&JsValue::from_str(&format!(
            "Edgewise: helper stages: everyone's fit {:.2} s",
            (now() - t0) / 1000.0
        )));
        let buffer = array.buffer();
        (JsValue::from(array), buffer)
    });
    answer_array(job, "fit", fit);
}

/// Everyone's fit in the helper's answer, or `None` if it sent none for `n` people.
fn fit_from(answer: &JsValue, n: usize) -> Option<Vec<f64>> {
    if !answer.is_object() {
        return None;
    }
    let fit = js_sys::Reflect::get(answer, &JsValue::from_str("fit"))
        .ok()?
        .dyn_into::<js_sys::Float64Array>()
        .ok()?
        .to_vec();
    (fit.len() == n).then_some(fit)
}

/// The say/do table's sides in the helper's answer for the `m` people of its job's sample,
/// or `None` if it sent none.
fn sides_from(answer: &JsValue, m: usize) -> Option<Sides> {
    Sides::from_words(&words_from(answer, "sides")?, m)
}

/// A typed array (made by `new` of a length) holding `runs` one after another, each copied
/// in by `copy(array, from, to, run)`; `None` beyond 2³² elements.
fn joined<T, A>(runs: &[&[T]], new: fn(u32) -> A, copy: fn(&A, u32, u32, &[T])) -> Option<A> {
    let total: usize = runs.iter().map(|r| r.len()).sum();
    let array = new(u32::try_from(total).ok()?);
    let mut at = 0u32;
    for run in runs {
        let end = at.checked_add(u32::try_from(run.len()).ok()?)?;
        copy(&array, at, end, run);
        at = end;
    }
    Some(array)
}

/// The number of a helper's job or of its answer.
fn job_number(data: &JsValue) -> Option<u32> {
    if !data.is_object() {
        return None;
    }
    let job = js_sys::Reflect::get(data, &JsValue::from_str("job")).ok()?;
    job.as_f64().map(|j| j as u32)
}

/// A helper's part in building a graph ([`request_graph`]).
enum Role {
    /// The first helper: gathers the other helpers' shares from these ports, merges them
    /// with its own, and sends the graph.
    Gather(Vec<web_sys::MessagePort>),
    /// Another helper: sends its share's candidates to the first through this port.
    Give(web_sys::MessagePort),
}

/// A graph job sent by the worker that started this one: its number, points, seed, share of
/// the forest's trees, the number of shares, and the helper's role.
type GraphJob = (u32, Dense, u64, std::ops::Range<usize>, usize, Role);

/// Reads a [`GraphJob`].
fn graph_job(data: &JsValue) -> Option<GraphJob> {
    if !data.is_object() {
        return None;
    }
    let get = |key: &str| js_sys::Reflect::get(data, &JsValue::from_str(key)).ok();
    let values: js_sys::Float64Array = get(GRAPH_JOB)?.dyn_into().ok()?;
    let rows = get("rows")?.as_f64()? as usize;
    let cols = get("cols")?.as_f64()? as usize;
    let seed = get("seed")?.as_string()?.parse().ok()?;
    if cols == 0 || rows > u32::MAX as usize || rows.checked_mul(cols)? != values.length() as usize
    {
        return None;
    }
    let job = job_number(data)?;
    let tree = |key: &str| get(key).and_then(|t| t.as_f64()).map(|t| t as usize);
    let trees = match (tree("treesFrom"), tree("treesTo")) {
        (Some(from), Some(to)) if from < to && to <= neighbours::TREES => from..to,
        _ => return None,
    };
    let parts = get("parts")?.as_f64()? as usize;
    if !(1..=neighbours::TREES).contains(&parts) {
        return None;
    }
    let port = |p: JsValue| p.dyn_into::<web_sys::MessagePort>().ok();
    let role = match (get("gather"), get("give")) {
        (Some(gather), _) if js_sys::Array::is_array(&gather) => {
            let gather: js_sys::Array = gather.unchecked_into();
            Role::Gather(gather.iter().map(port).collect::<Option<_>>()?)
        }
        (_, Some(give)) => Role::Give(port(give)?),
        _ => return None,
    };
    let values = values.to_vec();
    Some((
        job,
        Dense {
            rows,
            cols,
            data: values,
        },
        seed,
        trees,
        parts,
        role,
    ))
}

/// Builds a share of the forest for a graph job. Another helper sends its candidates to the
/// first through its port (and an empty answer to the worker); the first helper gathers the
/// others' shares, builds any share that does not come, merges, finishes the graph and sends
/// it to the worker.
async fn answer_trees_job((job, points, seed, trees, parts, role): GraphJob) {
    let t0 = now();
    let mut candidates = cluster::everyone_forest_part(&points, seed, trees.clone());
    web_sys::console::debug_1(&JsValue::from_str(&format!(
        "Edgewise: helper stages: trees {}..{} of the neighbour graph of {} people {:.2} s",
        trees.start,
        trees.end,
        points.rows,
        (now() - t0) / 1000.0
    )));
    let gather = match role {
        Role::Give(port) => {
            let (message, transfer) = candidates_message(candidates, trees);
            let _ = port.post_message_with_transferable(&message, &transfer);
            post_answer(job);
            return;
        }
        Role::Gather(gather) => gather,
    };
    // The other shares, each gathered from its helper or built here. All of them are
    // waited for until one deadline, as long as the worker waits for the graph.
    let deadline = now() + f64::from(helper_patience(points.rows));
    let mut missing: Vec<usize> = (1..parts).collect();
    for port in &gather {
        let left = (deadline - now()).max(0.0) as i32;
        let message = JsFuture::from(within(next_message(port), left))
            .await
            .unwrap_or(JsValue::NULL);
        port.close();
        let Some(share) = candidates_from(&message, points.rows) else {
            continue;
        };
        let built = trees_built(&message);
        if let Some(at) = missing
            .iter()
            .position(|&p| neighbours::tree_share(p, parts) == built)
            && candidates.merge(&share)
        {
            missing.remove(at);
        }
    }
    for part in missing {
        let share = neighbours::tree_share(part, parts);
        web_sys::console::warn_1(&JsValue::from_str(&format!(
            "Edgewise: helper worker {part} sent no trees {share:?} of the neighbour graph; building them here"
        )));
        // Built here from the same points and seed, so of the same order and `k`.
        candidates.merge(&cluster::everyone_forest_part(&points, seed, share));
    }
    let graph = cluster::everyone_graph_from(&points, candidates);
    web_sys::console::debug_1(&JsValue::from_str(&format!(
        "Edgewise: helper stages: the neighbour graph of {} people {:.2} s (helper memory {} MB)",
        points.rows,
        (now() - t0) / 1000.0,
        memory_mib()
    )));
    post_graph(job, &graph);
}

/// The next message on `port`.
fn next_message(port: &web_sys::MessagePort) -> js_sys::Promise {
    let port = port.clone();
    js_sys::Promise::new(&mut |resolve, _reject| {
        let on_message = Closure::once_into_js(move |event: MessageEvent| {
            let _ = resolve.call1(&JsValue::NULL, &event.data());
        });
        port.set_onmessage(Some(on_message.unchecked_ref()));
    })
}

/// An empty answer to job `job` (from a helper that sent its share to the first helper).
fn post_answer(job: u32) {
    let answer = js_sys::Object::new();
    let number = JsValue::from_f64(f64::from(job));
    let _ = js_sys::Reflect::set(&answer, &JsValue::from_str("job"), &number);
    let _ = scope().post_message(&answer);
}

/// The trees whose candidates a share's message carries (none if it carries none).
fn trees_built(message: &JsValue) -> std::ops::Range<usize> {
    let tree = |key: &str| {
        js_sys::Reflect::get(message, &JsValue::from_str(key))
            .ok()
            .and_then(|t| t.as_f64())
            .map(|t| t as usize)
    };
    match (message.is_object(), tree("treesFrom"), tree("treesTo")) {
        (true, Some(from), Some(to)) if from <= to && to <= neighbours::TREES => from..to,
        _ => 0..0,
    }
}

/// The candidates of trees `built` as a message of flat arrays, and the buffers it
/// transfers.
fn candidates_message(
    candidates: Candidates,
    built: std::ops::Range<usize>,
) -> (js_sys::Object, js_sys::Array) {
    let arrays = candidates.into_arrays();
    let message = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(key), value);
    };
    set("treesFrom", &JsValue::from_f64(built.start as f64));
    set("treesTo", &JsValue::from_f64(built.end as f64));
    set("k", &JsValue::from_f64(f64::from(arrays.k)));
    let order = js_sys::Uint32Array::from(arrays.order.as_slice());
    let len = js_sys::Uint32Array::from(arrays.len.as_slice());
    let ids = js_sys::Uint32Array::from(arrays.ids.as_slice());
    let d2 = js_sys::Float32Array::from(arrays.d2.as_slice());
    let transfer = js_sys::Array::new();
    for (key, array, buffer) in [
        ("order", JsValue::from(&order), order.buffer()),
        ("len", JsValue::from(&len), len.buffer()),
        ("ids", JsValue::from(&ids), ids.buffer()),
        ("d2", JsValue::from(&d2), d2.buffer()),
    ] {
        set(key, &array);
        transfer.push(&buffer);
    }
    (message, transfer)
}

/// The candidates in a share's message for `rows` points, or `None` if they are not whole.
fn candidates_from(answer: &JsValue, rows: usize) -> Option<Candidates> {
    if !answer.is_object() {
        return None;
    }
    let get = |key: &str| js_sys::Reflect::get(answer, &JsValue::from_str(key)).ok();
    let words = |key: &str| {
        get(key)?
            .dyn_into::<js_sys::Uint32Array>()
            .ok()
            .map(|a| a.to_vec())
    };
    let k = get("k")?.as_f64()?;
    let arrays = CandidateArrays {
        order: words("order")?,
        k: if (1.0..=f64::from(u16::MAX)).contains(&k) {
            k as u32
        } else {
            return None;
        },
        len: words("len")?,
        ids: words("ids")?,
        d2: get("d2")?.dyn_into::<js_sys::Float32Array>().ok()?.to_vec(),
    };
    Candidates::from_arrays(arrays, rows)
}

/// Sends the graph of job `job` back as its slots a point, three flat arrays and the number.
fn post_graph(job: u32, graph: &Graph) {
    let (k, lens, ids, distances) = graph.arrays();
    let lens = js_sys::Uint32Array::from(lens);
    let ids = js_sys::Uint32Array::from(ids);
    let dists = js_sys::Float64Array::from(distances);
    let answer = js_sys::Object::new();
    let number = JsValue::from_f64(f64::from(job));
    let _ = js_sys::Reflect::set(&answer, &JsValue::from_str("job"), &number);
    let k = JsValue::from_f64(k as f64);
    let _ = js_sys::Reflect::set(&answer, &JsValue::from_str("k"), &k);
    let transfer = js_sys::Array::new();
    for (key, array, buffer) in [
        ("lens", JsValue::from(&lens), lens.buffer()),
        ("ids", JsValue::from(&ids), ids.buffer()),
        ("dists", JsValue::from(&dists), dists.buffer()),
    ] {
        let _ = js_sys::Reflect::set(&answer, &JsValue::from_str(key), &array);
        transfer.push(&buffer);
    }
    let _ = scope().post_message_with_transfer(&answer, &transfer);
}

/// A hash job sent by the worker that started this one: its number and file.
fn hash_job(data: &JsValue) -> Option<(u32, File)> {
    if !data.is_object() {
        return None;
    }
    let file = js_sys::Reflect::get(data, &JsValue::from_str(HASH_JOB)).ok()?;
    let file: File = file.dyn_into().ok()?;
    Some((job_number(data)?, file))
}

/// Hashes the file of job `job` and sends the digest back (`null` if it cannot be read).
fn answer_hash_job(job: u32, file: &File) {
    let mut hash = FileHash::default();
    let digest = each_slice(file, &mut |bytes| {
        hash.update(bytes);
        Ok(())
    })
    .map(|()| hash.hex());
    let answer = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &answer,
        &JsValue::from_str("job"),
        &JsValue::from_f64(f64::from(job)),
    );
    let digest = digest.map_or(JsValue::NULL, |d| JsValue::from_str(&d));
    let _ = js_sys::Reflect::set(&answer, &JsValue::from_str("sha256"), &digest);
    let _ = scope().post_message(&answer);
}

/// The digest in a helper's answer to a hash job, if it is one.
fn hash_from(answer: &JsValue) -> Option<String> {
    if !answer.is_object() {
        return None;
    }
    let digest = js_sys::Reflect::get(answer, &JsValue::from_str("sha256"))
        .ok()?
        .as_string()?;
    (digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit())).then_some(digest)
}

/// How long to wait for the helper's hash of `bytes` bytes after reading them here, in
/// milliseconds: far more than it takes (about 200 MB a second), so that only a helper that
/// stopped answering is given up on; the file is then hashed here.
fn hash_patience(bytes: f64) -> i32 {
    (30_000.0 + bytes / 5_000.0).min(120_000.0) as i32
}

/// The graph in a helper's answer for `rows` points, or `None` if it is not a whole one.
fn graph_from(answer: &JsValue, rows: usize) -> Option<Graph> {
    if !answer.is_object() {
        return None;
    }
    let get = |key: &str| js_sys::Reflect::get(answer, &JsValue::from_str(key)).ok();
    let k = get("k")?.as_f64()?;
    if !(k >= 0.0 && k <= f64::from(u32::MAX) && k.fract() == 0.0) {
        return None;
    }
    let lens = get("lens")?.dyn_into::<js_sys::Uint32Array>().ok()?;
    let ids = get("ids")?.dyn_into::<js_sys::Uint32Array>().ok()?;
    let dists = get("dists")?.dyn_into::<js_sys::Float64Array>().ok()?;
    let slots = rows.checked_mul(k as usize)?;
    if lens.length() as usize != rows
        || ids.length() as usize != slots
        || dists.length() as usize != slots
    {
        return None;
    }
    // Each array is copied once, straight into the graph's own (BENCHMARKS.md, "Everyone's
    // neighbours in one array"). The neighbours come first and their distances after, so
    // that the distances, freed once the segments are spread, leave one stretch of free
    // memory that describing can reuse (BENCHMARKS.md, "Room given back before describing").
    let copy_u32 = |array: js_sys::Uint32Array| {
        let mut v = vec![0; array.length() as usize];
        array.copy_to(&mut v);
        v
    };
    let (lens, ids) = (copy_u32(lens), copy_u32(ids));
    let mut distances = vec![0.0; slots];
    dists.copy_to(&mut distances);
    Graph::from_arrays(k as usize, lens, ids, distances, rows)
}

/// The meaning model: the one already loaded, or fetched now and kept for the worker's life.
async fn load_meaning(progress: &mut Progress) -> Result<Rc<StaticModel>, String> {
    if let Some(model) = STATE.with(|s| s.borrow().meaning.clone()) {
        return Ok(model);
    }
    let prefetched = STATE.with(|s| s.borrow_mut().meaning_bytes.take());
    let mut model = None;
    if let Some(bytes) = prefetched {
        progress.report(Stage::Meaning, 0.0);
        let answer = match JsFuture::from(bytes)
            .await
            .map(JsCast::dyn_into::<web_sys::Response>)
        {
            Ok(Ok(response)) if response.ok() => match response.array_buffer() {
                Ok(buffer) => JsFuture::from(buffer).await.unwrap_or(JsValue::NULL),
                Err(_) => JsValue::NULL,
            },
            _ => JsValue::NULL,
        };
        if let Ok(buffer) = answer.dyn_into::<js_sys::ArrayBuffer>() {
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            progress.report(Stage::Meaning, 1.0);
            model = StaticModel::from_bytes(&bytes).ok();
        }
    }
    // Without the prefetched bytes (the fetch failed or was never made), fetch again here.
    let model = match model {
        Some(model) => Rc::new(model),
        None => Rc::new(fetch_meaning(progress).await?),
    };
    STATE.with(|s| s.borrow_mut().meaning = Some(Rc::clone(&model)));
    Ok(model)
}

/// Asks for the meaning model's bytes now, unless the model is here or already asked for.
///
/// Called once files are read and have free text that forms segments: the fetch starts while
/// the page shows the columns, and the analysis takes the response whole (`arrayBuffer`), where
/// reading it in 64 KiB chunks with a progress message each took 0.3–0.5 s of a 100,000-row
/// analysis. A file without free text never fetches the model.
fn prefetch_meaning() {
    let wanted = STATE.with(|s| {
        let state = s.borrow();
        state.meaning.is_none() && state.meaning_bytes.is_none()
    });
    if !wanted {
        return;
    }
    // A failed fetch resolves to nothing here (the analysis then fetches again), rather than
    // rejecting unheard when no analysis comes.
    let nothing = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
    let bytes = scope().fetch_with_str(MEANING_URL).catch(&nothing);
    nothing.forget();
    STATE.with(|s| s.borrow_mut().meaning_bytes = Some(bytes));
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

/// Reads the dropped files and says what is in them. Files of [`HASH_APART_FROM`] bytes or
/// more are hashed by the helper meanwhile; their digests are written in later
/// ([`settle_hashes`]).
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
    let incoming: Result<Vec<Incoming>, String> = files.iter().map(incoming).collect();
    if let Err(message) = incoming.and_then(|f| crate::engine::ingest::fits_in_a_tab(&f)) {
        return Response::Failed { message };
    }
    let total: f64 = files.iter().map(|f| f.size()).sum::<f64>().max(1.0);
    let started = now();
    // Every hash is asked for before reading starts. A helper already running hashes while
    // this worker reads; one started now begins once this worker is free to hear that it is
    // ready, while the columns are shown and segments found. A file the helper does not take
    // is hashed as it is read.
    let hasher = if total >= HASH_APART_FROM {
        helper()
    } else {
        None
    };
    let mut hashing = Vec::new();
    let mut done = 0.0;
    let mut parsed: Vec<Parsed> = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let p = params.get(i).cloned().unwrap_or_default();
        let mut reader = Reader::new(&file.name(), p);
        if let Some(promise) = hasher.as_ref().and_then(|h| h.hash(file)) {
            hashing.push((i, file.clone(), promise));
            reader = reader.without_hash();
        }
        match read_file(file, reader, &mut |bytes| {
            progress.report(Stage::Reading, (done + bytes) / total)
        }) {
            Ok(file_parsed) => parsed.push(file_parsed),
            Err(message) => return Response::Failed { message },
        }
        done += file.size();
    }
    progress.report(Stage::Understanding, 0.0);
    let read = now();
    let dataset = analysis::combine(parsed, settings);
    let view = InspectView::of(&dataset);
    // The browser benchmark prints these (`bench/browser.mjs parse`).
    web_sys::console::debug_1(&JsValue::from_str(&format!(
        "Edgewise: reading stages: reading {:.2} s, typing the columns {:.2} s",
        (read - started) / 1000.0,
        (now() - read) / 1000.0
    )));
    // Free text will want the meaning model: ask for it now, while the page shows the columns.
    if analysis::reads_meaning(&dataset, settings) {
        prefetch_meaning();
    }
    // A large file will want the helper: start it now, while the page shows the columns.
    if dataset.table.n_rows() >= HELPER_FROM {
        helper();
    }
    STATE.with(|s| {
        let mut state = s.borrow_mut();
        state.dataset = Some(Rc::new(dataset));
        state.analysis = None;
        state.hashing = hashing;
        state.readings = state.readings.wrapping_add(1);
    });
    Response::Inspected(Box::new(view))
}

/// Waits for the helper's digests of the dataset's files, if any are still coming, and
/// writes them into the dataset; a file the helper sent no digest for is hashed here. Says
/// why not when the digests cannot be written: other files were read meanwhile, an analysis
/// holds the dataset, or a file can no longer be read.
async fn settle_hashes() -> Result<(), String> {
    let (reading, pending) = STATE.with(|s| {
        let state = s.borrow();
        // Cloned, not taken: a take-away asked for meanwhile waits for the same answers.
        (state.readings, state.hashing.clone())
    });
    if pending.is_empty() {
        return Ok(());
    }
    // One deadline for all the files, not one each.
    let promises: js_sys::Array = pending.iter().map(|(_, _, p)| JsValue::from(p)).collect();
    let bytes: f64 = pending.iter().map(|(_, file, _)| file.size()).sum();
    let answers = JsFuture::from(within(
        js_sys::Promise::all(&promises),
        hash_patience(bytes),
    ))
    .await
    .ok()
    .and_then(|a| a.dyn_into::<js_sys::Array>().ok());
    let mut digests = Vec::with_capacity(pending.len());
    for (k, (i, file, _)) in pending.iter().enumerate() {
        let answer = answers.as_ref().map_or(JsValue::NULL, |a| a.get(k as u32));
        let digest = match hash_from(&answer) {
            Some(digest) => digest,
            None => {
                web_sys::console::warn_1(&JsValue::from_str(
                    "Edgewise: the helper worker sent no file hash; hashing here",
                ));
                hash_file(file).map_err(|message| {
                    format!("{message}; the receipt and the report name each file by its SHA-256, so drop the files again")
                })?
            }
        };
        digests.push((*i, digest));
    }
    STATE.with(|s| {
        let state = &mut *s.borrow_mut();
        if state.readings != reading {
            return Err(
                "other files were read meanwhile: take it away again once their segments are shown"
                    .into(),
            );
        }
        let Some(current) = state.dataset.as_mut().and_then(Rc::get_mut) else {
            return Err("segments are being found again: take it away when they are shown".into());
        };
        for (i, digest) in digests {
            if let Some(summary) = current.files.get_mut(i) {
                summary.sha256 = digest;
            }
        }
        state.hashing.clear();
        Ok(())
    })
}

/// This analysis against last month's export, the one file in `files`.
fn compare(files: Vec<File>, labels: &[crate::protocol::SegmentLabel]) -> Response {
    let Some(file) = files.first() else {
        return Response::Notice {
            message: "no file was received: choose last month's segments.csv".into(),
        };
    };
    let (dataset_bytes, dataset_rows) = STATE.with(|s| {
        s.borrow().dataset.as_ref().map_or((0, 0), |d| {
            (
                d.files.iter().map(|f| f.bytes).sum::<u64>(),
                d.table.n_rows() as u64,
            )
        })
    });
    // Both months must fit at once.
    // Its text is taken at its largest: how much of it was free text given once is not kept.
    let this_month = Incoming {
        name: "this month's files".to_string(),
        bytes: dataset_bytes,
        rows: dataset_rows,
        text: dataset_bytes,
    };
    let both = incoming(file).map(|last_month| vec![this_month, last_month]);
    if let Err(message) = both.and_then(|f| crate::engine::ingest::fits_in_a_tab(&f)) {
        return Response::Notice { message };
    }
    // Last month's export is compared, never named in a receipt: it needs no digest.
    let reader = Reader::new(&file.name(), IngestParams::default()).without_hash();
    let previous = match read_file(file, reader, &mut |_| {}) {
        Ok(p) => p,
        Err(message) => return Response::Notice { message },
    };
    STATE.with(|s| {
        let state = s.borrow();
        match (state.dataset.as_ref(), state.analysis.as_ref()) {
            (Some(dataset), Some(result)) => {
                protocol::comparison(&previous, dataset, result, labels)
            }
            _ => Response::Notice {
                message: "find this month's segments first, then compare".into(),
            },
        }
    })
}

/// Reads `file` with `reader` (which hashes it unless told otherwise), reporting the bytes
/// read so far.
fn read_file(
    file: &File,
    mut reader: Reader,
    on_bytes: &mut dyn FnMut(f64),
) -> Result<Parsed, String> {
    let mut read = 0.0;
    each_slice(file, &mut |bytes| {
        reader.push(bytes).map_err(|e: IngestError| e.to_string())?;
        read += bytes.len() as f64;
        on_bytes(read);
        Ok(())
    })?;
    reader.finish().map_err(|e| e.to_string())
}

/// The SHA-256 of `file`, read here.
fn hash_file(file: &File) -> Result<String, String> {
    let mut hash = FileHash::default();
    each_slice(file, &mut |bytes| {
        hash.update(bytes);
        Ok(())
    })?;
    Ok(hash.hex())
}

/// A reader of files (`FileReaderSync`, which only workers have).
fn file_reader(file: &File) -> Result<FileReaderSync, String> {
    FileReaderSync::new().map_err(|_| {
        format!(
            "{}: this browser cannot read files in a worker",
            file.name()
        )
    })
}

/// Bytes `start..end` of `file`.
fn read_range(
    reader: &FileReaderSync,
    file: &File,
    start: f64,
    end: f64,
) -> Result<js_sys::Uint8Array, String> {
    let name = file.name();
    let blob = file
        .slice_with_f64_and_f64(start, end)
        .map_err(|_| format!("{name}: the file could not be sliced"))?;
    let buffer = reader
        .read_as_array_buffer(&blob)
        .map_err(|_| format!("{name}: the file could not be read (was it moved or deleted?)"))?;
    Ok(js_sys::Uint8Array::new(&buffer))
}

/// `file` as the memory check before reading sees it: its size, and its rows and share of
/// free text judged from its first [`HEAD_BYTES`](crate::engine::ingest::HEAD_BYTES).
fn incoming(file: &File) -> Result<Incoming, String> {
    let name = file.name();
    let size = file.size();
    let head = read_range(
        &file_reader(file)?,
        file,
        0.0,
        size.min(crate::engine::ingest::HEAD_BYTES as f64),
    )?
    .to_vec();
    Ok(Incoming::of(name, &head, size as u64))
}

/// Reads `file` slice by slice (4 MiB each, with `FileReaderSync`, which only workers have)
/// and hands each slice's bytes to `take`; stops at the first error.
fn each_slice(
    file: &File,
    take: &mut dyn FnMut(&[u8]) -> Result<(), String>,
) -> Result<(), String> {
    let reader_sync = file_reader(file)?;
    let size = file.size();
    let mut bytes = Vec::new();
    let mut start = 0.0;
    while start < size {
        let end = (start + SLICE).min(size);
        let array = read_range(&reader_sync, file, start, end)?;
        // One buffer for every slice: copied into, never grown past a slice.
        bytes.resize(array.length() as usize, 0);
        array.copy_to(&mut bytes);
        take(&bytes)?;
        start = end;
    }
    Ok(())
}
