//! The run worker: a Web Worker that runs the workshop's scenarios off the page's thread
//! (see `dojo_idb::runs`). trunk builds it beside the app (`data-type="worker"` in
//! index.html); its wasm holds the engine's services, not the store or the app's pages.

fn main() {
    console_error_panic_hook::set_once();
    dojo_idb::runs::serve_runs_in_worker();
}
