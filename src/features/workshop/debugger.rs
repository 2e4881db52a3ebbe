//! The time-travel controls: a slider over the whole history, step ±1, jump to start or
//! end, play and pause at several speeds (including the original timing), breakpoints on
//! an event pattern, and the keyboard anywhere on the page (←/→ step, space plays or
//! pauses, Home/End), except where a key already belongs to a field or a button.

use super::Workshop;
use crate::components::PlayLoop;
use dojo_engine::pattern::EventPattern;
use dojo_engine::sim::iso_time;
use leptos::prelude::*;

const TICK_MS: u64 = 100;

#[component]
pub fn Debugger() -> impl IntoView {
    let ws = use_context::<Workshop>().expect("the workshop page provides its state");
    let len = Memo::new(move |_| {
        ws.outcome
            .with(|o| o.as_ref().map_or(0, |o| o.timeline.len() as u64))
    });
    let clock = PlayLoop::new(TICK_MS as u32);
    // Events per second; 0 plays in the original timing.
    let speed = RwSignal::new(5u32);
    let carry = StoredValue::new(0f64);
    let sim_cursor = StoredValue::new(0u64);

    let set_position = move |p: u64| move_to(ws, p);
    let at_ms = move |p: u64| {
        ws.outcome.with_untracked(|o| {
            o.as_ref()
                .and_then(|o| {
                    p.checked_sub(1)
                        .and_then(|i| o.timeline.entries().get(i as usize))
                        .map(|e| e.at_ms)
                })
                .unwrap_or(0)
        })
    };
    let stop = move || {
        clock.stop();
        ws.busy.set(false);
    };
    let tick = move || {
        let p = ws.position.get_untracked();
        if p >= len.get_untracked() {
            stop();
            return;
        }
        let next = match speed.get_untracked() {
            0 => {
                // Original timing: simulated time advances with wall time.
                let t = sim_cursor.get_value() + TICK_MS;
                sim_cursor.set_value(t);
                ws.outcome.with_untracked(|o| {
                    o.as_ref()
                        .map_or(p, |o| {
                            o.timeline.entries().partition_point(|e| e.at_ms <= t) as u64
                        })
                        .max(p)
                })
            }
            s => {
                let due = carry.get_value() + f64::from(s) * TICK_MS as f64 / 1000.0;
                let whole = due.floor();
                carry.set_value(due - whole);
                p + whole as u64
            }
        };
        // More than 10 events a second is too many to follow one by one.
        ws.busy
            .set(next.saturating_sub(p) > 1 || speed.get_untracked() > 10);
        set_position(next);
    };
    let play = move || {
        if clock.is_playing() {
            stop();
            return;
        }
        if ws.position.get_untracked() >= len.get_untracked() {
            set_position(0);
        }
        sim_cursor.set_value(at_ms(ws.position.get_untracked()));
        carry.set_value(0.0);
        clock.start(tick);
    };

    follow_keys(ws, len, play);

    // Narration for screen readers: the current step in words, at most every 2 s while
    // playing so the live region does not flood.
    let narration = RwSignal::new(String::new());
    let last_spoken = StoredValue::new(0f64);
    Effect::new(move |_| {
        // The engine's narration of the step: the same reading the panels show.
        let text = ws
            .cursor
            .with(|c| c.as_ref().map(|(now, _)| now.0.narration.clone()));
        let now = js_sys::Date::now();
        if clock.is_playing() && now - last_spoken.get_value() < 2000.0 {
            return;
        }
        last_spoken.set_value(now);
        narration.set(text.unwrap_or_default());
    });

    view! {
        <section class="panel debugger" aria-labelledby="debugger-heading" tabindex="0" data-testid="debugger">
            <h2 id="debugger-heading">"Time travel"</h2>
            <p class="muted keys">"Keys, anywhere on this page: ← → step, space plays or pauses, Home and End jump (Alt+← → while typing in a field)."</p>
            <p class="visually-hidden" aria-live="polite" data-testid="narration">{move || narration.get()}</p>
            <div class="scrubber">
                <label for="debugger-slider" class="visually-hidden">"Position in the history"</label>
                <input id="debugger-slider" type="range" min="0" max=move || len.get().to_string() step="1"
                    prop:value=move || ws.position.get().to_string() data-testid="debugger-slider"
                    on:input=move |ev| set_position(event_target_value(&ev).parse().unwrap_or(0))/>
                <output for="debugger-slider" data-testid="debugger-position">{move || format!("#{} of {}", ws.position.get(), len.get())}</output>
            </div>
            <div class="debugger-controls" role="toolbar" aria-label="Time-travel controls">
                <button type="button" class="secondary" on:click=move |_| set_position(0) data-testid="debugger-start" aria-label="Jump to the start">"Start"</button>
                <button type="button" class="secondary" on:click=move |_| set_position(ws.position.get_untracked().saturating_sub(1)) data-testid="debugger-back" aria-label="Step back">"◀"</button>
                <button type="button" class="secondary" on:click=move |_| play() data-testid="debugger-play">
                    {move || if clock.playing.get() { "Pause" } else { "Play" }}
                </button>
                <button type="button" class="secondary" on:click=move |_| set_position(ws.position.get_untracked() + 1) data-testid="debugger-forward" aria-label="Step forward">"▶"</button>
                <button type="button" class="secondary" on:click=move |_| set_position(len.get_untracked()) data-testid="debugger-end" aria-label="Jump to the end">"End"</button>
                <label for="debugger-speed">"Speed"</label>
                <select id="debugger-speed" on:change=move |ev| speed.set(event_target_value(&ev).parse().unwrap_or(5))>
                    <option value="1">"1 event/s"</option>
                    <option value="5" selected>"5 events/s"</option>
                    <option value="20">"20 events/s"</option>
                    <option value="100">"100 events/s"</option>
                    <option value="0">"Original timing"</option>
                </select>
                <label for="debugger-jump">"Jump to"</label>
                <input id="debugger-jump" type="number" min="0" class="jump" data-testid="debugger-jump"
                    on:change=move |ev| set_position(event_target_value(&ev).parse().unwrap_or(0))/>
            </div>
            <CurrentEntry ws=ws/>
            <Breakpoint ws=ws/>
        </section>
    }
}

