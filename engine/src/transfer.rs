//! Moving events in and out of a store as NDJSON: one event per line, as CloudEvents JSON
//! (with the store's extensions) or as an EventBridge `PutEvents` entry. Import reads
//! CloudEvents lines, validates each (the line number and the field say what is wrong),
//! and refuses a file with any bad line before anything is written.

use crate::envelope::{EventEnvelope, NewEvent, SPEC_VERSION};
use serde_json::{json, Value};
use std::collections::HashSet;
use thiserror::Error;

/// The largest event a line may hold: EventBridge's entry limit, 256 KiB.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;
/// The largest file an import takes: 200 MiB.
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

/// What an export writes per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// CloudEvents 1.0 JSON with `streamid`, `streamversion`, `globalposition`, and the
    /// correlation and causation ids: what import reads back.
    CloudEvents,
    /// An EventBridge `PutEvents` request entry (`Source`, `DetailType`, `Detail` as a
    /// JSON string, `Time`, `EventBusName`), ready for `aws events put-events`.
    PutEvents,
}

/// One event as a line (without the newline).
pub fn export_line(e: &EventEnvelope, format: ExportFormat) -> String {
    match format {
        ExportFormat::CloudEvents => e.to_cloudevent_json(),
        ExportFormat::PutEvents => {
            let mut entry = json!({
                "Source": e.source,
                "DetailType": e.event_type,
                "Detail": e.data.clone().unwrap_or_else(|| json!({})).to_string(),
                "EventBusName": "default",
            });
            if let Some(t) = &e.time {
                entry["Time"] = Value::String(t.clone());
            }
            entry.to_string()
        }
    }
}

/// Most entries one `PutEvents` request takes.
pub const PUT_EVENTS_MAX_ENTRIES: usize = 10;
/// The largest `PutEvents` request EventBridge takes, all entries together: 256 KiB.
pub const PUT_EVENTS_MAX_BYTES: usize = 256 * 1024;

/// Groups `PutEvents` entries (as [`export_line`] writes them) into requests: at most
/// [`PUT_EVENTS_MAX_ENTRIES`] entries and [`PUT_EVENTS_MAX_BYTES`] each (counting each
/// entry's JSON, which is never less than EventBridge's own count). Each request is one
/// line, a JSON array, ready for `aws events put-events --entries "$line"`.
#[derive(Debug, Default)]
pub struct PutEventsBatcher {
    entries: Vec<String>,
    bytes: usize,
}

/// A `PutEvents` entry that no request can hold: alone, its request would be over
/// [`PUT_EVENTS_MAX_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{bytes} bytes as a PutEvents request of its own, and EventBridge takes at most 262,144 bytes (256 KiB) per request")]
pub struct EntryTooLarge {
    pub bytes: usize,
}

/// Checks that `entry` fits in a `PutEvents` request by itself (`[entry]`).
pub fn check_put_events_entry(entry: &str) -> Result<(), EntryTooLarge> {
    let bytes = entry.len() + 2;
    if bytes > PUT_EVENTS_MAX_BYTES {
        return Err(EntryTooLarge { bytes });
    }
    Ok(())
}

impl PutEventsBatcher {
    /// Adds an entry; returns the request it closed, if it did not fit in the open one.
    /// An entry that fits in no request is refused and leaves the open one as it was, so
    /// no request written is ever over [`PUT_EVENTS_MAX_BYTES`], brackets and commas
    /// counted.
    pub fn push(&mut self, entry: String) -> Result<Option<String>, EntryTooLarge> {
        check_put_events_entry(&entry)?;
        // The open request with this entry: "[" + entries joined by "," + "]".
        let with_it = self.bytes + entry.len() + self.entries.len() + 2;
        let full = self.entries.len() == PUT_EVENTS_MAX_ENTRIES
            || (!self.entries.is_empty() && with_it > PUT_EVENTS_MAX_BYTES);
        let closed = if full { self.take() } else { None };
        self.bytes += entry.len();
        self.entries.push(entry);
        Ok(closed)
    }

    /// The last, partly filled request, if any.
    pub fn finish(mut self) -> Option<String> {
        self.take()
    }

    fn take(&mut self) -> Option<String> {
        if self.entries.is_empty() {
            return None;
        }
        let line = format!("[{}]", self.entries.join(","));
        self.entries.clear();
        self.bytes = 0;
        Some(line)
    }
}

