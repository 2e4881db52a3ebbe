//! Export to AWS: a CloudFormation template (YAML) for a topology, so a learner can take
//! the design they built in the lab to a real account.
//!
//! Each channel becomes its AWS resource: queues `AWS::SQS::Queue` (FIFO and standard,
//! with `RedrivePolicy`), topics `AWS::SNS::Topic`, subscriptions
//! `AWS::SNS::Subscription` (with `FilterPolicy`, `FilterPolicyScope` and raw delivery),
//! buses `AWS::Events::EventBus`, rules `AWS::Events::Rule` (pattern, targets, input
//! transformers, retry policies and dead-letter queues), archives
//! `AWS::Events::Archive`, plus the queue and topic policies that let the bus and the
//! topics send. A simulated handler becomes the SQS queue its service would read
//! (`<name>-inbox`). Wiring AWS cannot do (a topic delivering to a bus or to a topic, a
//! target that is a handler's failure switch) is left out and listed in
//! [`Export::not_exported`], never dropped silently. [`AWS_DIFFERENCES`] says what the
//! simulation simplifies.

use crate::topology::{Endpoint, FilterPolicyScope, Topology};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// What the simulation leaves out, for the note beside an export.
pub const AWS_DIFFERENCES: &[&str] = &[
    "IAM: the template grants the bus and the topics permission to send to the queues and topics they target, and nothing else; your producers and consumers need their own IAM policies.",
    "Handlers: a simulated handler becomes an SQS queue named <handler>-inbox; on AWS a service (a Lambda function, a container) reads it.",
    "Quotas: EventBridge, SNS and SQS throttle (PutEvents per second, targets per rule, message size); the simulation only bounds queue capacity.",
    "Latency: real delivery takes milliseconds to seconds and varies; the simulation runs on a virtual clock with fixed delays.",
    "Ordering and duplicates: standard queues and topics may reorder and deliver twice on AWS too, but not in the same pattern as the simulation's seeded runs.",
    "MQTT: AWS IoT Core is not part of this template; its rules and topics are configured separately.",
    "Costs: every request, message and archived event is billed.",
];

/// A template and what could not be expressed in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub yaml: String,
    pub not_exported: Vec<String>,
}

/// A CloudFormation logical id: letters and digits only, each word capitalised.
fn logical_id(kind: &str, name: &str) -> String {
    let mut id = kind.to_owned();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.push_str(chars.as_str());
        }
    }
    id
}

fn get_att(id: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [id, attribute] })
}

fn reference(id: &str) -> Value {
    json!({ "Ref": id })
}

struct Builder<'a> {
    topology: &'a Topology,
    resources: Map<String, Value>,
    not_exported: Vec<String>,
    /// Per queue id: the services (and source ARNs) allowed to send to it.
    queue_senders: BTreeMap<String, Vec<(String, Value)>>,
    /// Per topic id: the rule ARNs allowed to publish to it.
    topic_senders: BTreeMap<String, Vec<Value>>,
}

