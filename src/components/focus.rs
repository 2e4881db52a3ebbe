//! Moving keyboard focus to new content. When a click replaces what held the focus (a
//! page, the last "Continue", the last hint), the browser drops focus to the page body and
//! a keyboard or screen-reader user is lost at the top of the page. These helpers move it
//! to the new content instead, once that content has been rendered. They only move focus;
//! they never change what is shown.

use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// How many times [`focus_soon`] looks for its element: content that waits on IndexedDB
/// (a page's saved document) may take a few frames to appear.
const TRIES: u32 = 40;

/// Focuses the first element matching `selector` once it exists (it is looked for at the
/// next frame, then every 25 ms for about a second). An element that is not focusable by
/// itself (a heading, a list item) gets `tabindex="-1"` so that it can take the focus
/// without joining the Tab order.
pub fn focus_soon(selector: impl Into<String>) {
    try_focus(std::rc::Rc::from(selector.into()), TRIES);
}

/// Focuses the first element matching `selector` at once, when it is already on the page
/// (the next key press must land after it), else as soon as it appears.
pub fn focus_now(selector: &str) {
    if !focus_found(selector) {
        focus_soon(selector.to_owned());
    }
}

/// Focuses the element matching `selector`; false when there is none.
fn focus_found(selector: &str) -> bool {
    let Some(element) = document().query_selector(selector).ok().flatten() else {
        return false;
    };
    if !element.has_attribute("tabindex") && !natively_focusable(&element) {
        let _ = element.set_attribute("tabindex", "-1");
    }
    // Canvas nodes are SVG elements, which are not HTML elements but focus all the same.
    let _ = match element.dyn_into::<web_sys::HtmlElement>() {
        Ok(html) => html.focus(),
        Err(other) => match other.dyn_into::<web_sys::SvgElement>() {
            Ok(svg) => svg.focus(),
            Err(_) => Ok(()),
        },
    };
    true
}

fn try_focus(selector: std::rc::Rc<str>, tries_left: u32) {
    request_animation_frame(move || {
        if focus_found(&selector) {
            return;
        }
        // A lazily loaded page says "Opening …" while its modules arrive, which on a slow
        // network takes longer than the tries; that wait does not use them up.
        let opening = document()
            .query_selector(".page-loading")
            .ok()
            .flatten()
            .is_some();
        if opening || tries_left > 0 {
            let left = if opening { tries_left } else { tries_left - 1 };
            set_timeout(move || try_focus(selector, left), Duration::from_millis(25));
        }
    });
}

/// Buttons, links and form fields take the focus without a tabindex.
fn natively_focusable(element: &web_sys::Element) -> bool {
    matches!(
        element.tag_name().as_str(),
        "A" | "BUTTON" | "INPUT" | "SELECT" | "TEXTAREA" | "SUMMARY"
    )
}

/// Inside the router: after every navigation to another path, the new page's heading
/// takes the focus. The first page of a visit is left alone, so the skip link stays the
/// first stop of the Tab order.
#[component]
pub fn FocusHeadingOnNavigate() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            focus_soon("main h1");
        }
        path
    });
}
