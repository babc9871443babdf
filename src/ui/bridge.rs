//! The page's side of the worker: spawn it, send requests with files beside them, hear
//! responses, and replace it when the user cancels or when it dies.
//!
//! Messages sent before the worker says `Ready` wait in a queue. A worker that stops with an
//! `error` event (a trap, or running out of memory) is reported as `None` to the handler,
//! which the app turns into "the analysis stopped unexpectedly".
//!
//! A **watchdog** guards every reading and analysis: a busy worker that says nothing for
//! [`PATIENCE_S`] seconds (every stage reports progress far more often than that) is stopped
//! and the `on_stall` callback runs, which the app shows as an error with "Try again". A page
//! never waits forever, whatever the worker is stuck on. `?watchdog=SECONDS` in the page's
//! address sets the patience (the browser tests use a few seconds).

use crate::protocol::{Request, Response};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{File, MessageEvent, Worker};

/// Where trunk puts the worker's loader, next to the page.
const WORKER_SCRIPT: &str = "./worker_loader.js";

/// The worker's address: its loader's, with the page's `cores=N` passed on, if the page's
/// address has one (how many cores the worker's helpers may use; for tests and benchmarks).
fn worker_script() -> String {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let cores = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("cores=")?.parse::<u16>().ok());
    match cores {
        Some(cores) => format!("{WORKER_SCRIPT}?cores={cores}"),
        None => WORKER_SCRIPT.to_string(),
    }
}

/// Seconds a busy worker may stay silent before the page stops it.
pub const PATIENCE_S: f64 = 180.0;

type Handler = Rc<dyn Fn(Option<Response>)>;

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    queue: Vec<JsValue>,
    handler: Handler,
    /// Runs when the watchdog stops a silent worker.
    on_stall: Rc<dyn Fn()>,
    /// Reading or analysing: the watchdog is armed.
    busy: bool,
    /// The watchdog's pending timeout and its callback.
    timer: Option<(i32, Closure<dyn FnMut()>)>,
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    _on_error: Option<Closure<dyn FnMut(JsValue)>>,
}

impl Inner {
    fn disarm(&mut self) {
        if let Some((id, _)) = self.timer.take()
            && let Some(window) = web_sys::window()
        {
            window.clear_timeout_with_handle(id);
        }
    }
}

/// The watchdog's patience in milliseconds: [`PATIENCE_S`], or `?watchdog=SECONDS`.
fn patience_ms() -> i32 {
    let asked = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("watchdog=").map(str::to_string))
        })
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0);
    (asked.unwrap_or(PATIENCE_S) * 1000.0).min(f64::from(i32::MAX)) as i32
}

/// (Re)starts the watchdog's countdown while the worker is busy.
fn arm(inner: &Rc<RefCell<Inner>>) {
    let weak = Rc::downgrade(inner);
    let mut i = inner.borrow_mut();
    i.disarm();
    if !i.busy {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_timer = Closure::<dyn FnMut()>::new(move || {
        let Some(inner) = weak.upgrade() else { return };
        let on_stall = {
            let mut i = inner.borrow_mut();
            i.timer = None;
            i.busy = false;
            if let Some(w) = i.worker.take() {
                w.terminate();
            }
            i.ready = false;
            i.queue.clear();
            i.on_stall.clone()
        };
        on_stall();
    });
    if let Ok(id) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
        on_timer.as_ref().unchecked_ref(),
        patience_ms(),
    ) {
        i.timer = Some((id, on_timer));
    }
}

/// A handle on the worker; clones share it.
#[derive(Clone)]
pub struct Bridge {
    inner: Rc<RefCell<Inner>>,
}

impl PartialEq for Bridge {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Bridge {
    /// Spawns the worker; `handler` hears every response, or `None` when the worker dies;
    /// `on_stall` runs when the watchdog stopped a worker that went silent.
    pub fn new(
        handler: impl Fn(Option<Response>) + 'static,
        on_stall: impl Fn() + 'static,
    ) -> Bridge {
        let inner = Rc::new(RefCell::new(Inner {
            worker: None,
            ready: false,
            queue: Vec::new(),
            handler: Rc::new(handler),
            on_stall: Rc::new(on_stall),
            busy: false,
            timer: None,
            _on_message: None,
            _on_error: None,
        }));
        let bridge = Bridge { inner };
        bridge.spawn();
        bridge
    }