/// A line that cannot be imported: where, which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}, {field}: {message}")]
pub struct ImportError {
    pub line: usize,
    pub field: String,
    pub message: String,
}

/// A CloudEvents line (as Export writes it) read and checked: JSON, the envelope's
/// fields, the non-empty ones, and the spec version. On error: the field and why.
pub fn read_envelope(text: &str) -> Result<EventEnvelope, (String, String)> {
    let fail = |field: &str, message: String| (field.to_owned(), message);
    let value: Value =
        serde_json::from_str(text).map_err(|e| fail("(line)", format!("not JSON: {e}")))?;
    if value.get("DetailType").is_some() {
        return Err(fail(
            "DetailType",
            "this is an EventBridge PutEvents entry, which has no stream; import reads CloudEvents lines (export as CloudEvents)".into(),
        ));
    }
    let envelope: EventEnvelope = crate::shape::from_str(text).map_err(|e| {
        fail(
            if e.path == "." { "(event)" } else { &e.path },
            crate::wording::shape_of("an event", "the event", &e.path, &e.message),
        )
    })?;
    for (field, value) in [
        ("id", &envelope.id),
        ("source", &envelope.source),
        ("type", &envelope.event_type),
        ("streamid", &envelope.stream_id),
    ] {
        if value.trim().is_empty() {
            return Err(fail(field, "must not be empty".into()));
        }
    }
    if envelope.specversion != SPEC_VERSION {
        return Err(fail(
            "specversion",
            format!(
                "is \"{}\"; CloudEvents {SPEC_VERSION} is required",
                envelope.specversion
            ),
        ));
    }
    Ok(envelope)
}

/// An event read from a line, to append to its stream.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedEvent {
    pub stream: String,
    pub event: NewEvent,
}

/// Reads an import's lines in order, validating each and refusing repeated event ids.
#[derive(Debug, Default)]
pub struct ImportReader {
    line: usize,
    ids: HashSet<String>,
}

