//! The architecture canvas: the system as it runs, drawn in SVG with the Event Storming
//! colours (events orange, commands blue, policies lilac, read models green, external
//! systems pink) and a legend; shapes and labels carry the meaning as well as colour.
//! Edge counters show how many messages crossed each edge up to the cursor; the step's
//! message animates along its edges (the toggle, off at first under reduced motion). Every
//! node is a button that opens an inspector.

use super::Workshop;
use crate::components::diagram::{
    message_timing, AnimateToggle, ArrowMarker, DiagramLayers, InspectorFrame, Kind, Legend, Node,
    Sparkline,
};
use dojo_engine::sim::TraceKind;
use dojo_engine::topology::Endpoint;
use leptos::prelude::*;

fn nodes(replicas: bool) -> Vec<Node> {
    let mut n = vec![
        Node::new("customer", "Customer", Kind::External, 20.0, 40.0),
        Node::new(
            "customer-management",
            "Customer Management",
            Kind::Policy,
            20.0,
            150.0,
        ),
        Node::new(
            "quote-generator-service",
            "Quote Generator",
            Kind::Policy,
            20.0,
            260.0,
        ),
        Node::new("comms-service", "Comms", Kind::Policy, 20.0, 370.0),
        Node::new("bus", "Event bus (default)", Kind::Bus, 320.0, 205.0),
        Node::new("store", "Event store", Kind::Store, 320.0, 40.0),
        Node::new("read-models", "4 read models", Kind::ReadModel, 620.0, 40.0),
        Node::new(
            "quote-generator",
            "queue: quote-generator",
            Kind::Queue,
            620.0,
            205.0,
        ),
        Node::new("comms", "queue: comms", Kind::Queue, 620.0, 300.0),
    ];
    if replicas {
        n.push(Node::new(
            "quote-generator-replica",
            "queue: quote-generator-replica",
            Kind::Queue,
            620.0,
            120.0,
        ));
        n.push(Node::new(
            "comms-replica",
            "queue: comms-replica",
            Kind::Queue,
            620.0,
            395.0,
        ));
    }
    n
}

/// The node ids are fixed names; edges refer to them as static strings.
fn node_id(id: &str) -> &'static str {
    [
        "quote-generator",
        "comms",
        "quote-generator-replica",
        "comms-replica",
    ]
    .into_iter()
    .find(|n| *n == id)
    .unwrap_or("")
}

/// Which service publishes an event type.
fn producer(event_type: &str) -> &'static str {
    match event_type {
        "CustomerRegistered" | "AddressChanged" | "ContactPreferencesChanged" => {
            "customer-management"
        }
        "NotificationRequested" | "EmailSent" | "SmsSent" => "comms-service",
        _ => "quote-generator-service",
    }
}

fn consumer_of(queue: &str) -> &'static str {
    if queue.starts_with("comms") {
        "comms-service"
    } else {
        "quote-generator-service"
    }
}

/// What the workshop canvas's shapes and colours stand for.
const LEGEND: &[(&str, &str)] = &[
    ("event", "Events and the event store (orange)"),
    ("command", "Commands (blue): a customer's requests"),
    ("policy", "Services and their policies (lilac)"),
    ("readmodel", "Read models (green)"),
    ("external", "External: the customer (pink, rounded)"),
    (
        "queue",
        "Queues (pill-shaped); numbers on arrows count messages so far",
    ),
];

