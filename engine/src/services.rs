//! The three services as simulated actors on the channels, in four integration styles,
//! driven by a scenario's timed inputs; plus what-if branches and quarantined side effects.
//!
//! Customer Management owns customers; the Quote Generator owns quotes and policies and
//! reacts to `QuoteRequested` and `QuoteAccepted`; Comms tells customers about quotes,
//! policies and address changes. Every event is appended to the history (the event store)
//! and published to the `default` bus, whose rules route it to each service's queue. The
//! services poll their queues every `poll_interval_ms`, which is where lag and staleness
//! come from. How they learn customer data depends on the [`Style`]:
//!
//! - `notification`: thin events (ids only); every service calls Customer Management back
//!   for details, and each callback is counted;
//! - `event_carried_state`: fat events; services keep local replicas fed from their own
//!   replica queues, and the time each update waited is the staleness;
//! - `event_sourcing`: state is a replay of the history; services read aggregates rebuilt
//!   from the log (the timeline's head);
//! - `cqrs`: services read the `CustomerView` read model, which is updated from the log
//!   when the projector polls, so it lags the write head.
//!
//! A branch re-runs the same scenario with edited inputs: the services run again, so
//! downstream events appear or disappear (causal re-derivation). In a replay or branch,
//! Comms' messages go to a "would have sent" outbox and nothing is sent again.

mod cursor;
pub mod decoupling;
mod scenario;

pub use cursor::{Cost, CostKind, Cursor, Lag, Ledger};
pub use scenario::{presets, Edit, Input, Scenario, Style, TimedInput, WorkloadConfig};

use crate::domain::{
    Aggregate, CommsCommand, ContactMethod, Customer, CustomerCommand, DomainEvent, Notification,
    Policy, PolicyCommand, Quote, QuoteCommand,
};
use crate::projection::{CustomerView, Projection, ReadModels};
use crate::sim::{PutEventsEntry, ReceiveRequest, World};
use crate::store::{EventStore, ExpectedVersion, MemStore};
use crate::timetravel::Timeline;
use crate::topology::Topology;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A message Comms sent, or would have sent during a replay or branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    pub at_ms: u64,
    pub channel: ContactMethod,
    pub to: String,
    pub text: String,
}

/// A command a service or input could not carry out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusal {
    pub at_ms: u64,
    pub by: &'static str,
    pub command: String,
    pub reason: String,
}

/// A [`Refusal`] as read, with who refused not yet kept ([`keep_name`]).
#[derive(Deserialize)]
struct RefusalRead {
    at_ms: u64,
    by: String,
    command: String,
    reason: String,
}

// By hand: a derived reader would borrow the name from the text for `'static`.
impl<'de> Deserialize<'de> for Refusal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RefusalRead::deserialize(d).map(Refusal::from)
    }
}

impl From<RefusalRead> for Refusal {
    fn from(read: RefusalRead) -> Self {
        Refusal {
            at_ms: read.at_ms,
            by: keep_name(read.by),
            command: read.command,
            reason: read.reason,
        }
    }
}

/// What the integration style cost, as numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StyleMetrics {
    /// Calls back to Customer Management for details (notification style).
    pub callbacks: u64,
    /// The busiest second's callbacks: the hotspot.
    pub peak_callbacks_per_s: u64,
    pub events_published: u64,
    pub payload_bytes: u64,
    pub mean_payload_bytes: u64,
    /// Replica updates applied (event-carried state).
    pub replica_updates: u64,
    /// How long replica updates waited before being applied, in simulated ms.
    pub max_staleness_ms: u64,
    pub mean_staleness_ms: u64,
    /// How far the CQRS read model fell behind the write head at its worst.
    pub max_read_model_lag_events: u64,
    pub max_read_model_lag_ms: u64,
    /// The deepest each service queue got: how much of a spike it buffered.
    pub peak_queue_depth: BTreeMap<String, usize>,
}

/// The `detail` a service publishes on the bus for `event` at `now_ms` in `style`: the
/// event's data, or in the notification style only its ids (consumers call back for
/// the rest), with the time it occurred.
pub fn bus_detail(style: Style, event: &DomainEvent, now_ms: u64) -> Value {
    let mut detail = serde_json::to_value(event).expect("plain data")["data"].clone();
    if style == Style::Notification {
        // Thin: only the ids, so consumers must call back for the details.
        if let Value::Object(m) = &mut detail {
            m.retain(|k, _| k.ends_with("_id"));
        }
    }
    detail["occurred_at_ms"] = json!(now_ms);
    detail
}

