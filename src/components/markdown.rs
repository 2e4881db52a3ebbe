//! Markdown text (exercise narration, hints) rendered to HTML. Raw HTML in the source is
//! shown as text, never interpreted, so an imported pack cannot inject markup or script.

use leptos::prelude::*;
use pulldown_cmark::{html, Event, Parser};

/// The HTML for `source`, with any raw HTML escaped.
pub fn to_html(source: &str) -> String {
    let events = Parser::new(source).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// Renders Markdown inside a `div` with `class`.
#[component]
pub fn Markdown(
    #[prop(into)] source: String,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    view! { <div class=format!("markdown {class}") inner_html=to_html(&source)></div> }
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn markdown_becomes_html_and_raw_html_stays_text() {
        assert_eq!(
            to_html("A **bold** `code`"),
            "<p>A <strong>bold</strong> <code>code</code></p>\n"
        );
        let html = to_html("<script>alert(1)</script> and <b onclick=\"x\">b</b>");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
