//! The simulation kernel: a virtual clock, a timer queue, a seeded RNG, the channels, and
//! the ordered trace of everything that happens.
//!
//! Time is `SimTime`, milliseconds from the start of the run; nothing here reads the wall
//! clock. Timers fire in (deadline, sequence) order, so two runs with the same seed and
//! inputs produce the same trace, entry for entry, and the same [`World::trace_hash`].
//! The channels (SQS-like queues, SNS-like topics, EventBridge-like buses, an MQTT
//! broker) live in one [`World`] because routing crosses them: a rule targets a queue, a
//! topic fans out to queues. Each channel's semantics are in its own file; the world
//! methods there are the commands the UI and the script runner call.

mod bus;
pub mod contents;
mod mqtt;
mod queue;
pub mod script;
mod time;
mod topic;
mod trace;

pub use crate::transform::{render_template, TransformError};
pub use bus::{PutEventsEntry, PutEventsResult, ReplayRequest};
pub use queue::{
    PeekedMessage, QueuePeek, ReceiveRequest, ReceiveResult, ReceivedMessage, SendRequest,
    SetQueueAttributes,
};
pub use time::{iso_time, EPOCH_UNIX_MS};
pub use topic::{sns_retry_delay_ms, PublishRequest};
pub use trace::{narrate_publish, TraceEntry, TraceKind};

use crate::pattern::sns::MessageAttribute;
use crate::rng::SeededRng;
use crate::topology::Topology;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use thiserror::Error;

/// Milliseconds since the start of the simulation.
pub type SimTime = u64;

/// Most timers one `run_until_idle` will fire before it stops, so a scenario that keeps
/// scheduling work (an endless retry loop, say) cannot hang the caller.
pub const MAX_STEPS_PER_RUN: usize = 5_000_000;

/// What kind of refusal a [`SimError`] is: AWS's error codes, grouped as a caller acts
/// on them, and the simulation's own (the MQTT broker, a script).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimErrorKind {
    /// A parameter out of range or not valid here (`InvalidParameterValue`,
    /// `InvalidParameter`, `ValidationException`).
    InvalidParameter,
    /// A parameter the call needs is missing (`MissingParameter`).
    MissingParameter,
    /// No queue, topic, bus or rule by that name (`NonExistentQueue`,
    /// `ResourceNotFoundException`, `NotFound`).
    NotFound,
    /// No message in flight has that receipt handle (`ReceiptHandleIsInvalid`).
    ReceiptHandleIsInvalid,
    /// Too many messages in flight (`OverLimit`).
    OverLimit,
    /// The queue holds as many messages as it may (`QueueFull`, the simulation's bound).
    QueueFull,
    /// The MQTT broker refused: a CONNACK or SUBACK code, a QoS, a topic, a session.
    Mqtt,
    /// A script step that does not say what to do.
    Script,
}

/// Why a command was refused: its kind, and the message, which is the AWS error (code
/// and text) where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct SimError {
    pub kind: SimErrorKind,
    pub message: String,
}

impl SimError {
    pub fn new(kind: SimErrorKind, message: impl Into<String>) -> Self {
        SimError {
            kind,
            message: message.into(),
        }
    }
}

pub(crate) fn err<T>(kind: SimErrorKind, message: impl Into<String>) -> Result<T, SimError> {
    Err(SimError::new(kind, message))
}

/// Something scheduled for a later time.
#[derive(Debug, Clone)]
pub(crate) enum Timer {
    Visibility {
        queue: String,
        seq: u64,
        epoch: u32,
    },
    DelayEnd {
        queue: String,
    },
    Retention {
        queue: String,
        seq: u64,
    },
    PollDeadline {
        queue: String,
        poll: u64,
    },
    BusRetry {
        delivery: u64,
    },
    SnsRetry {
        delivery: u64,
    },
    MqttAck {
        client: String,
        packet: u16,
        epoch: u32,
    },
}

