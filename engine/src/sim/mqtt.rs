//! An MQTT 3.1.1 broker (spec §4): sessions, subscriptions with `+`/`#` filters and the
//! `$`-topic rule, QoS 0 and 1 with PUBACK and redelivery (DUP) on reconnect, delivered
//! QoS = min(publish, granted), one copy at the highest QoS for overlapping subscriptions,
//! and retained messages (replaced per topic, deleted by an empty payload, sent to new
//! subscribers with RETAIN set).
//!
//! Bounds: an offline persistent session keeps at most `session_queue_limit` QoS 1
//! messages (the oldest is dropped and traced beyond that); the broker keeps at most
//! `retained_limit` retained topics (a new one beyond that is refused and traced).
//! QoS 0 messages are never queued for offline clients.
//!
//! The rules and the OASIS sections they follow: `docs/semantics.md` §6.

use super::{err, ChannelMetrics, SimError, SimErrorKind, Timer, TraceKind, World};
use crate::pattern::mqtt;
use crate::topology::{MqttConfig, MqttProfile};
use std::collections::{BTreeMap, VecDeque};

const CHANNEL: &str = "mqtt:broker";

#[derive(Debug, Clone)]
struct Packet {
    message_id: String,
    topic: String,
    qos: u8,
}

#[derive(Debug, Default)]
struct Session {
    connected: bool,
    clean: bool,
    subscriptions: BTreeMap<String, u8>,
    /// QoS 1 deliveries waiting for PUBACK, by packet id.
    unacked: BTreeMap<u16, Packet>,
    queued: VecDeque<Packet>,
    next_packet: u16,
    /// Bumped on every connect/disconnect so PUBACK timers from an old connection are ignored.
    epoch: u32,
    /// When a persistent session's client went away (AWS IoT Core expires it).
    disconnected_at: Option<u64>,
}

#[derive(Debug, Default)]
pub(crate) struct Broker {
    config: MqttConfig,
    sessions: BTreeMap<String, Session>,
    retained: BTreeMap<String, (String, u8, String)>,
    metrics: ChannelMetrics,
}

impl Broker {
    pub fn configure(&mut self, config: &MqttConfig) {
        self.config = config.clone();
        self.metrics.kind = "mqtt_broker";
    }

    fn iot(&self) -> bool {
        self.config.profile == MqttProfile::AwsIotCore
    }

    /// Whether `filter` matches `topic` under the profile: on AWS IoT Core `a/#` does not
    /// match `a` itself.
    fn matches(&self, filter: &str, topic: &str) -> bool {
        if self.iot() && filter.strip_suffix("/#") == Some(topic) {
            return false;
        }
        mqtt::matches(filter, topic)
    }

    pub fn metrics(&self) -> ChannelMetrics {
        let mut m = self.metrics.clone();
        m.in_flight = self.sessions.values().map(|s| s.unacked.len()).sum();
        m.depth = self.sessions.values().map(|s| s.queued.len()).sum();
        m
    }
}

impl World {
    fn session_event(&mut self, client: &str, action: String) {
        self.record(
            CHANNEL,
            "-",
            TraceKind::Session {
                client: client.to_owned(),
                action,
            },
        );
    }

    /// AWS IoT Core: persistent sessions whose client has been away longer than
    /// `session_expiry_s` end, with what they held (`docs/semantics.md` §6).
    fn expire_sessions(&mut self) {
        if !self.broker.iot() {
            return;
        }
        let limit = u64::from(self.broker.config.session_expiry_s) * 1000;
        let now = self.now;
        let expired: Vec<String> = self
            .broker
            .sessions
            .iter()
            .filter(|(_, s)| !s.connected && s.disconnected_at.is_some_and(|at| now >= at + limit))
            .map(|(c, _)| c.clone())
            .collect();
        for client in expired {
            let held = self
                .broker
                .sessions
                .remove(&client)
                .map_or(0, |s| s.queued.len() + s.unacked.len());
            self.session_event(
                &client,
                format!(
                    "session expired after {} s away (AWS IoT Core's persistent session expiry); {held} message(s) it held are gone",
                    self.broker.config.session_expiry_s
                ),
            );
        }
    }

