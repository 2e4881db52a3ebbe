//! The design's channels made on AWS under a prefix, each remembered the moment it
//! exists, and taken down again in reverse order whatever happened in between.

use super::client::{xml_value, AwsError, Client};
use dojo_engine::topology::{Endpoint, FilterPolicyScope, TargetConfig, Topology};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Something a run made, with what deleting it takes.
#[derive(Debug, Clone)]
pub enum Resource {
    Queue {
        url: String,
    },
    Topic {
        arn: String,
    },
    Subscription {
        arn: String,
    },
    Bus {
        name: String,
    },
    Rule {
        bus: String,
        name: String,
        targets: Vec<String>,
    },
    Archive {
        name: String,
    },
}

impl Resource {
    pub fn describe(&self) -> String {
        match self {
            Resource::Queue { url } => format!("queue {url}"),
            Resource::Topic { arn } => format!("topic {arn}"),
            Resource::Subscription { arn } => format!("subscription {arn}"),
            Resource::Bus { name } => format!("event bus {name}"),
            Resource::Rule { bus, name, .. } => format!("rule {name} on bus {bus}"),
            Resource::Archive { name } => format!("archive {name}"),
        }
    }
}

/// The design's resources as made: the names the design gives them, mapped to AWS's.
#[derive(Debug, Default)]
pub struct Deployed {
    pub prefix: String,
    pub created: Vec<Resource>,
    /// queue name → (URL, ARN)
    pub queues: BTreeMap<String, (String, String)>,
    pub topics: BTreeMap<String, String>,
    /// bus name → (name on AWS, ARN)
    pub buses: BTreeMap<String, (String, String)>,
    /// archive name → (ARN, the design's name of its bus)
    pub archives: BTreeMap<String, (String, String)>,
    /// What the design has that a run does not make, and why.
    pub skipped: Vec<String>,
    /// Dead-letter queues of what was not made: on AWS nothing feeds them from there.
    pub unfed: Vec<String>,
    /// Each queue's visibility timeout, seconds.
    pub visibility: BTreeMap<String, u32>,
}

impl Deployed {
    /// A made queue's ARN (empty when the design has no such queue).
    pub fn queue_arn(&self, queue: &str) -> String {
        self.queues
            .get(queue)
            .map(|(_, arn)| arn.clone())
            .unwrap_or_default()
    }

    /// A queue's RedrivePolicy attribute, its dead-letter queue named by ARN.
    pub fn redrive_policy(&self, r: &dojo_engine::topology::Redrive) -> String {
        json!({"deadLetterTargetArn": self.queue_arn(&r.dlq), "maxReceiveCount": r.max_receive_count})
            .to_string()
    }

    fn endpoint_arn(&self, e: &Endpoint) -> Option<String> {
        match e {
            Endpoint::Queue(q) => self.queues.get(q).map(|(_, arn)| arn.clone()),
            Endpoint::Topic(t) => self.topics.get(t).cloned(),
            Endpoint::Bus(b) => self.buses.get(b).map(|(_, arn)| arn.clone()),
            Endpoint::Handler(_) => None,
        }
    }

    pub fn bus_name(&self, bus: &str) -> String {
        self.buses
            .get(bus)
            .map_or_else(|| bus.to_owned(), |(name, _)| name.clone())
    }
}

/// The ARN's account and region part (`arn:aws:sqs:REGION:ACCOUNT:name`).
fn arn_prefix(arn: &str, service: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        [a, partition, _, region, account, _] => {
            format!("{a}:{partition}:{service}:{region}:{account}")
        }
        _ => format!("arn:aws:{service}:*:*"),
    }
}

fn check(stop: &dyn Fn() -> bool) -> Result<(), AwsError> {
    if stop() {
        Err(AwsError::interrupted())
    } else {
        Ok(())
    }
}