/// The keys work anywhere on the workshop page, not only inside the debugger, except
/// where the key already means something: typing in a field, Space on a button.
fn follow_keys(ws: Workshop, len: Memo<u64>, play: impl Fn() + Copy + 'static) {
    let set_position = move |p: u64| move_to(ws, p);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.default_prevented() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        let target = key_target(&ev);
        let p = ws.position.get_untracked();
        let steps = match target {
            KeyTarget::Free | KeyTarget::Control => true,
            // The slider moves itself with arrows, Home and End (and reports it).
            KeyTarget::Slider => false,
            KeyTarget::TextEntry => ev.alt_key(),
        };
        let handled = match ev.key().as_str() {
            "ArrowLeft" if steps => {
                set_position(p.saturating_sub(1));
                true
            }
            "ArrowRight" if steps => {
                set_position(p + 1);
                true
            }
            "Home" if steps && target != KeyTarget::TextEntry => {
                set_position(0);
                true
            }
            "End" if steps && target != KeyTarget::TextEntry => {
                set_position(len.get_untracked());
                true
            }
            " " if matches!(target, KeyTarget::Free | KeyTarget::Slider) => {
                play();
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };
    let keys = window_event_listener(leptos::ev::keydown, on_key);
    on_cleanup(move || keys.remove());
}

/// Moves the cursor to `p` (at most the end of the history), and keeps it in the session.
fn move_to(ws: Workshop, p: u64) {
    let len = ws
        .outcome
        .with_untracked(|o| o.as_ref().map_or(0, |o| o.timeline.len() as u64));
    let p = p.min(len);
    ws.position.set(p);
    ws.session.update(|s| s.position = p);
}

/// The event at the cursor, with its data.
#[component]
fn CurrentEntry(ws: Workshop) -> impl IntoView {
    let current = move || {
        let p = ws.position.get();
        ws.outcome.with(|o| {
            let o = o.as_ref()?;
            let e = o.timeline.entries().get(p.checked_sub(1)? as usize)?;
            let data = serde_json::to_value(&e.event).ok()?["data"].clone();
            // As the event store keeps it (with its schema version), and as the style
            // published it on the bus: what the registry's schemas describe.
            let stored = e.event.to_new_event("", "").data.unwrap_or_default();
            let on_bus = dojo_engine::services::bus_detail(o.style, &e.event, e.at_ms);
            Some((
                e.position,
                e.at_ms,
                e.event.type_name(),
                e.event.stream_id(),
                serde_json::to_string_pretty(&data).unwrap_or_default(),
                stored,
                on_bus,
            ))
        })
    };

    view! {
    <div class="current-entry" data-testid="debugger-entry">
        {move || match current() {
            None => view! { <p class="muted">"Before the first event: every read model is empty."</p> }.into_any(),
            Some((pos, at, ty, stream, data, stored, on_bus)) => view! {
                <p>
                    <span class="badge position">{format!("#{pos}")}</span>" "
                    <strong data-testid="debugger-type">{ty}</strong>" "
                    <span class="event-stream">{stream}</span>" "
                    <span class="muted">{format!("{} (+{at} ms)", iso_time(at))}</span>
                </p>
                <pre class="json" tabindex="0" aria-label="The event's data">{data}</pre>
                <crate::components::SchemaVersionNote name=ty data=stored/>
                <crate::components::SchemaVersionNote name=format!("{}@{ty}", dojo_engine::services::BUS_SOURCE) data=on_bus/>
            }.into_any(),
        }}
    </div>
    }
}

/// A breakpoint: an EventBridge pattern, and the buttons that jump to its previous or
/// next match.
#[component]
fn Breakpoint(ws: Workshop) -> impl IntoView {
    let breakpoint = RwSignal::new(r#"{"type": ["QuoteIssued"]}"#.to_owned());
    let breakpoint_note = RwSignal::new(None::<String>);
    let set_position = move |p: u64| move_to(ws, p);
    let jump_to_match = move |forward: bool| {
        let text = breakpoint.get_untracked();
        let pattern = match EventPattern::eventbridge(&text) {
            Ok(p) => p,
            Err(e) => {
                breakpoint_note.set(Some(e.to_string()));
                return;
            }
        };
        let from = ws.position.get_untracked();
        let found = ws.outcome.with_untracked(|o| {
            o.as_ref().and_then(|o| {
                if forward {
                    o.timeline.next_matching(from, &pattern)
                } else {
                    o.timeline.previous_matching(from, &pattern)
                }
            })
        });
        match found {
            Some(p) => {
                breakpoint_note.set(Some(format!("Stopped at #{p}.")));
                set_position(p);
            }
            None => breakpoint_note.set(Some(format!(
                "No {} event matches.",
                if forward { "later" } else { "earlier" }
            ))),
        }
    };

    view! {
    <div class="breakpoint">
        <label for="debugger-breakpoint">"Breakpoint: an EventBridge pattern over {type, data}"</label>
        <input id="debugger-breakpoint" type="text" spellcheck="false" bind:value=breakpoint data-testid="debugger-breakpoint"/>
        <div class="form-actions">
            <button type="button" class="secondary" on:click=move |_| jump_to_match(false) data-testid="debugger-prev-match">"Previous match"</button>
            <button type="button" class="secondary" on:click=move |_| jump_to_match(true) data-testid="debugger-next-match">"Next match"</button>
            <span class="form-status" role="status" data-testid="debugger-breakpoint-note">{move || breakpoint_note.get()}</span>
        </div>
    </div>
    }
}

/// What a key press lands on, for deciding whether the debugger may take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyTarget {
    /// Nothing that uses keys itself: the page, a panel, text.
    Free,
    /// A button, link, checkbox or canvas node: Space and Enter are theirs.
    Control,
    /// The debugger's slider: arrows, Home and End move it natively.
    Slider,
    /// A text field, text area or select: every key is theirs.
    TextEntry,
}

fn key_target(ev: &leptos::ev::KeyboardEvent) -> KeyTarget {
    let Some(el) = ev
        .target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
    else {
        return KeyTarget::Free;
    };
    let input_type = el.get_attribute("type").unwrap_or_default();
    match el.tag_name().as_str() {
        "INPUT" if input_type == "range" => KeyTarget::Slider,
        "INPUT"
            if matches!(
                input_type.as_str(),
                "checkbox" | "radio" | "button" | "submit"
            ) =>
        {
            KeyTarget::Control
        }
        "INPUT" | "TEXTAREA" | "SELECT" => KeyTarget::TextEntry,
        "BUTTON" | "A" | "SUMMARY" => KeyTarget::Control,
        _ if el.get_attribute("role").as_deref() == Some("button") => KeyTarget::Control,
        _ if el.closest("[contenteditable]").ok().flatten().is_some() => KeyTarget::TextEntry,
        _ => KeyTarget::Free,
    }
}
