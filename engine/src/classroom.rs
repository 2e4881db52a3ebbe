//! Classroom mode: a room of browsers sharing their events through a real MQTT 3.1.1
//! broker over WebSocket. This module is the part without I/O: the room's settings and
//! topic scheme, the checks on untrusted messages from the room, the outbox of events
//! waiting for the broker's acknowledgement, the client session (which packets to send
//! in reply to which), the reconnect backoff, and the feed a learner or instructor sees.
//! The browser glue (the WebSocket and the timers) lives in the app.
//!
//! Topics: `dojo/<room>/<team>/<learner>/<channel>/<event type>`, where the channel is
//! the event's stream category (`customer-42` is on `customer`). A learner shares the
//! channels they choose and listens with a topic filter: their team, the whole room, or
//! a filter of their own inside the room.

pub mod coordination;
pub mod team;

use crate::envelope::EventEnvelope;
use crate::mqtt_wire::{Packet, QoS};
use crate::pattern::mqtt::validate_filter;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet, VecDeque};
use thiserror::Error;

/// The most bytes a room message's payload may have; larger ones are refused unread.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// The largest packet the client reads from the broker: as large as a broker commonly
/// lets through, so an oversized room message is refused on its own (and acknowledged)
/// instead of breaking the connection it came on.
pub const MAX_PACKET_BYTES: usize = 260 * 1024;
/// The most events that may wait in the outbox for the broker.
pub const OUTBOX_LIMIT: usize = 1000;
/// The keep-alive the client asks for (3.1.2.10); it pings at two thirds of it.
pub const KEEP_ALIVE_S: u16 = 30;
/// Messages the feed keeps on screen (the counts cover all of them).
pub const FEED_LIMIT: usize = 500;
/// The first level of every classroom topic.
pub const PREFIX: &str = "dojo";
/// The channels a learner can share: the insurance system's stream categories, and
/// `other` for any stream outside them.
pub const CHANNELS: [(&str, &str); 5] = [
    ("customer", "Customer Management (customer-…)"),
    ("quote", "Quote Generator: quotes (quote-…)"),
    ("policy", "Quote Generator: policies (policy-…)"),
    ("notification", "Comms (notification-…)"),
    ("other", "Any other stream"),
];

/// Who is at this browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Learner,
    /// Listens to the whole room and sees its traffic by team and learner.
    Instructor,
}

/// What a learner listens to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "filter")]
pub enum Listen {
    /// Everything their team shares.
    #[default]
    Team,
    /// Everything the room shares.
    Room,
    /// A topic filter of their own, inside the room.
    Custom(String),
}

/// A browser's place in a room, as the learner typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoomSettings {
    /// The broker's MQTT-over-WebSocket address, `ws://` or `wss://`.
    pub broker: String,
    pub room: String,
    pub team: String,
    pub learner: String,
    pub role: Role,
    /// The channels (see [`CHANNELS`]) whose events are shared with the room.
    pub share: Vec<String>,
    pub listen: Listen,
    /// Whether events from the room are added to this browser's event store (in a stream
    /// of their own per sender, see [`RoomMessage::local_stream`]), so its log and read
    /// models follow the room.
    pub store_received: bool,
    /// For brokers that ask for them; sent in CONNECT.
    pub username: String,
    pub password: String,
    /// Whether the learner shares their progress (exercises solved, checks, hints, time,
    /// exported reports) with the room's instructor. Off until they turn it on.
    pub share_progress: bool,
}

impl Default for RoomSettings {
    fn default() -> Self {
        RoomSettings {
            broker: "ws://127.0.0.1:8883/".into(),
            room: String::new(),
            team: String::new(),
            learner: String::new(),
            role: Role::Learner,
            share: CHANNELS.iter().map(|(c, _)| (*c).to_owned()).collect(),
            listen: Listen::Team,
            store_received: false,
            username: String::new(),
            password: String::new(),
            share_progress: false,
        }
    }
}

/// A setting that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct SettingError {
    pub field: &'static str,
    pub message: String,
}