#[component]
pub fn ArchitectureCanvas() -> impl IntoView {
    let ws = use_context::<Workshop>().expect("the workshop page provides its state");
    let animate = crate::components::diagram::animate_setting();
    let selected = RwSignal::new(None::<String>);
    let replicas = Memo::new(move |_| {
        ws.session.get().style == dojo_engine::services::Style::EventCarriedState
    });
    let callbacks =
        Memo::new(move |_| ws.session.get().style == dojo_engine::services::Style::Notification);
    let at = Memo::new(move |_| {
        let p = ws.position.get();
        ws.outcome.with(|o| {
            o.as_ref().and_then(|o| {
                p.checked_sub(1)
                    .and_then(|i| o.timeline.entries().get(i as usize))
                    .map(|e| (e.at_ms, e.event.type_name()))
            })
        })
    });
    // Messages that crossed each edge up to the cursor: (from, to) → count. The trace is
    // read as far as the cursor's reading goes, so the edges agree with the queue panel;
    // callbacks to Customer Management come from the same reading as the cost table.
    let counts = Memo::new(move |_| {
        let p = ws.position.get();
        ws.outcome.with(|o| {
            let Some(o) = o.as_ref() else {
                return Vec::new();
            };
            let mut map = std::collections::BTreeMap::<(&'static str, &'static str), u64>::new();
            ws.cursor.with(|c| {
                if let Some((now, _)) = c {
                    for (service, n) in &now.0.callbacks_by_service {
                        let from = if *service == "comms" {
                            "comms-service"
                        } else {
                            "quote-generator-service"
                        };
                        *map.entry((from, "customer-management")).or_default() += n;
                    }
                }
            });
            for e in &o.channels.trace()[..o.trace_end_at(p)] {
                match (&e.kind, e.channel.as_str()) {
                    (TraceKind::Published { body, .. }, "bus:default") => {
                        let ty = serde_json::from_str::<serde_json::Value>(body)
                            .ok()
                            .and_then(|v| v["detail-type"].as_str().map(str::to_owned))
                            .unwrap_or_default();
                        *map.entry((producer(&ty), "bus")).or_default() += 1;
                    }
                    (TraceKind::Enqueued { .. }, ch) => {
                        let q = ch.trim_start_matches("queue:");
                        if let Some(n) = nodes(true).into_iter().find(|n| n.id == q) {
                            *map.entry(("bus", node_id(&n.id))).or_default() += 1;
                        }
                    }
                    (TraceKind::Delivered { .. }, ch) if ch.starts_with("queue:") => {
                        let q = ch.trim_start_matches("queue:");
                        if let Some(n) = nodes(true).into_iter().find(|n| n.id == q) {
                            *map.entry((node_id(&n.id), consumer_of(q))).or_default() += 1;
                        }
                    }
                    _ => {}
                }
            }
            map.into_iter().collect()
        })
    });
    let edges = move || {
        let mut e: Vec<(&'static str, &'static str)> = vec![
            ("customer", "customer-management"),
            ("customer", "quote-generator-service"),
            ("customer-management", "bus"),
            ("quote-generator-service", "bus"),
            ("comms-service", "bus"),
            ("bus", "quote-generator"),
            ("bus", "comms"),
            ("quote-generator", "quote-generator-service"),
            ("comms", "comms-service"),
            ("store", "read-models"),
        ];
        if callbacks.get() {
            // Thin events: the consumers call Customer Management back for details.
            e.extend([
                ("quote-generator-service", "customer-management"),
                ("comms-service", "customer-management"),
            ]);
        }
        if replicas.get() {
            e.extend([
                ("bus", "quote-generator-replica"),
                ("bus", "comms-replica"),
                ("quote-generator-replica", "quote-generator-service"),
                ("comms-replica", "comms-service"),
            ]);
        }
        e
    };
    let step_edges = move || {
        let Some((_, ty)) = at.get() else {
            return Vec::new();
        };
        let mut e = vec![(producer(ty), "bus"), (producer(ty), "store")];
        match ty {
            "QuoteRequested" | "QuoteAccepted" => e.push(("bus", "quote-generator")),
            "QuoteIssued" | "PolicyBound" | "AddressChanged" => e.push(("bus", "comms")),
            _ => {}
        }
        e
    };
    let node_at = move |id: &str| {
        nodes(replicas.get_untracked())
            .into_iter()
            .find(|n| n.id == id)
    };
    let edge_list = move || {
        edges()
            .into_iter()
            .filter_map(|(a, b)| {
                let count = counts.with(|c| {
                    c.iter()
                        .find(|((x, y), _)| *x == a && *y == b)
                        .map_or(0, |(_, n)| *n)
                });
                Some((node_at(a)?, node_at(b)?, count))
            })
            .collect::<Vec<_>>()
    };

    view! {
        <section class="panel canvas-panel" aria-labelledby="canvas-heading" data-testid="canvas">
            <h2 id="canvas-heading">"Architecture"</h2>
            <AnimateToggle animate=animate busy=ws.busy/>
            <p class="muted pan-hint">"On a narrow screen the diagram keeps its size: scroll it sideways to see all of it."</p>
            <div class="canvas-pan" data-testid="canvas-pan">
                <svg viewBox="-60 0 890 460" role="group" aria-label="The insurance system's services, bus, queues and store" class="canvas">
                    <ArrowMarker/>
                    {move || {
                        let dots = if animate.get() && !ws.busy.get() && at.get().is_some() {
                            step_edges().into_iter().filter_map(|(a, b)| Some((node_at(a)?, node_at(b)?))).collect()
                        } else {
                            Vec::new()
                        };
                        view! { <DiagramLayers nodes=nodes(replicas.get()) edges=edge_list() dots=dots key=ws.position.get().to_string() selected=selected/> }
                    }}
                </svg>
            </div>
            <Legend items=LEGEND>
                {move || callbacks.get().then(|| view! { <li data-testid="legend-callbacks"><span class="swatch callback"></span>"Callbacks to Customer Management (dashed red): thin events make the services ask for details"</li> })}
            </Legend>
            <Inspector selected=selected/>
        </section>
    }
}

