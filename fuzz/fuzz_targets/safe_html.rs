//! What the app's Markdown renderer must never put out for untrusted text: a tag or an
//! attribute it does not write itself (raw HTML comes out as text, so no `<script>` and
//! no `onerror=`), or a link or image address with a scheme other than http, https or
//! mailto (so no `javascript:`).

const TAGS: &[&str] = &[
    "p",
    "em",
    "strong",
    "a",
    "img",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "hr",
    "br",
];
const ATTRIBUTES: &[&str] = &["href", "src", "alt", "title", "start", "class"];

/// Whether an address, as the browser reads the attribute, is a web address or relative.
fn safe_address(value: &str) -> bool {
    let value = value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let lower = value.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(scheme, "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Renders `source` and checks the HTML.
pub fn check(source: &str) {
    let html = event_dojo::fuzzing::to_html(source);
    let mut rest = html.as_str();
    while let Some(at) = rest.find('<') {
        let tag = &rest[at + 1..];
        let end = tag.find('>').expect("a closed tag");
        let inside = tag[..end].trim_start_matches('/').trim_end_matches('/');
        let name_end = inside
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(inside.len());
        let name = &inside[..name_end];
        assert!(
            TAGS.contains(&name),
            "tag <{name}> in {html:?} from {source:?}"
        );
        let mut attrs = inside[name_end..].trim_start();
        while !attrs.is_empty() {
            let eq = attrs.find('=').unwrap_or(attrs.len());
            let attr = attrs[..eq].trim();
            assert!(
                ATTRIBUTES.contains(&attr),
                "attribute {attr:?} in <{inside}> from {source:?}"
            );
            let value_and_rest = attrs[eq..].strip_prefix("=\"").expect("a quoted value");
            let close = value_and_rest.find('"').expect("a closing quote");
            let value = &value_and_rest[..close];
            if matches!(attr, "href" | "src") {
                assert!(safe_address(value), "address {value:?} from {source:?}");
            }
            attrs = value_and_rest[close + 1..].trim_start();
        }
        rest = &tag[end..];
    }
}