fn setting(field: &'static str, message: impl Into<String>) -> SettingError {
    SettingError {
        field,
        message: message.into(),
    }
}

/// A room, team or learner name: 1 to 32 letters, digits, `-` or `_`, so it is one
/// topic level and carries no wildcard.
fn check_name(field: &'static str, name: &str) -> Result<(), SettingError> {
    if name.is_empty() {
        return Err(setting(field, "is required"));
    }
    if name.chars().count() > 32 {
        return Err(setting(field, "may have at most 32 characters"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(setting(
            field,
            format!("may only use letters, digits, '-' and '_', not {c:?}"),
        ));
    }
    Ok(())
}

impl RoomSettings {
    /// Every problem with the settings, each naming its field. Empty when they can be used.
    pub fn problems(&self) -> Vec<SettingError> {
        let mut problems = Vec::new();
        let broker = self.broker.trim();
        if !(broker.starts_with("ws://") || broker.starts_with("wss://"))
            || broker.len() <= "wss://".len()
        {
            problems.push(setting(
                "broker",
                "must be a WebSocket address starting with ws:// or wss://, e.g. ws://127.0.0.1:8883/",
            ));
        }
        for (field, name) in [("room", &self.room), ("learner", &self.learner)] {
            problems.extend(check_name(field, name).err());
        }
        if self.role == Role::Learner {
            problems.extend(check_name("team", &self.team).err());
        }
        if let Some(unknown) = self
            .share
            .iter()
            .find(|c| !CHANNELS.iter().any(|(known, _)| known == c))
        {
            problems.push(setting(
                "share",
                format!("{unknown:?} is not a channel; the channels are customer, quote, policy, notification and other"),
            ));
        }
        if let (Role::Learner, Listen::Custom(filter)) = (self.role, &self.listen) {
            if let Err(message) = self.check_filter(filter) {
                problems.push(setting("filter", message));
            }
        }
        problems
    }

    /// A custom filter must be a valid MQTT filter inside this room.
    fn check_filter(&self, filter: &str) -> Result<(), String> {
        validate_filter(filter).map_err(|e| e.to_string())?;
        let room = self.room_prefix();
        if !(filter.starts_with(&format!("{room}/")) || filter == room) {
            return Err(format!(
                "must stay inside the room: start it with \"{room}/\", e.g. \"{room}/+/+/quote/#\""
            ));
        }
        Ok(())
    }

    fn room_prefix(&self) -> String {
        format!("{PREFIX}/{}", self.room)
    }

    /// The topic filters this browser subscribes to: what it listens to, and for a
    /// learner the instructor's commands and (listening to a filter of their own) their
    /// team's design edits too.
    pub fn filters(&self) -> Vec<String> {
        use coordination::{COMMAND, DESIGN, INSTRUCTOR_TEAM};
        let room = self.room_prefix();
        let commands = format!("{room}/{INSTRUCTOR_TEAM}/+/{COMMAND}/+");
        match (self.role, &self.listen) {
            (Role::Instructor, _) | (Role::Learner, Listen::Room) => vec![format!("{room}/#")],
            (Role::Learner, Listen::Team) => vec![format!("{room}/{}/#", self.team), commands],
            (Role::Learner, Listen::Custom(filter)) => vec![
                filter.trim().to_owned(),
                format!("{room}/{}/+/{DESIGN}/+", self.team),
                commands,
            ],
        }
    }

    /// The topic this learner's edits to a team design of `exercise` go out on (retained).
    pub fn design_topic(&self, exercise: &str) -> Option<String> {
        (self.role == Role::Learner).then(|| {
            format!(
                "{}/{}/{}/{}/{exercise}",
                self.room_prefix(),
                self.team,
                self.learner,
                coordination::DESIGN
            )
        })
    }

    /// The topic this learner's progress on `exercise` goes out on (retained), when they
    /// share it.
    pub fn progress_topic(&self, exercise: &str) -> Option<String> {
        (self.role == Role::Learner && self.share_progress).then(|| {
            format!(
                "{}/{}/{}/{}/{exercise}",
                self.room_prefix(),
                self.team,
                self.learner,
                coordination::PROGRESS
            )
        })
    }

    /// The topic the instructor sends the room to an exercise on.
    pub fn command_topic(&self) -> Option<String> {
        (self.role == Role::Instructor).then(|| {
            format!(
                "{}/{}/{}/{}/goto",
                self.room_prefix(),
                coordination::INSTRUCTOR_TEAM,
                self.learner,
                coordination::COMMAND
            )
        })
    }

    /// The topic an event of this learner goes out on, or `None` when its channel is not
    /// shared (or the browser is an instructor's, which only listens).
    pub fn topic_for(&self, event: &EventEnvelope) -> Option<String> {
        if self.role == Role::Instructor {
            return None;
        }
        let channel = channel_of(&event.stream_id);
        if !self.share.iter().any(|c| c == channel) {
            return None;
        }
        Some(format!(
            "{}/{}/{}/{channel}/{}",
            self.room_prefix(),
            self.team,
            self.learner,
            topic_level(&event.event_type)
        ))
    }

    /// The MQTT client identifier for this browser tab (`tab` is random per tab): "dojo",
    /// up to 11 letters and digits of the learner's name, and 8 of the tab's, so it is
    /// at most 23 characters of `0-9a-zA-Z`, which every broker must accept (MQTT-3.1.3-5).
    pub fn client_id(&self, tab: &str) -> String {
        let alnum = |text: &str, n: usize| -> String {
            text.chars()
                .filter(char::is_ascii_alphanumeric)
                .take(n)
                .collect()
        };
        format!("dojo{}{}", alnum(&self.learner, 11), alnum(tab, 8))
    }
}

/// The channel of a stream: its category (the part before the first `-`) when that is
/// one of the insurance system's, else `other`.
pub fn channel_of(stream_id: &str) -> &'static str {
    crate::domain::Category::of(stream_id).map_or("other", crate::domain::Category::name)
}

/// Text made safe as one topic level: no separators, wildcards or NUL; never empty.
fn topic_level(text: &str) -> String {
    let level: String = text
        .chars()
        .map(|c| match c {
            '/' | '+' | '#' | '\0' => '_',
            c => c,
        })
        .take(100)
        .collect();
    if level.is_empty() {
        "_".into()
    } else {
        level
    }
}

/// A message from the room that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomMessage {
    pub topic: String,
    pub team: String,
    pub learner: String,
    pub channel: String,
    pub event: EventEnvelope,
    /// The payload's size in bytes.
    pub bytes: usize,
}