    /// AWS IoT Core's limits on a topic (name or filter): 256 bytes, 7 slashes.
    fn iot_topic_limits(&self, topic: &str) -> Result<(), SimError> {
        if !self.broker.iot() {
            return Ok(());
        }
        if topic.len() > 256 {
            return err(
                SimErrorKind::Mqtt,
                format!(
                    "AWS IoT Core takes topics of at most 256 bytes; \"{topic}\" has {}",
                    topic.len()
                ),
            );
        }
        if topic.matches('/').count() > 7 {
            return err(
                SimErrorKind::Mqtt,
                format!(
                    "AWS IoT Core takes at most 7 forward slashes in a topic; \"{topic}\" has {}",
                    topic.matches('/').count()
                ),
            );
        }
        Ok(())
    }

    /// CONNECT. A persistent session (`clean_session: false`) resumes: unacknowledged QoS 1
    /// messages are sent again (with DUP set, except on AWS IoT Core, which does not use
    /// it), then what was queued while offline.
    pub fn mqtt_connect(&mut self, client: &str, clean_session: bool) -> Result<(), SimError> {
        if client.is_empty() {
            return err(
                SimErrorKind::Mqtt,
                "CONNACK 2 (identifier rejected): a client id is required",
            );
        }
        self.expire_sessions();
        let session = self.broker.sessions.entry(client.to_owned()).or_default();
        if session.connected {
            return err(
                SimErrorKind::Mqtt,
                format!("client \"{client}\" is already connected"),
            );
        }
        let resumed = !clean_session
            && !session.clean
            && (!session.subscriptions.is_empty()
                || !session.unacked.is_empty()
                || !session.queued.is_empty());
        if clean_session {
            *session = Session::default();
        }
        session.connected = true;
        session.clean = clean_session;
        session.epoch += 1;
        session.disconnected_at = None;
        let resend: Vec<(u16, Packet)> = session
            .unacked
            .iter()
            .map(|(k, p)| (*k, p.clone()))
            .collect();
        let queued: Vec<Packet> = session.queued.drain(..).collect();
        self.session_event(
            client,
            format!(
                "connected (clean_session {clean_session}{})",
                if resumed { ", session resumed" } else { "" }
            ),
        );
        let dup = !self.broker.iot();
        for (packet, p) in resend {
            self.send_packet(client, p, dup, false, Some(packet));
        }
        for p in queued {
            self.send_packet(client, p, false, false, None);
        }
        Ok(())
    }

    /// DISCONNECT (or a dropped connection). Unacknowledged QoS 1 messages stay in a
    /// persistent session; a clean session ends.
    pub fn mqtt_disconnect(&mut self, client: &str) -> Result<(), SimError> {
        let Some(session) = self.broker.sessions.get_mut(client).filter(|s| s.connected) else {
            return err(
                SimErrorKind::Mqtt,
                format!("client \"{client}\" is not connected"),
            );
        };
        session.connected = false;
        session.epoch += 1;
        session.disconnected_at = Some(self.now);
        let pending = session.unacked.len();
        if session.clean {
            self.broker.sessions.remove(client);
        }
        self.session_event(
            client,
            format!("disconnected ({pending} QoS 1 message(s) not yet acknowledged)"),
        );
        Ok(())
    }

