//! The architecture canvas: the system as it runs, drawn in SVG with the Event Storming
//! colours (events orange, commands blue, policies lilac, read models green, external
//! systems pink) and a legend; shapes and labels carry the meaning as well as colour.
//! Edge counters show how many messages crossed each edge up to the cursor; the step's
//! message animates along its edges (off with reduced motion, or by the toggle). Every
//! node is a button that opens an inspector.

use super::Workshop;
use dojo_engine::sim::TraceKind;
use dojo_engine::topology::Endpoint;
use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    External,
    Service,
    Bus,
    Queue,
    Store,
    ReadModel,
}

#[derive(Clone)]
struct Node {
    id: &'static str,
    label: &'static str,
    kind: Kind,
    x: f64,
    y: f64,
}

const W: f64 = 190.0;
const H: f64 = 44.0;

fn nodes(replicas: bool) -> Vec<Node> {
    let mut n = vec![
        Node {
            id: "customer",
            label: "Customer",
            kind: Kind::External,
            x: 20.0,
            y: 40.0,
        },
        Node {
            id: "customer-management",
            label: "Customer Management",
            kind: Kind::Service,
            x: 20.0,
            y: 150.0,
        },
        Node {
            id: "quote-generator-service",
            label: "Quote Generator",
            kind: Kind::Service,
            x: 20.0,
            y: 260.0,
        },
        Node {
            id: "comms-service",
            label: "Comms",
            kind: Kind::Service,
            x: 20.0,
            y: 370.0,
        },
        Node {
            id: "bus",
            label: "Event bus (default)",
            kind: Kind::Bus,
            x: 320.0,
            y: 205.0,
        },
        Node {
            id: "store",
            label: "Event store",
            kind: Kind::Store,
            x: 320.0,
            y: 40.0,
        },
        Node {
            id: "read-models",
            label: "4 read models",
            kind: Kind::ReadModel,
            x: 620.0,
            y: 40.0,
        },
        Node {
            id: "quote-generator",
            label: "queue: quote-generator",
            kind: Kind::Queue,
            x: 620.0,
            y: 205.0,
        },
        Node {
            id: "comms",
            label: "queue: comms",
            kind: Kind::Queue,
            x: 620.0,
            y: 300.0,
        },
    ];
    if replicas {
        n.push(Node {
            id: "quote-generator-replica",
            label: "queue: quote-generator-replica",
            kind: Kind::Queue,
            x: 620.0,
            y: 120.0,
        });
        n.push(Node {
            id: "comms-replica",
            label: "queue: comms-replica",
            kind: Kind::Queue,
            x: 620.0,
            y: 395.0,
        });
    }
    n
}

fn center(n: &Node) -> (f64, f64) {
    (n.x + W / 2.0, n.y + H / 2.0)
}

