//! Simulation scripts: a seed, a topology and timed steps, run to a list of JSON records.
//! `dojo sim run FILE.json` prints them; `docs/sim-format.md` documents the format.
//!
//! Steps run in order at their `at_ms`; before each, the clock advances to it and every
//! timer due fires (visibility timeouts, delays, retries, long-poll deadlines, PUBACKs).
//! After the last step the run continues until nothing is scheduled, or until
//! `run_until_ms`. A step that fails is reported as an `error` record and changes nothing;
//! the run goes on.

use super::{
    PublishRequest, PutEventsEntry, ReceiveRequest, ReceiveResult, ReplayRequest, SendRequest,
    SimError, SimErrorKind, TraceEntry, World,
};
use crate::topology::{Topology, TopologyError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A whole script.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub seed: u64,
    #[serde(default)]
    pub topology: Topology,
    pub steps: Vec<Step>,
    /// Stop here instead of running until nothing is scheduled.
    #[serde(default)]
    pub run_until_ms: Option<u64>,
}

/// One timed action. Exactly one action field is set.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send: Option<SendRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish: Option<PublishRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub put_events: Option<PutEvents>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receive: Option<ReceiveRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<HandleAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_visibility: Option<HandleAction>,
    /// SetQueueAttributes on a running queue (`docs/semantics.md` §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_queue_attributes: Option<super::SetQueueAttributes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mqtt_connect: Option<MqttConnect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mqtt_disconnect: Option<MqttClient>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mqtt_subscribe: Option<MqttSubscribe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mqtt_unsubscribe: Option<MqttSubscribe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mqtt_publish: Option<MqttPublish>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_replay: Option<ReplayRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PutEvents {
    #[serde(default = "default_bus")]
    pub bus: String,
    pub entries: Vec<PutEventsEntry>,
}

fn default_bus() -> String {
    "default".into()
}

/// `delete` and `change_visibility`: by receipt handle, or every message a consumer holds.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HandleAction {
    pub queue: String,
    #[serde(default)]
    pub receipt_handle: Option<String>,
    #[serde(default)]
    pub consumer: Option<String>,
    /// For `change_visibility` only.
    #[serde(default)]
    pub timeout_s: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MqttConnect {
    pub client: String,
    #[serde(default = "yes")]
    pub clean_session: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MqttClient {
    pub client: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MqttSubscribe {
    pub client: String,
    pub filter: String,
    #[serde(default)]
    pub qos: u8,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MqttPublish {
    pub client: String,
    pub topic: String,
    #[serde(default)]
    pub payload: String,
    #[serde(default)]
    pub qos: u8,
    #[serde(default)]
    pub retain: bool,
}

/// One line of output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Trace(TraceEntry),
    Receive(ReceiveResult),
    /// A step's answer: what it returned.
    Result {
        step: usize,
        at_ms: u64,
        action: String,
        value: Value,
    },
    /// A step that was refused; it changed nothing.
    Error {
        step: usize,
        at_ms: u64,
        action: String,
        error: String,
    },
    Metrics {
        at_ms: u64,
        channels: Value,
    },
    Summary {
        end_ms: u64,
        trace_entries: usize,
        trace_hash: String,
        /// Whose MQTT the broker followed (`OASIS MQTT 3.1.1` or `AWS IoT Core`).
        mqtt_profile: String,
    },
}

impl Script {
    /// Parses and validates a script; errors name the JSON path (`steps[3].receive.max`).
    pub fn from_json(text: &str) -> Result<Script, TopologyError> {
        let script: Script = crate::shape::from_str(text).map_err(|e| TopologyError {
            message: crate::wording::shape_of("a script", "the script", &e.path, &e.message),
            path: if e.path == "." {
                "script".into()
            } else {
                e.path
            },
        })?;
        script.topology.validate().map_err(|e| TopologyError {
            path: format!("topology.{}", e.path),
            message: e.message,
        })?;
        let mut last = 0;
        for (i, step) in script.steps.iter().enumerate() {
            if step.at_ms < last {
                return Err(TopologyError {
                    path: format!("steps[{i}].at_ms"),
                    message: format!(
                        "{} is earlier than the previous step's {last}; steps run in time order",
                        step.at_ms
                    ),
                });
            }
            last = step.at_ms;
            let count = step.actions();
            if count.len() != 1 {
                return Err(TopologyError {
                    path: format!("steps[{i}]"),
                    message: format!(
                        "a step needs exactly one action (send, publish, put_events, receive, delete, change_visibility, set_queue_attributes, mqtt_connect, mqtt_disconnect, mqtt_subscribe, mqtt_unsubscribe, mqtt_publish, start_replay or advance); found {}",
                        if count.is_empty() { "none".to_owned() } else { count.join(", ") }
                    ),
                });
            }
        }
        Ok(script)
    }
}

impl Step {
    fn actions(&self) -> Vec<&'static str> {
        let mut found = Vec::new();
        let mut add = |present: bool, name: &'static str| {
            if present {
                found.push(name);
            }
        };
        add(self.send.is_some(), "send");
        add(self.publish.is_some(), "publish");
        add(self.put_events.is_some(), "put_events");
        add(self.receive.is_some(), "receive");
        add(self.delete.is_some(), "delete");
        add(self.change_visibility.is_some(), "change_visibility");
        add(self.set_queue_attributes.is_some(), "set_queue_attributes");
        add(self.mqtt_connect.is_some(), "mqtt_connect");
        add(self.mqtt_disconnect.is_some(), "mqtt_disconnect");
        add(self.mqtt_subscribe.is_some(), "mqtt_subscribe");
        add(self.mqtt_unsubscribe.is_some(), "mqtt_unsubscribe");
        add(self.mqtt_publish.is_some(), "mqtt_publish");
        add(self.start_replay.is_some(), "start_replay");
        add(self.advance.is_some(), "advance");
        found
    }
}