/// The source the services publish their events under.
pub const BUS_SOURCE: &str = "dojo.insurance";

/// Everything a scenario run produced. It serialises (a run in a Web Worker crosses to
/// the page as JSON) without its snapshots, which are taken again when it is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub timeline: Timeline,
    /// The channel trace with snapshots of the queues' contents.
    pub channels: crate::sim::contents::ChannelTimeline,
    pub world: WorldSummary,
    /// The run's costs as they happened, by time: what [`Outcome::at_cursor`] derives
    /// every panel's numbers from, and `metrics` is the ledger read at the end.
    pub ledger: Ledger,
    pub style: Style,
    pub metrics: StyleMetrics,
    pub sent: Vec<SentMessage>,
    pub would_have_sent: Vec<SentMessage>,
    pub refusals: Vec<Refusal>,
}

/// The channel side of a run: its trace length and hash, and per-channel metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorldSummary {
    pub trace_entries: usize,
    pub trace_hash: String,
    pub channels: Value,
}

/// A name the engine keeps as `&'static str` (who refused, which service called back),
/// read from a serialised run: each distinct name is kept once for as long as the
/// program runs, so reading many runs keeps no more than their few names.
fn keep_name(name: String) -> &'static str {
    thread_local! {
        static NAMES: std::cell::RefCell<std::collections::BTreeSet<&'static str>> =
            Default::default();
    }
    NAMES.with(|names| {
        if let Some(kept) = names.borrow().get(name.as_str()) {
            return *kept;
        }
        let kept: &'static str = Box::leak(name.into_boxed_str());
        names.borrow_mut().insert(kept);
        kept
    })
}

impl Outcome {
    /// The run as JSON, for another thread.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a run serialises to JSON")
    }

    /// A run read back from [`Outcome::to_json`].
    pub fn from_json(text: &str) -> Result<Outcome, String> {
        serde_json::from_str(text).map_err(|e| format!("the run could not be read back: {e}"))
    }

    pub fn read_models(&self) -> &ReadModels {
        &self.timeline.head().read_models
    }

    /// The read models and outputs that differ between two runs (for example branches).
    pub fn diff(&self, other: &Outcome) -> Value {
        json!({
            "read_models": self.read_models().diff(other.read_models()),
            "events": { "before": self.timeline.len(), "after": other.timeline.len() },
            "messages": { "before": self.sent.len() + self.would_have_sent.len(), "after": other.sent.len() + other.would_have_sent.len() },
        })
    }
}

const QUEUES: &[&str] = &[
    "quote-generator",
    "comms",
    "quote-generator-replica",
    "comms-replica",
];

/// The channels the services run on in a style: the bus rules and the service queues.
pub fn topology(style: Style) -> Topology {
    let mut rules = vec![
        json!({"name": "to-quote-generator", "pattern": {"detail-type": ["QuoteRequested", "QuoteAccepted"]}, "targets": [{"id": "q", "endpoint": {"queue": "quote-generator"}}]}),
        json!({"name": "to-comms", "pattern": {"detail-type": ["QuoteIssued", "PolicyBound", "AddressChanged"]}, "targets": [{"id": "c", "endpoint": {"queue": "comms"}}]}),
    ];
    if style == Style::EventCarriedState {
        rules.push(json!({"name": "customer-replicas", "pattern": {"detail-type": ["CustomerRegistered", "AddressChanged", "ContactPreferencesChanged"]},
            "targets": [{"id": "q", "endpoint": {"queue": "quote-generator-replica"}}, {"id": "c", "endpoint": {"queue": "comms-replica"}}]}));
    }
    let queues: Vec<Value> = QUEUES
        .iter()
        .map(|q| json!({"name": q, "visibility_timeout_s": 30}))
        .collect();
    let t = json!({"queues": queues, "rules": rules});
    Topology::from_json(&t.to_string()).expect("the built-in topology is valid")
}