impl RoomMessage {
    /// The stream a received event is kept in here: the sender's stream, under the
    /// sender's name (`alice@red:customer-42`), so it never mixes with this learner's own
    /// aggregates.
    pub fn local_stream(&self) -> String {
        format!("{}@{}:{}", self.learner, self.team, self.event.stream_id)
    }

    /// Whether this browser's own settings sent it (the broker echoes a learner's events
    /// back when their filter matches them).
    pub fn is_from(&self, settings: &RoomSettings) -> bool {
        self.team == settings.team && self.learner == settings.learner
    }
}

/// Why a message from the room was refused. The room is untrusted: anyone connected to
/// the broker can publish anything.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("{bytes} bytes, more than the {MAX_MESSAGE_BYTES} a room message may have")]
    TooLarge { bytes: usize },
    #[error("the topic is not dojo/<room>/<team>/<learner>/<channel>/<type> of this room")]
    Topic,
    #[error("not a CloudEvent: {field}: {message}")]
    NotAnEvent { field: String, message: String },
}

/// The size and topic checks every room message passes: at most [`MAX_MESSAGE_BYTES`],
/// and a topic `dojo/<room>/<team>/<learner>/<channel>/<last>` of this room with valid
/// names. Returns the team, learner, channel and last levels.
pub(crate) fn room_levels<'a>(
    room: &str,
    topic: &'a str,
    payload: &[u8],
) -> Result<[&'a str; 4], Refusal> {
    if payload.len() > MAX_MESSAGE_BYTES {
        return Err(Refusal::TooLarge {
            bytes: payload.len(),
        });
    }
    let levels: Vec<&str> = topic.split('/').collect();
    let [prefix, in_room, team, learner, channel, last] = levels[..] else {
        return Err(Refusal::Topic);
    };
    let names_ok = [team, learner]
        .iter()
        .all(|n| check_name("name", n).is_ok());
    if prefix != PREFIX || in_room != room || !names_ok {
        return Err(Refusal::Topic);
    }
    Ok([team, learner, channel, last])
}