impl Builder<'_> {
    fn queue_id(&self, name: &str) -> Option<String> {
        self.topology
            .queues
            .iter()
            .any(|q| q.name == name)
            .then(|| logical_id("Queue", name))
    }

    fn handler_queue_id(name: &str) -> String {
        logical_id("Queue", &format!("{name}-inbox"))
    }

    fn bus_arn(&self, bus: &str) -> Value {
        if bus == "default" {
            json!({ "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default" })
        } else {
            get_att(&logical_id("Bus", bus), "Arn")
        }
    }

    fn queues(&mut self) {
        for q in &self.topology.queues {
            let mut props = Map::new();
            props.insert("QueueName".into(), json!(q.name));
            if q.fifo {
                props.insert("FifoQueue".into(), json!(true));
                props.insert(
                    "ContentBasedDeduplication".into(),
                    json!(q.content_based_dedup),
                );
                if q.dedup_scope_group {
                    props.insert("DeduplicationScope".into(), json!("messageGroup"));
                    props.insert("FifoThroughputLimit".into(), json!("perMessageGroupId"));
                }
            }
            props.insert("VisibilityTimeout".into(), json!(q.visibility_timeout_s));
            props.insert("DelaySeconds".into(), json!(q.delay_s));
            props.insert("MessageRetentionPeriod".into(), json!(q.retention_s));
            props.insert("MaximumMessageSize".into(), json!(q.max_message_bytes));
            props.insert(
                "ReceiveMessageWaitTimeSeconds".into(),
                json!(q.receive_wait_s),
            );
            if let Some(r) = &q.redrive {
                match self.queue_id(&r.dlq) {
                    Some(dlq) => {
                        props.insert(
                            "RedrivePolicy".into(),
                            json!({ "deadLetterTargetArn": get_att(&dlq, "Arn"), "maxReceiveCount": r.max_receive_count }),
                        );
                    }
                    None => self.not_exported.push(format!(
                        "queue {}: its dead-letter queue {} is not in the topology",
                        q.name, r.dlq
                    )),
                }
            }
            self.resources.insert(
                logical_id("Queue", &q.name),
                json!({ "Type": "AWS::SQS::Queue", "Properties": props }),
            );
        }
        for h in &self.topology.handlers {
            self.resources.insert(
                Self::handler_queue_id(&h.name),
                json!({ "Type": "AWS::SQS::Queue", "Properties": { "QueueName": format!("{}-inbox", h.name) } }),
            );
        }
    }

    fn topics(&mut self) {
        for t in &self.topology.topics {
            let mut props = Map::new();
            props.insert("TopicName".into(), json!(t.name));
            if t.fifo {
                props.insert("FifoTopic".into(), json!(true));
                props.insert(
                    "ContentBasedDeduplication".into(),
                    json!(t.content_based_dedup),
                );
            }
            self.resources.insert(
                logical_id("Topic", &t.name),
                json!({ "Type": "AWS::SNS::Topic", "Properties": props }),
            );
        }
        for (i, s) in self.topology.subscriptions.iter().enumerate() {
            let topic = logical_id("Topic", &s.topic);
            let queue = match &s.endpoint {
                Endpoint::Queue(name) => self.queue_id(name),
                Endpoint::Handler(name) => Some(Self::handler_queue_id(name)),
                other => {
                    self.not_exported.push(format!(
                        "subscription of topic {} to {}: SNS delivers to queues, functions and HTTP endpoints, not to {}",
                        s.topic,
                        other.describe(),
                        other.describe().split(':').next().unwrap_or("that")
                    ));
                    None
                }
            };
            let Some(queue) = queue else { continue };
            let mut props = Map::new();
            props.insert("TopicArn".into(), reference(&topic));
            props.insert("Protocol".into(), json!("sqs"));
            props.insert("Endpoint".into(), get_att(&queue, "Arn"));
            props.insert("RawMessageDelivery".into(), json!(s.raw_message_delivery));
            if let Some(policy) = s.policy() {
                props.insert("FilterPolicy".into(), policy.clone());
                let scope = match s.filter_policy_scope {
                    FilterPolicyScope::MessageAttributes => "MessageAttributes",
                    FilterPolicyScope::MessageBody => "MessageBody",
                };
                props.insert("FilterPolicyScope".into(), json!(scope));
            }
            // The subscription's dead-letter queue; SNS needs leave to send to it.
            if let Some(dlq) = s
                .redrive_policy
                .as_ref()
                .and_then(|r| self.queue_id(&r.dlq))
            {
                props.insert(
                    "RedrivePolicy".into(),
                    json!({ "deadLetterTargetArn": get_att(&dlq, "Arn") }),
                );
                self.queue_senders
                    .entry(dlq)
                    .or_default()
                    .push(("sns.amazonaws.com".into(), reference(&topic)));
            }
            self.resources.insert(
                format!("{}Subscription{}", topic, i + 1),
                json!({ "Type": "AWS::SNS::Subscription", "Properties": props }),
            );
            self.queue_senders
                .entry(queue)
                .or_default()
                .push(("sns.amazonaws.com".into(), reference(&topic)));
        }
    }

    fn buses_and_rules(&mut self) {
        for b in &self.topology.buses {
            if b.name == "default" {
                continue;
            }
            self.resources.insert(
                logical_id("Bus", &b.name),
                json!({ "Type": "AWS::Events::EventBus", "Properties": { "Name": b.name } }),
            );
        }
        let mut bus_role_needed = false;
        for r in &self.topology.rules {
            let rule_id = logical_id("Rule", &r.name);
            let rule_arn = get_att(&rule_id, "Arn");
            let mut targets = Vec::new();
            for t in &r.targets {
                let mut target = Map::new();
                target.insert("Id".into(), json!(t.id));
                match &t.endpoint {
                    Endpoint::Queue(name) => {
                        let Some(queue) = self.queue_id(name) else {
                            self.not_exported.push(format!(
                                "rule {} target {}: queue {name} is not in the topology",
                                r.name, t.id
                            ));
                            continue;
                        };
                        target.insert("Arn".into(), get_att(&queue, "Arn"));
                        if let Some(p) = &t.sqs_parameters {
                            target.insert(
                                "SqsParameters".into(),
                                json!({ "MessageGroupId": p.message_group_id }),
                            );
                        }
                        self.queue_senders
                            .entry(queue)
                            .or_default()
                            .push(("events.amazonaws.com".into(), rule_arn.clone()));
                    }
                    Endpoint::Handler(name) => {
                        let queue = Self::handler_queue_id(name);
                        target.insert("Arn".into(), get_att(&queue, "Arn"));
                        self.queue_senders
                            .entry(queue)
                            .or_default()
                            .push(("events.amazonaws.com".into(), rule_arn.clone()));
                    }
                    Endpoint::Topic(name) => {
                        let topic = logical_id("Topic", name);
                        target.insert("Arn".into(), reference(&topic));
                        self.topic_senders
                            .entry(topic)
                            .or_default()
                            .push(rule_arn.clone());
                    }
                    Endpoint::Bus(name) => {
                        target.insert("Arn".into(), self.bus_arn(name));
                        target.insert("RoleArn".into(), get_att("EventBridgeSendToBusRole", "Arn"));
                        bus_role_needed = true;
                    }
                }
                if let Some(input) = &t.input {
                    target.insert("Input".into(), json!(input));
                }
                if let Some(path) = &t.input_path {
                    target.insert("InputPath".into(), json!(path));
                }
                if let Some(tr) = &t.input_transformer {
                    let mut transformer = Map::new();
                    if !tr.input_paths_map.is_empty() {
                        transformer.insert("InputPathsMap".into(), json!(tr.input_paths_map));
                    }
                    transformer.insert("InputTemplate".into(), json!(tr.input_template));
                    target.insert("InputTransformer".into(), Value::Object(transformer));
                }
                target.insert(
                    "RetryPolicy".into(),
                    json!({
                        "MaximumEventAgeInSeconds": t.retry_policy.maximum_event_age_s,
                        "MaximumRetryAttempts": t.retry_policy.maximum_retry_attempts,
                    }),
                );
                if let Some(dlq) = &t.dlq {
                    match self.queue_id(dlq) {
                        Some(dlq_id) => {
                            target.insert(
                                "DeadLetterConfig".into(),
                                json!({ "Arn": get_att(&dlq_id, "Arn") }),
                            );
                            self.queue_senders
                                .entry(dlq_id)
                                .or_default()
                                .push(("events.amazonaws.com".into(), rule_arn.clone()));
                        }
                        None => self.not_exported.push(format!(
                            "rule {} target {}: dead-letter queue {dlq} is not in the topology",
                            r.name, t.id
                        )),
                    }
                }
                targets.push(Value::Object(target));
            }
            let mut props = Map::new();
            props.insert("Name".into(), json!(r.name));
            if r.bus != "default" {
                props.insert("EventBusName".into(), reference(&logical_id("Bus", &r.bus)));
            }
            props.insert("EventPattern".into(), r.pattern.clone());
            props.insert(
                "State".into(),
                json!(if r.enabled { "ENABLED" } else { "DISABLED" }),
            );
            if !targets.is_empty() {
                props.insert("Targets".into(), Value::Array(targets));
            }
            self.resources.insert(
                rule_id,
                json!({ "Type": "AWS::Events::Rule", "Properties": props }),
            );
        }
        for a in &self.topology.archives {
            let mut props = Map::new();
            props.insert("ArchiveName".into(), json!(a.name));
            props.insert("SourceArn".into(), self.bus_arn(&a.bus));
            if let Some(p) = &a.pattern {
                props.insert("EventPattern".into(), p.clone());
            }
            props.insert("RetentionDays".into(), json!(a.retention_days));
            self.resources.insert(
                logical_id("Archive", &a.name),
                json!({ "Type": "AWS::Events::Archive", "Properties": props }),
            );
        }
        if bus_role_needed {
            self.resources.insert(
                "EventBridgeSendToBusRole".into(),
                json!({
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [{ "Effect": "Allow", "Principal": { "Service": "events.amazonaws.com" }, "Action": "sts:AssumeRole" }],
                        },
                        "Policies": [{
                            "PolicyName": "send-to-event-buses",
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Statement": [{ "Effect": "Allow", "Action": "events:PutEvents", "Resource": "*" }],
                            },
                        }],
                    },
                }),
            );
        }
    }

    fn policies(&mut self) {
        for (queue, senders) in std::mem::take(&mut self.queue_senders) {
            let statements: Vec<Value> = senders
                .into_iter()
                .enumerate()
                .map(|(i, (service, source))| {
                    json!({
                        "Sid": format!("Allow{}", i + 1),
                        "Effect": "Allow",
                        "Principal": { "Service": service },
                        "Action": "sqs:SendMessage",
                        "Resource": get_att(&queue, "Arn"),
                        "Condition": { "ArnEquals": { "aws:SourceArn": source } },
                    })
                })
                .collect();
            self.resources.insert(
                format!("{queue}Policy"),
                json!({
                    "Type": "AWS::SQS::QueuePolicy",
                    "Properties": {
                        "Queues": [reference(&queue)],
                        "PolicyDocument": { "Version": "2012-10-17", "Statement": statements },
                    },
                }),
            );
        }
        for (topic, sources) in std::mem::take(&mut self.topic_senders) {
            let statements: Vec<Value> = sources
                .into_iter()
                .enumerate()
                .map(|(i, source)| {
                    json!({
                        "Sid": format!("Allow{}", i + 1),
                        "Effect": "Allow",
                        "Principal": { "Service": "events.amazonaws.com" },
                        "Action": "sns:Publish",
                        "Resource": reference(&topic),
                        "Condition": { "ArnEquals": { "aws:SourceArn": source } },
                    })
                })
                .collect();
            self.resources.insert(
                format!("{topic}Policy"),
                json!({
                    "Type": "AWS::SNS::TopicPolicy",
                    "Properties": {
                        "Topics": [reference(&topic)],
                        "PolicyDocument": { "Version": "2012-10-17", "Statement": statements },
                    },
                }),
            );
        }
    }
}

