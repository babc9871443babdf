//! The page: a Yew app that shows what the worker found and never computes statistics itself.
//!
//! `app` holds the one reducer ([`state`]) and every effect (worker, files, downloads); the
//! other modules are components, one per file, rendering parts of the state.

pub mod app;
pub mod bridge;
pub mod check;
pub mod compare;
pub mod dropzone;
pub mod format;
pub mod map;
pub mod outliers;
pub mod person;
pub mod portrait;
pub mod privacy;
pub mod progress;
pub mod say_do;
pub mod segments;
pub mod state;

/// The Okabe–Ito palette, safe for colour-blind readers; segments cycle through it.
/// `styles/main.css` has the same colours as classes `c0` … `c6` (the page allows no inline styles).
pub const PALETTE: [&str; 7] = [
    "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442",
];
/// The colour of the mass middle on the map.
pub const MASS_COLOUR: &str = "#9aa0a6";

/// The colour of segment `index` (edge segments cycle through [`PALETTE`]).
pub fn colour(index: usize, mass: bool) -> &'static str {
    if mass {
        MASS_COLOUR
    } else {
        PALETTE[index % PALETTE.len()]
    }
}

/// The CSS class with segment `index`'s colour.
pub fn colour_class(index: usize, mass: bool) -> String {
    if mass {
        "cm".into()
    } else {
        format!("c{}", index % PALETTE.len())
    }
}

/// Mounts the app on `<main id="app">`.
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            yew::Renderer::<app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