/// The running system.
struct System {
    style: Style,
    quarantine: bool,
    world: World,
    timeline: Timeline,
    /// Each service's own aggregates, changed as it records events.
    owned: crate::timetravel::Aggregates,
    replicas: BTreeMap<&'static str, BTreeMap<String, Customer>>,
    projection: CustomerView,
    /// The customers as of the projector's checkpoint (CQRS), read once per checkpoint:
    /// between catch-ups every service asks about the same position.
    projected: Option<(u64, imbl::OrdMap<String, Customer>)>,
    /// The event store every event is appended to (the source of truth for event sourcing).
    store: MemStore,
    ledger: Ledger,
    sent: Vec<SentMessage>,
    would_have_sent: Vec<SentMessage>,
    refusals: Vec<Refusal>,
    next_quote: u64,
    /// With `script`, every call the services made on the channels that changed
    /// something, as script steps: each event put on the bus, and each receive that got
    /// messages with the delete that followed it. `None` in every other run, which need
    /// not keep a copy of every event.
    calls: Option<Vec<crate::sim::script::Step>>,
}

impl System {
    fn now(&self) -> u64 {
        self.world.now()
    }

    /// Notes a cost in the ledger, after the entries recorded so far.
    fn cost(&mut self, kind: CostKind) {
        self.ledger.costs.push(Cost {
            after_entries: self.timeline.len() as u64,
            at_ms: self.now(),
            kind,
        });
    }

    fn refuse(&mut self, by: &'static str, command: String, reason: String) {
        let at_ms = self.now();
        self.refusals.push(Refusal {
            at_ms,
            by,
            command,
            reason,
        });
    }

    /// Appends to the history and publishes to the bus (fat or thin).
    fn record(&mut self, events: Vec<DomainEvent>) {
        for event in events {
            let now = self.now();
            let position = self.timeline.append(now, event.clone());
            let new = event.to_new_event(&format!("evt-{position}"), &crate::sim::iso_time(now));
            if let Err(e) = now_or_never(self.store.append(
                &event.stream_id(),
                ExpectedVersion::Any,
                vec![new],
            )) {
                self.refuse("event-store", event.type_name().into(), e.to_string());
            }
            let detail = bus_detail(self.style, &event, now);
            let bytes = detail.to_string().len() as u64;
            let entry = PutEventsEntry {
                source: BUS_SOURCE.into(),
                detail_type: event.type_name().into(),
                detail,
                resources: vec![],
                time: None,
            };
            if let Some(calls) = &mut self.calls {
                calls.push(crate::sim::script::Step {
                    at_ms: now,
                    put_events: Some(crate::sim::script::PutEvents {
                        bus: "default".into(),
                        entries: vec![entry.clone()],
                    }),
                    ..Default::default()
                });
            }
            if let Err(e) = self.world.put_events("default", &[entry]) {
                self.refuse("bus", event.type_name().into(), e.message);
            }
            // The bus delivers at once: the trace now holds this publish and its deliveries.
            self.ledger.steps.push(cursor::Step {
                trace_end: self.world.trace().len(),
                payload_bytes: bytes,
            });
            self.apply_locally(&event);
        }
    }

    /// The owning service's own state changes at once.
    fn apply_locally(&mut self, event: &DomainEvent) {
        self.owned.apply(event);
    }

    /// Folds a customer from its stream in the event store, upcasting old versions, as
    /// a command would. An event that cannot be read is a refusal on the timeline, not
    /// a silent gap.
    fn replay_customer(&mut self, id: &str) -> Customer {
        let stream = crate::domain::Category::Customer.stream(id);
        match now_or_never(crate::command::rehydrate::<Customer, _>(
            &self.store,
            &stream,
        )) {
            Ok(rehydrated) => rehydrated.state,
            Err(e) => {
                self.refuse("event-store", format!("replay {stream}"), e.to_string());
                Customer::default()
            }
        }
    }

    /// The owning service's customer `id`, or an unregistered one with that id.
    fn own_customer(&self, id: &str) -> Customer {
        self.owned
            .customers
            .get(id)
            .cloned()
            .unwrap_or_else(|| Customer {
                customer_id: id.to_owned(),
                ..Customer::default()
            })
    }

