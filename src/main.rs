//! The browser entry point: installs the panic hook, registers the service worker (for
//! offline use) and mounts the app.

fn main() {
    console_error_panic_hook::set_once();
    event_dojo::paths::register_service_worker();
    leptos::mount::mount_to_body(event_dojo::app::App);
}