/// Checks a message that arrived on `topic` for `room`: its size, its topic's shape and
/// names, and that the payload is a CloudEvent as Event Dojo exports them.
pub fn read_message(room: &str, topic: &str, payload: &[u8]) -> Result<RoomMessage, Refusal> {
    let [team, learner, channel, _event_type] = room_levels(room, topic, payload)?;
    if !CHANNELS.iter().any(|(c, _)| *c == channel) {
        return Err(Refusal::Topic);
    }
    let text = std::str::from_utf8(payload).map_err(|_| Refusal::NotAnEvent {
        field: "(payload)".into(),
        message: "is not UTF-8 text".into(),
    })?;
    let event = crate::transfer::read_envelope(text)
        .map_err(|(field, message)| Refusal::NotAnEvent { field, message })?;
    Ok(RoomMessage {
        topic: topic.to_owned(),
        team: team.to_owned(),
        learner: learner.to_owned(),
        channel: channel.to_owned(),
        event,
        bytes: payload.len(),
    })
}

/// An event waiting for the broker to acknowledge it (PUBACK).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// The event's id: the outbox holds each event once, and receivers drop repeats.
    pub id: String,
    pub topic: String,
    /// The event as a CloudEvents JSON line (or a coordination message's JSON).
    pub payload: String,
    /// Kept by the broker for whoever subscribes later (a team's edits, progress).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retain: bool,
}

/// What is waiting for the broker, oldest first. It is saved in the browser, so events
/// shared while the broker is away (or the page is closed) go out when it is back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbox {
    pub items: Vec<Outgoing>,
}

/// The outbox cannot take more.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the classroom outbox already holds {OUTBOX_LIMIT} events waiting for the broker; they stay in your event store, but no more are shared until the broker is back")]
pub struct OutboxFull;

impl Outbox {
    /// Adds an event unless it is already waiting.
    pub fn push(&mut self, item: Outgoing) -> Result<(), OutboxFull> {
        if self.items.iter().any(|i| i.id == item.id) {
            return Ok(());
        }
        if self.items.len() >= OUTBOX_LIMIT {
            return Err(OutboxFull);
        }
        self.items.push(item);
        Ok(())
    }

    /// Takes acknowledged events out; how many were there.
    pub fn remove(&mut self, ids: &[String]) -> usize {
        let before = self.items.len();
        self.items.retain(|i| !ids.contains(&i.id));
        before - self.items.len()
    }
}

/// Where a connection is in joining the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No socket.
    Closed,
    /// The socket is open, CONNECT sent, waiting for CONNACK.
    Connecting,
    /// CONNACK accepted, SUBSCRIBE sent, waiting for SUBACK.
    Subscribing,
    /// Subscribed: the outbox flushes and new events go out at once.
    Ready,
}

/// What the session asks the browser to do after a packet.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    Send(Packet),
    /// Subscribed: send everything in the outbox (through [`Session::publish`]).
    Flush,
    /// The broker acknowledged this event: take it out of the outbox.
    Acked(String),
    /// A message that passed the checks. When it came at QoS 1 it carries its packet
    /// id: call [`Session::handled`] with it once the message is dealt with (shown, or
    /// stored), and the PUBACK goes out.
    Deliver(Box<RoomMessage>, Option<u16>),
    /// A coordination message that passed the checks (design edits, progress, a
    /// command); handled like [`Output::Deliver`].
    Coordinate(Box<coordination::CoordinationMessage>, Option<u16>),
    Refused {
        topic: String,
        refusal: Refusal,
    },
    /// The broker refused a subscription.
    FilterRefused(String),
}