    /// The owning service's quote `id`, or a not-yet-requested one with that id.
    fn own_quote(&self, id: &str) -> Quote {
        self.owned.quotes.get(id).cloned().unwrap_or_else(|| Quote {
            quote_id: id.to_owned(),
            ..Quote::default()
        })
    }

    /// How `service` learns about a customer, by style.
    fn customer_for(&mut self, service: &'static str, id: &str) -> Customer {
        match self.style {
            Style::Notification => {
                self.cost(CostKind::Callback { service });
                self.owned.customers.get(id).cloned().unwrap_or_default()
            }
            Style::EventCarriedState => self
                .replicas
                .get(service)
                .and_then(|r| r.get(id))
                .cloned()
                .unwrap_or_default(),
            // The log is the source of truth: replay the customer's stream from the store.
            Style::EventSourcing => self.replay_customer(id),
            // The read model has what Comms and pricing need, from the log as it has read it.
            Style::Cqrs if self.projection.customers.contains_key(id) => self
                .customers_at_checkpoint()
                .get(id)
                .cloned()
                .unwrap_or_default(),
            Style::Cqrs => Customer::default(),
        }
    }

    /// Every customer as of the projector's checkpoint, from the timeline.
    fn customers_at_checkpoint(&mut self) -> &imbl::OrdMap<String, Customer> {
        let position = self.projection.checkpoint().position;
        if self.projected.as_ref().map(|(at, _)| *at) != Some(position) {
            let customers = self.timeline.state_at(position).aggregates.customers;
            self.projected = Some((position, customers));
        }
        &self.projected.as_ref().expect("read just above").1
    }

    fn input(&mut self, input: &Input) {
        let now = self.now();
        match input {
            Input::RegisterCustomer {
                customer_id,
                given_name,
                family_name,
                email,
                phone,
                postcode,
                birth_year,
            } => {
                let current = self.own_customer(customer_id);
                let cmd = CustomerCommand::RegisterCustomer {
                    customer_id: customer_id.clone(),
                    given_name: given_name.clone(),
                    family_name: family_name.clone(),
                    email: email.clone(),
                    phone: phone.clone(),
                    postcode: postcode.clone(),
                    birth_year: *birth_year,
                };
                self.decide(
                    "customer-management",
                    format!("RegisterCustomer {customer_id}"),
                    current.handle(&cmd),
                );
            }
            Input::ChangeAddress {
                customer_id,
                postcode,
            } => {
                let current = self.own_customer(customer_id);
                self.decide(
                    "customer-management",
                    format!("ChangeAddress {customer_id}"),
                    current.handle(&CustomerCommand::ChangeAddress {
                        postcode: postcode.clone(),
                    }),
                );
            }
            Input::ChangeContactPreferences {
                customer_id,
                email_opt_in,
                sms_opt_in,
            } => {
                let current = self.own_customer(customer_id);
                let cmd = CustomerCommand::ChangeContactPreferences {
                    email_opt_in: *email_opt_in,
                    sms_opt_in: *sms_opt_in,
                };
                self.decide(
                    "customer-management",
                    format!("ChangeContactPreferences {customer_id}"),
                    current.handle(&cmd),
                );
            }
            Input::RequestQuote {
                quote_id,
                customer_id,
                cover,
                sum_insured,
            } => {
                self.next_quote += 1;
                let quote_id = if quote_id.is_empty() {
                    format!("q{}", self.next_quote)
                } else {
                    quote_id.clone()
                };
                if self.owned.quotes.contains_key(&quote_id) {
                    self.refuse(
                        "quote-generator",
                        format!("RequestQuote {quote_id}"),
                        crate::domain::DomainError::QuoteExists(quote_id.clone()).to_string(),
                    );
                    return;
                }
                let known = self.customer_for("quote-generator", customer_id).registered;
                let cmd = QuoteCommand::RequestQuote {
                    quote_id: quote_id.clone(),
                    customer_id: customer_id.clone(),
                    customer_registered: known,
                    cover: *cover,
                    sum_insured: *sum_insured,
                };
                self.decide(
                    "quote-generator",
                    format!("RequestQuote {quote_id}"),
                    Quote::default().handle(&cmd),
                );
            }
            Input::AcceptQuote { quote_id } => {
                let q = self.own_quote(quote_id);
                self.decide(
                    "quote-generator",
                    format!("AcceptQuote {quote_id}"),
                    q.handle(&QuoteCommand::AcceptQuote { now_ms: now }),
                );
            }
        }
    }