/// Counters and gauges for one channel.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ChannelMetrics {
    pub kind: &'static str,
    /// Messages that can be received now.
    pub depth: usize,
    pub in_flight: usize,
    pub delayed: usize,
    /// Depth of the dead-letter queue this channel redrives to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dlq_depth: Option<usize>,
    /// Age of the oldest message held, in ms.
    pub oldest_age_ms: u64,
    pub sent: u64,
    pub delivered: u64,
    pub deleted: u64,
    pub dropped: u64,
}

/// The whole simulated system.
pub struct World {
    now: SimTime,
    timer_seq: u64,
    timers: BinaryHeap<Reverse<(SimTime, u64)>>,
    pending: BTreeMap<u64, Timer>,
    rng: SeededRng,
    trace: Vec<TraceEntry>,
    pub(crate) queues: BTreeMap<String, queue::Queue>,
    pub(crate) topics: BTreeMap<String, topic::Topic>,
    pub(crate) buses: BTreeMap<String, bus::Bus>,
    pub(crate) handlers: BTreeMap<String, bus::Handler>,
    pub(crate) broker: mqtt::Broker,
    completed_receives: Vec<ReceiveResult>,
    pub(crate) deliveries: BTreeMap<u64, bus::Delivery>,
    /// Notifications to handler subscriptions waiting for their next attempt.
    pub(crate) sns_retries: BTreeMap<u64, topic::SnsRetry>,
    pub(crate) next_sns_retry: u64,
    next_id: u64,
}

impl World {
    /// A world with the topology's channels, at time 0.
    pub fn new(topology: &Topology, seed: u64) -> Result<World, crate::topology::TopologyError> {
        topology.validate()?;
        let mut world = World {
            now: 0,
            timer_seq: 0,
            timers: BinaryHeap::new(),
            pending: BTreeMap::new(),
            rng: SeededRng::new(seed),
            trace: Vec::new(),
            queues: BTreeMap::new(),
            topics: BTreeMap::new(),
            buses: BTreeMap::new(),
            handlers: BTreeMap::new(),
            broker: mqtt::Broker::default(),
            completed_receives: Vec::new(),
            deliveries: BTreeMap::new(),
            sns_retries: BTreeMap::new(),
            next_sns_retry: 0,
            next_id: 0,
        };
        world.install(topology);
        Ok(world)
    }

    fn install(&mut self, t: &Topology) {
        for q in &t.queues {
            self.queues
                .insert(q.name.clone(), queue::Queue::new(q.clone()));
        }
        for topic in &t.topics {
            self.topics
                .insert(topic.name.clone(), topic::Topic::new(topic.clone()));
        }
        for s in &t.subscriptions {
            if let Some(topic) = self.topics.get_mut(&s.topic) {
                topic.subscriptions.push(topic::Subscription::new(s));
            }
        }
        self.buses
            .insert("default".into(), bus::Bus::new("default"));
        for b in &t.buses {
            self.buses.insert(b.name.clone(), bus::Bus::new(&b.name));
        }
        for r in &t.rules {
            if let Some(b) = self.buses.get_mut(&r.bus) {
                b.rules.insert(r.name.clone(), bus::Rule::new(r));
            }
        }
        for a in &t.archives {
            if let Some(b) = self.buses.get_mut(&a.bus) {
                b.archives.insert(a.name.clone(), bus::Archive::new(a));
            }
        }
        for h in &t.handlers {
            self.handlers.insert(h.name.clone(), bus::Handler::new(h));
        }
        self.broker.configure(&t.mqtt);
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Everything that has happened, in order.
    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    /// SHA-256 over the trace's JSON lines: equal for equal runs.
    pub fn trace_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for entry in &self.trace {
            hasher.update(
                serde_json::to_string(entry)
                    .expect("trace entries are plain data")
                    .as_bytes(),
            );
            hasher.update(b"\n");
        }
        hex(&hasher.finalize())
    }

    /// Receives that finished (at once or after a long poll) since the last call.
    pub fn take_completed_receives(&mut self) -> Vec<ReceiveResult> {
        std::mem::take(&mut self.completed_receives)
    }

