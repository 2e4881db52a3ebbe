//! One source of truth in the workshop: every preset in every style, walked step by step
//! through `Outcome::at_cursor`, which is what each panel shows. The narration's queue
//! depths, the queue contents, the read models' lag, the callbacks drawn on the canvas and
//! the style's cost table must agree at every step, and at the end equal the run's totals.

use dojo_engine::projection::{CustomerView, Projection};
use dojo_engine::services::{presets, run, Scenario, Style};

const STYLES: [Style; 4] = [
    Style::Notification,
    Style::EventCarriedState,
    Style::EventSourcing,
    Style::Cqrs,
];

/// "queue:comms (depth 7)" pairs named in a narration.
fn narrated_depths(narration: &str) -> Vec<(String, usize)> {
    narration
        .split("queue:")
        .skip(1)
        .filter_map(|rest| {
            let (name, after) = rest.split_once(" (depth ")?;
            let depth = after.split(')').next()?.parse().ok()?;
            Some((name.to_owned(), depth))
        })
        .collect()
}

#[test]
fn every_panel_agrees_at_every_step_of_every_preset_in_every_style() {
    for (name, text) in presets() {
        for style in STYLES {
            let scenario = Scenario {
                style,
                ..Scenario::from_json(text).expect("preset")
            };
            let outcome = run(&scenario, false);
            let len = outcome.timeline.len() as u64;
            let mut before = outcome.at_cursor(0);
            let mut depths_checked = 0;
            for p in 0..=len {
                let at = format!("{name} in {style:?} at #{p}");
                let c = outcome.at_cursor(p);
                assert_eq!(c.position, p, "{at}");
                // The narration's depths are the queue panel's counts.
                for (queue, depth) in narrated_depths(&c.narration) {
                    let held = c.channels.queues.get(&queue).map_or(0, |m| m.len());
                    assert_eq!(held, depth, "{at}: {}", c.narration);
                    depths_checked += 1;
                }
                // Read-model lag: the panel's figures never exceed the cost table's
                // maximum so far, and without a lagging projector there is none.
                for (model, lag) in &c.lags {
                    assert!(
                        lag.events <= c.metrics.max_read_model_lag_events,
                        "{at}: {model} {lag:?} vs {:?}",
                        c.metrics
                    );
                    assert!(
                        lag.ms <= c.metrics.max_read_model_lag_ms,
                        "{at}: {model} {lag:?}"
                    );
                    if style != Style::Cqrs {
                        assert_eq!((lag.events, lag.ms), (0, 0), "{at}: {model}");
                    }
                }
                assert_eq!(
                    c.state.read_models.customers.checkpoint().position,
                    c.lags[CustomerView::NAME].checkpoint,
                    "{at}: the CustomerView shown is the one whose lag is shown"
                );
                // The canvas's callback edges add up to the table's callbacks.
                assert_eq!(
                    c.callbacks_by_service.values().sum::<u64>(),
                    c.metrics.callbacks,
                    "{at}"
                );
                if style != Style::Notification {
                    assert_eq!(c.metrics.callbacks, 0, "{at}");
                }
                // The deepest queue so far is at least as deep as any queue now.
                for (queue, held) in &c.channels.queues {
                    let peak = c.metrics.peak_queue_depth.get(queue).copied().unwrap_or(0);
                    assert!(peak >= held.len(), "{at}: {queue}");
                }
                // Costs only grow as the cursor moves on.
                let (m0, m1) = (&before.metrics, &c.metrics);
                assert!(m1.callbacks >= m0.callbacks, "{at}");
                assert!(m1.replica_updates >= m0.replica_updates, "{at}");
                assert!(
                    m1.max_read_model_lag_events >= m0.max_read_model_lag_events,
                    "{at}"
                );
                assert_eq!(m1.events_published, p, "{at}");
                before = c;
            }
            assert!(
                depths_checked > 0,
                "{name} in {style:?}: no delivery was narrated"
            );
            // At the end of the history the cursor's numbers are the run's totals.
            let end = outcome.at_cursor(len);
            assert!(end.end);
            assert_eq!(end.metrics, outcome.metrics, "{name} in {style:?}");
        }
    }
}

#[test]
fn the_callback_hotspot_shows_its_callbacks_and_cqrs_shows_a_lag() {
    let text = presets()
        .into_iter()
        .find(|(n, _)| *n == "callback-hotspot")
        .expect("preset")
        .1;
    let notification = run(
        &Scenario {
            style: Style::Notification,
            ..Scenario::from_json(text).expect("preset")
        },
        false,
    );
    assert!(notification.metrics.callbacks > 0);
    let end = notification.at_cursor(u64::MAX);
    assert!(end.callbacks_by_service.contains_key("quote-generator"));
    assert!(end.callbacks_by_service.contains_key("comms"));
    let cqrs = run(
        &Scenario {
            style: Style::Cqrs,
            ..Scenario::from_json(text).expect("preset")
        },
        false,
    );
    assert!(
        cqrs.metrics.max_read_model_lag_events > 0,
        "{:?}",
        cqrs.metrics
    );
    // Right after an event is recorded, the projector has not folded it yet.
    let c = cqrs.at_cursor(1);
    assert_eq!(c.lags[CustomerView::NAME].events, 1);
}

#[test]
fn a_preset_describes_itself_without_naming_a_style_and_each_style_explains_itself() {
    for (name, text) in presets() {
        let description = Scenario::from_json(text).expect("preset").description;
        for style in STYLES {
            assert!(!description.contains(style.name()), "{name}: {description}");
            assert!(style.explained().starts_with(style.name()), "{style:?}");
        }
    }
}