    /// SUBSCRIBE. Retained messages matching the filter are sent at once with RETAIN set.
    pub fn mqtt_subscribe(&mut self, client: &str, filter: &str, qos: u8) -> Result<(), SimError> {
        mqtt::validate_filter(filter).map_err(|e| {
            super::SimError::new(
                super::SimErrorKind::Mqtt,
                format!("invalid topic filter: {e}"),
            )
        })?;
        self.iot_topic_limits(filter)?;
        if qos > 1 {
            if self.broker.iot() {
                self.session_event(client, format!("asked for QoS 2 on \"{filter}\": AWS IoT Core does not support it and sends no SUBACK, so there is no subscription"));
                return err(
                    SimErrorKind::Mqtt,
                    "AWS IoT Core does not support QoS 2: no SUBACK, no subscription",
                );
            }
            return err(
                SimErrorKind::Mqtt,
                "this broker grants QoS 0 and 1; subscribe with qos 0 or 1",
            );
        }
        let Some(session) = self.broker.sessions.get_mut(client).filter(|s| s.connected) else {
            return err(
                SimErrorKind::Mqtt,
                format!("client \"{client}\" must connect before it subscribes"),
            );
        };
        session.subscriptions.insert(filter.to_owned(), qos);
        self.session_event(client, format!("subscribed to \"{filter}\" with QoS {qos}"));
        // AWS IoT Core sends retained messages only to a filter without wildcards.
        let wildcard = filter.contains(['+', '#']);
        if wildcard && self.broker.iot() && !self.broker.retained.is_empty() {
            self.session_event(
                client,
                format!(
                    "\"{filter}\" has a wildcard, so AWS IoT Core sends it no retained message"
                ),
            );
        }
        let skip_retained = wildcard && self.broker.iot();
        let retained: Vec<Packet> = self
            .broker
            .retained
            .iter()
            .filter(|_| !skip_retained)
            .filter(|(topic, _)| self.broker.matches(filter, topic))
            .map(|(topic, (_payload, stored_qos, id))| Packet {
                message_id: id.clone(),
                topic: topic.clone(),
                qos: (*stored_qos).min(qos),
            })
            .collect();
        for p in retained {
            self.send_packet(client, p, false, true, None);
        }
        Ok(())
    }

    pub fn mqtt_unsubscribe(&mut self, client: &str, filter: &str) -> Result<(), SimError> {
        let Some(session) = self.broker.sessions.get_mut(client) else {
            return err(
                SimErrorKind::Mqtt,
                format!("client \"{client}\" has no session"),
            );
        };
        if session.subscriptions.remove(filter).is_none() {
            return err(
                SimErrorKind::Mqtt,
                format!("client \"{client}\" has no subscription \"{filter}\""),
            );
        }
        self.session_event(client, format!("unsubscribed from \"{filter}\""));
        Ok(())
    }