#[component]
fn Inspector(selected: RwSignal<Option<String>>) -> impl IntoView {
    let ws = use_context::<Workshop>().expect("the workshop page provides its state");
    move || {
        let id = selected.get()?;
        let style = ws.session.get().style;
        let (now, _) = ws.cursor.get()?;
        let cursor = now.0;
        ws.outcome.with(|o| {
            let o = o.as_ref()?;
            let (state, channels) = (&cursor.state, &cursor.channels);
            let body = match id.as_str() {
                q if channels.queues.contains_key(q) || ["quote-generator", "comms", "quote-generator-replica", "comms-replica"].contains(&q) => {
                    let messages = channels.queues.get(q).cloned().unwrap_or_default();
                    let count = |s: &str| messages.values().filter(|m| m.state == s).count();
                    let config = dojo_engine::services::topology(style).queues.into_iter().find(|c| c.name == q);
                    let now = state.at_ms;
                    let settings = config.as_ref().map(|c| c.summary()).unwrap_or_default();
                    let visibility_ms = config.as_ref().map_or(30_000, |c| u64::from(c.visibility_timeout_s) * 1000);
                    // Depth over the whole run, sampled, as a sparkline.
                    let end = o.channels.end_ms().max(1);
                    let samples: Vec<usize> = (0..=40).map(|i| o.channels.at_time(end * i / 40).queues.get(q).map_or(0, |m| m.len())).collect();
                    // The deepest so far, as the cost table counts it.
                    let max = cursor.metrics.peak_queue_depth.get(q).copied().unwrap_or(0);
                    view! {
                        <p data-testid="inspector-summary">{format!("{} visible, {} in flight, {} delayed at the cursor; deepest so far {max}.", count("visible"), count("in_flight"), count("delayed"))}</p>
                        <p data-testid="inspector-settings">{settings}</p>
                        <Sparkline samples=samples/>
                        <ul class="peek">
                            {messages.iter().take(5).map(|(mid, m)| {
                                let when = message_timing(m.state, if m.state == "in_flight" { m.since_ms + visibility_ms } else { m.visible_at }, Some(m.since_ms), now);
                                view! { <li><code>{mid.clone()}</code>{format!(" {when} (received {}×): ", m.receive_count)}<span class="mono">{m.body.chars().take(80).collect::<String>()}</span></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
                "bus" => {
                    let rules = dojo_engine::services::topology(style).rules;
                    view! {
                        <ul class="peek" data-testid="inspector-rules">
                            {rules.into_iter().map(|r| view! {
                                <li><strong>{r.name.clone()}</strong>" → "{r.targets.iter().map(|t| match &t.endpoint { Endpoint::Queue(q) => q.clone(), other => other.describe() }).collect::<Vec<_>>().join(", ")}
                                    <pre class="json" tabindex="0" aria-label=format!("Pattern of {}", r.name)>{serde_json::to_string_pretty(&r.pattern).unwrap_or_default()}</pre></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
                "store" => view! { <p data-testid="inspector-summary">{format!("{} events appended up to the cursor (of {}).", state.position, o.timeline.len())}</p> }.into_any(),
                "read-models" => {
                    let customers = cursor.lags.get("CustomerView").map_or(state.position, |l| l.checkpoint);
                    view! { <p data-testid="inspector-summary">{format!("{} customers (CustomerView at checkpoint #{customers}), {} pending messages, with the log at #{}.", state.read_models.customers.customers.len(), state.read_models.outbox.pending.len(), state.position)}</p> }.into_any()
                }
                "customer" => view! { <p data-testid="inspector-summary">"Customers act from outside: they register, ask for quotes and accept them. Their inputs are the scenario's inputs."</p> }.into_any(),
                other => {
                    let what = match other {
                        "customer-management" => "owns customers; publishes CustomerRegistered, AddressChanged and ContactPreferencesChanged.",
                        "quote-generator-service" => "owns quotes and policies; reacts to QuoteRequested (prices and issues) and QuoteAccepted (binds a policy).",
                        _ => "tells customers about quotes, policies and address changes; in a replay or branch it only records what it would have sent.",
                    };
                    view! { <p data-testid="inspector-summary">{what}</p> }.into_any()
                }
            };
            Some(view! { <InspectorFrame selected=selected id=id>{body}</InspectorFrame> })
        })
    }
}
