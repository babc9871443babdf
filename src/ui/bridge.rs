//! The page's side of the worker: spawn it, send requests with files beside them, hear
//! responses, and replace it when the user cancels or when it dies.
//!
//! Messages sent before the worker says `Ready` wait in a queue. A worker that stops with an
//! `error` event (a trap, or running out of memory) is reported as `None` to the handler,
//! which the app turns into "the analysis stopped unexpectedly".

use crate::protocol::{Request, Response};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{File, MessageEvent, Worker};

/// Where trunk puts the worker's loader, next to the page.
const WORKER_SCRIPT: &str = "./worker_loader.js";

type Handler = Rc<dyn Fn(Option<Response>)>;

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    queue: Vec<JsValue>,
    handler: Handler,
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    _on_error: Option<Closure<dyn FnMut(JsValue)>>,
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
    /// Spawns the worker; `handler` hears every response, or `None` when the worker dies.
    pub fn new(handler: impl Fn(Option<Response>) + 'static) -> Bridge {
        let inner = Rc::new(RefCell::new(Inner {
            worker: None,
            ready: false,
            queue: Vec::new(),
            handler: Rc::new(handler),
            _on_message: None,
            _on_error: None,
        }));
        let bridge = Bridge { inner };
        bridge.spawn();
        bridge
    }

    fn spawn(&self) {
        let worker = match Worker::new(WORKER_SCRIPT) {
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
        }
        self.spawn();
    }
}

use js_sys::Array;