    fn decide(
        &mut self,
        by: &'static str,
        command: String,
        outcome: Result<Vec<DomainEvent>, crate::domain::DomainError>,
    ) {
        match outcome {
            Ok(events) => self.record(events),
            Err(e) => self.refuse(by, command, e.to_string()),
        }
    }

    /// Receives and deletes everything waiting in a queue.
    fn drain(&mut self, queue: &str, consumer: &str) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let request = ReceiveRequest {
                queue: queue.into(),
                consumer: consumer.into(),
                max: 10,
                wait_s: Some(0),
                visibility_timeout_s: None,
                step: None,
            };
            if self.world.receive(&request).is_err() {
                return out;
            }
            let batch: Vec<_> = self
                .world
                .take_completed_receives()
                .into_iter()
                .flat_map(|r| r.messages)
                .collect();
            if batch.is_empty() {
                return out;
            }
            let at_ms = self.now();
            if let Some(calls) = &mut self.calls {
                let delete = crate::sim::script::HandleAction {
                    queue: queue.into(),
                    receipt_handle: None,
                    consumer: Some(consumer.into()),
                    timeout_s: None,
                };
                calls.extend([
                    crate::sim::script::Step {
                        at_ms,
                        receive: Some(request),
                        ..Default::default()
                    },
                    crate::sim::script::Step {
                        at_ms,
                        delete: Some(delete),
                        ..Default::default()
                    },
                ]);
            }
            for m in batch {
                let _ = self.world.delete(queue, &m.receipt_handle);
                if let Ok(v) = serde_json::from_str::<Value>(&m.body) {
                    out.push(v);
                }
            }
        }
    }

    fn poll(&mut self) {
        // Replicas first (event-carried state).
        if self.style == Style::EventCarriedState {
            for (queue, service) in [
                ("quote-generator-replica", "quote-generator"),
                ("comms-replica", "comms"),
            ] {
                for event in self.drain(queue, service) {
                    let Some(e) = event_of(&event) else { continue };
                    let waited = self
                        .now()
                        .saturating_sub(event["detail"]["occurred_at_ms"].as_u64().unwrap_or(0));
                    self.cost(CostKind::ReplicaUpdate { waited_ms: waited });
                    let replica = self.replicas.entry(service).or_default();
                    let id = e.customer_id().to_owned();
                    let c = replica.remove(&id).unwrap_or_default().apply(&e);
                    replica.insert(id, c);
                }
            }
        }
        // The CQRS projector catches up with the log when it polls.
        if self.style == Style::Cqrs {
            let from = self.projection.checkpoint().position as usize;
            if from < self.timeline.len() {
                for entry in &self.timeline.entries()[from..] {
                    self.projection.apply(entry);
                }
                self.cost(CostKind::CatchUp);
            }
        }
        for event in self.drain("quote-generator", "quote-generator") {
            let quote_id = event["detail"]["quote_id"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            match event["detail-type"].as_str() {
                Some("QuoteRequested") => {
                    let q = self.own_quote(&quote_id);
                    let customer = self.customer_for("quote-generator", &q.customer_id);
                    let now = self.now();
                    self.decide(
                        "quote-generator",
                        format!("IssueQuote {quote_id}"),
                        q.handle(&QuoteCommand::IssueQuote {
                            customer,
                            now_ms: now,
                            year: 2026,
                        }),
                    );
                }
                Some("QuoteAccepted") => {
                    let q = self.own_quote(&quote_id);
                    let policy_id = format!("{quote_id}-p");
                    self.decide(
                        "quote-generator",
                        format!("BindPolicy {policy_id}"),
                        Policy::default().handle(&PolicyCommand::BindPolicy {
                            policy_id: policy_id.clone(),
                            quote: q,
                        }),
                    );
                }
                _ => {}
            }
        }
        for event in self.drain("comms", "comms") {
            let detail = &event["detail"];
            let customer_id = detail["customer_id"].as_str().unwrap_or("").to_owned();
            let (template, about, channel) = match event["detail-type"].as_str() {
                Some("QuoteIssued") => (
                    "quote-issued",
                    detail["quote_id"].as_str().unwrap_or("").to_owned(),
                    ContactMethod::Email,
                ),
                Some("PolicyBound") => (
                    "policy-bound",
                    detail["policy_id"].as_str().unwrap_or("").to_owned(),
                    ContactMethod::Sms,
                ),
                Some("AddressChanged") => {
                    let postcode = self
                        .owned
                        .customers
                        .get(&customer_id)
                        .map(|c| c.postcode.clone())
                        .unwrap_or_default();
                    ("address-changed", postcode, ContactMethod::Email)
                }
                _ => continue,
            };
            let notification_id = format!("n{}", self.owned.notifications.len() + 1);
            let request = CommsCommand::RequestNotification {
                notification_id: notification_id.clone(),
                customer_id: customer_id.clone(),
                channel,
                template: template.into(),
                about,
            };
            let requested = Notification::default().handle(&request);
            let ok = requested.is_ok();
            self.decide(
                "comms",
                format!("RequestNotification {notification_id}"),
                requested,
            );
            if !ok {
                continue;
            }
            let customer = self.customer_for("comms", &customer_id);
            let n = self
                .owned
                .notifications
                .get(&notification_id)
                .cloned()
                .unwrap_or_default();
            let outcome = n.handle(&CommsCommand::SendNotification { customer });
            if let Ok(events) = &outcome {
                for e in events {
                    let at_ms = self.now();
                    let message = match e {
                        DomainEvent::EmailSent { to, subject, .. } => SentMessage {
                            at_ms,
                            channel: ContactMethod::Email,
                            to: to.clone(),
                            text: subject.clone(),
                        },
                        DomainEvent::SmsSent { to, text, .. } => SentMessage {
                            at_ms,
                            channel: ContactMethod::Sms,
                            to: to.clone(),
                            text: text.clone(),
                        },
                        _ => continue,
                    };
                    // The outside effect: real only in a live run.
                    if self.quarantine {
                        self.would_have_sent.push(message);
                    } else {
                        self.sent.push(message);
                    }
                }
            }
            self.decide(
                "comms",
                format!("SendNotification {notification_id}"),
                outcome,
            );
        }
    }

    fn queues_empty(&self) -> bool {
        let m = self.world.metrics();
        QUEUES.iter().all(|q| {
            m.get(&format!("queue:{q}"))
                .is_none_or(|c| c.depth + c.in_flight + c.delayed == 0)
        })
    }
}

