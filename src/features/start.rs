//! The start page (`/`): what Event Dojo is in a few lines, where a newcomer begins
//! (exercise 1, or the next unsolved exercise once they have begun), and the other ways
//! in. It reads the learner's progress and writes nothing.

use crate::features::learn::{saved_progress, Progress};
use crate::paths::href;
use crate::state::use_store;
use leptos::prelude::*;

/// One of the other ways in: a page, what it is for, and whom it suits.
struct WayIn {
    path: &'static str,
    title: &'static str,
    text: &'static str,
    testid: &'static str,
}

const WAYS_IN: &[WayIn] = &[
    WayIn {
        path: "/learn",
        title: "All exercises",
        text: "Guided exercises from events and commands to a capstone design, each checked as you go.",
        testid: "way-learn",
    },
    WayIn {
        path: "/lab",
        title: "Channels lab",
        text: "Build queues, FIFO queues, topics, an event bus and an MQTT broker freely, send messages and watch each one travel.",
        testid: "way-lab",
    },
    WayIn {
        path: "/workshop",
        title: "Workshop",
        text: "Run the insurance system in four integration styles and step through its history with the time-travel debugger.",
        testid: "way-workshop",
    },
    WayIn {
        path: "/store",
        title: "Event store and console",
        text: "Append events by hand or send commands, and watch the read models fold them.",
        testid: "way-store",
    },
    WayIn {
        path: "/sandbox",
        title: "Pattern sandbox",
        text: "Try EventBridge event patterns and SNS filter policies against sample events, with AWS's own error messages.",
        testid: "way-sandbox",
    },
    WayIn {
        path: "/schemas",
        title: "Event schemas",
        text: "Discover your events' schemas, keep their versions in a registry, check events as they are published, and see who a change would break.",
        testid: "way-schemas",
    },
    WayIn {
        path: "/classroom",
        title: "Classroom (for instructors)",
        text: "Connect a room's browsers to one MQTT broker and watch every learner's events arrive.",
        testid: "way-classroom",
    },
];

#[component]
pub fn StartPage() -> impl IntoView {
    let store = use_store().store;
    let progress = LocalResource::new(move || {
        let store = store.clone();
        async move { saved_progress(&store).await }
    });
    // Before progress is read, and for a newcomer, the way in is exercise 1.
    let call = move || {
        let ((id, title), begun) = progress
            .get()
            .map(|p| p.next_exercise())
            .unwrap_or_else(|| Progress::default().next_exercise());
        let label = if !begun {
            "Start with exercise 1".to_owned()
        } else {
            format!("Continue: {title}")
        };
        view! {
            <a class="button-like primary start-call" href=href(&format!("/learn/{id}"))
                data-testid="start-exercise">{label}</a>
        }
    };
    let ways = WAYS_IN
        .iter()
        .map(|w| {
            view! {
                <li class="way-in">
                    <a href=href(w.path) data-testid=w.testid><strong>{w.title}</strong></a>
                    <p class="muted">{w.text}{(w.path == "/learn").then(|| format!(" {} of them ship with Event Dojo; instructors can add packs.", exercise_count()))}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="start-page">
            <section class="start-hero" aria-labelledby="start-heading">
                <h1 id="start-heading" tabindex="-1">"Learn event-driven architecture by building it"</h1>
                <p class="start-lead">
                    "Event Dojo is a workshop that runs entirely in your browser. You build an insurance "
                    "system (Customer Management, a Quote Generator and Comms) out of real message "
                    "channels: queues, FIFO queues, topics with filter policies, an EventBridge-style "
                    "event bus and an MQTT broker. Every pattern you write is the one AWS accepts."
                </p>
                <p class="muted">
                    "Nothing to install and no AWS account: your work is saved in this browser and "
                    "is still here after a reload."
                </p>
                <p class="start-actions">{call}</p>
            </section>
            <section class="panel" aria-labelledby="ways-heading">
                <h2 id="ways-heading">"Other ways in"</h2>
                <ul class="ways-in">{ways}</ul>
            </section>
        </div>
    }
}

/// How many exercises ship with the app.
fn exercise_count() -> usize {
    dojo_engine::exercise::SHIPPED_INDEX.len()
}
