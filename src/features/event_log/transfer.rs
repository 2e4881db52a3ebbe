//! Export and import of the event log as NDJSON. Export writes one event per line, as
//! CloudEvents JSON or EventBridge `PutEvents` entries, page by page into a file of
//! parts (never one big string). Import reads a CloudEvents NDJSON file in 1 MiB slices
//! with progress and cancel, checks every line first (the first bad line is named with
//! its field, and nothing is imported), then appends everything in one transaction: all
//! of it lands, or none of it does.

use crate::components::ErrorView;
use crate::state::use_store;
use dojo_engine::transfer::{
    check_put_events_entry, export_line, ExportFormat, ImportReader, ImportedEvent,
    PutEventsBatcher, MAX_FILE_BYTES,
};
use dojo_engine::{damaged_records, read_around_damage, Added, EventStore, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

const PAGE: usize = 1000;
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

/// What an import did, for the learner: how many events it added and where, and how
/// many of the file's events the log held already.
fn import_summary(name: &str, added: &Added) -> String {
    let present = match added.already_present {
        0 => String::new(),
        1 => " 1 event in it has the same source and id as an event already in the log (or earlier in the file) and was not added again.".to_owned(),
        n => format!(" {n} events in it have the same source and id as events already in the log (or earlier in the file) and were not added again."),
    };
    match added.added {
        0 => format!(
            "Nothing was imported from {name}: {} already in the log (the same source and id), so the log is unchanged.",
            match added.already_present {
                1 => "its one event is".to_owned(),
                n => format!("all {n} of its events are"),
            }
        ),
        n => format!(
            "Imported {} from {name} at positions {} to {}.{present}",
            dojo_engine::wording::plural(n, "event"),
            added.result.first_position,
            added.result.last_position
        ),
    }
}

#[component]
pub fn TransferPanel() -> impl IntoView {
    let ctx = use_store();
    let store = StoredValue::new_local(ctx.store.clone());
    let revision = ctx.revision;
    let health = ctx.health;
    let format = RwSignal::new(ExportFormat::CloudEvents);
    // PutEvents entries grouped into requests of up to 10 (one JSON array per line).
    let batched = RwSignal::new(false);
    let progress = RwSignal::new(None::<String>);
    let cancelled = StoredValue::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);

    let export = move |_| {
        let s = store.get_value();
        let f = format.get_untracked();
        let batched = batched.get_untracked();
        outcome.set(None);
        spawn_local(async move {
            let parts = js_sys::Array::new();
            let mut batcher = PutEventsBatcher::default();
            let mut requests = 0usize;
            let mut from = 1;
            let mut count = 0usize;
            let head = s.head().await.unwrap_or(0);
            // Damaged records cannot be exported; they are left out and named. So are
            // events too large for a PutEvents request of their own.
            let mut damaged = Vec::new();
            let mut too_large: Vec<String> = Vec::new();
            loop {
                let page = match read_around_damage(&s, from, PAGE).await {
                    Ok(p) => p,
                    Err(e) => {
                        progress.set(None);
                        outcome.set(Some(Err(format!("The log could not be read: {e}"))));
                        return;
                    }
                };
                if page.is_empty() {
                    break;
                }
                from += page.len() as u64;
                let mut chunk = String::new();
                for e in &page {
                    match e {
                        Ok(e) => {
                            let line = export_line(e, f);
                            let line = match (f, batched) {
                                (ExportFormat::PutEvents, true) => batcher.push(line),
                                (ExportFormat::PutEvents, false) => {
                                    check_put_events_entry(&line).map(|()| Some(line))
                                }
                                (ExportFormat::CloudEvents, _) => Ok(Some(line)),
                            };
                            let line = match line {
                                Ok(line) => line,
                                Err(big) => {
                                    too_large.push(format!("{} ({big})", e.id));
                                    continue;
                                }
                            };
                            count += 1;
                            if let Some(line) = line {
                                requests += 1;
                                chunk.push_str(&line);
                                chunk.push('\n');
                            }
                        }
                        Err(StoreError::Corrupt { position, .. }) => damaged.push(*position),
                        Err(_) => {}
                    }
                }
                parts.push(&chunk.into());
                progress.set(Some(format!("Exporting: {count} of {head} events…")));
            }
            if let Some(last) = batcher.finish() {
                requests += 1;
                parts.push(&format!("{last}\n").into());
            }
            progress.set(None);
            let batches = format!("PutEvents requests ({requests}, up to 10 entries each)");
            let (name, what) = match (f, batched) {
                (ExportFormat::CloudEvents, _) => ("event-dojo-events.ndjson", "CloudEvents"),
                (ExportFormat::PutEvents, false) => {
                    ("event-dojo-put-events.ndjson", "PutEvents entries")
                }
                (ExportFormat::PutEvents, true) => {
                    ("event-dojo-put-events-batches.ndjson", batches.as_str())
                }
            };
            outcome.set(Some(
                crate::components::files::download_parts(name, "application/x-ndjson", &parts).map(
                    |_| {
                        let mut done = format!(
                            "Exported {} as {what} to {name}.",
                            dojo_engine::wording::plural(count, "event")
                        );
                        if !damaged.is_empty() {
                            done.push_str(&format!(" Left out {}.", damaged_records(&damaged)));
                        }
                        if !too_large.is_empty() {
                            done.push_str(&format!(
                                " Left out {} too large for EventBridge: {}.",
                                dojo_engine::wording::plural(too_large.len(), "event"),
                                too_large.join("; ")
                            ));
                        }
                        done
                    },
                ),
            ));
        });
    };

    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let name = file.name();
        let size = file.size();
        outcome.set(None);
        if size > MAX_FILE_BYTES as f64 {
            outcome.set(Some(Err(format!(
                "{name} is {size} bytes ({:.1} MiB); an import takes at most {MAX_FILE_BYTES} bytes ({} MiB). Nothing was imported.",
                size / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ))));
            return;
        }
        let s = store.get_value();
        cancelled.set_value(false);
        spawn_local(async move {
            // First every line is read and checked; nothing is written yet.
            let mut reader = ImportReader::default();
            let mut events: Vec<ImportedEvent> = Vec::new();
            let mut pending: Vec<u8> = Vec::new();
            let mut start = 0.0;
            let fail = |message: String| {
                progress.set(None);
                outcome.set(Some(Err(message)));
            };
            while start < size || !pending.is_empty() {
                if cancelled.get_value() {
                    fail(format!("Import of {name} cancelled. Nothing was imported."));
                    return;
                }
                let end = (start + SLICE_BYTES).min(size);
                let last_slice = end >= size;
                if start < size {
                    match slice_bytes(&file, start, end).await {
                        Ok(bytes) => pending.extend(bytes),
                        Err(e) => return fail(e),
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
                for line in complete.split(|b| *b == b'\n') {
                    if line.is_empty() && last_slice && pending.is_empty() {
                        continue;
                    }
                    let Ok(text) = std::str::from_utf8(line) else {
                        return fail(format!(
                            "{name}: line {} is not UTF-8 text. Nothing was imported.",
                            reader.lines() + 1
                        ));
                    };
                    match reader.read(text) {
                        Ok(Some(e)) => events.push(e),
                        Ok(None) => {}
                        Err(e) => return fail(format!("{name}: {e}. Nothing was imported.")),
                    }
                }
                progress.set(Some(format!(
                    "Checking {name}: {:.1} of {:.1} MB, {} events…",
                    start / 1_048_576.0,
                    size / 1_048_576.0,
                    events.len()
                )));
                crate::features::event_log::yield_to_browser().await;
            }
            if events.is_empty() {
                return fail(format!("{name} holds no events. Nothing was imported."));
            }
            // Then all of it is appended in one transaction: it lands whole, or not at all.
            // Events the log holds already (the same source and id) are left out, so
            // importing a file twice adds nothing the second time.
            let n = events.len();
            progress.set(Some(format!("Writing {n} events in one transaction…")));
            let events = events.into_iter().map(|e| (e.stream, e.event)).collect();
            let result = s.append_new(events).await;
            crate::state::note_write(&result);
            match result {
                Ok(added) => {
                    progress.set(None);
                    outcome.set(Some(Ok(import_summary(&name, &added))));
                    crate::state::store_changed(revision);
                }
                Err(e) => fail(format!("{name} was not imported, and nothing changed: {e}")),
            }
        });
    };

    view! {
        <div class="transfer" aria-label="Export and import">
            <label for="export-format">"Export as"</label>
            <select id="export-format" data-testid="export-format" on:change=move |ev| {
                let choice = event_target_value(&ev);
                format.set(if choice.starts_with("put-events") { ExportFormat::PutEvents } else { ExportFormat::CloudEvents });
                batched.set(choice == "put-events-batches");
            }>
                <option value="cloudevents">"CloudEvents NDJSON"</option>
                <option value="put-events">"EventBridge PutEvents NDJSON"</option>
                <option value="put-events-batches">"EventBridge PutEvents requests (10 entries each)"</option>
            </select>
            <button type="button" class="secondary" on:click=export disabled=move || progress.get().is_some() data-testid="export">"Export"</button>
            <label class="button-like secondary" class:disabled=move || !health.with(|h| h.can_write()) for="import-file">"Import NDJSON"</label>
            <input id="import-file" type="file" accept=".ndjson,.jsonl,application/x-ndjson,text/plain" class="visually-hidden" on:change=import
                prop:disabled=move || !health.with(|h| h.can_write()) data-testid="import-file"/>
            {move || progress.get().map(|p| view! {
                <span class="muted" role="status" data-testid="transfer-progress">{p}</span>
                <button type="button" class="secondary" on:click=move |_| cancelled.set_value(true) data-testid="transfer-cancel">"Cancel"</button>
            })}
            {move || outcome.get().map(|r| match r {
                Ok(t) => view! { <p class="form-status" role="status" data-testid="transfer-notice">{t}</p> }.into_any(),
                Err(e) => view! { <ErrorView title="Export or import did not complete" message=e/> }.into_any(),
            })}
        </div>
    }
}
