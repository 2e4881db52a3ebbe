//! EventBridge-like event buses (spec §1.7–1.9): rules with patterns and up to 5 targets,
//! enabled or disabled; per-target input path or input transformer; retries with
//! exponential backoff and seeded jitter under a retry policy; a standard-queue DLQ whose
//! messages carry the spec's error attributes; archives with optional patterns; replay of
//! an archive's time window to all or chosen rules, adding `replay-name`.
//!
//! A bus stores nothing but its archives. Deliveries waiting for a retry are bounded by
//! the retry policy (at most 185 attempts, at most 24 hours); when they run out the event
//! goes to the target's DLQ, or is dropped and traced if it has none.
//!
//! The rules and the pages they follow: `docs/semantics.md` §5.

use super::queue::SendRequest;
use super::topic::{why_not, PublishRequest};
use super::{
    err, iso_time, ChannelMetrics, MessageAttribute, SimError, SimErrorKind, SimTime, Timer,
    TraceKind, World,
};
use crate::json::Json;
use crate::pattern::{explain_prepared, flatten, EventPattern, Prepared};
use crate::topology::{
    is_retriable, ArchiveConfig, Endpoint, HandlerConfig, RuleConfig, TargetConfig,
};
use crate::transform::{parse_path, render_template, resolve};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const MAX_ENTRIES_PER_PUT: usize = 10;
/// PutEvents entry size limit, in bytes (the historical 256 KB).
pub const MAX_ENTRY_BYTES: usize = 262_144;
const BACKOFF_BASE_MS: u64 = 1000;
const BACKOFF_CAP_MS: u64 = 180_000;

#[derive(Debug)]
pub(crate) struct Rule {
    pub config: RuleConfig,
    pub pattern: Option<EventPattern>,
}

