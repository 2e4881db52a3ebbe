//! The store worker: a Web Worker that does the event store's long jobs (sample
//! histories, imports, read-model folds) off the page's thread (see `dojo_idb::worker`). trunk builds it
//! beside the app (`data-type="worker"` in index.html); it is in a crate of its own so
//! the worker's wasm holds the store, the generator and the import reader, not the
//! app's pages.

fn main() {
    console_error_panic_hook::set_once();
    dojo_idb::worker::serve_in_worker();
}
