//! The lab's canvas: whatever topology the learner built, drawn in columns (you, then
//! buses and topics, then rules and subscriptions, then queues and handlers, then
//! dead-letter queues and you as a consumer), with message counts on the edges and the
//! newest messages animated along them (counters only at high volume, or when the
//! toggle is off, as it is at first when the system asks for reduced motion). Every node opens an inspector: a queue's messages,
//! FIFO group locks, settings (and their changes while it runs), DLQ and depth sparkline,
//! with receive, delete and SetQueueAttributes;
//! a rule's pattern, targets and input transformer; a topic's subscriptions and filter
//! policies.

use super::model::{Lab, LabRun};
use super::queue_inspector::QueueInspector;
use crate::components::diagram::{
    AnimateToggle, ArrowMarker, DiagramLayers, InspectorFrame, Kind, Legend, Node, H, W,
};
use dojo_engine::topology::{Endpoint, SubscriptionConfig, Topology};
use leptos::prelude::*;

const COLUMNS: [f64; 5] = [20.0, 240.0, 460.0, 680.0, 900.0];
const ROW: f64 = 64.0;

/// The nodes of a topology, laid out in columns.
fn layout(t: &Topology, receives: bool) -> Vec<Node> {
    let dlqs = t.dead_letter_queues();
    let mut columns: [Vec<(String, String, Kind)>; 5] = Default::default();
    columns[0].push(("you".into(), "You (producer)".into(), Kind::External));
    let buses = std::iter::once("default").chain(t.buses.iter().map(|b| b.name.as_str()));
    for b in buses {
        columns[1].push((format!("bus:{b}"), format!("bus: {b}"), Kind::Bus));
    }
    for topic in &t.topics {
        columns[1].push((
            format!("topic:{}", topic.name),
            format!("topic: {}", topic.name),
            Kind::Bus,
        ));
    }
    for r in &t.rules {
        columns[2].push((
            format!("rule:{}/{}", r.bus, r.name),
            format!("rule: {}", r.name),
            Kind::Policy,
        ));
    }
    for (topic, i, s) in subscriptions(t) {
        let filter = if s.policy().is_some() {
            "filtered"
        } else {
            "all"
        };
        columns[2].push((
            format!("sub:{topic}/{i}"),
            format!("sub ({filter}) → {}", endpoint_name(&s.endpoint)),
            Kind::Policy,
        ));
    }
    for q in &t.queues {
        let column = if dlqs.contains(q.name.as_str()) { 4 } else { 3 };
        columns[column].push((
            format!("queue:{}", q.name),
            format!("queue: {}", q.name),
            Kind::Queue,
        ));
    }
    for h in &t.handlers {
        columns[3].push((
            format!("handler:{}", h.name),
            format!("handler: {}", h.name),
            Kind::Policy,
        ));
    }
    if receives {
        columns[4].push(("consumer".into(), "You (consumer)".into(), Kind::External));
    }
    columns
        .into_iter()
        .zip(COLUMNS)
        .flat_map(|(nodes, x)| {
            nodes
                .into_iter()
                .enumerate()
                .map(move |(i, (id, label, kind))| {
                    Node::new(id, label, kind, x, 20.0 + ROW * i as f64)
                })
        })
        .collect()
}

/// Each topic's subscriptions with their index within the topic (as the trace numbers
/// them).
fn subscriptions(t: &Topology) -> impl Iterator<Item = (&str, usize, &SubscriptionConfig)> {
    t.topics.iter().flat_map(move |topic| {
        t.subscriptions
            .iter()
            .filter(move |s| s.topic == topic.name)
            .enumerate()
            .map(move |(i, s)| (topic.name.as_str(), i, s))
    })
}

fn endpoint_name(e: &Endpoint) -> String {
    match e {
        Endpoint::Queue(n) | Endpoint::Topic(n) | Endpoint::Bus(n) | Endpoint::Handler(n) => {
            n.clone()
        }
    }
}

/// Every edge of a topology, whether or not a message crossed it yet.
fn wiring(t: &Topology) -> Vec<(String, String)> {
    let mut e: Vec<(String, String)> = vec![("you".into(), "bus:default".into())];
    e.extend(
        t.buses
            .iter()
            .map(|b| ("you".into(), format!("bus:{}", b.name))),
    );
    e.extend(
        t.topics
            .iter()
            .map(|x| ("you".into(), format!("topic:{}", x.name))),
    );
    for r in &t.rules {
        let node = format!("rule:{}/{}", r.bus, r.name);
        e.push((format!("bus:{}", r.bus), node.clone()));
        e.extend(
            r.targets
                .iter()
                .map(|x| (node.clone(), x.endpoint.describe())),
        );
    }
    for (topic, i, s) in subscriptions(t) {
        let node = format!("sub:{topic}/{i}");
        e.push((format!("topic:{topic}"), node.clone()));
        e.push((node, s.endpoint.describe()));
    }
    for q in &t.queues {
        if let Some(r) = &q.redrive {
            e.push((format!("queue:{}", q.name), format!("queue:{}", r.dlq)));
        }
    }
    e
}

