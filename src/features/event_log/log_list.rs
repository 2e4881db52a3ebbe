//! The event log: every persisted event, newest first, as a virtualised list. Only the
//! rows in view (plus a few) are read from IndexedDB and rendered, so a log of a million
//! events scrolls as smoothly as one of ten. Filters by stream, type and text scan the
//! log in pages in the background, showing their progress, then list only the matches.
//! A sample insurance history can be loaded in batches, with progress and cancel.

use crate::browser::yield_to_browser;
use crate::components::ErrorView;
use crate::state::use_store;
use crate::storage::worker::{Report, StoreWorker, ToWorker};
use dojo_engine::{read_around_damage, EventEnvelope, EventStore, StoreError};
use leptos::prelude::*;
use leptos::task::spawn_local;

const ROW_H: f64 = 52.0;
const VIEW_H: f64 = 520.0;
const OVERSCAN: usize = 6;
const SCAN_PAGE: usize = 2000;
/// The tallest the list's scroll area gets. Browsers cap element heights (Chromium near
/// 33.5 million px; a million rows of 52 px would need 52 million), so a longer log
/// scrolls in proportion: the scrollbar spans the whole log and rows keep their height.
const MAX_SCROLL_PX: f64 = 8_000_000.0;

/// Where the list stands for a scroll position: (height of the scroll area, index of
/// the first row at the top of the viewport as a fraction, px to shift rows by so that
/// row `i` is drawn at `i * ROW_H - shift`).
fn scroll_map(total: u64, scroll_top: f64) -> (f64, f64, f64) {
    let virtual_h = total as f64 * ROW_H;
    let real_h = virtual_h.min(MAX_SCROLL_PX);
    let virtual_top = if virtual_h > real_h && real_h > VIEW_H {
        scroll_top * (virtual_h - VIEW_H) / (real_h - VIEW_H)
    } else {
        scroll_top
    };
    (real_h, virtual_top / ROW_H, virtual_top - scroll_top)
}

/// The rows a window of the list shows, with the head and match count they were read
/// for (`matched` is `None` when no filter is on).
#[derive(Clone)]
struct Page {
    head: u64,
    matched: Option<usize>,
    rows: Vec<(usize, Result<EventEnvelope, StoreError>)>,
}

#[derive(Clone, Default, PartialEq)]
struct Filter {
    stream: String,
    event_type: String,
    text: String,
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.stream.is_empty() && self.event_type.is_empty() && self.text.is_empty()
    }

    fn admits(&self, e: &EventEnvelope) -> bool {
        (self.stream.is_empty() || e.stream_id == self.stream)
            && (self.event_type.is_empty() || e.event_type == self.event_type)
            && (self.text.is_empty()
                || e.to_cloudevent_json()
                    .to_lowercase()
                    .contains(&self.text.to_lowercase()))
    }
}

/// The log's filter (stream, type, text): applying it scans the whole log in pages, with
/// progress, into `matches` (newest first); `on_change` hears every new filter or clear.
#[component]
fn LogFilter(matches: RwSignal<Option<Vec<u64>>>, on_change: Callback<()>) -> impl IntoView {
    let store = StoredValue::new_local(use_store().store);
    let draft = RwSignal::new(Filter::default());
    let scan = RwSignal::new(None::<(u64, u64)>);
    let scan_generation = StoredValue::new(0u64);
    let to_top = move || on_change.run(());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let f = draft.get_untracked();
        to_top();
        if f.is_empty() {
            matches.set(None);
            scan.set(None);
            return;
        }
        scan_generation.update_value(|g| *g += 1);
        let generation = scan_generation.get_value();
        let s = store.get_value();
        spawn_local(async move {
            let Ok(h) = s.head().await else { return };
            let mut found = Vec::new();
            let mut from = 1;
            scan.set(Some((0, h)));
            while from <= h {
                // Damaged records match no filter; the scan goes on past them.
                let Ok(page) = read_around_damage(&s, from, SCAN_PAGE).await else {
                    break;
                };
                if page.is_empty() {
                    break;
                }
                from += page.len() as u64;
                found.extend(
                    page.iter()
                        .filter_map(|e| e.as_ref().ok())
                        .filter(|e| f.admits(e))
                        .map(|e| e.position),
                );
                if scan_generation.get_value() != generation {
                    return;
                }
                scan.set(Some((from - 1, h)));
                yield_to_browser().await;
            }
            found.reverse();
            matches.set(Some(found));
            to_top();
        });
    };
    let clear = move |_| {
        draft.set(Filter::default());
        matches.set(None);
        scan.set(None);
        scan_generation.update_value(|g| *g += 1);
        to_top();
    };

    view! {
        <form class="log-filter" on:submit=apply role="search" aria-label="Filter the log">
            <div class="field"><label for="filter-stream">"Stream"</label>
                <input id="filter-stream" type="text" data-testid="filter-stream" prop:value=move || draft.get().stream
                    on:input=move |ev| draft.update(|d| d.stream = event_target_value(&ev))/></div>
            <div class="field"><label for="filter-type">"Type"</label>
                <input id="filter-type" type="text" data-testid="filter-type" prop:value=move || draft.get().event_type
                    on:input=move |ev| draft.update(|d| d.event_type = event_target_value(&ev))/></div>
            <div class="field"><label for="filter-text">"Text"</label>
                <input id="filter-text" type="text" data-testid="filter-text" prop:value=move || draft.get().text
                    on:input=move |ev| draft.update(|d| d.text = event_target_value(&ev))/></div>
            <div class="form-actions">
                <button type="submit" class="secondary" data-testid="filter-apply">"Filter"</button>
                <button type="button" class="secondary" on:click=clear data-testid="filter-clear">"Clear"</button>
            </div>
        </form>
        {move || scan.get().filter(|(done, total)| done < total).map(|(done, total)| view! {
            <p class="muted" data-testid="filter-progress">{format!("Scanning: {done} of {total} events…")}</p>
        })}
    }
}