/// The connection is unusable; close it (and reconnect later).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionError {
    #[error("the broker refused the connection: {0}")]
    Refused(&'static str),
    #[error("the broker sent {0} while the client was {1}")]
    Unexpected(&'static str, &'static str),
}

/// The words for a CONNACK return code (3.2.2.3).
fn connack_reason(code: u8) -> &'static str {
    match code {
        1 => "it does not speak MQTT 3.1.1",
        2 => "it does not accept this client identifier",
        3 => "the MQTT service is unavailable",
        4 => "the user name or password is wrong",
        5 => "this client is not authorised to connect",
        _ => "an unknown return code",
    }
}

/// The client's side of an MQTT session (clean session off), kept across connections:
/// each new socket starts with [`Session::opened`]. QoS 1 publishes the broker has not
/// acknowledged stay in flight over a lost connection and are sent again, with their
/// packet identifiers and DUP set, as soon as the next connection is accepted (MQTT
/// 3.1.1 §4.4). The outbox lives outside it, in the browser.
#[derive(Debug)]
pub struct Session {
    settings: RoomSettings,
    client_id: String,
    phase: Phase,
    next_id: u16,
    subscribe_id: u16,
    /// Publishes not yet acknowledged, in the order they were first sent: each packet
    /// identifier and the event it carries.
    inflight: Vec<(u16, Outgoing)>,
    /// Received QoS 1 publishes in arrival order, and whether each is handled: PUBACKs
    /// go out in that order (MQTT-4.6.0-2), each once it and all before it are handled.
    to_acknowledge: VecDeque<(u16, bool)>,
    /// Connect with clean session on (see [`Session::start_clean`]).
    clean_start: bool,
}

