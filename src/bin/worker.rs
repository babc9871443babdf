//! The web worker binary: starts the engine's message loop (see `edgewise::worker`).

fn main() {
    edgewise::worker::run();
}