    pub(crate) fn complete_receive(&mut self, result: ReceiveResult) {
        self.completed_receives.push(result);
    }

    pub(crate) fn record(&mut self, channel: &str, message_id: &str, kind: TraceKind) {
        let position = self.trace.len() as u64 + 1;
        self.trace.push(TraceEntry {
            position,
            at_ms: self.now,
            channel: channel.to_owned(),
            message_id: message_id.to_owned(),
            kind,
        });
    }

    pub(crate) fn schedule(&mut self, at: SimTime, timer: Timer) {
        self.timer_seq += 1;
        self.timers
            .push(Reverse((at.max(self.now), self.timer_seq)));
        self.pending.insert(self.timer_seq, timer);
    }

    pub(crate) fn rng(&mut self) -> &mut SeededRng {
        &mut self.rng
    }

    /// A fresh id with a prefix, unique within the run.
    pub(crate) fn fresh_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{}", self.next_id)
    }

    /// A UUID-shaped id from the seeded RNG (EventBridge event ids look like this).
    pub(crate) fn fresh_uuid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        let hex = format!("{a:016x}{b:016x}");
        format!(
            "{}-{}-4{}-a{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..32]
        )
    }

    /// When the next timer fires, if any.
    pub fn next_timer_at(&self) -> Option<SimTime> {
        self.timers.peek().map(|Reverse((at, _))| *at)
    }

    /// Fires the next timer, moving the clock to it. Returns false when none is left.
    pub fn step(&mut self) -> bool {
        let Some(Reverse((at, seq))) = self.timers.pop() else {
            return false;
        };
        self.now = self.now.max(at);
        if let Some(timer) = self.pending.remove(&seq) {
            self.fire(timer);
        }
        true
    }

    /// Fires every timer due at or before `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: SimTime) {
        let mut steps = 0;
        while self.next_timer_at().is_some_and(|at| at <= t) && steps < MAX_STEPS_PER_RUN {
            self.step();
            steps += 1;
        }
        self.now = self.now.max(t);
    }

    /// Fires timers until none is left (or [`MAX_STEPS_PER_RUN`] have fired).
    pub fn run_until_idle(&mut self) {
        let mut steps = 0;
        while steps < MAX_STEPS_PER_RUN && self.step() {
            steps += 1;
        }
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::Visibility { queue, seq, epoch } => self.visibility_expired(&queue, seq, epoch),
            Timer::DelayEnd { queue } => self.wake_polls(&queue),
            Timer::Retention { queue, seq } => self.retention_expired(&queue, seq),
            Timer::PollDeadline { queue, poll } => self.poll_deadline(&queue, poll),
            Timer::BusRetry { delivery } => self.retry_delivery(delivery),
            Timer::SnsRetry { delivery } => self.sns_retry(delivery),
            Timer::MqttAck {
                client,
                packet,
                epoch,
            } => self.mqtt_ack(&client, packet, epoch),
        }
    }

    /// Metrics for every channel, by name (`queue:orders`, `topic:quotes`, ...).
    pub fn metrics(&self) -> BTreeMap<String, ChannelMetrics> {
        let mut out = BTreeMap::new();
        for (name, q) in &self.queues {
            let mut m = q.metrics(self.now);
            m.dlq_depth = q
                .config
                .redrive
                .as_ref()
                .and_then(|r| self.queues.get(&r.dlq))
                .map(|d| d.len());
            out.insert(format!("queue:{name}"), m);
        }
        for (name, t) in &self.topics {
            out.insert(format!("topic:{name}"), t.metrics.clone());
        }
        for (name, b) in &self.buses {
            out.insert(format!("bus:{name}"), b.metrics.clone());
        }
        out.insert("mqtt:broker".into(), self.broker.metrics());
        out
    }
}

/// Attributes as SNS and SQS carry them.
pub type Attributes = BTreeMap<String, MessageAttribute>;

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(text.as_bytes()))
}
