//! Pieces shared by the architecture canvases (the workshop's and the lab's): node boxes
//! in the Event Storming colours, with a shape per kind so colour is never the only cue;
//! curved edges with message counters; the depth sparkline.

use leptos::prelude::*;

/// Node size in SVG units.
pub const W: f64 = 190.0;
pub const H: f64 = 44.0;

/// What a node is; decides its colour and its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Outside the system (pink, rounded): a customer, or you in the lab.
    External,
    /// A service or a routing decision (lilac): a policy in Event Storming.
    Policy,
    /// An event bus or topic (orange, dashed border).
    Bus,
    /// A queue (grey pill).
    Queue,
    /// The event store (orange).
    Store,
    /// Read models (green).
    ReadModel,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub kind: Kind,
    pub x: f64,
    pub y: f64,
}

impl Node {
    pub fn new(
        id: impl Into<String>,
        label: impl Into<String>,
        kind: Kind,
        x: f64,
        y: f64,
    ) -> Node {
        Node {
            id: id.into(),
            label: label.into(),
            kind,
            x,
            y,
        }
    }

    pub fn center(&self) -> (f64, f64) {
        (self.x + W / 2.0, self.y + H / 2.0)
    }
}

/// How far an edge back up its own column bows out to the side.
const BULGE: f64 = 40.0;

/// An edge back up its own column: a call against the flow, such as a callback.
pub fn is_back_edge(a: &Node, b: &Node) -> bool {
    (b.x - a.x).abs() < 1.0 && b.y < a.y
}

/// A curve from `a`'s side to `b`'s, or from bottom to top when they share a column.
pub fn edge_path(a: &Node, b: &Node) -> String {
    let (ax, ay) = a.center();
    let (bx, by) = b.center();
    if is_back_edge(a, b) {
        // Back up the same column (a callback): out of the left side and round, away from
        // the downward edges between the same boxes and the edges to the right.
        let x = a.x;
        return format!(
            "M{x:.0},{ay:.0} C{:.0},{ay:.0} {:.0},{by:.0} {x:.0},{by:.0}",
            x - BULGE,
            x - BULGE
        );
    }
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

/// The arrow-head marker the edges use; put once inside each `<svg>`.
#[component]
pub fn ArrowMarker() -> impl IntoView {
    view! {
        <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" class="arrow-head"/>
            </marker>
        </defs>
    }
}

/// Whether the learner's system asks for reduced motion.
pub fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// A canvas's "animate messages" setting: on, unless the system asks for reduced motion,
/// so the checkbox always says what the canvas does.
pub fn animate_setting() -> RwSignal<bool> {
    RwSignal::new(!prefers_reduced_motion())
}

/// The animation toggle, and the note that says when high volume turned it into
/// counters, or that reduced motion turned it off.
#[component]
pub fn AnimateToggle(animate: RwSignal<bool>, #[prop(into)] busy: Signal<bool>) -> impl IntoView {
    let reduced = prefers_reduced_motion();
    view! {
        <div class="form-actions">
            <label class="toggle"><input type="checkbox" prop:checked=move || animate.get() on:change=move |_| animate.update(|a| *a = !*a)
                data-testid="canvas-animate"/>" Animate messages"</label>
            {reduced.then(|| view! { <span class="muted" data-testid="canvas-reduced-motion">"Off at first because your system asks for reduced motion; tick it to animate anyway."</span> })}
            {move || busy.get().then(|| view! { <span class="muted" data-testid="canvas-busy">"High volume: showing counters only."</span> })}
        </div>
    }
}

/// A canvas's layers, bottom to top: edge lines, message dots (keyed by `key`, so a new
/// key restarts them), nodes, and edge counts.
#[component]
pub fn DiagramLayers(
    nodes: Vec<Node>,
    edges: Vec<(Node, Node, u64)>,
    dots: Vec<(Node, Node)>,
    key: String,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <EdgeLines edges=edges.clone()/>
        {dots.into_iter().map(|(from, to)| view! { <MessageDot from=from to=to key=key.clone()/> }).collect_view()}
        {nodes.into_iter().map(|n| view! { <DiagramNode node=n selected=selected/> }).collect_view()}
        <EdgeCounts edges=edges/>
    }
}

/// The edges' lines, drawn under the nodes.
#[component]
fn EdgeLines(edges: Vec<(Node, Node, u64)>) -> impl IntoView {
    edges
        .into_iter()
        .map(|(from, to, _)| {
            let class = if is_back_edge(&from, &to) {
                "edge back"
            } else {
                "edge"
            };
            view! { <g class=class><path d=edge_path(&from, &to) marker-end="url(#arrow)"/></g> }
        })
        .collect_view()
}

/// The edges' message counts, drawn above the nodes so a long edge's count stays
/// readable (nothing while zero): midway, or near the arrow head on an edge that crosses
/// other columns.
#[component]
fn EdgeCounts(edges: Vec<(Node, Node, u64)>) -> impl IntoView {
    edges
        .into_iter()
        .filter(|(_, _, count)| *count > 0)
        .map(|(from, to, count)| {
            let (ax, ay) = from.center();
            let (bx, by) = to.center();
            let t = if (bx - ax).abs() > 1.5 * W + 60.0 {
                0.85
            } else {
                0.5
            };
            let (x, y) = if is_back_edge(&from, &to) {
                // Beside the curve of a back (callback) edge, on its outer side.
                (from.x - BULGE * 0.75 - 6.0, (ay + by) / 2.0 + 4.0)
            } else {
                (ax + (bx - ax) * t, ay + (by - ay) * t - 6.0)
            };
            view! {
                <text x=format!("{x:.0}") y=format!("{y:.0}") class="edge-count">{count.to_string()}</text>
            }
        })
        .collect_view()
}

