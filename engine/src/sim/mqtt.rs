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

use super::{err, ChannelMetrics, SimError, Timer, TraceKind, World};
use crate::pattern::mqtt;
use crate::topology::MqttConfig;
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

    /// CONNECT. A persistent session (`clean_session: false`) resumes: unacknowledged QoS 1
    /// messages are sent again with DUP set, then what was queued while offline.
    pub fn mqtt_connect(&mut self, client: &str, clean_session: bool) -> Result<(), SimError> {
        if client.is_empty() {
            return err("CONNACK 2 (identifier rejected): a client id is required");
        }
        let session = self.broker.sessions.entry(client.to_owned()).or_default();
        if session.connected {
            return err(format!("client \"{client}\" is already connected"));
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
        for (packet, p) in resend {
            self.send_packet(client, p, true, false, Some(packet));
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
            return err(format!("client \"{client}\" is not connected"));
        };
        session.connected = false;
        session.epoch += 1;
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
        mqtt::validate_filter(filter)
            .map_err(|e| super::SimError(format!("invalid topic filter: {e}")))?;
        if qos > 1 {
            return err("this broker grants QoS 0 and 1; subscribe with qos 0 or 1");
        }
        let Some(session) = self.broker.sessions.get_mut(client).filter(|s| s.connected) else {
            return err(format!(
                "client \"{client}\" must connect before it subscribes"
            ));
        };
        session.subscriptions.insert(filter.to_owned(), qos);
        self.session_event(client, format!("subscribed to \"{filter}\" with QoS {qos}"));
        let retained: Vec<Packet> = self
            .broker
            .retained
            .iter()
            .filter(|(topic, _)| mqtt::matches(filter, topic))
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
            return err(format!("client \"{client}\" has no session"));
        };
        if session.subscriptions.remove(filter).is_none() {
            return err(format!(
                "client \"{client}\" has no subscription \"{filter}\""
            ));
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
        mqtt::validate_topic_name(topic)
            .map_err(|e| super::SimError(format!("invalid topic name: {e}")))?;
        if qos > 1 {
            return err("this broker supports QoS 0 and 1");
        }
        if !self
            .broker
            .sessions
            .get(client)
            .is_some_and(|s| s.connected)
        {
            return err(format!(
                "client \"{client}\" must connect before it publishes"
            ));
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
                    .filter(|(f, _)| mqtt::matches(f, topic))
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
