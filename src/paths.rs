//! Where the app is served from. `trunk build --public-url /some/path/` writes that path
//! into the page's `<base href>`; the router and every internal link are relative to it,
//! so the same build works at a site's root or under any sub-path.

use std::cell::OnceCell;

thread_local! {
    static BASE: OnceCell<String> = const { OnceCell::new() };
}

/// The path the app is served under, without a trailing slash: `""` at a site's root,
/// `"/some/path"` under a sub-path (and `""` outside a browser, for native tests).
#[cfg(not(target_arch = "wasm32"))]
pub fn base() -> String {
    trim("")
}

/// The path the app is served under, without a trailing slash: `""` at a site's root,
/// `"/some/path"` under a sub-path.
#[cfg(target_arch = "wasm32")]
pub fn base() -> String {
    BASE.with(|b| {
        b.get_or_init(|| {
            let from_page = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.base_uri().ok().flatten())
                .and_then(|uri| web_sys::Url::new(&uri).ok())
                .map(|url| url.pathname())
                .unwrap_or_default();
            trim(&from_page)
        })
        .clone()
    })
}

fn trim(pathname: &str) -> String {
    pathname.trim_end_matches('/').to_owned()
}

/// An app path (starting with `/`) as a link that works wherever the app is served.
pub fn href(path: &str) -> String {
    format!("{}{path}", base())
}

/// Registers the service worker (public/sw.js) for the app's path, so that after the
/// first visit the app starts offline and can be installed. Release builds only:
/// `trunk serve` rebuilds constantly, and a cache would only get in its way.
pub fn register_service_worker() {
    if cfg!(debug_assertions) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let options = web_sys::RegistrationOptions::new();
    options.set_scope(&href("/"));
    // A browser without service workers (or a private window) still runs the app online.
    let _ = window
        .navigator()
        .service_worker()
        .register_with_options(&href("/sw.js"), &options);
}

#[cfg(test)]
mod tests {
    use super::trim;

    #[test]
    fn a_base_path_loses_its_trailing_slash_and_the_root_becomes_empty() {
        assert_eq!(trim("/"), "");
        assert_eq!(trim("/dojo/sub/"), "/dojo/sub");
        assert_eq!(trim("/dojo"), "/dojo");
    }
}
