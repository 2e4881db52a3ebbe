//! Markdown text (exercise narration, hints) rendered to HTML. Exercise text can come
//! from an imported pack, so it is untrusted: raw HTML in the source is shown as text,
//! never interpreted, and links and images may only point to http(s), mailto or
//! relative addresses (a `javascript:` link becomes `#`).

use leptos::prelude::*;
use pulldown_cmark::{html, CowStr, Event, Parser, Tag};

/// Whether a link or image address is safe to render.
fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        // A scheme before any '/', '?' or '#': only these.
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// A safe address as it is, an app path (`/learn`) under the path the app is served
/// from, and anything else as `#`.
fn neutralise(url: CowStr<'_>) -> CowStr<'_> {
    if !safe_url(&url) {
        CowStr::Borrowed("#")
    } else if url.starts_with('/') && !url.starts_with("//") {
        CowStr::from(crate::paths::href(&url))
    } else {
        url
    }
}

/// The HTML for `source`, with any raw HTML escaped and unsafe addresses removed.
pub fn to_html(source: &str) -> String {
    let events = Parser::new(source).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: neutralise(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: neutralise(dest_url),
            title,
            id,
        }),
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

    #[test]
    fn untrusted_text_in_a_report_stays_text_as_a_block_or_an_autolink() {
        // A teammate's shared answer or an event's field, as the capstone report quotes it.
        let html = to_html(
            "## Answer\n\n<img src=x onerror=\"alert(1)\">\n\n<div>\n<script>x</script>\n</div>\n\nsee <javascript:alert(1)>",
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<div>"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;img src=x onerror="), "{html}");
        // The address is neutralised; the words stay visible as the link's text.
        assert!(!html.to_lowercase().contains("href=\"javascript"), "{html}");
        assert!(
            html.contains("<a href=\"#\">javascript:alert(1)</a>"),
            "{html}"
        );
    }

    #[test]
    fn only_safe_link_addresses_survive() {
        let html = to_html(
            "[a](javascript:alert(1)) [b](JavaScript:x) [c](data:text/html,x) ![i](vbscript:y)",
        );
        assert!(!html.to_lowercase().contains("script:"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert_eq!(html.matches("href=\"#\"").count(), 3, "{html}");
        let ok = to_html(
            "[d](https://example.com/x) [e](/learn) [f](#top) [g](mailto:a@b.c) [h](docs/x.md)",
        );
        for url in [
            "https://example.com/x",
            "/learn",
            "#top",
            "mailto:a@b.c",
            "docs/x.md",
        ] {
            assert!(ok.contains(&format!("href=\"{url}\"")), "{url}: {ok}");
        }
    }
}