/// Drives a future that completes without waiting (the in-memory store's always do).
/// The engine has no executor and needs none: nothing it awaits can be pending.
fn now_or_never<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => unreachable!("MemStore futures are always ready"),
    }
}

/// A published bus event back as a domain event (fat events only).
fn event_of(bus_event: &Value) -> Option<DomainEvent> {
    let mut data = bus_event["detail"].clone();
    if let Value::Object(m) = &mut data {
        m.remove("occurred_at_ms");
    }
    serde_json::from_value(json!({ "type": bus_event["detail-type"], "data": data })).ok()
}

/// The scenario's run as a simulation script: the built-in topology of its style, and
/// every call the services made that changed something (events put on the bus, receives
/// that got messages and their deletes) at the time they made it. Played again, by
/// `dojo sim run` or against AWS by `dojo aws run`, it delivers what the services
/// received; what the services decided is not decided again.
pub fn script(scenario: &Scenario) -> crate::sim::script::Script {
    let system = run_system(scenario, false, true);
    let end = system.now();
    crate::sim::script::Script {
        seed: scenario.seed,
        topology: topology(scenario.style),
        steps: system.calls.unwrap_or_default(),
        run_until_ms: Some(end),
    }
}

/// Runs the services until every input is in and every queue is empty; `record` keeps
/// their calls for [`script`].
fn run_system(scenario: &Scenario, quarantine: bool, record: bool) -> System {
    let mut system = System {
        style: scenario.style,
        quarantine,
        world: World::new(&topology(scenario.style), scenario.seed).expect("built-in topology"),
        timeline: Timeline::new(scenario.snapshot_interval.max(1)),
        owned: crate::timetravel::Aggregates::default(),
        replicas: BTreeMap::new(),
        projection: CustomerView::default(),
        projected: None,
        store: MemStore::default(),
        ledger: Ledger::default(),
        sent: Vec::new(),
        would_have_sent: Vec::new(),
        refusals: Vec::new(),
        next_quote: 0,
        calls: record.then(Vec::new),
    };
    let inputs = scenario.all_inputs();
    let tick = scenario.poll_interval_ms.max(1);
    let mut next = 0;
    let mut t = 0;
    loop {
        system.world.run_until(t);
        // Services poll what arrived since the last tick, then this tick's inputs come in:
        // anything an input causes is seen one poll interval later, as with real pollers.
        system.poll();
        while next < inputs.len() && inputs[next].at_ms <= t {
            system.input(&inputs[next].input);
            next += 1;
        }
        if next >= inputs.len() && system.queues_empty() && t > inputs.last().map_or(0, |i| i.at_ms)
        {
            break;
        }
        t += tick;
    }
    system
}