/// The topology drawn with what the run carried. `heading_id` and `title` name it where
/// a page shows more than one (the mock panel's experiments beside the exercise's
/// drawing).
#[component]
pub fn LabCanvas(
    lab: RwSignal<Lab>,
    outcome: Memo<Result<LabRun, String>>,
    #[prop(default = "lab-canvas-heading".into(), into)] heading_id: String,
    #[prop(default = "Architecture")] title: &'static str,
) -> impl IntoView {
    let labelled = heading_id.clone();
    let animate = crate::components::diagram::animate_setting();
    let selected = RwSignal::new(None::<String>);
    let receives = Memo::new(move |_| outcome.with(|o| o.as_ref().is_ok_and(|r| r.receives)));
    let nodes = Memo::new(move |_| lab.with(|l| layout(&l.topology, receives.get())));
    let node = move |id: &str| nodes.with(|n| n.iter().find(|x| x.id == id).cloned());
    let height = move || nodes.with(|n| n.iter().map(|x| x.y).fold(0.0, f64::max) + H + 20.0);
    let busy = move || outcome.with(|o| o.as_ref().is_ok_and(|r| r.busy));
    // The topology's wiring, and edges only the run knows of (queues you sent to directly).
    let edges = move || {
        let mut edges = lab.with(|l| wiring(&l.topology));
        outcome.with(|o| {
            if let Ok(r) = o {
                let extra: Vec<_> = r
                    .counts
                    .keys()
                    .filter(|k| !edges.contains(k))
                    .cloned()
                    .collect();
                edges.extend(extra);
            }
        });
        edges
    };
    let edge_list = move || {
        edges()
            .into_iter()
            .filter_map(|(a, b)| {
                let (from, to) = (node(&a)?, node(&b)?);
                let count = outcome.with(|o| {
                    o.as_ref()
                        .ok()
                        .and_then(|r| r.counts.get(&(a, b)).copied())
                        .unwrap_or(0)
                });
                Some((from, to, count))
            })
            .collect::<Vec<_>>()
    };

    view! {
        <section class="panel lab-canvas" aria-labelledby=labelled data-testid="lab-canvas">
            <h2 id=heading_id>{title}</h2>
            <AnimateToggle animate=animate busy=Signal::derive(busy)/>
            <p class="muted pan-hint">"On a narrow screen the diagram keeps its size: scroll it sideways to see all of it."</p>
            <div class="canvas-pan" data-testid="canvas-pan">
                <svg viewBox=move || format!("0 0 1110 {:.0}", height()) role="group" aria-label="Your topology: buses, topics, rules, subscriptions and queues" class="canvas">
                    <ArrowMarker/>
                    {move || {
                        let (dots, key) = outcome.with(|o| match o {
                            Ok(r) if animate.get() && !r.busy => (
                                r.recent.iter().filter_map(|(a, b)| Some((node(a)?, node(b)?))).collect(),
                                r.trace_len.to_string(),
                            ),
                            _ => (Vec::new(), String::new()),
                        });
                        view! { <DiagramLayers nodes=nodes.get() edges=edge_list() dots=dots key=key selected=selected/> }
                    }}
                    // An imported `dojo aws compare` report: each queue's tally above it.
                    {move || lab.with(|l| l.aws.as_ref().map(|c| c.queues.clone())).map(|queues| {
                        queues.into_iter().filter_map(|(q, t)| {
                            let n = node(&format!("queue:{q}"))?;
                            let text = t.badge();
                            let w = 6.4 * text.chars().count() as f64 + 14.0;
                            Some(view! {
                                <g class=format!("aws-badge {}", t.state()) data-testid="lab-aws-badge" data-queue=q>
                                    <rect x=n.x + W - w y=n.y - 18.0 width=w height=16.0 rx=8.0/>
                                    <text x=n.x + W - w / 2.0 y=n.y - 6.0 text-anchor="middle">{text}</text>
                                </g>
                            })
                        }).collect_view()
                    })}
                </svg>
            </div>
            <Legend items=LEGEND note="Numbers on arrows count messages so far"/>
            {move || lab.with(|l| l.aws.is_some()).then(|| view! {
                <p class="muted" data-testid="lab-aws-legend">"Badges above queues come from the imported dojo aws compare report: green when every delivery matched AWS, orange when each difference is one AWS's documentation allows, red when one is not explained."</p>
            })}
            <LabInspector lab=lab outcome=outcome selected=selected/>
        </section>
    }
}