    fn spawn(&self) {
        let worker = match Worker::new(&worker_script()) {
            Ok(w) => w,
            Err(_) => {
                let handler = self.inner.borrow().handler.clone();
                handler(Some(Response::Failed {
                    message: "This browser could not start the background worker Edgewise needs. Try a current Chrome, Edge, Firefox or Safari.".into(),
                }));
                return;
            }
        };
        let weak = Rc::downgrade(&self.inner);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(inner) = weak.upgrade() else { return };
            let response: Response = match serde_wasm_bindgen::from_value(event.data()) {
                Ok(r) => r,
                Err(e) => Response::Failed {
                    message: format!("the worker sent something the page does not understand: {e}"),
                },
            };
            match &response {
                // Signs of life while reading and analysing; the page asks for the analysis
                // right after the files are read.
                Response::Ready | Response::Progress { .. } | Response::Inspected(_) => arm(&inner),
                Response::Analysed(_) | Response::Failed { .. } => {
                    let mut i = inner.borrow_mut();
                    i.busy = false;
                    i.disarm();
                }
                _ => {}
            }
            if response == Response::Ready {
                let (worker, queue) = {
                    let mut i = inner.borrow_mut();
                    i.ready = true;
                    (i.worker.clone(), std::mem::take(&mut i.queue))
                };
                if let Some(worker) = worker {
                    for message in queue {
                        let _ = worker.post_message(&message);
                    }
                }
                return;
            }
            let handler = inner.borrow().handler.clone();
            handler(Some(response));
        });
        let weak = Rc::downgrade(&self.inner);
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            // Say what stopped it in the console, for whoever debugs; the page shows a plain message.
            let detail = event
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(|e| format!("{} ({}:{})", e.message(), e.filename(), e.lineno()));
            web_sys::console::error_1(&JsValue::from_str(&format!(
                "Edgewise worker stopped: {}",
                detail.unwrap_or_default()
            )));
            let Some(inner) = weak.upgrade() else { return };
            let handler = {
                let mut i = inner.borrow_mut();
                if let Some(w) = i.worker.take() {
                    w.terminate();
                }
                i.ready = false;
                i.busy = false;
                i.disarm();
                i.handler.clone()
            };
            handler(None);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut i = self.inner.borrow_mut();
        i.worker = Some(worker);
        i.ready = false;
        i._on_message = Some(on_message);
        i._on_error = Some(on_error);
    }

    /// Sends a request, with files beside it when given.
    pub fn send(&self, request: &Request, files: Option<&[File]>) {
        let serializer =
            serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(false);
        let Ok(value) = serde::Serialize::serialize(request, &serializer) else {
            return;
        };
        let message = Array::new_with_length(2);
        message.set(0, value);
        if let Some(files) = files {
            let list = Array::new();
            for f in files {
                list.push(f);
            }
            message.set(1, list.into());
        }
        if self.inner.borrow().worker.is_none() {
            self.spawn();
        }
        if matches!(request, Request::Inspect { .. } | Request::Analyse { .. }) {
            self.inner.borrow_mut().busy = true;
            arm(&self.inner);
        }
        let mut i = self.inner.borrow_mut();
        match (&i.worker, i.ready) {
            (Some(worker), true) => {
                let _ = worker.post_message(&message);
            }
            _ => i.queue.push(message.into()),
        }
    }

    /// Stops whatever the worker is doing by replacing it with a fresh one.
    pub fn restart(&self) {
        {
            let mut i = self.inner.borrow_mut();
            if let Some(w) = i.worker.take() {
                w.terminate();
            }
            i.queue.clear();
            i.ready = false;
            i.busy = false;
            i.disarm();
        }
        self.spawn();
    }
}

use js_sys::Array;
