//! The browser entry point: installs the panic hook, registers the service worker (for
//! offline use), mounts the app and takes away the loading screen.

fn main() {
    console_error_panic_hook::set_once();
    event_dojo::paths::register_service_worker();
    leptos::mount::mount_to_body(event_dojo::app::App);
    // The loading screen in index.html has done its job once the app is on the page.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
}
