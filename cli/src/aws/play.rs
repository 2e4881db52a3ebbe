//! The script's steps played against the deployed channels at their times, and every
//! message a receive got recorded as a [`Delivery`].

use super::client::{AwsError, Client};
use super::deploy::Deployed;
use super::Delivery;
use dojo_engine::sim::script::{HandleAction, Step};
use dojo_engine::sim::Attributes;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A message a consumer holds: its body, its latest receipt handle, and when its
/// visibility timeout ends (then nobody holds it).
struct Held {
    consumer: String,
    body: String,
    handle: String,
    until: Instant,
}

/// What playing the steps gave.
#[derive(Default)]
pub struct Played {
    pub deliveries: Vec<Delivery>,
    /// Steps AWS refused or a run cannot play, with the reason.
    pub problems: Vec<String>,
}

pub struct Player<'a> {
    pub client: &'a Client,
    pub deployed: &'a Deployed,
    /// Each receipt handle the simulation gave, and the body it was for: a step that
    /// names one acts on the message with that body on AWS.
    pub sim_handles: BTreeMap<String, String>,
    /// Steps play this many times faster than written.
    pub speed: f64,
    pub stop: &'a dyn Fn() -> bool,
}

fn attributes_json(attributes: &Attributes) -> Value {
    let mut out = Map::new();
    for (name, a) in attributes {
        let key = if a.data_type.starts_with("Binary") {
            "BinaryValue"
        } else {
            "StringValue"
        };
        out.insert(name.clone(), json!({"DataType": a.data_type, key: a.value}));
    }
    Value::Object(out)
}

/// Unix milliseconds of an RFC 3339 time written in simulated time, on this run's clock.
fn on_run_clock(text: &str, started_unix_ms: u128, speed: f64) -> Result<f64, String> {
    let at = humantime::parse_rfc3339(text).map_err(|e| format!("{text}: {e}"))?;
    let unix_ms = at
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_millis() as i128;
    let sim_ms = (unix_ms - i128::from(dojo_engine::sim::EPOCH_UNIX_MS)).max(0) as f64;
    Ok((started_unix_ms as f64 + sim_ms / speed) / 1000.0)
}

