//! The page binary: renders the Yew app into `<main id="app">` (see `edgewise::ui`).

fn main() {
    edgewise::ui::start();
}