#[component]
pub fn EventLog() -> impl IntoView {
    let ctx = use_store();
    let store = StoredValue::new_local(ctx.store.clone());
    let revision = ctx.revision;
    let head = LocalResource::new(move || {
        revision.track();
        let s = store.get_value();
        async move { s.head().await }
    });
    let scroll_top = RwSignal::new(0f64);
    let viewport = NodeRef::<leptos::html::Div>::new();
    // A new filter (or none) starts at the newest match. The viewport keeps its own scroll
    // offset, so it is moved back too; otherwise rows computed for the top would be drawn
    // far above what the learner sees (a blank list), or the oldest matches would show.
    let to_top = move || {
        scroll_top.set(0.0);
        if let Some(el) = viewport.get_untracked() {
            el.set_scroll_top(0);
        }
    };
    // Positions of matching events, newest first, while a filter is on.
    let matches = RwSignal::new(None::<Vec<u64>>);

    let count = Memo::new(move |_| match matches.get() {
        Some(m) => m.len() as u64,
        None => head.get().and_then(Result::ok).unwrap_or(0),
    });
    // Rows move with the scroll; in a capped (proportional) scroll area they move faster.
    let shift = Memo::new(move |_| scroll_map(count.get(), scroll_top.get()).2);
    let window = Memo::new(move |_| {
        let (_, top_row, _) = scroll_map(count.get(), scroll_top.get());
        let first = (top_row.floor() as usize).saturating_sub(OVERSCAN);
        let n = (VIEW_H / ROW_H).ceil() as usize + 2 * OVERSCAN;
        (first, n)
    });
    // The rows in view, with the head and match count they were read for: the summary
    // above the list is written from these, so it never tells of a filter (or of events)
    // the rows below do not show yet.
    let rows = LocalResource::new(move || {
        revision.track();
        let (first, n) = window.get();
        let total = count.get();
        let m = matches.get();
        let h = head.get().and_then(Result::ok).unwrap_or(0);
        let s = store.get_value();
        async move {
            let matched = m.as_ref().map(Vec::len);
            let last = (first + n).min(total as usize);
            if first >= last {
                return Ok::<_, dojo_engine::StoreError>(Page {
                    head: h,
                    matched,
                    rows: Vec::new(),
                });
            }
            let rows = match m {
                None => {
                    // Index i (newest first) is position h - i.
                    let newest = h - first as u64;
                    let oldest = h - (last as u64 - 1);
                    // A damaged record takes its row, and the rows around it still show.
                    let mut page =
                        read_around_damage(&s, oldest, (newest - oldest + 1) as usize).await?;
                    page.reverse();
                    page.into_iter()
                        .enumerate()
                        .map(|(k, e)| (first + k, e))
                        .collect()
                }
                Some(m) => {
                    let mut out = Vec::new();
                    for (k, p) in m[first..last].iter().enumerate() {
                        if let Some(e) = s.read_all(*p, 1).await?.pop() {
                            out.push((first + k, Ok(e)));
                        }
                    }
                    out
                }
            };
            Ok(Page {
                head: h,
                matched,
                rows,
            })
        }
    });

    view! {
        <SampleLoader/>
        <super::transfer::TransferPanel/>
        <LogFilter matches=matches on_change=Callback::new(move |()| to_top())/>
        {move || match head.get() {
            None => view! { <p class="muted" data-testid="log-loading">"Reading the log…"</p> }.into_any(),
            Some(Err(e)) => view! {
                <ErrorView title="Could not read the event log" message=e.to_string()
                    hint="Your events are still stored; reload the page to try again."/>
            }.into_any(),
            Some(Ok(0)) => view! {
                <p class="empty-state" data-testid="log-empty">
                    "No events yet. Publish one with the form: it will appear here and stay after a reload."
                </p>
            }.into_any(),
            Some(Ok(h)) => {
                let summary = move || {
                    // Rows read before the head was known count from 0: the newer head
                    // counts, so the summary never says fewer events than the store holds.
                    let (h, matched) = rows.with(|r| match r {
                        Some(Ok(page)) => (page.head.max(h), page.matched),
                        _ => (h, None),
                    });
                    match matched {
                        Some(n) => format!("{n} of {h} events match, newest first."),
                        None => format!("{h} event{} in the store, newest first.", if h == 1 { "" } else { "s" }),
                    }
                };
                view! {
                    <p class="log-summary" data-testid="log-summary">{summary}</p>
                    <div class="virtual-log" node_ref=viewport tabindex="0" role="region" aria-label="Events, newest first; scroll for more"
                        style=format!("height: {VIEW_H}px") data-testid="log-viewport"
                        on:scroll=move |ev| {
                            if let Some(el) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok()) {
                                scroll_top.set(f64::from(el.scroll_top()));
                            }
                        }>
                        <ol class="event-list virtual" style=move || format!("height: {}px", scroll_map(count.get(), 0.0).0) data-testid="event-list">
                            {move || rows.get().map(|r| match r {
                                Err(e) => view! { <li><ErrorView title="Could not read these events" message=e.to_string()/></li> }.into_any(),
                                Ok(page) => {
                                    let total = count.get();
                                    page.rows.into_iter().map(|(i, e)| match e {
                                        Ok(e) => view! { <EventRow index=i total=total shift=shift event=e/> }.into_any(),
                                        Err(e) => view! { <DamagedRow index=i total=total shift=shift error=e/> }.into_any(),
                                    }).collect_view().into_any()
                                }
                            })}
                        </ol>
                    </div>
                }.into_any()
            }
        }}
    }
}

