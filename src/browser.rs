//! Small helpers over the browser that several layers share. Timers go through
//! gloo-timers; the storages stay with web-sys, since gloo-storage panics where the
//! browser refuses storage (blocked site data), and the app must then carry on.

/// Lets the browser paint and handle input before long work goes on: waits for a
/// zero-delay timeout, so queued input and rendering run first.
pub async fn yield_to_browser() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// Now, as RFC 3339 (`2026-12-06T10:00:00.000Z`), for an event's time or a version's date.
pub fn now_rfc3339() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// A random id: a UUID from the browser's crypto or, in a browser without
/// `crypto.randomUUID`, the time and a count.
pub fn random_id() -> String {
    thread_local!(static MADE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| {
            let n = MADE.with(|m| {
                m.set(m.get() + 1);
                m.get()
            });
            format!("{}-{n}", js_sys::Date::now())
        })
}

/// This site's localStorage, unless the browser refuses it.
pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// This tab's sessionStorage, unless the browser refuses it.
pub fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}