/// The CloudFormation template for `topology`, described as `description`.
pub fn template(topology: &Topology, description: &str) -> Export {
    let mut b = Builder {
        topology,
        resources: Map::new(),
        not_exported: Vec::new(),
        queue_senders: BTreeMap::new(),
        topic_senders: BTreeMap::new(),
    };
    b.queues();
    b.topics();
    b.buses_and_rules();
    b.policies();
    let mut doc = Map::new();
    doc.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    doc.insert("Description".into(), json!(description));
    doc.insert("Resources".into(), Value::Object(b.resources));
    let mut yaml = String::from("# Generated by Event Dojo from a channels design.\n");
    for line in AWS_DIFFERENCES {
        yaml.push_str(&format!("# - {line}\n"));
    }
    for line in &b.not_exported {
        yaml.push_str(&format!("# Not exported: {line}\n"));
    }
    write_yaml(&Value::Object(doc), 0, &mut yaml);
    Export {
        yaml,
        not_exported: b.not_exported,
    }
}

/// YAML for a JSON value: block maps and lists, scalars as JSON (valid YAML flow scalars),
/// so no string is ever read back as another type.
fn write_yaml(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                out.push_str(&format!("{pad}{}:", scalar(&Value::String(k.clone()))));
                child(v, indent, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for v in a {
                out.push_str(&format!("{pad}-"));
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        // The first key goes on the dash's line.
                        let mut first = true;
                        for (k, item) in m {
                            if first {
                                out.push_str(&format!(" {}:", scalar(&Value::String(k.clone()))));
                                first = false;
                            } else {
                                out.push_str(&format!(
                                    "{pad}  {}:",
                                    scalar(&Value::String(k.clone()))
                                ));
                            }
                            child(item, indent + 2, out);
                        }
                    }
                    Value::Array(inner) if !inner.is_empty() => {
                        out.push('\n');
                        write_yaml(v, indent + 2, out);
                    }
                    other => out.push_str(&format!(" {}\n", scalar(other))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

/// A map value: nested collections on the next lines, scalars after the colon.
fn child(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_yaml(v, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_yaml(v, indent + 2, out);
        }
        other => out.push_str(&format!(" {}\n", scalar(other))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        // Plain keys read better; anything unusual is quoted.
        Value::String(s)
            if !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && !matches!(
                    s.to_ascii_lowercase().as_str(),
                    "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
                ) =>
        {
            s.clone()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