impl Player<'_> {
    fn queue_url(&self, queue: &str) -> Result<&str, AwsError> {
        self.deployed
            .queues
            .get(queue)
            .map(|(url, _)| url.as_str())
            .ok_or_else(|| AwsError {
                service: "sqs",
                action: "lookup".into(),
                code: "QueueDoesNotExist".into(),
                message: format!("the design has no queue {queue}"),
            })
    }

    /// Plays every step at its time (divided by `speed`) from now.
    pub fn play(&self, steps: &[Step]) -> Result<Played, AwsError> {
        let started = Instant::now();
        let started_unix_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let mut held: BTreeMap<String, Vec<Held>> = BTreeMap::new();
        let mut seq: BTreeMap<String, usize> = BTreeMap::new();
        let mut played = Played::default();
        for (i, step) in steps.iter().enumerate() {
            let due = started + Duration::from_secs_f64(step.at_ms as f64 / 1000.0 / self.speed);
            while Instant::now() < due {
                if (self.stop)() {
                    return Err(AwsError::interrupted());
                }
                std::thread::sleep((due - Instant::now()).min(Duration::from_millis(50)));
            }
            if (self.stop)() {
                return Err(AwsError::interrupted());
            }
            let at_ms = (started.elapsed().as_secs_f64() * 1000.0 * self.speed) as u64;
            let outcome = self.step(
                i,
                step,
                at_ms,
                started_unix_ms,
                &mut held,
                &mut seq,
                &mut played,
            );
            if let Err(e) = outcome {
                if e.code == "NetworkError" {
                    return Err(e);
                }
                played
                    .problems
                    .push(format!("step {i} at {} ms: {e}", step.at_ms));
            }
        }
        Ok(played)
    }

    #[allow(clippy::too_many_arguments)]
    fn step(
        &self,
        i: usize,
        step: &Step,
        at_ms: u64,
        started_unix_ms: u128,
        held: &mut BTreeMap<String, Vec<Held>>,
        seq: &mut BTreeMap<String, usize>,
        played: &mut Played,
    ) -> Result<(), AwsError> {
        if let Some(s) = &step.send {
            let mut body = json!({"QueueUrl": self.queue_url(&s.queue)?, "MessageBody": s.body});
            if !s.attributes.is_empty() {
                body["MessageAttributes"] = attributes_json(&s.attributes);
            }
            if let Some(d) = s.delay_s {
                body["DelaySeconds"] = json!(d);
            }
            if let Some(g) = &s.group_id {
                body["MessageGroupId"] = json!(g);
            }
            if let Some(d) = &s.dedup_id {
                body["MessageDeduplicationId"] = json!(d);
            }
            self.client.sqs("SendMessage", body)?;
        } else if let Some(p) = &step.publish {
            let arn = self
                .deployed
                .topics
                .get(&p.topic)
                .cloned()
                .unwrap_or_default();
            let mut params = vec![
                ("TopicArn".to_owned(), arn),
                ("Message".into(), p.message.clone()),
            ];
            if let Some(s) = &p.subject {
                params.push(("Subject".into(), s.clone()));
            }
            if let Some(g) = &p.group_id {
                params.push(("MessageGroupId".into(), g.clone()));
            }
            if let Some(d) = &p.dedup_id {
                params.push(("MessageDeduplicationId".into(), d.clone()));
            }
            for (n, (name, a)) in p.attributes.iter().enumerate() {
                let k = format!("MessageAttributes.entry.{}", n + 1);
                params.push((format!("{k}.Name"), name.clone()));
                params.push((format!("{k}.Value.DataType"), a.data_type.clone()));
                params.push((format!("{k}.Value.StringValue"), a.value.clone()));
            }
            self.client.sns("Publish", &params)?;
        } else if let Some(p) = &step.put_events {
            let bus = self.deployed.bus_name(&p.bus);
            let entries: Vec<Value> = p
                .entries
                .iter()
                .map(|e| {
                    let detail = match &e.detail {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    json!({"Source": e.source, "DetailType": e.detail_type, "Detail": detail,
                        "Resources": e.resources, "EventBusName": bus})
                })
                .collect();
            let answer = self
                .client
                .events("PutEvents", json!({"Entries": entries}))?;
            if answer["FailedEntryCount"].as_u64().unwrap_or(0) > 0 {
                played.problems.push(format!(
                    "step {i} at {} ms: PutEvents refused entries: {}",
                    step.at_ms, answer["Entries"]
                ));
            }
        } else if let Some(r) = &step.receive {
            let mut body = json!({
                "QueueUrl": self.queue_url(&r.queue)?,
                "MaxNumberOfMessages": r.max.max(1),
                "WaitTimeSeconds": r.wait_s.unwrap_or(0),
                "AttributeNames": ["All"],
                "MessageSystemAttributeNames": ["All"],
                "MessageAttributeNames": ["All"],
            });
            if let Some(v) = r.visibility_timeout_s {
                body["VisibilityTimeout"] = json!(v);
            }
            let answer = self.client.sqs("ReceiveMessage", body)?;
            let visibility = r.visibility_timeout_s.unwrap_or_else(|| {
                self.deployed
                    .visibility
                    .get(&r.queue)
                    .copied()
                    .unwrap_or(30)
            });
            for m in answer["Messages"].as_array().into_iter().flatten() {
                let text = m["Body"].as_str().unwrap_or_default().to_owned();
                let handle = m["ReceiptHandle"].as_str().unwrap_or_default().to_owned();
                let list = held.entry(r.queue.clone()).or_default();
                list.retain(|h| h.body != text);
                list.push(Held {
                    consumer: r.consumer.clone(),
                    body: text.clone(),
                    handle,
                    until: Instant::now() + Duration::from_secs(u64::from(visibility)),
                });
                let n = seq.entry(r.queue.clone()).or_default();
                *n += 1;
                let attributes: Map<String, Value> = m["MessageAttributes"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            json!({"Type": v["DataType"], "Value": v["StringValue"]}),
                        )
                    })
                    .collect();
                played.deliveries.push(Delivery {
                    step: i,
                    at_ms,
                    queue: r.queue.clone(),
                    consumer: r.consumer.clone(),
                    body: text,
                    attributes: Value::Object(attributes),
                    receive_count: m["Attributes"]["ApproximateReceiveCount"]
                        .as_str()
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(1),
                    group_id: m["Attributes"]["MessageGroupId"]
                        .as_str()
                        .map(str::to_owned),
                    order: *n,
                });
            }
        } else if let Some(d) = &step.delete {
            for handle in self.handles(d, held, true) {
                self.client.sqs(
                    "DeleteMessage",
                    json!({"QueueUrl": self.queue_url(&d.queue)?, "ReceiptHandle": handle}),
                )?;
            }
        } else if let Some(c) = &step.change_visibility {
            for handle in self.handles(c, held, false) {
                self.client.sqs(
                    "ChangeMessageVisibility",
                    json!({"QueueUrl": self.queue_url(&c.queue)?, "ReceiptHandle": handle,
                        "VisibilityTimeout": c.timeout_s.unwrap_or(0)}),
                )?;
            }
        } else if let Some(s) = &step.set_queue_attributes {
            let mut attributes = Map::new();
            if let Some(v) = s.visibility_timeout_s {
                attributes.insert("VisibilityTimeout".into(), json!(v.to_string()));
            }
            if let Some(v) = s.delay_s {
                attributes.insert("DelaySeconds".into(), json!(v.to_string()));
            }
            if let Some(r) = &s.redrive_policy {
                attributes.insert(
                    "RedrivePolicy".into(),
                    json!(self.deployed.redrive_policy(r)),
                );
            }
            self.client.sqs(
                "SetQueueAttributes",
                json!({"QueueUrl": self.queue_url(&s.queue)?, "Attributes": attributes}),
            )?;
        } else if let Some(r) = &step.start_replay {
            let speed = self.speed;
            let time = |t: &str| {
                on_run_clock(t, started_unix_ms, speed).map_err(|message| AwsError {
                    service: "events",
                    action: "StartReplay".into(),
                    code: "ValidationException".into(),
                    message,
                })
            };
            let (archive, bus) = self
                .deployed
                .archives
                .get(&r.archive)
                .cloned()
                .unwrap_or_default();
            let (bus_name, bus_arn) = self.deployed.buses.get(&bus).cloned().unwrap_or_default();
            let mut destination = json!({"Arn": bus_arn});
            if let Some(rules) = &r.rules {
                let head = bus_arn
                    .rsplit_once(":event-bus/")
                    .map_or(String::new(), |(h, _)| h.to_owned());
                let on_bus = if bus_name == "default" {
                    String::new()
                } else {
                    format!("{bus_name}/")
                };
                destination["FilterArns"] = json!(rules
                    .iter()
                    .map(|rule| format!("{head}:rule/{on_bus}{}{rule}", self.deployed.prefix))
                    .collect::<Vec<_>>());
            }
            self.client.events(
                "StartReplay",
                json!({
                    "ReplayName": format!("{}{}", self.deployed.prefix, r.name),
                    "EventSourceArn": archive,
                    "EventStartTime": time(&r.event_start_time)?,
                    "EventEndTime": time(&r.event_end_time)?,
                    "Destination": destination,
                }),
            )?;
        } else if step.mqtt_connect.is_some()
            || step.mqtt_disconnect.is_some()
            || step.mqtt_subscribe.is_some()
            || step.mqtt_unsubscribe.is_some()
            || step.mqtt_publish.is_some()
        {
            played.problems.push(format!(
                "step {i} at {} ms: MQTT runs on AWS IoT Core, which a run does not use; the step was not played",
                step.at_ms
            ));
        }
        Ok(())
    }

    /// The AWS receipt handles a delete or visibility change acts on; `forget` drops
    /// them from what is held.
    fn handles(
        &self,
        a: &HandleAction,
        held: &mut BTreeMap<String, Vec<Held>>,
        forget: bool,
    ) -> Vec<String> {
        let list = held.entry(a.queue.clone()).or_default();
        let chosen: Vec<usize> = match (&a.receipt_handle, &a.consumer) {
            (Some(h), _) => {
                let body = self.sim_handles.get(h);
                list.iter()
                    .enumerate()
                    .filter(|(_, m)| Some(&m.body) == body)
                    .map(|(i, _)| i)
                    .collect()
            }
            (None, Some(c)) => list
                .iter()
                .enumerate()
                .filter(|(_, m)| &m.consumer == c && m.until > Instant::now())
                .map(|(i, _)| i)
                .collect(),
            (None, None) => Vec::new(),
        };
        let handles = chosen.iter().map(|&i| list[i].handle.clone()).collect();
        if forget {
            for i in chosen.into_iter().rev() {
                list.remove(i);
            }
        }
        handles
    }
}