/// Runs a scenario. With `quarantine`, Comms' messages go to `would_have_sent`.
pub fn run(scenario: &Scenario, quarantine: bool) -> Outcome {
    let system = run_system(scenario, quarantine, false);
    let world = WorldSummary {
        trace_entries: system.world.trace().len(),
        trace_hash: system.world.trace_hash(),
        channels: serde_json::to_value(system.world.metrics()).unwrap_or(Value::Null),
    };
    let channels = crate::sim::contents::ChannelTimeline::new(
        system.world.trace(),
        scenario.snapshot_interval.max(1),
    );
    let mut outcome = Outcome {
        timeline: system.timeline,
        channels,
        world,
        ledger: system.ledger,
        style: scenario.style,
        metrics: StyleMetrics::default(),
        sent: system.sent,
        would_have_sent: system.would_have_sent,
        refusals: system.refusals,
    };
    // The run's totals are the ledger read at the end of the history: the same numbers
    // the workshop shows with its cursor at the end.
    outcome.metrics = outcome.at_cursor(outcome.timeline.len() as u64).metrics;
    outcome
}

/// Runs a what-if branch: the scenario's inputs with `edits` applied, in quarantine, so
/// nothing is sent again. The original scenario and its history are untouched.
pub fn branch(scenario: &Scenario, edits: &[Edit]) -> Result<Outcome, String> {
    let branched = scenario.with_edits(edits)?;
    Ok(run(&branched, true))
}

/// A scenario run as JSON records, the way `dojo sim run` prints it: the scenario, every
/// refusal and message, the style's metrics, the read models with their lag, the
/// decoupling experiment if any, and a summary.
pub fn report(scenario: &Scenario) -> Vec<Value> {
    let outcome = run(scenario, false);
    let mut out = vec![
        json!({"record": "scenario", "name": scenario.name, "style": scenario.style, "description": scenario.description, "inputs": scenario.all_inputs().len()}),
    ];
    out.extend(outcome.refusals.iter().map(|r| json!({"record": "refusal", "at_ms": r.at_ms, "by": r.by, "command": r.command, "reason": r.reason})));
    out.extend(outcome.sent.iter().map(|m| json!({"record": "sent", "at_ms": m.at_ms, "channel": m.channel, "to": m.to, "text": m.text})));
    out.push(
        json!({"record": "style_metrics", "style": scenario.style, "metrics": outcome.metrics}),
    );
    let head = outcome.timeline.head();
    let head_cp = crate::projection::Checkpoint {
        position: head.position,
        at_ms: head.at_ms,
    };
    let lags: Vec<Value> = head
        .read_models
        .checkpoints()
        .iter()
        .map(|(name, cp)| {
            let (events, ms) = cp.lag(head_cp);
            json!({"model": name, "checkpoint": cp.position, "lag_events": events, "lag_ms": ms})
        })
        .collect();
    out.push(json!({"record": "read_models", "at_position": head.position, "lag": lags, "models": head.read_models.to_json()}));
    if let Some(d) = &scenario.decoupling {
        out.push(json!({"record": "decoupling", "report": decoupling::simulate(d, scenario.seed)}));
    }
    out.push(json!({"record": "summary", "events": outcome.timeline.len(), "messages_sent": outcome.sent.len(), "refusals": outcome.refusals.len(),
        "channel_trace_entries": outcome.world.trace_entries, "trace_hash": outcome.world.trace_hash}));
    out
}