/// What the lab canvas's shapes and colours stand for.
const LEGEND: &[(&str, &str)] = &[
    ("external", "You, outside the system (pink, rounded)"),
    ("event", "Buses and topics carry events (orange, dashed)"),
    ("policy", "Rules, subscriptions and handlers decide (lilac)"),
    (
        "queue",
        "Queues (grey pills); the right-hand column holds dead-letter queues",
    ),
];

#[component]
fn LabInspector(
    lab: RwSignal<Lab>,
    outcome: Memo<Result<LabRun, String>>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    move || {
        let id = selected.get()?;
        let body = if let Some(q) = id.strip_prefix("queue:") {
            view! { <QueueInspector lab=lab outcome=outcome queue=q.to_owned()/> }.into_any()
        } else {
            let t = lab.with(|l| l.topology.clone());
            other_inspector(&t, &id, outcome)?
        };
        Some(view! { <InspectorFrame selected=selected id=id>{body}</InspectorFrame> })
    }
}

/// Buses, rules, topics, subscriptions, handlers and you.
fn other_inspector(
    t: &Topology,
    id: &str,
    outcome: Memo<Result<LabRun, String>>,
) -> Option<AnyView> {
    let count = |a: &str, b: &str| {
        outcome.with(|o| {
            o.as_ref()
                .ok()
                .and_then(|r| r.counts.get(&(a.to_owned(), b.to_owned())).copied())
                .unwrap_or(0)
        })
    };
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let (kind, name) = id.split_once(':').unwrap_or((id, ""));
    Some(match kind {
        "bus" => {
            let rules: Vec<_> = t.rules.iter().filter(|r| r.bus == name).cloned().collect();
            view! {
                <p data-testid="inspector-summary">{format!("{} events put on this bus; {} rules.", count("you", id), rules.len())}</p>
                <ul class="peek">
                    {rules.into_iter().map(|r| view! { <li><strong>{r.name.clone()}</strong>{format!(" → {}", r.targets.iter().map(|x| x.endpoint.describe()).collect::<Vec<_>>().join(", "))}</li> }).collect_view()}
                </ul>
            }
            .into_any()
        }
        "rule" => {
            let (bus, rule) = name.split_once('/')?;
            let r = t.rules.iter().find(|r| r.bus == bus && r.name == rule)?.clone();
            let evaluated = count(&format!("bus:{bus}"), id);
            let matched: u64 = r.targets.first().map_or(0, |x| count(id, &x.endpoint.describe()));
            view! {
                <p data-testid="inspector-summary">{format!("Rule {} on bus {bus}, {}; matched {matched} of {evaluated} events.", r.name, if r.enabled { "enabled" } else { "disabled" })}</p>
                <pre class="json" tabindex="0" aria-label=format!("Pattern of {}", r.name) data-testid="inspector-pattern">{pretty(&r.pattern)}</pre>
                <ul class="peek" data-testid="inspector-targets">
                    {r.targets.iter().map(|x| {
                        let how = match (&x.input_transformer, &x.input_path) {
                            (Some(tr), _) => format!(" with an input transformer: paths {}, template {}", serde_json::to_string(&tr.input_paths_map).unwrap_or_default(), tr.input_template),
                            (None, Some(p)) => format!(" with input path {p}"),
                            (None, None) => ", the whole event".to_owned(),
                        };
                        view! { <li>{format!("Target {}: {}{how}", x.id, x.endpoint.describe())}</li> }
                    }).collect_view()}
                </ul>
            }
            .into_any()
        }
        "topic" => {
            let subs: Vec<_> = t.subscriptions.iter().filter(|s| s.topic == name).cloned().collect();
            view! {
                <p data-testid="inspector-summary">{format!("{} messages published; {} subscriptions.", count("you", id), subs.len())}</p>
                <ul class="peek">
                    {subs.into_iter().map(|s| view! { <li>{format!("→ {}: ", s.endpoint.describe())}<code>{s.policy().map_or("no filter policy".to_owned(), |p| p.to_string())}</code></li> }).collect_view()}
                </ul>
            }
            .into_any()
        }
        "sub" => {
            let (topic, i) = name.split_once('/')?;
            let i: usize = i.parse().ok()?;
            let s = t.subscriptions.iter().filter(|s| s.topic == topic).nth(i)?.clone();
            let scope = match s.filter_policy_scope {
                dojo_engine::topology::FilterPolicyScope::MessageAttributes => "the message attributes",
                dojo_engine::topology::FilterPolicyScope::MessageBody => "the message body",
            };
            view! {
                <p data-testid="inspector-summary">{format!("Subscription of {} to topic {topic}; matched {} of {} messages. The policy filters on {scope}.", s.endpoint.describe(), count(id, &s.endpoint.describe()), count(&format!("topic:{topic}"), id))}</p>
                <pre class="json" tabindex="0" aria-label="Filter policy">{s.policy().map_or("no filter policy: every message".to_owned(), pretty)}</pre>
                <p data-testid="inspector-sub-dlq">{match &s.redrive_policy {
                    Some(r) => format!("What cannot be delivered goes to the dead-letter queue {}.", r.dlq),
                    None => "No dead-letter queue: what cannot be delivered is dropped.".to_owned(),
                }}</p>
            }
            .into_any()
        }
        "handler" => view! { <p data-testid="inspector-summary">{format!("Handler {name}: a consumer that rules and subscriptions deliver to directly.")}</p> }.into_any(),
        "consumer" => view! { <p data-testid="inspector-summary">"You, receiving from queues: open a queue's inspector to receive and delete."</p> }.into_any(),
        _ => view! { <p data-testid="inspector-summary">"You send messages into the system: put events on a bus, publish to a topic, or send to a queue, below."</p> }.into_any(),
    })
}