#[component]
fn EventRow(index: usize, total: u64, shift: Memo<f64>, event: EventEnvelope) -> impl IntoView {
    let href = crate::paths::href(&format!("/event/{}", event.position));
    view! {
        <li class="event-row compact" data-testid="event-row" data-position=event.position
            style=move || format!("top: {}px; height: {}px", index as f64 * ROW_H - shift.get(), ROW_H - 6.0)
            aria-setsize=total.to_string() aria-posinset=(index + 1).to_string()>
            <span class="badge position" title="Global position">{format!("#{}", event.position)}</span>
            <a href=href class="event-type" data-testid="event-type">{event.event_type.clone()}</a>
            <span class="event-stream" title="Stream and version in that stream">{format!("{} · v{}", event.stream_id, event.stream_version)}</span>
            <span class="muted event-time">{event.time.clone().unwrap_or_default()}</span>
        </li>
    }
}

/// The row of a stored record that no longer reads as an event.
#[component]
fn DamagedRow(index: usize, total: u64, shift: Memo<f64>, error: StoreError) -> impl IntoView {
    let position = match &error {
        StoreError::Corrupt { position, .. } => position.to_string(),
        _ => "?".to_owned(),
    };
    view! {
        <li class="event-row compact damaged" data-testid="damaged-row" data-position=position.clone() title=error.to_string()
            style=move || format!("top: {}px; height: {}px", index as f64 * ROW_H - shift.get(), ROW_H - 6.0)
            aria-setsize=total.to_string() aria-posinset=(index + 1).to_string()>
            <span class="badge position" title="Global position">{format!("#{position}")}</span>
            <span class="event-type">"Damaged record"</span>
            <span class="event-stream">"cannot be read; the events around it are intact"</span>
        </li>
    }
}