fn queue_attributes(q: &dojo_engine::topology::QueueConfig) -> Map<String, Value> {
    let mut a = Map::new();
    let mut put = |k: &str, v: String| {
        a.insert(k.into(), Value::String(v));
    };
    put("VisibilityTimeout", q.visibility_timeout_s.to_string());
    put("DelaySeconds", q.delay_s.to_string());
    put("MessageRetentionPeriod", q.retention_s.to_string());
    put("MaximumMessageSize", q.max_message_bytes.to_string());
    put(
        "ReceiveMessageWaitTimeSeconds",
        q.receive_wait_s.to_string(),
    );
    if q.fifo {
        put("FifoQueue", "true".into());
        put(
            "ContentBasedDeduplication",
            q.content_based_dedup.to_string(),
        );
        if q.dedup_scope_group {
            put("DeduplicationScope", "messageGroup".into());
            put("FifoThroughputLimit", "perMessageGroupId".into());
        }
    }
    a
}

/// Makes every queue, topic, subscription, bus, rule with its targets and archive of the
/// topology, names prefixed. `deployed.created` holds what exists even when this fails
/// part-way, so [`teardown`] can remove it.
pub fn deploy(
    client: &Client,
    topology: &Topology,
    deployed: &mut Deployed,
    stop: &dyn Fn() -> bool,
) -> Result<(), AwsError> {
    let prefix = deployed.prefix.clone();
    for q in &topology.queues {
        check(stop)?;
        let answer = client.sqs(
            "CreateQueue",
            json!({"QueueName": format!("{prefix}{}", q.name), "Attributes": queue_attributes(q)}),
        )?;
        let url = answer["QueueUrl"].as_str().unwrap_or_default().to_owned();
        deployed.created.push(Resource::Queue { url: url.clone() });
        let arn = client.sqs(
            "GetQueueAttributes",
            json!({"QueueUrl": url, "AttributeNames": ["QueueArn"]}),
        )?["Attributes"]["QueueArn"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        deployed.queues.insert(q.name.clone(), (url, arn));
        deployed
            .visibility
            .insert(q.name.clone(), q.visibility_timeout_s);
    }
    for q in &topology.queues {
        let (url, arn) = deployed.queues[&q.name].clone();
        let mut attributes = Map::new();
        // SNS and EventBridge may send to the run's queues from the run's own topics and rules.
        let policy = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": ["sns.amazonaws.com", "events.amazonaws.com"]},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnLike": {"aws:SourceArn": [
                    format!("{}:{prefix}*", arn_prefix(&arn, "sns")),
                    format!("{}:rule/{prefix}*", arn_prefix(&arn, "events")),
                    format!("{}:rule/{prefix}*/*", arn_prefix(&arn, "events")),
                ]}}
            }]
        });
        attributes.insert("Policy".into(), Value::String(policy.to_string()));
        if let Some(r) = &q.redrive {
            attributes.insert(
                "RedrivePolicy".into(),
                Value::String(deployed.redrive_policy(r)),
            );
        }
        client.sqs(
            "SetQueueAttributes",
            json!({"QueueUrl": url, "Attributes": attributes}),
        )?;
    }
    for t in &topology.topics {
        check(stop)?;
        let mut params = vec![("Name".to_owned(), format!("{prefix}{}", t.name))];
        let mut n = 0;
        let mut attribute = |k: &str, v: &str| {
            n += 1;
            params.push((format!("Attributes.entry.{n}.key"), k.into()));
            params.push((format!("Attributes.entry.{n}.value"), v.into()));
        };
        if t.fifo {
            attribute("FifoTopic", "true");
            attribute(
                "ContentBasedDeduplication",
                if t.content_based_dedup {
                    "true"
                } else {
                    "false"
                },
            );
        }
        let xml = client.sns("CreateTopic", &params)?;
        let arn = xml_value(&xml, "TopicArn").unwrap_or_default();
        deployed.created.push(Resource::Topic { arn: arn.clone() });
        // EventBridge may publish to it from the run's rules.
        let policy = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": arn,
            }]
        });
        client.sns(
            "SetTopicAttributes",
            &[
                ("TopicArn".into(), arn.clone()),
                ("AttributeName".into(), "Policy".into()),
                ("AttributeValue".into(), policy.to_string()),
            ],
        )?;
        deployed.topics.insert(t.name.clone(), arn);
    }
    for s in &topology.subscriptions {
        check(stop)?;
        let Some(endpoint) = deployed.endpoint_arn(&s.endpoint) else {
            deployed.skipped.push(format!(
                "the subscription of {} to topic {}: a handler is a Lambda function, which a run does not make",
                s.endpoint.describe(),
                s.topic
            ));
            deployed
                .unfed
                .extend(s.redrive_policy.iter().map(|r| r.dlq.clone()));
            continue;
        };
        let mut params = vec![
            ("TopicArn".to_owned(), deployed.topics[&s.topic].clone()),
            ("Protocol".into(), "sqs".into()),
            ("Endpoint".into(), endpoint),
            ("ReturnSubscriptionArn".into(), "true".into()),
        ];
        let mut n = 0;
        let mut attribute = |k: &str, v: String| {
            n += 1;
            params.push((format!("Attributes.entry.{n}.key"), k.into()));
            params.push((format!("Attributes.entry.{n}.value"), v));
        };
        if let Some(policy) = &s.filter_policy {
            attribute("FilterPolicy", policy.to_string());
            let scope = match s.filter_policy_scope {
                FilterPolicyScope::MessageAttributes => "MessageAttributes",
                FilterPolicyScope::MessageBody => "MessageBody",
            };
            attribute("FilterPolicyScope", scope.into());
        }
        if s.raw_message_delivery {
            attribute("RawMessageDelivery", "true".into());
        }
        if let Some(r) = &s.redrive_policy {
            let dlq = deployed.queue_arn(&r.dlq);
            attribute(
                "RedrivePolicy",
                json!({"deadLetterTargetArn": dlq}).to_string(),
            );
        }
        let xml = client.sns("Subscribe", &params)?;
        let arn = xml_value(&xml, "SubscriptionArn").unwrap_or_default();
        deployed.created.push(Resource::Subscription { arn });
    }
    let mut buses: Vec<String> = topology.buses.iter().map(|b| b.name.clone()).collect();
    for r in &topology.rules {
        if !buses.contains(&r.bus) {
            buses.push(r.bus.clone());
        }
    }
    for bus in buses {
        check(stop)?;
        if bus == "default" {
            let arn = client.events("DescribeEventBus", json!({"Name": "default"}))?["Arn"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            deployed.buses.insert(bus, ("default".into(), arn));
            continue;
        }
        let name = format!("{prefix}{bus}");
        let arn = client.events("CreateEventBus", json!({"Name": name}))?["EventBusArn"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        deployed.created.push(Resource::Bus { name: name.clone() });
        deployed.buses.insert(bus, (name, arn));
    }
    for a in &topology.archives {
        check(stop)?;
        let name = format!("{prefix}{}", a.name);
        let mut body = json!({
            "ArchiveName": name,
            "EventSourceArn": deployed.buses.get(&a.bus).map(|(_, arn)| arn.clone()).unwrap_or_default(),
            "RetentionDays": a.retention_days,
        });
        if let Some(p) = &a.pattern {
            body["EventPattern"] = Value::String(p.to_string());
        }
        let arn = client.events("CreateArchive", body)?["ArchiveArn"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        deployed
            .created
            .push(Resource::Archive { name: name.clone() });
        deployed
            .archives
            .insert(a.name.clone(), (arn, a.bus.clone()));
    }
    for r in &topology.rules {
        check(stop)?;
        let bus = deployed.bus_name(&r.bus);
        let name = format!("{prefix}{}", r.name);
        client.events(
            "PutRule",
            json!({
                "Name": name,
                "EventBusName": bus,
                "EventPattern": r.pattern.to_string(),
                "State": if r.enabled { "ENABLED" } else { "DISABLED" },
            }),
        )?;
        deployed.created.push(Resource::Rule {
            bus: bus.clone(),
            name: name.clone(),
            targets: Vec::new(),
        });
        let targets: Vec<Value> = r
            .targets
            .iter()
            .filter_map(|t| target(deployed, &r.name, t))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let ids: Vec<String> = targets
            .iter()
            .map(|t| t["Id"].as_str().unwrap_or_default().to_owned())
            .collect();
        let answer = client.events(
            "PutTargets",
            json!({"Rule": name, "EventBusName": bus, "Targets": targets}),
        )?;
        if let Some(Resource::Rule { targets, .. }) = deployed.created.last_mut() {
            *targets = ids;
        }
        if let Some(failed) = answer["FailedEntries"].as_array().and_then(|f| f.first()) {
            return Err(AwsError {
                service: "events",
                action: "PutTargets".into(),
                code: failed["ErrorCode"].as_str().unwrap_or("Failed").into(),
                message: failed["ErrorMessage"].as_str().unwrap_or_default().into(),
            });
        }
    }
    Ok(())
}

/// A rule's target as PutTargets takes it; a handler is skipped, and said so.
fn target(deployed: &mut Deployed, rule: &str, t: &TargetConfig) -> Option<Value> {
    let Some(arn) = deployed.endpoint_arn(&t.endpoint) else {
        deployed.skipped.push(format!(
            "rule {rule}'s target {} ({}): a handler is a Lambda function, which a run does not make",
            t.id,
            t.endpoint.describe()
        ));
        deployed.unfed.extend(t.dlq.iter().cloned());
        return None;
    };
    let mut v = json!({
        "Id": t.id,
        "Arn": arn,
        "RetryPolicy": {
            "MaximumEventAgeInSeconds": t.retry_policy.maximum_event_age_s,
            "MaximumRetryAttempts": t.retry_policy.maximum_retry_attempts,
        },
    });
    if let Some(input) = &t.input {
        v["Input"] = Value::String(input.clone());
    }
    if let Some(path) = &t.input_path {
        v["InputPath"] = Value::String(path.clone());
    }
    if let Some(x) = &t.input_transformer {
        v["InputTransformer"] = json!({
            "InputPathsMap": x.input_paths_map,
            "InputTemplate": x.input_template,
        });
    }
    if let Some(dlq) = t.dlq.as_ref().and_then(|d| deployed.queues.get(d)) {
        v["DeadLetterConfig"] = json!({"Arn": dlq.1});
    }
    if let Some(p) = &t.sqs_parameters {
        v["SqsParameters"] = json!({"MessageGroupId": p.message_group_id});
    }
    Some(v)
}

/// Deletes what a run made, newest first, and says what could not be deleted.
pub fn teardown(client: &Client, deployed: &mut Deployed) -> Vec<String> {
    let mut failures = Vec::new();
    while let Some(r) = deployed.created.pop() {
        let done = match &r {
            Resource::Queue { url } => client
                .sqs("DeleteQueue", json!({"QueueUrl": url}))
                .map(drop),
            Resource::Topic { arn } => client
                .sns("DeleteTopic", &[("TopicArn".into(), arn.clone())])
                .map(drop),
            Resource::Subscription { arn } => client
                .sns("Unsubscribe", &[("SubscriptionArn".into(), arn.clone())])
                .map(drop),
            Resource::Bus { name } => client
                .events("DeleteEventBus", json!({"Name": name}))
                .map(drop),
            Resource::Archive { name } => client
                .events("DeleteArchive", json!({"ArchiveName": name}))
                .map(drop),
            Resource::Rule { bus, name, targets } => {
                let removed = if targets.is_empty() {
                    Ok(())
                } else {
                    client
                        .events(
                            "RemoveTargets",
                            json!({"Rule": name, "EventBusName": bus, "Ids": targets}),
                        )
                        .map(drop)
                };
                removed.and_then(|()| {
                    client
                        .events("DeleteRule", json!({"Name": name, "EventBusName": bus}))
                        .map(drop)
                })
            }
        };
        match done {
            Ok(()) => eprintln!("deleted {}", r.describe()),
            Err(e) => failures.push(format!("{}: {e}", r.describe())),
        }
    }
    failures
}