impl Rule {
    pub fn new(config: &RuleConfig) -> Rule {
        Rule {
            pattern: EventPattern::eventbridge(&config.pattern.to_string()).ok(),
            config: config.clone(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Archive {
    pub config: ArchiveConfig,
    pub pattern: Option<EventPattern>,
    /// Archived events and when they were archived.
    pub events: Vec<(Value, SimTime)>,
}

impl Archive {
    pub fn new(config: &ArchiveConfig) -> Archive {
        Archive {
            pattern: config
                .pattern
                .as_ref()
                .and_then(|p| EventPattern::eventbridge(&p.to_string()).ok()),
            config: config.clone(),
            events: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Handler {
    pub config: HandlerConfig,
    pub calls: u32,
}

impl Handler {
    pub fn new(config: &HandlerConfig) -> Handler {
        Handler {
            config: config.clone(),
            calls: 0,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Bus {
    pub rules: BTreeMap<String, Rule>,
    pub archives: BTreeMap<String, Archive>,
    pub metrics: ChannelMetrics,
}

impl Bus {
    pub fn new(name: &str) -> Bus {
        let _ = name;
        Bus {
            rules: BTreeMap::new(),
            archives: BTreeMap::new(),
            metrics: ChannelMetrics {
                kind: "event_bus",
                ..Default::default()
            },
        }
    }
}

/// A delivery to one target, kept while it may be retried.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub bus: String,
    pub rule: String,
    pub target: TargetConfig,
    pub event: Value,
    pub input: String,
    pub attempts: u32,
    pub ingested_at: SimTime,
}

/// One PutEvents entry.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PutEventsEntry {
    pub source: String,
    pub detail_type: String,
    /// A JSON object, or a string holding one (as the API takes it).
    pub detail: Value,
    #[serde(default)]
    pub resources: Vec<String>,
    /// RFC 3339; defaults to the simulated now.
    #[serde(default)]
    pub time: Option<String>,
}

/// One entry's outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PutEventsResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// StartReplay.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    pub name: String,
    pub archive: String,
    /// Event `time` window, RFC 3339, start inclusive and end exclusive.
    pub event_start_time: String,
    pub event_end_time: String,
    /// Only these rules of the bus (all when absent).
    #[serde(default)]
    pub rules: Option<Vec<String>>,
}

fn rule_arn(bus: &str, rule: &str) -> String {
    if bus == "default" {
        format!("arn:aws:events:us-east-1:123456789012:rule/{rule}")
    } else {
        format!("arn:aws:events:us-east-1:123456789012:rule/{bus}/{rule}")
    }
}

fn target_arn(e: &Endpoint) -> String {
    match e {
        Endpoint::Queue(n) => format!("arn:aws:sqs:us-east-1:123456789012:{n}"),
        Endpoint::Topic(n) => format!("arn:aws:sns:us-east-1:123456789012:{n}"),
        Endpoint::Bus(n) => format!("arn:aws:events:us-east-1:123456789012:event-bus/{n}"),
        Endpoint::Handler(n) => format!("arn:aws:lambda:us-east-1:123456789012:function:{n}"),
    }
}

fn entry_error(code: &str, message: String) -> PutEventsResult {
    PutEventsResult {
        event_id: None,
        error_code: Some(code.into()),
        error_message: Some(message),
    }
}

impl World {
    /// PutEvents: up to 10 entries onto a bus. Bad entries fail one by one; the others go.
    pub fn put_events(
        &mut self,
        bus: &str,
        entries: &[PutEventsEntry],
    ) -> Result<Vec<PutEventsResult>, SimError> {
        if !self.buses.contains_key(bus) {
            return err(
                SimErrorKind::NotFound,
                format!("ResourceNotFoundException: Event bus {bus} does not exist."),
            );
        }
        if entries.is_empty() || entries.len() > MAX_ENTRIES_PER_PUT {
            return err(
                SimErrorKind::InvalidParameter,
                format!(
                "ValidationException: PutEvents takes 1 to {MAX_ENTRIES_PER_PUT} entries, not {}",
                entries.len()
            ),
            );
        }
        let mut results = Vec::new();
        for entry in entries {
            let detail = match &entry.detail {
                Value::Object(_) => entry.detail.clone(),
                Value::String(s) => match serde_json::from_str::<Value>(s) {
                    Ok(v @ Value::Object(_)) => v,
                    _ => {
                        results.push(entry_error(
                            "MalformedDetail",
                            "Detail is malformed: it must be a JSON object.".into(),
                        ));
                        continue;
                    }
                },
                _ => {
                    results.push(entry_error(
                        "MalformedDetail",
                        "Detail is malformed: it must be a JSON object.".into(),
                    ));
                    continue;
                }
            };
            if entry.source.is_empty() || entry.detail_type.is_empty() {
                results.push(entry_error(
                    "InvalidArgument",
                    "Parameter(s) Source and DetailType must be specified.".into(),
                ));
                continue;
            }
            if entry.source.starts_with("aws.") {
                results.push(entry_error("NotAuthorizedForSourceException", format!("Not authorized for the source {}: the aws. prefix is reserved for AWS services.", entry.source)));
                continue;
            }
            let detail_text = detail.to_string();
            let size = entry.time.as_ref().map_or(0, |_| 14)
                + entry.source.len()
                + entry.detail_type.len()
                + detail_text.len()
                + entry.resources.iter().map(String::len).sum::<usize>();
            if size >= MAX_ENTRY_BYTES {
                results.push(entry_error("InvalidArgument", format!("Total size of the entry is {size} bytes; it must be under {MAX_ENTRY_BYTES}.")));
                continue;
            }
            let id = self.fresh_uuid();
            let event = json!({
                "version": "0",
                "id": id,
                "detail-type": entry.detail_type,
                "source": entry.source,
                "account": "123456789012",
                "time": entry.time.clone().unwrap_or_else(|| iso_time(self.now)),
                "region": "us-east-1",
                "resources": entry.resources,
                "detail": detail,
            });
            self.route_event(bus, &event, None, None);
            results.push(PutEventsResult {
                event_id: Some(id),
                error_code: None,
                error_message: None,
            });
        }
        Ok(results)
    }

    /// Matches an event against a bus's archives and rules and starts the deliveries.
    fn route_event(
        &mut self,
        bus_name: &str,
        event: &Value,
        only: Option<&[String]>,
        replay: Option<&str>,
    ) {
        let channel = format!("bus:{bus_name}");
        let id = event["id"].as_str().unwrap_or("").to_owned();
        let as_json = Json::from_serde(event);
        self.record(
            &channel,
            &id,
            TraceKind::Published {
                by: None,
                replay_name: replay.map(str::to_owned),
                body: event.to_string(),
            },
        );
        let Some(bus) = self.buses.get_mut(bus_name) else {
            return;
        };
        bus.metrics.sent += 1;
        let mut archived = Vec::new();
        if replay.is_none() {
            for (name, archive) in bus.archives.iter_mut() {
                if archive.pattern.as_ref().is_none_or(|p| p.matches(&as_json)) {
                    archive.events.push((event.clone(), self.now));
                    archived.push(name.clone());
                }
            }
        }
        let mut decisions = Vec::new();
        // Flattened once, for every rule's explanation.
        let leaves = flatten(&as_json);
        let prepared = Prepared::new(&as_json, &leaves);
        for (name, rule) in &bus.rules {
            if only.is_some_and(|o| !o.contains(name)) {
                continue;
            }
            let verdict = if !rule.config.enabled {
                Err("the rule is disabled".to_owned())
            } else {
                match &rule.pattern {
                    Some(p) => {
                        let e = explain_prepared(p, &prepared);
                        if e.matched {
                            Ok(())
                        } else {
                            Err(why_not(&e))
                        }
                    }
                    None => Err("the rule's pattern is invalid".into()),
                }
            };
            decisions.push((name.clone(), rule.config.targets.clone(), verdict));
        }
        for a in archived {
            self.record(&channel, &id, TraceKind::Archived { archive: a });
        }
        for (rule, targets, verdict) in decisions {
            let matched = verdict.is_ok();
            let to = targets
                .iter()
                .map(|t| t.endpoint.describe())
                .collect::<Vec<_>>()
                .join(", ");
            let reason = verdict
                .err()
                .unwrap_or_else(|| "the event matches the rule's pattern".into());
            self.record(
                &channel,
                &id,
                TraceKind::Routed {
                    via: format!("rule:{rule}"),
                    to,
                    matched,
                    reason,
                },
            );
            if !matched {
                continue;
            }
            for target in targets {
                let Some(input) = self.target_input(&channel, &id, bus_name, &rule, &target, event)
                else {
                    continue;
                };
                self.next_id += 1;
                let delivery_id = self.next_id;
                let delivery = Delivery {
                    bus: bus_name.into(),
                    rule: rule.clone(),
                    target,
                    event: event.clone(),
                    input,
                    attempts: 0,
                    ingested_at: self.now,
                };
                self.deliveries.insert(delivery_id, delivery);
                self.retry_delivery(delivery_id);
            }
        }
    }

    /// The text a target receives, or `None` when the transformer's output is invalid JSON
    /// (EventBridge drops such events silently; the trace says so).
    fn target_input(
        &mut self,
        channel: &str,
        id: &str,
        bus: &str,
        rule: &str,
        target: &TargetConfig,
        event: &Value,
    ) -> Option<String> {
        if let Some(input) = &target.input {
            // Constant JSON, sent as it is written (EventBridge's `Input`).
            self.record(
                channel,
                id,
                TraceKind::Transformed {
                    target: target.id.clone(),
                    output: input.clone(),
                },
            );
            return Some(input.clone());
        }
        if let Some(path) = &target.input_path {
            let value = parse_path(path)
                .ok()
                .and_then(|steps| resolve(event, &steps))
                .unwrap_or(Value::Null);
            let output = value.to_string();
            self.record(
                channel,
                id,
                TraceKind::Transformed {
                    target: target.id.clone(),
                    output: output.clone(),
                },
            );
            return Some(output);
        }
        let Some(tr) = &target.input_transformer else {
            return Some(event.to_string());
        };
        let mut without_detail = event.clone();
        if let Value::Object(m) = &mut without_detail {
            m.remove("detail");
            if let Some(dt) = m.remove("detail-type") {
                m.insert("detailType".into(), dt);
            }
        }
        let now = iso_time(self.now);
        let lookup = |name: &str| -> Option<Value> {
            match name {
                "aws.events.rule-arn" => Some(Value::String(rule_arn(bus, rule))),
                "aws.events.rule-name" => Some(Value::String(rule.to_owned())),
                "aws.events.event.ingestion-time" => Some(Value::String(now.clone())),
                "aws.events.event" => Some(without_detail.clone()),
                "aws.events.event.json" => Some(event.clone()),
                _ => tr
                    .input_paths_map
                    .get(name)
                    .and_then(|p| parse_path(p).ok())
                    .and_then(|steps| resolve(event, &steps)),
            }
        };
        let (output, wants_json) = render_template(&tr.input_template, &lookup);
        if wants_json && serde_json::from_str::<Value>(&output).is_err() {
            self.record(channel, id, TraceKind::Dropped {
                reason: format!("the input transformer for target {} produced invalid JSON ({output}); EventBridge drops such events without an error", target.id),
            });
            return None;
        }
        self.record(
            channel,
            id,
            TraceKind::Transformed {
                target: target.id.clone(),
                output: output.clone(),
            },
        );
        Some(output)
    }

    /// One delivery attempt; on a retriable failure, schedules the next one.
    pub(crate) fn retry_delivery(&mut self, delivery_id: u64) {
        let Some(mut d) = self.deliveries.remove(&delivery_id) else {
            return;
        };
        d.attempts += 1;
        let channel = format!("bus:{}", d.bus);
        let id = d.event["id"].as_str().unwrap_or("").to_owned();
        match self.attempt(&d) {
            Ok(()) => {
                if let Some(b) = self.buses.get_mut(&d.bus) {
                    b.metrics.delivered += 1;
                }
                self.record(
                    &channel,
                    &id,
                    TraceKind::Delivered {
                        consumer: d.target.endpoint.describe(),
                        receive_count: d.attempts,
                        receipt_handle: None,
                        qos: None,
                        dup: false,
                        retain: false,
                    },
                );
            }
            Err((code, message)) => {
                let policy = &d.target.retry_policy;
                let retries_done = d.attempts - 1;
                let exhausted = if !is_retriable(&code) {
                    Some("NonRetriableError")
                } else if retries_done >= policy.maximum_retry_attempts {
                    Some("MaximumRetryAttempts")
                } else {
                    None
                };
                let exhausted = exhausted.or_else(|| {
                    let backoff = (BACKOFF_BASE_MS << retries_done.min(20)).min(BACKOFF_CAP_MS);
                    let jittered = (backoff as f64 * (0.5 + self.rng().unit())) as u64;
                    let next = self.now + jittered.max(1);
                    if next - d.ingested_at > u64::from(policy.maximum_event_age_s) * 1000 {
                        return Some("MaximumEventAgeInSeconds");
                    }
                    self.record(
                        &channel,
                        &id,
                        TraceKind::Retried {
                            attempt: d.attempts,
                            next_attempt_at_ms: next,
                            error_code: code.clone(),
                        },
                    );
                    self.deliveries.insert(delivery_id, d.clone());
                    self.schedule(
                        next,
                        Timer::BusRetry {
                            delivery: delivery_id,
                        },
                    );
                    None
                });
                if let Some(condition) = exhausted {
                    self.dead_letter(&d, &code, &message, condition);
                }
            }
        }
    }

    fn attempt(&mut self, d: &Delivery) -> Result<(), (String, String)> {
        match &d.target.endpoint {
            Endpoint::Queue(q) => {
                let Some(queue) = self.queues.get(q) else {
                    return Err(("NO_RESOURCE".into(), format!("queue {q} does not exist")));
                };
                let fifo = queue.config.fifo;
                let request = SendRequest {
                    queue: q.clone(),
                    body: d.input.clone(),
                    attributes: Default::default(),
                    delay_s: None,
                    // The target's SqsParameters.MessageGroupId (required for FIFO).
                    group_id: fifo.then(|| {
                        d.target
                            .sqs_parameters
                            .as_ref()
                            .map_or_else(|| d.rule.clone(), |p| p.message_group_id.clone())
                    }),
                    // The queue's content-based deduplication (required of a FIFO
                    // target) hashes the event, whose id makes it unique.
                    dedup_id: None,
                };
                self.send(&request).map(|_| ()).map_err(|e| {
                    let code = match e.kind {
                        SimErrorKind::QueueFull => "THROTTLING",
                        _ => "INTERNAL_ERROR",
                    };
                    (code.into(), e.message)
                })
            }
            Endpoint::Topic(t) => self
                .publish(&PublishRequest {
                    topic: t.clone(),
                    message: d.input.clone(),
                    ..Default::default()
                })
                .map(|_| ())
                .map_err(|e| ("INTERNAL_ERROR".into(), e.message)),
            Endpoint::Bus(b) => {
                if !self.buses.contains_key(b) {
                    return Err((
                        "NO_RESOURCE".into(),
                        format!("event bus {b} does not exist"),
                    ));
                }
                let event = d.event.clone();
                self.route_event(b, &event, None, None);
                Ok(())
            }
            Endpoint::Handler(h) => self.call_handler(h),
        }
    }

    /// One call of a handler, from a rule or a subscription: it fails as its settings
    /// say (the first `fail_first` calls, every call, or every call while it is down),
    /// with its error code.
    pub(crate) fn call_handler(&mut self, h: &str) -> Result<(), (String, String)> {
        let now = self.now;
        let Some(handler) = self.handlers.get_mut(h) else {
            return Err(("NO_RESOURCE".into(), format!("handler {h} does not exist")));
        };
        handler.calls += 1;
        let down = handler
            .config
            .down_until_ms
            .is_some_and(|until| now < until);
        if handler.config.fail_always || down || handler.calls <= handler.config.fail_first {
            let code = handler.config.error_code.clone();
            Err((
                code.clone(),
                format!("handler {h} failed with {code} (call {})", handler.calls),
            ))
        } else {
            Ok(())
        }
    }

    fn dead_letter(&mut self, d: &Delivery, code: &str, message: &str, condition: &str) {
        let channel = format!("bus:{}", d.bus);
        let id = d.event["id"].as_str().unwrap_or("").to_owned();
        if let Some(b) = self.buses.get_mut(&d.bus) {
            b.metrics.dropped += 1;
        }
        let Some(dlq) = d.target.dlq.clone() else {
            self.record(&channel, &id, TraceKind::Dropped {
                reason: format!("delivery to target {} failed ({code}: {message}) and the target has no DLQ; stopped by {condition} after {} attempts", d.target.id, d.attempts),
            });
            return;
        };
        let attr = |v: String| MessageAttribute {
            data_type: "String".into(),
            value: v,
        };
        let mut attributes = BTreeMap::new();
        attributes.insert("RULE_ARN".into(), attr(rule_arn(&d.bus, &d.rule)));
        attributes.insert("TARGET_ARN".into(), attr(target_arn(&d.target.endpoint)));
        attributes.insert("ERROR_CODE".into(), attr(code.to_owned()));
        attributes.insert("ERROR_MESSAGE".into(), attr(message.to_owned()));
        if condition != "NonRetriableError" {
            attributes.insert(
                "EXHAUSTED_RETRY_CONDITION".into(),
                attr(condition.to_owned()),
            );
        }
        attributes.insert("RETRY_ATTEMPTS".into(), attr((d.attempts - 1).to_string()));
        self.record(
            &channel,
            &id,
            TraceKind::MovedToDlq {
                dlq: dlq.clone(),
                reason: format!(
                    "target {} failed with {code} ({condition}) after {} attempts",
                    d.target.id, d.attempts
                ),
            },
        );
        let request = SendRequest {
            queue: dlq,
            body: d.event.to_string(),
            attributes,
            delay_s: None,
            group_id: None,
            dedup_id: None,
        };
        if let Err(e) = self.send(&request) {
            self.record(
                &channel,
                &id,
                TraceKind::Dropped {
                    reason: format!("the DLQ refused the event: {e}"),
                },
            );
        }
    }

    /// StartReplay: replays the archive's events whose `time` is in the window, in
    /// one-minute buckets by event time, to the archive's bus. Returns how many.
    pub fn start_replay(&mut self, request: &ReplayRequest) -> Result<usize, SimError> {
        let now = self.now;
        let found = self.buses.iter().find_map(|(bus, b)| {
            b.archives.get(&request.archive).map(|a| {
                // Retention (0 = forever) counts from when each event was archived.
                let keep = |at: &SimTime| {
                    a.config.retention_days == 0
                        || now - at < u64::from(a.config.retention_days) * 86_400_000
                };
                (
                    bus.clone(),
                    a.events
                        .iter()
                        .filter(|(_, at)| keep(at))
                        .map(|(e, _)| e.clone())
                        .collect::<Vec<_>>(),
                )
            })
        });
        let Some((bus, events)) = found else {
            return err(
                SimErrorKind::NotFound,
                format!(
                    "ResourceNotFoundException: Archive {} does not exist.",
                    request.archive
                ),
            );
        };
        if request.event_start_time >= request.event_end_time {
            return err(
                SimErrorKind::InvalidParameter,
                "ValidationException: EventStartTime must be before EventEndTime.",
            );
        }
        let mut chosen: Vec<Value> = events
            .into_iter()
            .filter(|e| {
                let t = e["time"].as_str().unwrap_or("");
                t >= request.event_start_time.as_str() && t < request.event_end_time.as_str()
            })
            .collect();
        // One-minute buckets by event time: "YYYY-MM-DDTHH:MM".
        chosen.sort_by(|a, b| {
            a["time"]
                .as_str()
                .unwrap_or("")
                .get(..16)
                .cmp(&b["time"].as_str().unwrap_or("").get(..16))
        });
        let count = chosen.len();
        for mut event in chosen {
            if let Value::Object(m) = &mut event {
                m.insert("replay-name".into(), Value::String(request.name.clone()));
            }
            self.route_event(&bus, &event, request.rules.as_deref(), Some(&request.name));
        }
        Ok(count)
    }
}