/// Loads a generated insurance history into the store with progress and cancel. A Web
/// Worker writes it (the store worker, [`crate::storage::worker`]), so the page answers
/// input throughout.
#[component]
fn SampleLoader() -> impl IntoView {
    let ctx = use_store();
    let app_store = StoredValue::new_local(ctx.clone());
    let health = ctx.health;
    let size = RwSignal::new(1000usize);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let cancelling = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // Dropped (and so stopped) with the page, or replaced by the next load.
    let worker = StoredValue::new_local(None::<StoreWorker>);

    let on_report = move |report: Report| {
        match &report {
            Report::Progress { done, total } => {
                progress.try_set(Some((*done, *total)));
                app_store.try_with_value(|s| s.after_worker_write(None));
            }
            Report::Failed { error: failure, .. } => {
                app_store.try_with_value(|s| s.after_worker_write(Some(failure)));
                error.try_set(Some(crate::advice::explain(failure)));
            }
            Report::Refused(why) | Report::Broken(why) => {
                error.try_set(Some(why.clone()));
            }
            _ => {}
        }
        if report.ends_the_job() {
            progress.try_set(None);
            cancelling.try_set(false);
        }
        // A worker that broke may have written batches it never reported.
        if matches!(report, Report::Broken(_)) {
            app_store.try_with_value(|s| s.after_worker_write(None));
        }
    };

    let load = move |_| {
        if progress.get_untracked().is_some() {
            return;
        }
        let n = size.get_untracked();
        error.set(None);
        // Ids unique to this load, even when two tabs start one in the same millisecond
        // (the store refuses a second event with the same source and id).
        let request = ToWorker::Load {
            size: n,
            seed: js_sys::Date::now() as u64,
            load_id: format!(
                "{}-{:06x}",
                js_sys::Date::now() as u64,
                (js_sys::Math::random() * 16_777_216.0) as u32
            ),
        };
        // The previous load's worker has finished; it goes before the next one starts.
        worker.set_value(None);
        match StoreWorker::start(&request, None, on_report) {
            Ok(started) => {
                worker.set_value(Some(started));
                progress.set(Some((0, n)));
            }
            Err(why) => error.set(Some(why)),
        }
    };
    let cancel = move |_| {
        cancelling.set(true);
        let stopped_at_once = worker.with_value(|w| w.as_ref().is_some_and(StoreWorker::cancel));
        if stopped_at_once {
            progress.set(None);
            cancelling.set(false);
        }
    };

    view! {
        <div class="sample-loader">
            <label for="sample-size">"Sample history"</label>
            <select id="sample-size" data-testid="sample-size" on:change=move |ev| size.set(event_target_value(&ev).parse().unwrap_or(1000))>
                <option value="1000">"1,000 events"</option>
                <option value="2000">"2,000 events"</option>
                <option value="10000">"10,000 events"</option>
                <option value="100000">"100,000 events"</option>
                <option value="1000000">"1,000,000 events"</option>
            </select>
            <button type="button" class="secondary" on:click=load disabled=move || progress.get().is_some() || !health.with(|h| h.can_write()) data-testid="sample-load">"Load"</button>
            {move || progress.get().map(|(done, total)| view! {
                <div class="sample-progress-row">
                    <progress max=total.to_string() value=done.to_string() aria-label="Loading the sample history"></progress>
                    <span class="muted" data-testid="sample-progress">{format!("{done} of {total}")}</span>
                    <button type="button" class="secondary" on:click=cancel disabled=move || cancelling.get() data-testid="sample-cancel">
                        {move || if cancelling.get() { "Cancelling…" } else { "Cancel" }}
                    </button>
                </div>
                <span class="muted sample-note">"Written in the background, so the page stays usable. Leaving this page stops the load; batches already written stay."</span>
            })}
            {move || error.get().map(|e| view! { <ErrorView title="The sample history was not loaded" message=e hint="Events already loaded in earlier batches stay."/> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_log_scrolls_one_to_one() {
        let (height, top_row, shift) = scroll_map(1000, 5200.0);
        assert_eq!(height, 52_000.0);
        assert_eq!(top_row, 100.0);
        assert_eq!(shift, 0.0);
    }

    #[test]
    fn a_million_events_fit_the_capped_height_and_reach_both_ends() {
        let total = 1_000_000;
        let (height, top, _) = scroll_map(total, 0.0);
        assert_eq!(height, MAX_SCROLL_PX);
        assert_eq!(top, 0.0);
        // Scrolled to the bottom, the last row sits at the bottom of the viewport.
        let (_, top_row, shift) = scroll_map(total, MAX_SCROLL_PX - VIEW_H);
        let last_row_bottom = (total as f64 - 1.0) * ROW_H - shift + ROW_H;
        assert!(
            (top_row - (total as f64 - VIEW_H / ROW_H)).abs() < 1e-6,
            "{top_row}"
        );
        assert!(
            (last_row_bottom - MAX_SCROLL_PX).abs() < 1e-3,
            "{last_row_bottom}"
        );
        // Halfway down the scrollbar is halfway through the log.
        let (_, mid, _) = scroll_map(total, (MAX_SCROLL_PX - VIEW_H) / 2.0);
        assert!((mid - (total as f64 - VIEW_H / ROW_H) / 2.0).abs() < 1e-6);
    }
}