impl ImportReader {
    /// The next line (without its newline). Blank lines are skipped (`Ok(None)`).
    pub fn read(&mut self, text: &str) -> Result<Option<ImportedEvent>, ImportError> {
        self.line += 1;
        let line = self.line;
        let fail = |field: &str, message: String| ImportError {
            line,
            field: field.to_owned(),
            message,
        };
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            return Ok(None);
        }
        if text.len() > MAX_EVENT_BYTES {
            return Err(fail(
                "(line)",
                format!(
                    "{} bytes; an event may have at most {MAX_EVENT_BYTES} (256 KiB)",
                    text.len()
                ),
            ));
        }
        let envelope = read_envelope(text).map_err(|(field, message)| fail(&field, message))?;
        if !self.ids.insert(envelope.id.clone()) {
            return Err(fail(
                "id",
                format!(
                    "\"{}\" appears on an earlier line; each event is imported once",
                    envelope.id
                ),
            ));
        }
        Ok(Some(ImportedEvent {
            stream: envelope.stream_id.clone(),
            event: NewEvent::from(envelope),
        }))
    }

    /// Lines read so far.
    pub fn lines(&self) -> usize {
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_events_entries_go_in_requests_of_ten_and_at_most_256_kib() {
        let entry = |i: usize, size: usize| {
            json!({ "Source": "dojo.test", "DetailType": "T", "Detail": "x".repeat(size), "N": i })
                .to_string()
        };
        let mut batcher = PutEventsBatcher::default();
        let mut requests: Vec<String> = (0..25)
            .filter_map(|i| batcher.push(entry(i, 10)).expect("fits"))
            .collect();
        requests.extend(batcher.finish());
        let sizes: Vec<usize> = requests
            .iter()
            .map(|r| {
                serde_json::from_str::<Vec<Value>>(r)
                    .expect("a JSON array")
                    .len()
            })
            .collect();
        assert_eq!(sizes, [10, 10, 5]);
        // Three entries of 100 KiB: two fit under 256 KiB, the third starts a request.
        let mut batcher = PutEventsBatcher::default();
        let mut requests: Vec<String> = (0..3)
            .filter_map(|i| batcher.push(entry(i, 100 * 1024)).expect("fits"))
            .collect();
        requests.extend(batcher.finish());
        assert_eq!(requests.len(), 2);
        assert!(requests.iter().all(|r| r.len() <= PUT_EVENTS_MAX_BYTES));
        assert_eq!(PutEventsBatcher::default().finish(), None);
        // Two entries that fill a request exactly, brackets and comma counted, and one
        // more byte that does not fit.
        let exact = |n: usize| "x".repeat(n);
        let half = (PUT_EVENTS_MAX_BYTES - 3) / 2;
        let mut batcher = PutEventsBatcher::default();
        assert_eq!(batcher.push(exact(half)), Ok(None));
        let rest = PUT_EVENTS_MAX_BYTES - 3 - half;
        assert_eq!(batcher.push(exact(rest)), Ok(None));
        let full = batcher.finish().expect("one request");
        assert_eq!(full.len(), PUT_EVENTS_MAX_BYTES);
        let mut batcher = PutEventsBatcher::default();
        assert_eq!(batcher.push(exact(half)), Ok(None));
        let closed = batcher.push(exact(rest + 1)).expect("fits alone");
        assert_eq!(
            closed.map(|r| r.len()),
            Some(half + 2),
            "the first goes alone"
        );
        // An entry too big for any request is refused with its size; the open one stays.
        let too_big = exact(PUT_EVENTS_MAX_BYTES - 1);
        assert_eq!(
            batcher.push(too_big).expect_err("fits in no request").to_string(),
            "262145 bytes as a PutEvents request of its own, and EventBridge takes at most 262,144 bytes (256 KiB) per request"
        );
        assert_eq!(batcher.finish().map(|r| r.len()), Some(rest + 1 + 2));
    }

    fn envelope(id: &str) -> EventEnvelope {
        EventEnvelope::recorded(
            NewEvent::new(id, "customer-1", "CustomerRegistered", "dojo.test")
                .with_data(json!({"name": "Ada"}))
                .with_time("2026-01-01T00:00:00Z"),
            "customer-1",
            1,
            1,
        )
    }

    #[test]
    fn an_export_line_imports_back_to_the_same_event() {
        let e = envelope("e1");
        let line = export_line(&e, ExportFormat::CloudEvents);
        let got = ImportReader::default()
            .read(&line)
            .expect("valid")
            .expect("an event");
        assert_eq!(got.stream, "customer-1");
        assert_eq!(got.event.id, "e1");
        assert_eq!(got.event.data, Some(json!({"name": "Ada"})));
    }

    #[test]
    fn put_events_entries_carry_the_detail_as_a_string() {
        let line = export_line(&envelope("e1"), ExportFormat::PutEvents);
        let v: Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(v["DetailType"], "CustomerRegistered");
        assert_eq!(v["Detail"], "{\"name\":\"Ada\"}");
        assert_eq!(v["Time"], "2026-01-01T00:00:00Z");
        let e = ImportReader::default().read(&line).expect_err("no stream");
        assert_eq!(e.field, "DetailType");
    }

    #[test]
    fn bad_lines_name_their_line_and_field() {
        let mut r = ImportReader::default();
        let good = export_line(&envelope("e1"), ExportFormat::CloudEvents);
        assert!(r.read(&good).expect("valid").is_some());
        assert!(r.read("").expect("blank").is_none());
        assert_eq!(
            r.read(&good).expect_err("repeated").to_string(),
            "line 3, id: \"e1\" appears on an earlier line; each event is imported once"
        );
        let no_type = good.replace("\"type\":\"CustomerRegistered\",", "");
        let e = r
            .read(&no_type.replace("e1", "e2"))
            .expect_err("missing type");
        assert_eq!((e.line, e.field.as_str()), (4, "(event)"));
        assert_eq!(e.message, "An event needs `type` (at the event).");
        let e = r
            .read(
                &good
                    .replace("e1", "e3")
                    .replace("\"streamversion\":1", "\"streamversion\":\"one\""),
            )
            .expect_err("bad version");
        assert_eq!(e.field, "streamversion");
        let e = r.read("{not json").expect_err("not JSON");
        assert_eq!((e.line, e.field.as_str()), (6, "(line)"));
        let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(MAX_EVENT_BYTES));
        assert!(r
            .read(&huge)
            .expect_err("too big")
            .message
            .contains("at most 262144"));
    }
}