impl Session {
    pub fn new(settings: RoomSettings, client_id: String) -> Self {
        Session {
            settings,
            client_id,
            phase: Phase::Closed,
            next_id: 0,
            subscribe_id: 0,
            inflight: Vec::new(),
            to_acknowledge: VecDeque::new(),
            clean_start: false,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn settings(&self) -> &RoomSettings {
        &self.settings
    }

    fn take_id(&mut self) -> u16 {
        loop {
            self.next_id = self.next_id.wrapping_add(1);
            if self.next_id != 0 && self.inflight.iter().all(|(id, _)| *id != self.next_id) {
                return self.next_id;
            }
        }
    }

    /// Whether this session belongs to `client_id` with these settings (a reconnect of
    /// the same learner to the same room carries on with it).
    pub fn is_for(&self, settings: &RoomSettings, client_id: &str) -> bool {
        self.settings == *settings && self.client_id == client_id
    }

    /// How many publishes wait for the broker's acknowledgement.
    pub fn in_flight(&self) -> usize {
        self.inflight.len()
    }

    /// The socket opened: say CONNECT. The session is kept on the broker
    /// (clean session off), so a subscription outlives a dropped connection. Publishes
    /// the broker received on the last connection but did not acknowledge are the
    /// broker's to deliver or drop; they are sent again once it accepts this one.
    pub fn opened(&mut self) -> Packet {
        self.phase = Phase::Connecting;
        // The broker sends its own unacknowledged publishes again, with DUP set.
        self.to_acknowledge.clear();
        self.connect_packet(self.clean_start)
    }

    /// The socket closed; what was in flight stays in flight, and goes again (the same
    /// packet identifiers, DUP set) on the next connection.
    pub fn closed(&mut self) {
        self.phase = Phase::Closed;
        self.to_acknowledge.clear();
    }

    /// The next connection asks the broker to discard what it keeps for this client id
    /// (clean session on, until a connection is accepted): the session was made for
    /// other settings, and its old subscriptions would go on filling it.
    pub fn start_clean(&mut self) {
        self.clean_start = true;
    }

    /// A CONNECT that asks the broker to discard this client's session (clean session
    /// on), for a short connection that says only that: a client id no longer used.
    pub fn discard(self) -> Packet {
        self.connect_packet(true)
    }

    fn connect_packet(&self, clean_session: bool) -> Packet {
        let s = &self.settings;
        Packet::Connect {
            client_id: self.client_id.clone(),
            clean_session,
            keep_alive_s: KEEP_ALIVE_S,
            username: (!s.username.is_empty()).then(|| s.username.clone()),
            password: (!s.password.is_empty()).then(|| s.password.clone().into_bytes()),
        }
    }

    /// A delivered QoS 1 message was dealt with: the PUBACKs now due, in arrival order.
    /// Empty for an id this connection is not waiting on (say, from before a reconnect).
    pub fn handled(&mut self, packet_id: u16) -> Vec<Packet> {
        if let Some(entry) = self
            .to_acknowledge
            .iter_mut()
            .find(|(id, done)| *id == packet_id && !done)
        {
            entry.1 = true;
        }
        let mut due = Vec::new();
        while let Some((packet_id, true)) = self.to_acknowledge.front().copied() {
            self.to_acknowledge.pop_front();
            due.push(Packet::PubAck { packet_id });
        }
        due
    }

    /// An event to send now, when subscribed: a QoS 1 PUBLISH. `None` while not ready
    /// (it waits in the outbox) or when it is already in flight.
    pub fn publish(&mut self, item: &Outgoing) -> Option<Packet> {
        if self.phase != Phase::Ready || self.inflight.iter().any(|(_, i)| i.id == item.id) {
            return None;
        }
        let packet_id = self.take_id();
        self.inflight.push((packet_id, item.clone()));
        Some(publish_packet(packet_id, item, false))
    }

    /// What to do about a packet from the broker.
    pub fn receive(&mut self, packet: Packet) -> Result<Vec<Output>, SessionError> {
        let phase = match self.phase {
            Phase::Closed => "closed",
            Phase::Connecting => "waiting for CONNACK",
            Phase::Subscribing => "waiting for SUBACK",
            Phase::Ready => "subscribed",
        };
        match packet {
            Packet::ConnAck { return_code, .. } if self.phase == Phase::Connecting => {
                if return_code != 0 {
                    return Err(SessionError::Refused(connack_reason(return_code)));
                }
                // The broker has started afresh; from now on it keeps the session.
                self.clean_start = false;
                self.phase = Phase::Subscribing;
                self.subscribe_id = self.take_id();
                let filters = self
                    .settings
                    .filters()
                    .into_iter()
                    .map(|f| (f, QoS::AtLeastOnce))
                    .collect();
                let subscribe = Output::Send(Packet::Subscribe {
                    packet_id: self.subscribe_id,
                    filters,
                });
                // MQTT-4.4.0-1: unacknowledged publishes again, in their original order,
                // with their original packet identifiers; DUP says it may be a repeat.
                let resent = self
                    .inflight
                    .iter()
                    .map(|(id, item)| Output::Send(publish_packet(*id, item, true)));
                Ok(std::iter::once(subscribe).chain(resent).collect())
            }
            Packet::SubAck { packet_id, granted }
                if self.phase == Phase::Subscribing && packet_id == self.subscribe_id =>
            {
                self.phase = Phase::Ready;
                let mut out: Vec<Output> = self
                    .settings
                    .filters()
                    .into_iter()
                    .zip(granted)
                    .filter(|(_, g)| g.is_none())
                    .map(|(f, _)| Output::FilterRefused(f))
                    .collect();
                out.push(Output::Flush);
                Ok(out)
            }
            Packet::PubAck { packet_id } if self.phase != Phase::Closed => {
                let acked = self.inflight.iter().position(|(id, _)| *id == packet_id);
                Ok(acked
                    .map(|i| Output::Acked(self.inflight.remove(i).1.id))
                    .into_iter()
                    .collect())
            }
            Packet::Publish {
                topic,
                packet_id,
                payload,
                ..
            } if matches!(self.phase, Phase::Subscribing | Phase::Ready) => {
                if let Some(packet_id) = packet_id {
                    self.to_acknowledge.push_back((packet_id, false));
                }
                let coordinates = topic
                    .split('/')
                    .nth(4)
                    .is_some_and(coordination::is_coordination);
                let read = if coordinates {
                    coordination::read(&self.settings.room, &topic, &payload)
                        .map(|m| Output::Coordinate(Box::new(m), packet_id))
                } else {
                    read_message(&self.settings.room, &topic, &payload)
                        .map(|m| Output::Deliver(Box::new(m), packet_id))
                };
                Ok(match read {
                    Ok(output) => vec![output],
                    // A refused message is dealt with at once (else the broker would
                    // send it again and again).
                    Err(refusal) => {
                        let mut out: Vec<Output> = packet_id
                            .map(|id| self.handled(id))
                            .unwrap_or_default()
                            .into_iter()
                            .map(Output::Send)
                            .collect();
                        out.push(Output::Refused { topic, refusal });
                        out
                    }
                })
            }
            Packet::PingResp | Packet::UnsubAck { .. } => Ok(Vec::new()),
            other => Err(SessionError::Unexpected(other.name(), phase)),
        }
    }
}

/// A QoS 1 PUBLISH of `item` under `packet_id`; `dup` when it is sent again.
fn publish_packet(packet_id: u16, item: &Outgoing, dup: bool) -> Packet {
    Packet::Publish {
        dup,
        qos: QoS::AtLeastOnce,
        retain: item.retain,
        topic: item.topic.clone(),
        packet_id: Some(packet_id),
        payload: item.payload.as_bytes().to_vec(),
    }
}

/// How long to wait before reconnect attempt `failures + 1`: exponential from half a
/// second, at most 15 seconds, with "equal jitter" (`jitter` in 0..1) so a room whose
/// broker restarts does not reconnect all at once.
pub fn backoff_ms(failures: u32, jitter: f64) -> u64 {
    let ceiling = (500u64 << failures.min(5)).min(15_000);
    ceiling / 2 + (jitter.clamp(0.0, 1.0) * (ceiling / 2) as f64) as u64
}

/// The room's traffic as a browser saw it: each event once (QoS 1 may deliver twice),
/// the newest [`FEED_LIMIT`] on screen, counts per team and learner, and what was refused.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    /// Newest first.
    pub messages: VecDeque<RoomMessage>,
    seen: HashSet<(String, String)>,
    /// Per (team, learner): events received, and the type of the latest.
    pub counts: BTreeMap<(String, String), (usize, String)>,
    pub received: usize,
    pub duplicates: usize,
    /// The latest refusals, newest first, as (topic, reason).
    pub refused: VecDeque<(String, String)>,
    pub refused_count: usize,
}

impl Feed {
    /// Adds a message; false when the same event (source and id) was already here.
    pub fn add(&mut self, message: RoomMessage) -> bool {
        let key = (message.event.source.clone(), message.event.id.clone());
        if !self.seen.insert(key) {
            self.duplicates += 1;
            return false;
        }
        self.received += 1;
        let entry = self
            .counts
            .entry((message.team.clone(), message.learner.clone()))
            .or_default();
        entry.0 += 1;
        entry.1.clone_from(&message.event.event_type);
        self.messages.push_front(message);
        self.messages.truncate(FEED_LIMIT);
        true
    }

    /// Notes a refused message. The topic is cut to 200 characters for display.
    pub fn refuse(&mut self, topic: &str, refusal: &Refusal) {
        self.refused_count += 1;
        let shown: String = topic.chars().take(200).collect();
        self.refused.push_front((shown, refusal.to_string()));
        self.refused.truncate(20);
    }
}

#[cfg(test)]
mod tests;