fn edge_path(a: &Node, b: &Node) -> String {
    let (ax, ay) = center(a);
    let (bx, by) = center(b);
    let (sx, ex) = if bx > ax {
        (a.x + W, b.x)
    } else if bx < ax {
        (a.x, b.x + W)
    } else {
        (ax, bx)
    };
    let (sy, ey) = if (bx - ax).abs() < 1.0 {
        (
            if by > ay { a.y + H } else { a.y },
            if by > ay { b.y } else { b.y + H },
        )
    } else {
        (ay, by)
    };
    let mid = (sx + ex) / 2.0;
    format!("M{sx:.0},{sy:.0} C{mid:.0},{sy:.0} {mid:.0},{ey:.0} {ex:.0},{ey:.0}")
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

#[component]
pub fn ArchitectureCanvas() -> impl IntoView {
    let ws = use_context::<Workshop>().expect("the workshop page provides its state");
    let animate = RwSignal::new(true);
    let selected = RwSignal::new(None::<&'static str>);
    let replicas = Memo::new(move |_| {
        ws.session.get().style == dojo_engine::services::Style::EventCarriedState
    });
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
    // Messages that crossed each edge up to the cursor: (from, to) → count.
    let counts = Memo::new(move |_| {
        let Some((t, _)) = at.get() else {
            return Vec::new();
        };
        ws.outcome.with(|o| {
            let Some(o) = o.as_ref() else {
                return Vec::new();
            };
            let mut map = std::collections::BTreeMap::<(&'static str, &'static str), u64>::new();
            for e in o.channels.entries_until(t) {
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
                            *map.entry(("bus", n.id)).or_default() += 1;
                        }
                    }
                    (TraceKind::Delivered { .. }, ch) if ch.starts_with("queue:") => {
                        let q = ch.trim_start_matches("queue:");
                        if let Some(n) = nodes(true).into_iter().find(|n| n.id == q) {
                            *map.entry((n.id, consumer_of(q))).or_default() += 1;
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

    view! {
        <section class="panel canvas-panel" aria-labelledby="canvas-heading" data-testid="canvas">
            <h2 id="canvas-heading">"Architecture"</h2>
            <label class="toggle"><input type="checkbox" prop:checked=move || animate.get() on:change=move |_| animate.update(|a| *a = !*a)
                data-testid="canvas-animate"/>" Animate messages"</label>
            <svg viewBox="0 0 830 460" role="group" aria-label="The insurance system's services, bus, queues and store" class="canvas">
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,0 L10,5 L0,10 z" class="arrow-head"/>
                    </marker>
                </defs>
                {move || edges().into_iter().filter_map(|(a, b)| {
                    let (na, nb) = (node_at(a)?, node_at(b)?);
                    let path = edge_path(&na, &nb);
                    let count = counts.with(|c| c.iter().find(|((x, y), _)| *x == a && *y == b).map_or(0, |(_, n)| *n));
                    let (ax, ay) = center(&na);
                    let (bx, by) = center(&nb);
                    Some(view! {
                        <g class="edge">
                            <path d=path marker-end="url(#arrow)"/>
                            {(count > 0).then(|| view! {
                                <text x=format!("{:.0}", (ax + bx) / 2.0) y=format!("{:.0}", (ay + by) / 2.0 - 6.0) class="edge-count">{count.to_string()}</text>
                            })}
                        </g>
                    })
                }).collect_view()}
                {move || (animate.get() && at.get().is_some()).then(|| {
                    let key = ws.position.get();
                    step_edges().into_iter().filter_map(|(a, b)| {
                        let (na, nb) = (node_at(a)?, node_at(b)?);
                        let path = edge_path(&na, &nb);
                        Some(view! {
                            <circle r="6" class="message-dot" data-step=key>
                                <animateMotion dur="0.8s" repeatCount="1" fill="freeze" path=path/>
                            </circle>
                        })
                    }).collect_view()
                })}
                {move || nodes(replicas.get()).into_iter().map(|n| {
                    let id = n.id;
                    let class = match n.kind {
                        Kind::External => "node external",
                        Kind::Service => "node policy",
                        Kind::Bus => "node bus",
                        Kind::Queue => "node queue",
                        Kind::Store => "node event",
                        Kind::ReadModel => "node readmodel",
                    };
                    let shape = match n.kind {
                        Kind::Queue => view! { <rect x=n.x y=n.y width=W height=H rx="22"/> }.into_any(),
                        Kind::Bus => view! { <rect x=n.x y=n.y width=W height=H rx="4" class="bus-rect"/> }.into_any(),
                        Kind::External => view! { <rect x=n.x y=n.y width=W height=H rx="14"/> }.into_any(),
                        _ => view! { <rect x=n.x y=n.y width=W height=H rx="6"/> }.into_any(),
                    };
                    view! {
                        <g class=class role="button" tabindex="0" aria-label=format!("{}: open the inspector", n.label)
                            aria-pressed=move || (selected.get() == Some(id)).to_string()
                            on:click=move |_| selected.set(Some(id))
                            on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" || ev.key() == " " { ev.prevent_default(); selected.set(Some(id)); }
                            data-testid=format!("node-{id}")>
                            {shape}
                            <text x=n.x + W / 2.0 y=n.y + H / 2.0 + 5.0 text-anchor="middle">{n.label}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <ul class="legend" aria-label="Legend">
                <li><span class="swatch event"></span>"Events and the event store (orange)"</li>
                <li><span class="swatch command"></span>"Commands (blue): a customer's requests"</li>
                <li><span class="swatch policy"></span>"Services and their policies (lilac)"</li>
                <li><span class="swatch readmodel"></span>"Read models (green)"</li>
                <li><span class="swatch external"></span>"External: the customer (pink, rounded)"</li>
                <li><span class="swatch queue"></span>"Queues (pill-shaped); numbers on arrows count messages so far"</li>
            </ul>
            <Inspector selected=selected/>
        </section>
    }
}

#[component]
fn Inspector(selected: RwSignal<Option<&'static str>>) -> impl IntoView {
    let ws = use_context::<Workshop>().expect("the workshop page provides its state");
    move || {
        let id = selected.get()?;
        let p = ws.position.get();
        let style = ws.session.get().style;
        ws.outcome.with(|o| {
            let o = o.as_ref()?;
            let (state, channels) = o.state_at(p);
            let body = match id {
                q if channels.queues.contains_key(q) || ["quote-generator", "comms", "quote-generator-replica", "comms-replica"].contains(&q) => {
                    let messages = channels.queues.get(q).cloned().unwrap_or_default();
                    let count = |s: &str| messages.values().filter(|m| m.state == s).count();
                    let config = dojo_engine::services::topology(style).queues.into_iter().find(|c| c.name == q);
                    let now = state.at_ms;
                    let settings = config.as_ref().map(queue_settings).unwrap_or_default();
                    let visibility_ms = config.as_ref().map_or(30_000, |c| u64::from(c.visibility_timeout_s) * 1000);
                    // Depth over the whole run, sampled, as a sparkline.
                    let end = o.channels.end_ms().max(1);
                    let samples: Vec<usize> = (0..=40).map(|i| o.channels.at_time(end * i / 40).queues.get(q).map_or(0, |m| m.len())).collect();
                    let max = samples.iter().copied().max().unwrap_or(0).max(1);
                    let points: String = samples.iter().enumerate().map(|(i, d)| format!("{},{:.1} ", i * 5, 30.0 - 28.0 * *d as f64 / max as f64)).collect();
                    view! {
                        <p data-testid="inspector-summary">{format!("{} visible, {} in flight, {} delayed at the cursor; deepest {max}.", count("visible"), count("in_flight"), count("delayed"))}</p>
                        <p data-testid="inspector-settings">{settings}</p>
                        <svg viewBox="0 0 200 32" class="sparkline" role="img" aria-label=format!("Depth over the run, up to {max}")><polyline points=points/></svg>
                        <ul class="peek">
                            {messages.iter().take(5).map(|(mid, m)| {
                                let when = message_timing(m, now, visibility_ms);
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
                "read-models" => view! { <p data-testid="inspector-summary">{format!("{} customers, {} pending messages, at checkpoint #{}.", state.read_models.customers.customers.len(), state.read_models.outbox.pending.len(), state.position)}</p> }.into_any(),
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
            Some(view! {
                <div class="inspector" data-testid="inspector" role="region" aria-label="Inspector">
                    <h3>{format!("Inspector: {id}")}</h3>
                    {body}
                    <button type="button" class="secondary" on:click=move |_| selected.set(None)>"Close"</button>
                </div>
            })
        })
    }
}

/// A queue's settings in words: type, visibility timeout, delay, retention and its DLQ.
fn queue_settings(c: &dojo_engine::topology::QueueConfig) -> String {
    let kind = if c.fifo { "FIFO" } else { "Standard" };
    let dlq = match &c.redrive {
        Some(r) => format!(
            "dead-letter queue {} after {} receives",
            r.dlq, r.max_receive_count
        ),
        None => "no dead-letter queue (a message is retried until retention ends)".to_owned(),
    };
    let retention = match c.retention_s {
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s % 3_600 == 0 => format!("{} hours", s / 3_600),
        s => format!("{s} s"),
    };
    format!(
        "{kind} queue; visibility timeout {} s, delay {} s, retention {retention}; {dlq}.",
        c.visibility_timeout_s, c.delay_s
    )
}

/// Where a message stands at `now`: visible, in flight with the seconds until it becomes
/// visible again, or delayed with the seconds until it is first visible.
fn message_timing(
    m: &dojo_engine::sim::contents::HeldMessage,
    now: u64,
    visibility_ms: u64,
) -> String {
    let secs = |ms: u64| format!("{:.1} s", ms as f64 / 1000.0);
    match m.state {
        "in_flight" => format!(
            "in flight, visible again in {}",
            secs((m.since_ms + visibility_ms).saturating_sub(now))
        ),
        "delayed" => format!(
            "delayed, visible in {}",
            secs(m.visible_at.saturating_sub(now))
        ),
        _ => format!("visible for {}", secs(now.saturating_sub(m.since_ms))),
    }
}