/// Characters an SVG text node must not hold as they are.
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The topology drawn as the canvas draws it, as a standalone SVG document in the light
/// scheme's colours: the report's diagram, to download or print.
pub(crate) fn design_svg(t: &Topology) -> String {
    use crate::components::diagram::{edge_path, W};
    let nodes = layout(t, false);
    let height = nodes.iter().map(|n| n.y).fold(0.0, f64::max) + H + 20.0;
    let find = |id: &str| nodes.iter().find(|n| n.id == id);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1110 {height:.0}\" width=\"1110\" height=\"{height:.0}\" font-family=\"system-ui, sans-serif\">\n<title>The design: buses, topics, rules, subscriptions and queues</title>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#565b70\"/></marker></defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    );
    for (a, b) in wiring(t) {
        if let (Some(a), Some(b)) = (find(&a), find(&b)) {
            svg.push_str(&format!(
                "<path d=\"{}\" fill=\"none\" stroke=\"#565b70\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>\n",
                edge_path(a, b)
            ));
        }
    }
    for n in &nodes {
        let (fill, rx, dash) = match n.kind {
            Kind::External => ("#f4a6c8", 14.0, ""),
            Kind::Policy => ("#c9a7ef", 4.0, ""),
            Kind::Bus => ("#f7a654", 4.0, " stroke-dasharray=\"5 3\""),
            Kind::Queue => ("#d7dbe6", 22.0, ""),
            Kind::Store => ("#f7a654", 4.0, ""),
            Kind::ReadModel => ("#8fd19e", 4.0, ""),
        };
        svg.push_str(&format!(
            "<g><rect x=\"{:.0}\" y=\"{:.0}\" width=\"{W:.0}\" height=\"{H:.0}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"#1c1e29\" stroke-width=\"1.2\"{dash}/><text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\" dominant-baseline=\"middle\" font-size=\"12\" font-weight=\"600\" fill=\"#1c1e29\">{}</text></g>\n",
            n.x,
            n.y,
            n.x + W / 2.0,
            n.y + H / 2.0,
            xml_escape(&n.label)
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_design_svg_draws_every_resource_and_escapes_names() {
        let t = Topology::from_json(
            r#"{"queues": [{"name": "comms"}, {"name": "comms-dlq"}],
                "rules": [{"name": "a<b", "pattern": {"source": ["x"]},
                           "targets": [{"id": "c", "endpoint": {"queue": "comms"}}]}]}"#,
        )
        .expect("a topology");
        let svg = design_svg(&t);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(">queue: comms</text>"));
        assert!(svg.contains(">rule: a&lt;b</text>"));
        assert!(svg.contains(">bus: default</text>"));
        // you → bus, bus → rule, rule → queue.
        assert_eq!(svg.matches("marker-end").count(), 3);
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}
