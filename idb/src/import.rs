//! A CloudEvents NDJSON import, as the store worker (see [`crate::worker`]) runs it: the
//! file is read in 1 MiB slices and every line checked first (the first bad line is
//! named with its field, and nothing is imported), then everything is appended in one
//! transaction, so all of it lands or none of it does. Events the log holds already (the
//! same source and id) are left out, so importing a file twice adds nothing the second
//! time. Every event is checked against the schema registry as every append is: a line
//! that does not fit an enforced schema is named and nothing is imported; those that do
//! not fit under `warn` are imported and reported.

use crate::protocol::Report;
use crate::IdbStore;
use dojo_engine::schemas::registry::{Checker, Validation};
use dojo_engine::transfer::{ImportReader, ImportedEvent, MAX_FILE_BYTES};
use dojo_engine::EventStore;

const SLICE_BYTES: f64 = 1024.0 * 1024.0;

async fn slice_bytes(file: &web_sys::File, start: f64, end: f64) -> Result<Vec<u8>, String> {
    let blob = file
        .slice_with_f64_and_f64(start, end)
        .map_err(|_| "The file could not be read.".to_owned())?;
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| "The file could not be read.".to_owned())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Events that do not fit their schema under `warn`: how many, and the first.
#[derive(Default)]
struct Warnings {
    count: usize,
    first: Option<String>,
}

/// The events of one slice's complete lines, added to `events`; an error names the
/// line and what is wrong with it.
fn check_lines(
    name: &str,
    lines: &[u8],
    reader: &mut ImportReader,
    (checker, warnings): (&Checker, &mut Warnings),
    events: &mut Vec<ImportedEvent>,
    at_end: bool,
) -> Result<(), String> {
    for line in lines.split(|b| *b == b'\n') {
        if line.is_empty() && at_end {
            continue;
        }
        let Ok(text) = std::str::from_utf8(line) else {
            return Err(format!(
                "{name}: line {} is not UTF-8 text. Nothing was imported.",
                reader.lines() + 1
            ));
        };
        match reader.read(text) {
            Ok(Some(e)) => {
                if let Some(misfit) = checker.check(&e.event.event_type, e.event.data.as_ref()) {
                    let said = format!(
                        "{name}: line {}: event \"{}\": {misfit}",
                        reader.lines(),
                        e.event.id
                    );
                    if misfit.validation == Validation::Enforce {
                        return Err(format!("{said}. Nothing was imported."));
                    }
                    warnings.count += 1;
                    warnings.first.get_or_insert(said);
                }
                events.push(e)
            }
            Ok(None) => {}
            Err(e) => return Err(format!("{name}: {e}. Nothing was imported.")),
        }
    }
    Ok(())
}

/// Imports `file` (called `name`) into `store`, reporting as it checks and writes;
/// `cancelled()` is asked before every slice. Returns the last report:
/// [`Report::Imported`], [`Report::Refused`] (a bad line, an empty or too large file,
/// a cancel: nothing written) or [`Report::Failed`] (the write failed: nothing written).
pub async fn import(
    store: &IdbStore,
    file: &web_sys::File,
    name: &str,
    checker: &Checker,
    cancelled: impl Fn() -> bool,
    mut report: impl FnMut(Report),
) -> Report {
    let size = file.size();
    if size > MAX_FILE_BYTES as f64 {
        return Report::Refused(format!(
            "{name} is {size} bytes ({:.1} MiB); an import takes at most {MAX_FILE_BYTES} bytes ({} MiB). Nothing was imported.",
            size / 1_048_576.0,
            MAX_FILE_BYTES / 1_048_576
        ));
    }
    let mut reader = ImportReader::default();
    let mut warnings = Warnings::default();
    let mut events: Vec<ImportedEvent> = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut start = 0.0;
    while start < size || !pending.is_empty() {
        if cancelled() {
            return Report::Refused(format!("Import of {name} cancelled. Nothing was imported."));
        }
        let end = (start + SLICE_BYTES).min(size);
        let last_slice = end >= size;
        if start < size {
            match slice_bytes(file, start, end).await {
                Ok(bytes) => pending.extend(bytes),
                Err(e) => return Report::Refused(e),
            }
        }
        start = end;
        // Whole lines only; the rest waits for the next slice.
        let cut = if last_slice {
            pending.len()
        } else {
            pending
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1)
        };
        let complete: Vec<u8> = pending.drain(..cut).collect();
        let at_end = last_slice && pending.is_empty();
        let schemas = (checker, &mut warnings);
        if let Err(message) =
            check_lines(name, &complete, &mut reader, schemas, &mut events, at_end)
        {
            return Report::Refused(message);
        }
        report(Report::Checking {
            read_bytes: start,
            size,
            events: events.len(),
        });
    }
    if events.is_empty() {
        return Report::Refused(format!("{name} holds no events. Nothing was imported."));
    }
    report(Report::Writing {
        events: events.len(),
    });
    let events = events.into_iter().map(|e| (e.stream, e.event)).collect();
    match store.append_new(events).await {
        Ok(added) => {
            if let Some(first) = warnings.first {
                let more = match warnings.count {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                report(Report::Warned(format!("{first}{more}")));
            }
            Report::Imported(added)
        }
        Err(error) => Report::Failed { done: 0, error },
    }
}