/// A dot that travels once along the edge from `from` to `to`.
#[component]
fn MessageDot(from: Node, to: Node, key: String) -> impl IntoView {
    view! {
        <circle r="6" class="message-dot" data-step=key>
            <animateMotion dur="0.8s" repeatCount="1" fill="freeze" path=edge_path(&from, &to)/>
        </circle>
    }
}

/// A node: a keyboard-operable button that selects it.
#[component]
fn DiagramNode(node: Node, selected: RwSignal<Option<String>>) -> impl IntoView {
    let class = match node.kind {
        Kind::External => "node external",
        Kind::Policy => "node policy",
        Kind::Bus => "node bus",
        Kind::Queue => "node queue",
        Kind::Store => "node event",
        Kind::ReadModel => "node readmodel",
    };
    let (x, y) = (node.x, node.y);
    let shape = match node.kind {
        Kind::Queue => view! { <rect x=x y=y width=W height=H rx="22"/> }.into_any(),
        Kind::Bus => view! { <rect x=x y=y width=W height=H rx="4" class="bus-rect"/> }.into_any(),
        Kind::External => view! { <rect x=x y=y width=W height=H rx="14"/> }.into_any(),
        _ => view! { <rect x=x y=y width=W height=H rx="6"/> }.into_any(),
    };
    // Long names are squeezed to fit the box rather than cut, so what is seen is the
    // whole name, as the accessible name is.
    let fit = (node.label.chars().count() > 26).then(|| format!("{:.0}", W - 12.0));
    let id = node.id.clone();
    let pressed = {
        let id = id.clone();
        move || (selected.get().as_deref() == Some(id.as_str())).to_string()
    };
    let select = {
        let id = id.clone();
        move || selected.set(Some(id.clone()))
    };
    let on_key = {
        let select = select.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Enter" || ev.key() == " " {
                ev.prevent_default();
                select();
            } else if ev.key() == "Escape" {
                selected.set(None);
            }
        }
    };
    view! {
        <g class=class role="button" tabindex="0" aria-label=format!("{}: open the inspector", node.label)
            aria-pressed=pressed on:click=move |_| select() on:keydown=on_key
            data-testid=format!("node-{id}")>
            {shape}
            <text x=x + W / 2.0 y=y + H / 2.0 + 5.0 text-anchor="middle" textLength=fit.clone() lengthAdjust=fit.map(|_| "spacingAndGlyphs")>{node.label.clone()}</text>
        </g>
    }
}

/// A small line chart of queue depth samples.
/// A canvas's legend: a swatch and its meaning per kind of node, after any items the
/// canvas adds first (`children`), then a closing note without a swatch.
#[component]
pub fn Legend(
    items: &'static [(&'static str, &'static str)],
    #[prop(optional)] note: Option<&'static str>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <ul class="legend" aria-label="Legend">
            {children.map(|c| c())}
            {items.iter().map(|(swatch, text)| view! { <li><span class=format!("swatch {swatch}")></span>{*text}</li> }).collect_view()}
            {note.map(|n| view! { <li>{n}</li> })}
        </ul>
    }
}

#[component]
pub fn Sparkline(samples: Vec<usize>) -> impl IntoView {
    let max = samples.iter().copied().max().unwrap_or(0).max(1);
    let step = 200.0 / samples.len().saturating_sub(1).max(1) as f64;
    let points: String = samples
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "{:.1},{:.1} ",
                i as f64 * step,
                30.0 - 28.0 * *d as f64 / max as f64
            )
        })
        .collect();
    view! {
        <svg viewBox="0 0 200 32" class="sparkline" role="img" aria-label=format!("Depth over the run, up to {max}")><polyline points=points/></svg>
    }
}

/// Where a message stands at `now`, in words: visible, in flight with the time until it
/// is visible again, or delayed with the time until it is first visible.
pub fn message_timing(state: &str, visible_at_ms: u64, since_ms: Option<u64>, now: u64) -> String {
    let secs = |ms: u64| format!("{:.1} s", ms as f64 / 1000.0);
    match (state, since_ms) {
        ("in_flight", _) => format!(
            "in flight, visible again in {}",
            secs(visible_at_ms.saturating_sub(now))
        ),
        ("delayed", _) => format!(
            "delayed, visible in {}",
            secs(visible_at_ms.saturating_sub(now))
        ),
        (_, Some(since)) => format!("visible for {}", secs(now.saturating_sub(since))),
        _ => "visible".to_owned(),
    }
}

/// The frame every inspector is shown in: its heading, the body, and Close. Escape
/// anywhere inside closes it too, and closing puts the focus back on the node it belongs
/// to, so a keyboard user carries on where they were.
#[component]
pub fn InspectorFrame(
    selected: RwSignal<Option<String>>,
    id: String,
    children: Children,
) -> impl IntoView {
    let node = format!("[data-testid=\"node-{id}\"]");
    let close = move || {
        selected.set(None);
        crate::components::focus::focus_soon(node.clone());
    };
    let on_key = {
        let close = close.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Escape" {
                ev.prevent_default();
                close();
            }
        }
    };
    view! {
        <div class="inspector" data-testid="inspector" role="region" aria-label="Inspector" on:keydown=on_key>
            <h3>{format!("Inspector: {id}")}</h3>
            {children()}
            <button type="button" class="secondary" on:click=move |_| close() data-testid="inspector-close">"Close"</button>
            <span class="muted inspector-keys">" Esc closes it."</span>
        </div>
    }
}
