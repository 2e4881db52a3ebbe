//! Export and import of the event log as NDJSON. Export writes one event per line, as
//! CloudEvents JSON or EventBridge `PutEvents` entries, page by page into a file of
//! parts (never one big string), with progress and cancel. Import hands the file to the
//! store worker (`dojo_idb::import`), which reads it in 1 MiB slices, checks every line
//! first (the first bad line is named with its field, and nothing is imported), then
//! appends everything in one transaction: all of it lands, or none of it does. This
//! panel shows the worker's progress, offers cancel and words the outcome.

use crate::components::ErrorView;
use crate::state::use_store;
use crate::storage::worker::{Report, StoreWorker, ToWorker};
use dojo_engine::transfer::{check_put_events_entry, export_line, ExportFormat, PutEventsBatcher};
use dojo_engine::{damaged_records, read_around_damage, Added, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

const PAGE: usize = 1000;
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

/// Writes the whole log as one NDJSON file in `format` (`batched`: PutEvents requests of
/// up to ten entries), page by page with `progress`, until done or `cancelled`. Says
/// what was exported and what was left out (damaged records, events too large for
/// EventBridge).
async fn export_log(
    s: &crate::storage::IdbStore,
    f: ExportFormat,
    batched: bool,
    cancelled: StoredValue<bool>,
    progress: RwSignal<Option<String>>,
) -> Result<String, String> {
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
        if cancelled.get_value() {
            return Err("Export cancelled. No file was saved.".to_owned());
        }
        let page = match read_around_damage(s, from, PAGE).await {
            Ok(p) => p,
            Err(e) => return Err(format!("The log could not be read: {e}")),
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
    let batches = format!("PutEvents requests ({requests}, up to 10 entries each)");
    let (name, what) = match (f, batched) {
        (ExportFormat::CloudEvents, _) => ("event-dojo-events.ndjson", "CloudEvents"),
        (ExportFormat::PutEvents, false) => ("event-dojo-put-events.ndjson", "PutEvents entries"),
        (ExportFormat::PutEvents, true) => {
            ("event-dojo-put-events-batches.ndjson", batches.as_str())
        }
    };
    crate::components::files::download_parts(name, "application/x-ndjson", &parts).map(|_| {
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
    })
}

#[component]
pub fn TransferPanel() -> impl IntoView {
    let ctx = use_store();
    let app_store = StoredValue::new_local(ctx.clone());
    let health = ctx.health;
    let format = RwSignal::new(ExportFormat::CloudEvents);
    // PutEvents entries grouped into requests of up to 10 (one JSON array per line).
    let batched = RwSignal::new(false);
    let progress = RwSignal::new(None::<String>);
    let cancelled = StoredValue::new(false);
    // The store worker of the import under way (dropped, and so stopped, with the page).
    let importer = StoredValue::new_local(None::<StoreWorker>);
    let outcome = RwSignal::new(None::<Result<String, String>>);

    let export = move |_| {
        let s = app_store.with_value(|c| c.store.clone());
        let (f, batched) = (format.get_untracked(), batched.get_untracked());
        outcome.set(None);
        cancelled.set_value(false);
        spawn_local(async move {
            let done = export_log(&s, f, batched, cancelled, progress).await;
            progress.set(None);
            outcome.set(Some(done));
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
        outcome.set(None);
        progress.set(Some(format!("Opening {name}…")));
        let job_name = name.clone();
        let on_report = move |report: Report| {
            match &report {
                Report::Checking {
                    read_bytes,
                    size,
                    events,
                } => {
                    progress.try_set(Some(format!(
                        "Checking {name}: {:.1} of {:.1} MB, {events} events…",
                        read_bytes / 1_048_576.0,
                        size / 1_048_576.0,
                    )));
                }
                Report::Writing { events } => {
                    progress.try_set(Some(format!("Writing {events} events in one transaction…")));
                }
                Report::Warned(text) => {
                    app_store.try_with_value(|s| s.schema_warning.set(Some(text.clone())));
                }
                Report::Imported(added) => {
                    outcome.try_set(Some(Ok(import_summary(&name, added))));
                    app_store.try_with_value(|s| s.after_worker_write(None));
                }
                Report::Failed { error, .. } => {
                    app_store.try_with_value(|s| s.after_worker_write(Some(error)));
                    outcome.try_set(Some(Err(format!(
                        "{name} was not imported, and nothing changed: {}",
                        crate::advice::explain(error)
                    ))));
                }
                Report::Refused(why) | Report::Broken(why) => {
                    outcome.try_set(Some(Err(why.clone())));
                }
                _ => {}
            }
            if report.ends_the_job() {
                progress.try_set(None);
            }
        };
        // The previous job's worker has finished; it goes before the next one starts.
        importer.set_value(None);
        let ctx = app_store.with_value(Clone::clone);
        spawn_local(async move {
            // Checked against the schema registry (read first), as every append is.
            ctx.load_schemas().await;
            let job = ToWorker::Import {
                name: job_name,
                schemas: ctx.schemas.get_untracked(),
            };
            match StoreWorker::start(&job, Some(file), on_report) {
                Ok(started) => {
                    importer.try_set_value(Some(started));
                }
                Err(why) => {
                    progress.try_set(None);
                    outcome.try_set(Some(Err(why)));
                }
            }
        });
    };
    let cancel = move |_| {
        // An export checks this between pages; an import's worker is asked to stop.
        cancelled.set_value(true);
        let stopped_at_once = importer.with_value(|w| w.as_ref().is_some_and(StoreWorker::cancel));
        if stopped_at_once {
            progress.set(None);
            outcome.set(Some(Err(
                "The import was cancelled. Nothing was imported.".to_owned()
            )));
        }
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
            <label class="button-like secondary" class:disabled=move || !health.with(|h| h.can_write()) || progress.get().is_some() for="import-file">"Import NDJSON"</label>
            <input id="import-file" type="file" accept=".ndjson,.jsonl,application/x-ndjson,text/plain" class="visually-hidden" on:change=import
                prop:disabled=move || !health.with(|h| h.can_write()) || progress.get().is_some() data-testid="import-file"/>
            {move || progress.get().map(|p| view! {
                <span class="muted" role="status" data-testid="transfer-progress">{p}</span>
                <button type="button" class="secondary" on:click=cancel data-testid="transfer-cancel">"Cancel"</button>
            })}
            {move || outcome.get().map(|r| match r {
                Ok(t) => view! { <p class="form-status" role="status" data-testid="transfer-notice">{t}</p> }.into_any(),
                Err(e) => view! { <ErrorView title="Export or import did not complete" message=e/> }.into_any(),
            })}
        </div>
    }
}
