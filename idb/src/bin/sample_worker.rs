//! The sample-history worker: a Web Worker that writes a generated insurance history
//! into the event store off the page's thread (see `dojo_idb::sample`). trunk builds it
//! beside the app (`data-type="worker"` in index.html); it is a crate of its own so the
//! worker's wasm holds the store and the generator, not the app's pages.

fn main() {
    console_error_panic_hook::set_once();
    dojo_idb::sample::serve_in_worker();
}