    /// PUBLISH from a client. Returns the message id.
    pub fn mqtt_publish(
        &mut self,
        client: &str,
        topic: &str,
        payload: &str,
        qos: u8,
        retain: bool,
    ) -> Result<String, SimError> {
        mqtt::validate_topic_name(topic).map_err(|e| {
            super::SimError::new(
                super::SimErrorKind::Mqtt,
                format!("invalid topic name: {e}"),
            )
        })?;
        self.iot_topic_limits(topic)?;
        if self.broker.iot() && payload.len() > 128 * 1024 {
            return err(
                SimErrorKind::Mqtt,
                format!(
                    "AWS IoT Core takes payloads of at most 128 KB; this one has {} bytes",
                    payload.len()
                ),
            );
        }
        if qos > 1 {
            if self.broker.iot() {
                return err(SimErrorKind::Mqtt, "AWS IoT Core does not support QoS 2: it sends no PUBACK and does not forward the message");
            }
            return err(SimErrorKind::Mqtt, "this broker supports QoS 0 and 1");
        }
        self.expire_sessions();
        if !self
            .broker
            .sessions
            .get(client)
            .is_some_and(|s| s.connected)
        {
            return err(
                SimErrorKind::Mqtt,
                format!("client \"{client}\" must connect before it publishes"),
            );
        }
        let id = self.fresh_id("mqtt");
        self.broker.metrics.sent += 1;
        self.record(
            CHANNEL,
            &id,
            TraceKind::Published {
                by: Some(client.to_owned()),
                replay_name: None,
                body: format!("{topic}: {payload}"),
            },
        );
        if retain {
            if payload.is_empty() {
                if self.broker.retained.remove(topic).is_some() {
                    self.record(CHANNEL, &id, TraceKind::Dropped { reason: format!("an empty retained publish cleared the retained message of \"{topic}\"") });
                }
            } else if self.broker.retained.len() >= self.broker.config.retained_limit
                && !self.broker.retained.contains_key(topic)
            {
                self.record(
                    CHANNEL,
                    &id,
                    TraceKind::Dropped {
                        reason: format!(
                            "not retained: the broker keeps at most {} retained topics",
                            self.broker.config.retained_limit
                        ),
                    },
                );
            } else {
                self.broker
                    .retained
                    .insert(topic.to_owned(), (payload.to_owned(), qos, id.clone()));
            }
        }
        // One copy per client, at the highest QoS among its matching subscriptions.
        let targets: Vec<(String, u8, bool, bool)> = self
            .broker
            .sessions
            .iter()
            .filter_map(|(name, s)| {
                let granted = s
                    .subscriptions
                    .iter()
                    .filter(|(f, _)| self.broker.matches(f, topic))
                    .map(|(_, q)| *q)
                    .max()?;
                Some((name.clone(), granted.min(qos), s.connected, s.clean))
            })
            .collect();
        for (target, delivered_qos, connected, clean) in targets {
            let p = Packet {
                message_id: id.clone(),
                topic: topic.to_owned(),
                qos: delivered_qos,
            };
            if connected {
                self.send_packet(&target, p, false, false, None);
            } else if delivered_qos == 1 && !clean {
                let limit = self.broker.config.session_queue_limit;
                let Some(session) = self.broker.sessions.get_mut(&target) else {
                    continue;
                };
                session.queued.push_back(p);
                if session.queued.len() > limit {
                    if let Some(old) = session.queued.pop_front() {
                        self.broker.metrics.dropped += 1;
                        self.record(CHANNEL, &old.message_id, TraceKind::Dropped { reason: format!("client \"{target}\" is offline and its session already holds {limit} messages; the oldest was dropped") });
                    }
                }
            } else {
                self.broker.metrics.dropped += 1;
                self.record(
                    CHANNEL,
                    &id,
                    TraceKind::Dropped {
                        reason: format!(
                            "client \"{target}\" is offline and QoS 0 messages are not kept for it"
                        ),
                    },
                );
            }
        }
        Ok(id)
    }

    fn send_packet(
        &mut self,
        client: &str,
        p: Packet,
        dup: bool,
        retain: bool,
        packet: Option<u16>,
    ) {
        let ack_after = self.broker.config.ack_after_ms;
        let Some(session) = self.broker.sessions.get_mut(client) else {
            return;
        };
        let epoch = session.epoch;
        let packet_id = if p.qos == 1 {
            let id = packet.unwrap_or_else(|| {
                session.next_packet = session.next_packet.wrapping_add(1).max(1);
                session.next_packet
            });
            session.unacked.insert(id, p.clone());
            Some(id)
        } else {
            None
        };
        self.broker.metrics.delivered += 1;
        self.record(
            CHANNEL,
            &p.message_id,
            TraceKind::Delivered {
                consumer: client.to_owned(),
                receive_count: 1,
                receipt_handle: packet_id
                    .map(|id| format!("packet {id} on {}", p.topic))
                    .or_else(|| Some(format!("on {}", p.topic))),
                qos: Some(p.qos),
                dup,
                retain,
            },
        );
        if let Some(id) = packet_id {
            self.schedule(
                self.now + ack_after,
                Timer::MqttAck {
                    client: client.to_owned(),
                    packet: id,
                    epoch,
                },
            );
        }
    }

    pub(crate) fn mqtt_ack(&mut self, client: &str, packet: u16, epoch: u32) {
        let Some(session) = self.broker.sessions.get_mut(client) else {
            return;
        };
        if session.epoch != epoch || !session.connected {
            return;
        }
        if let Some(p) = session.unacked.remove(&packet) {
            self.broker.metrics.deleted += 1;
            self.record(
                CHANNEL,
                &p.message_id,
                TraceKind::Acknowledged {
                    by: client.to_owned(),
                    how: format!("PUBACK for packet {packet}"),
                },
            );
        }
    }
}