pub(crate) fn apply(world: &mut World, index: usize, step: &Step) -> Result<Value, SimError> {
    if let Some(s) = &step.send {
        return world.send(s).map(|id| json!({ "message_id": id }));
    }
    if let Some(p) = &step.publish {
        return world.publish(p).map(|id| json!({ "message_id": id }));
    }
    if let Some(p) = &step.put_events {
        return world
            .put_events(&p.bus, &p.entries)
            .map(|r| json!({ "entries": r }));
    }
    if let Some(r) = &step.receive {
        let mut r = r.clone();
        r.step = Some(index);
        return world.receive(&r).map(|_| Value::Null);
    }
    if let Some(d) = &step.delete {
        return match (&d.receipt_handle, &d.consumer) {
            (Some(h), None) => world
                .delete(&d.queue, h)
                .map(|outcome| json!({ "outcome": outcome })),
            (None, Some(c)) => world
                .delete_held_by(&d.queue, c)
                .map(|n| json!({ "deleted": n })),
            _ => super::err(
                SimErrorKind::Script,
                "delete takes either a receipt_handle or a consumer",
            ),
        };
    }
    if let Some(c) = &step.change_visibility {
        let Some(timeout) = c.timeout_s else {
            return super::err(SimErrorKind::Script, "change_visibility needs timeout_s");
        };
        let handles: Vec<String> = match (&c.receipt_handle, &c.consumer) {
            (Some(h), None) => vec![h.clone()],
            (None, Some(consumer)) => world.handles_held_by(&c.queue, consumer)?,
            _ => {
                return super::err(
                    SimErrorKind::Script,
                    "change_visibility takes either a receipt_handle or a consumer",
                )
            }
        };
        for h in &handles {
            world.change_visibility(&c.queue, h, timeout)?;
        }
        return Ok(json!({ "changed": handles.len() }));
    }
    if let Some(a) = &step.set_queue_attributes {
        return world
            .set_queue_attributes(a)
            .map(|changed| json!({ "changed": changed }));
    }
    if let Some(c) = &step.mqtt_connect {
        return world
            .mqtt_connect(&c.client, c.clean_session)
            .map(|_| Value::Null);
    }
    if let Some(c) = &step.mqtt_disconnect {
        return world.mqtt_disconnect(&c.client).map(|_| Value::Null);
    }
    if let Some(s) = &step.mqtt_subscribe {
        return world
            .mqtt_subscribe(&s.client, &s.filter, s.qos)
            .map(|_| Value::Null);
    }
    if let Some(s) = &step.mqtt_unsubscribe {
        return world
            .mqtt_unsubscribe(&s.client, &s.filter)
            .map(|_| Value::Null);
    }
    if let Some(p) = &step.mqtt_publish {
        return world
            .mqtt_publish(&p.client, &p.topic, &p.payload, p.qos, p.retain)
            .map(|id| json!({ "message_id": id }));
    }
    if let Some(r) = &step.start_replay {
        return world
            .start_replay(r)
            .map(|n| json!({ "replayed": n, "state": "COMPLETED" }));
    }
    Ok(Value::Null)
}

/// Runs a script and returns every record, in the order things happened.
pub fn run(script: &Script) -> Result<Vec<Record>, TopologyError> {
    let mut world = World::new(&script.topology, script.seed)?;
    let mut out = Vec::new();
    let mut printed = 0;
    let flush = |world: &mut World, out: &mut Vec<Record>, printed: &mut usize| {
        for entry in &world.trace()[*printed..] {
            out.push(Record::Trace(entry.clone()));
        }
        *printed = world.trace().len();
        out.extend(
            world
                .take_completed_receives()
                .into_iter()
                .map(Record::Receive),
        );
    };
    let advance =
        |world: &mut World, out: &mut Vec<Record>, printed: &mut usize, to: Option<u64>| {
            let mut steps = 0;
            while world
                .next_timer_at()
                .is_some_and(|at| to.is_none_or(|t| at <= t))
                && steps < super::MAX_STEPS_PER_RUN
            {
                world.step();
                flush(world, out, printed);
                steps += 1;
            }
            if let Some(t) = to {
                world.run_until(t);
            }
        };
    for (index, step) in script.steps.iter().enumerate() {
        advance(&mut world, &mut out, &mut printed, Some(step.at_ms));
        let action = step
            .actions()
            .first()
            .copied()
            .unwrap_or("advance")
            .to_owned();
        match apply(&mut world, index, step) {
            Ok(Value::Null) => {}
            Ok(value) => {
                flush(&mut world, &mut out, &mut printed);
                out.push(Record::Result {
                    step: index,
                    at_ms: world.now(),
                    action,
                    value,
                });
            }
            Err(e) => out.push(Record::Error {
                step: index,
                at_ms: world.now(),
                action,
                error: e.message,
            }),
        }
        flush(&mut world, &mut out, &mut printed);
    }
    advance(&mut world, &mut out, &mut printed, script.run_until_ms);
    flush(&mut world, &mut out, &mut printed);
    out.push(Record::Metrics {
        at_ms: world.now(),
        channels: serde_json::to_value(world.metrics()).unwrap_or(Value::Null),
    });
    out.push(Record::Summary {
        end_ms: world.now(),
        trace_entries: world.trace().len(),
        trace_hash: world.trace_hash(),
        mqtt_profile: script.topology.mqtt.profile.name().to_owned(),
    });
    Ok(out)
}
