//! The topology builder: forms that add and change queues, buses, rules, topic
//! subscriptions and archives, and the list of what the topology holds, each item with
//! Edit (which loads it into its form) and Remove. Every save validates the whole
//! topology and changes nothing unless it is valid.
//!
//! The builder owns no topology: the lab and the exercise page each hand it theirs and
//! receive the changed one, and each shows the notice that says what happened. So the
//! same forms edit the lab's scratch topology and an exercise's design.

use crate::components::focus::focus_soon;
use crate::components::Choice;
use dojo_engine::pattern::{Dialect, EventPattern};
use dojo_engine::topology::{
    ArchiveConfig, BusConfig, Endpoint, FilterPolicyScope, InputTransformer, QueueConfig, Redrive,
    RetryPolicy, RuleConfig, SqsParameters, SubscriptionConfig, SubscriptionRedrive, TargetConfig,
    TopicConfig, Topology,
};
use leptos::prelude::*;

/// What a form says after a save: what changed, or why nothing did.
pub(crate) type Notice = RwSignal<Option<Result<String, String>>>;

/// A JSON pattern typed into a textarea, checked as a pattern of `dialect`.
pub(crate) fn check_pattern(text: &str, dialect: Dialect) -> Result<serde_json::Value, String> {
    EventPattern::parse(text, dialect).map_err(|e| e.to_string())?;
    dojo_engine::wording::parse(text)
}

/// The topology being edited and where a valid change goes.
#[derive(Clone, Copy)]
struct Editing {
    topology: Signal<Topology>,
    on_change: Callback<Topology>,
    notice: Notice,
}

impl Editing {
    /// Applies `change` to a copy of the topology; hands the copy on only if the change
    /// and the whole topology are valid. The notice says what happened either way.
    fn apply(self, change: impl FnOnce(&mut Topology) -> Result<String, String>) {
        let mut next = self.topology.get_untracked();
        let result = change(&mut next).and_then(|said| {
            next.validate().map_err(|e| e.to_string())?;
            self.on_change.run(next);
            Ok(said)
        });
        self.notice.set(Some(result));
    }

    fn names(self, pick: fn(&Topology) -> Vec<String>) -> Vec<String> {
        self.topology.with(pick)
    }
}

/// Replaces the item `same` finds, or adds it; says which.
fn upsert<T>(items: &mut Vec<T>, item: T, same: impl Fn(&T) -> bool) -> &'static str {
    match items.iter_mut().find(|x| same(x)) {
        Some(x) => {
            *x = item;
            "Updated"
        }
        None => {
            items.push(item);
            "Added"
        }
    }
}

/// A whole number of seconds from 0 to `max` typed into a field.
fn seconds(text: &str, label: &str, max: u32) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|v| *v <= max)
        .ok_or(format!(
            "{label} must be a whole number of seconds from 0 to {max}, not \"{text}\"."
        ))
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

pub(super) fn queue_names(t: &Topology) -> Vec<String> {
    t.queues.iter().map(|q| q.name.clone()).collect()
}

pub(super) fn topic_names(t: &Topology) -> Vec<String> {
    t.topics.iter().map(|x| x.name.clone()).collect()
}

/// The default bus and the custom ones.
pub(super) fn bus_names(t: &Topology) -> Vec<String> {
    std::iter::once("default".to_owned())
        .chain(t.buses.iter().map(|b| b.name.clone()))
        .collect()
}

/// Every endpoint a rule can target: queues, topics and handlers.
fn target_names(t: &Topology) -> Vec<String> {
    t.queues
        .iter()
        .map(|q| format!("queue:{}", q.name))
        .chain(t.topics.iter().map(|x| format!("topic:{}", x.name)))
        .chain(t.handlers.iter().map(|h| format!("handler:{}", h.name)))
        .collect()
}

fn endpoint_of(target: &str) -> Endpoint {
    match target.split_once(':') {
        Some(("topic", n)) => Endpoint::Topic(n.to_owned()),
        Some(("handler", n)) => Endpoint::Handler(n.to_owned()),
        _ => Endpoint::Queue(target.trim_start_matches("queue:").to_owned()),
    }
}

#[component]
pub(crate) fn TopologyBuilder(
    topology: Signal<Topology>,
    on_change: Callback<Topology>,
    notice: Notice,
) -> impl IntoView {
    let editing = Editing {
        topology,
        on_change,
        notice,
    };
    let queues = Signal::derive(move || editing.names(queue_names));
    let forms = Forms::new();
    view! {
        <TopologyList editing=editing forms=forms/>
        <QueueForm editing=editing f=forms.queue queues=queues/>
        <RuleForm editing=editing f=forms.rule/>
        <SubscriptionForm editing=editing f=forms.subscription queues=queues/>
        <ArchiveForm editing=editing f=forms.archive/>
        <BusForm editing=editing/>
    }
}

/// Loads an item into its form: the form's own signals, set by the list's Edit buttons.
#[derive(Clone, Copy)]
struct QueueFields {
    name: RwSignal<String>,
    fifo: RwSignal<bool>,
    dedup: RwSignal<bool>,
    dlq: RwSignal<String>,
    max: RwSignal<String>,
    visibility: RwSignal<String>,
    delay: RwSignal<String>,
}

impl QueueFields {
    fn load(self, q: &QueueConfig) {
        self.name.set(q.name.clone());
        self.fifo.set(q.fifo);
        self.dedup.set(q.content_based_dedup);
        self.dlq.set(
            q.redrive
                .as_ref()
                .map(|r| r.dlq.clone())
                .unwrap_or_default(),
        );
        self.max.set(
            q.redrive
                .as_ref()
                .map_or(3, |r| r.max_receive_count)
                .to_string(),
        );
        self.visibility.set(q.visibility_timeout_s.to_string());
        self.delay.set(q.delay_s.to_string());
    }
}

#[derive(Clone, Copy)]
struct RuleFields {
    name: RwSignal<String>,
    /// The message group for FIFO queue targets (SqsParameters.MessageGroupId).
    group: RwSignal<String>,
    /// Constant JSON sent instead of the event (the targets' Input); empty for none.
    input: RwSignal<String>,
    bus: RwSignal<String>,
    pattern: RwSignal<String>,
    targets: RwSignal<Vec<String>>,
    paths: RwSignal<String>,
    template: RwSignal<String>,
}

impl RuleFields {
    fn load(self, r: &RuleConfig) {
        self.name.set(r.name.clone());
        self.input.set(
            r.targets
                .iter()
                .find_map(|t| t.input.clone())
                .unwrap_or_default(),
        );
        self.group.set(
            r.targets
                .iter()
                .find_map(|t| t.sqs_parameters.as_ref())
                .map(|p| p.message_group_id.clone())
                .unwrap_or_default(),
        );
        self.bus.set(r.bus.clone());
        self.pattern.set(pretty(&r.pattern));
        self.targets
            .set(r.targets.iter().map(|t| t.endpoint.describe()).collect());
        let transformer = r.targets.iter().find_map(|t| t.input_transformer.as_ref());
        self.paths.set(
            transformer
                .map(|x| serde_json::to_string(&x.input_paths_map).unwrap_or_default())
                .unwrap_or_default(),
        );
        self.template.set(
            transformer
                .map(|x| x.input_template.clone())
                .unwrap_or_default(),
        );
    }
}

#[derive(Clone, Copy)]
struct SubscriptionFields {
    topic: RwSignal<String>,
    queue: RwSignal<String>,
    /// The subscription's dead-letter queue (its RedrivePolicy); empty for none.
    dlq: RwSignal<String>,
    policy: RwSignal<String>,
    body: RwSignal<bool>,
    raw: RwSignal<bool>,
}

impl SubscriptionFields {
    fn load(self, s: &SubscriptionConfig) {
        self.topic.set(s.topic.clone());
        if let Endpoint::Queue(q) = &s.endpoint {
            self.queue.set(q.clone());
        }
        self.policy
            .set(s.filter_policy.as_ref().map(pretty).unwrap_or_default());
        self.body
            .set(s.filter_policy_scope == FilterPolicyScope::MessageBody);
        self.raw.set(s.raw_message_delivery);
        self.dlq.set(
            s.redrive_policy
                .as_ref()
                .map(|r| r.dlq.clone())
                .unwrap_or_default(),
        );
    }
}

#[derive(Clone, Copy)]
struct ArchiveFields {
    name: RwSignal<String>,
    bus: RwSignal<String>,
    pattern: RwSignal<String>,
}

impl ArchiveFields {
    fn load(self, a: &ArchiveConfig) {
        self.name.set(a.name.clone());
        self.bus.set(a.bus.clone());
        self.pattern
            .set(a.pattern.as_ref().map(pretty).unwrap_or_default());
    }
}

/// The forms' fields, shared with the list so that Edit can fill them in.
#[derive(Clone, Copy)]
struct Forms {
    queue: QueueFields,
    rule: RuleFields,
    subscription: SubscriptionFields,
    archive: ArchiveFields,
}

impl Forms {
    /// The forms' fields with the examples a new learner sees first.
    fn new() -> Forms {
        Forms {
            queue: QueueFields {
                name: RwSignal::new("quotes".to_owned()),
                fifo: RwSignal::new(false),
                dedup: RwSignal::new(false),
                dlq: RwSignal::new(String::new()),
                max: RwSignal::new("3".to_owned()),
                visibility: RwSignal::new("30".to_owned()),
                delay: RwSignal::new("0".to_owned()),
            },
            rule: RuleFields {
                name: RwSignal::new("big-quotes".to_owned()),
                group: RwSignal::new(String::new()),
                input: RwSignal::new(String::new()),
                bus: RwSignal::new("default".to_owned()),
                pattern: RwSignal::new("{\n  \"detail-type\": [\"QuoteIssued\"],\n  \"detail\": { \"premium\": [{ \"numeric\": [\">\", 500] }] }\n}".to_owned()),
                targets: RwSignal::new(Vec::new()),
                paths: RwSignal::new(r#"{"premium": "$.detail.premium"}"#.to_owned()),
                template: RwSignal::new(String::new()),
            },
            subscription: SubscriptionFields {
                topic: RwSignal::new("quote-events".to_owned()),
                queue: RwSignal::new(String::new()),
                dlq: RwSignal::new(String::new()),
                policy: RwSignal::new(r#"{"type": ["QuoteIssued"]}"#.to_owned()),
                body: RwSignal::new(false),
                raw: RwSignal::new(true),
            },
            archive: ArchiveFields {
                name: RwSignal::new("all-events".to_owned()),
                bus: RwSignal::new("default".to_owned()),
                pattern: RwSignal::new(String::new()),
            },
        }
    }
}

#[component]
fn QueueForm(editing: Editing, f: QueueFields, queues: Signal<Vec<String>>) -> impl IntoView {
    let save = move |_| {
        let name = f.name.get_untracked().trim().to_owned();
        let parsed = seconds(
            &f.visibility.get_untracked(),
            "The visibility timeout",
            43_200,
        )
        .and_then(|v| seconds(&f.delay.get_untracked(), "The delivery delay", 900).map(|d| (v, d)));
        editing.apply(|t| {
            let (visibility, delay) = parsed?;
            // Settings the form does not show (retention, size, ...) are kept.
            let mut config = t
                .queues
                .iter()
                .find(|q| q.name == name)
                .cloned()
                .unwrap_or_else(|| QueueConfig::named(&name));
            config.fifo = f.fifo.get_untracked() || name.ends_with(".fifo");
            config.content_based_dedup = config.fifo && f.dedup.get_untracked();
            config.visibility_timeout_s = visibility;
            config.delay_s = delay;
            let dlq = f.dlq.get_untracked();
            config.redrive = if dlq.is_empty() {
                None
            } else {
                let max = f.max.get_untracked();
                let max_receive_count = max
                    .trim()
                    .parse()
                    .ok()
                    .filter(|m| (1..=1000).contains(m))
                    .ok_or(format!(
                        "maxReceiveCount must be a whole number from 1 to 1000, not \"{max}\"."
                    ))?;
                Some(Redrive {
                    dlq,
                    max_receive_count,
                })
            };
            let verb = upsert(&mut t.queues, config, |q| q.name == name);
            Ok(format!("{verb} queue {name}."))
        });
    };
    view! {
        <fieldset class="lab-form">
            <legend>"Queue (saving an existing name updates it)"</legend>
            <div class="field"><label for="lab-q-name">"Name (end in .fifo for FIFO)"</label>
                <input id="lab-q-name" type="text" bind:value=f.name data-testid="lab-queue-name"/></div>
            <label class="toggle"><input type="checkbox" bind:checked=f.fifo data-testid="lab-queue-fifo"/>" FIFO"</label>
            <label class="toggle"><input type="checkbox" bind:checked=f.dedup data-testid="lab-queue-dedup"/>" Content-based deduplication (FIFO only)"</label>
            <div class="workload-grid">
                <div class="field"><label for="lab-q-visibility">"Visibility timeout (s)"</label><input id="lab-q-visibility" type="text" bind:value=f.visibility data-testid="lab-queue-visibility"/></div>
                <div class="field"><label for="lab-q-delay">"Delivery delay (s)"</label><input id="lab-q-delay" type="text" bind:value=f.delay data-testid="lab-queue-delay"/></div>
            </div>
            <div class="field"><label for="lab-q-dlq">"Dead-letter queue (optional)"</label>
                <Choice id="lab-q-dlq" testid="lab-queue-dlq" value=f.dlq options=queues none="none"/></div>
            <div class="field"><label for="lab-q-max">"maxReceiveCount"</label><input id="lab-q-max" type="text" bind:value=f.max data-testid="lab-queue-max"/></div>
            <button type="button" class="secondary" on:click=save data-testid="lab-add-queue">"Save queue"</button>
        </fieldset>
    }
}

#[component]
fn BusForm(editing: Editing) -> impl IntoView {
    let name = RwSignal::new("quotes-bus".to_owned());
    let add = move |_| {
        let name = name.get_untracked().trim().to_owned();
        editing.apply(|t| {
            if name == "default" || t.buses.iter().any(|b| b.name == name) {
                return Err(format!("There is already a bus named {name}."));
            }
            t.buses.push(BusConfig { name: name.clone() });
            Ok(format!("Added bus {name}."))
        });
    };
    view! {
        <fieldset class="lab-form">
            <legend>"Event bus"</legend>
            <div class="field"><label for="lab-b-name">"Name (the default bus always exists)"</label><input id="lab-b-name" type="text" bind:value=name data-testid="lab-bus-name"/></div>
            <button type="button" class="secondary" on:click=add data-testid="lab-add-bus">"Add bus"</button>
        </fieldset>
    }
}

#[component]
fn RuleForm(editing: Editing, f: RuleFields) -> impl IntoView {
    let checked = Memo::new(move |_| check_pattern(&f.pattern.get(), Dialect::EventBridge));
    let buses = Signal::derive(move || editing.names(bus_names));
    let save = move |_| {
        let Ok(pattern) = checked.get_untracked() else {
            return;
        };
        let name = f.name.get_untracked().trim().to_owned();
        let bus = f.bus.get_untracked();
        let chosen = f.targets.get_untracked();
        let template = f.template.get_untracked();
        let paths = f.paths.get_untracked();
        let group = f.group.get_untracked();
        let constant = Some(f.input.get_untracked()).filter(|i| !i.trim().is_empty());
        editing.apply(|t| {
            if chosen.is_empty() {
                return Err("Choose at least one target for the rule.".into());
            }
            let input_transformer = if template.trim().is_empty() {
                None
            } else {
                let map = if paths.trim().is_empty() {
                    Default::default()
                } else {
                    dojo_engine::wording::parse(&paths).map_err(|e| {
                        format!("InputPathsMap must be a JSON object of name → path. {e}")
                    })?
                };
                Some(InputTransformer {
                    input_paths_map: map,
                    input_template: template,
                })
            };
            // A target already there keeps its id, retry policy and dead-letter queue.
            let before = t
                .rules
                .iter()
                .find(|r| r.name == name && r.bus == bus)
                .map(|r| r.targets.clone())
                .unwrap_or_default();
            let targets = chosen
                .iter()
                .enumerate()
                .map(|(i, target)| {
                    let endpoint = endpoint_of(target);
                    let kept = before.iter().find(|x| x.endpoint == endpoint);
                    // A FIFO queue needs the events' message group (SqsParameters).
                    let fifo = matches!(&endpoint, Endpoint::Queue(q)
                        if t.queues.iter().any(|x| &x.name == q && x.fifo));
                    let sqs_parameters =
                        (fifo && !group.trim().is_empty()).then(|| SqsParameters {
                            message_group_id: group.trim().to_owned(),
                        });
                    TargetConfig {
                        id: kept.map_or_else(|| format!("t{}", i + 1), |x| x.id.clone()),
                        endpoint,
                        // Checked with the topology: JSON, and not beside a transformer.
                        input: constant.clone(),
                        input_path: None,
                        input_transformer: input_transformer.clone(),
                        retry_policy: kept
                            .map_or_else(RetryPolicy::default, |x| x.retry_policy.clone()),
                        dlq: kept.and_then(|x| x.dlq.clone()),
                        sqs_parameters,
                    }
                })
                .collect();
            let rule = RuleConfig {
                name: name.clone(),
                bus: bus.clone(),
                pattern,
                enabled: true,
                targets,
            };
            let verb = upsert(&mut t.rules, rule, |r| r.name == name && r.bus == bus);
            Ok(format!("{verb} rule {name}."))
        });
    };
    view! {
        <fieldset class="lab-form">
            <legend>"Rule (saving an existing name on its bus updates it)"</legend>
            <div class="field"><label for="lab-r-name">"Rule name"</label><input id="lab-r-name" type="text" bind:value=f.name data-testid="lab-rule-name"/></div>
            <div class="field"><label for="lab-r-bus">"On bus"</label>
                <Choice id="lab-r-bus" testid="lab-rule-bus" value=f.bus options=buses/></div>
            <div class="field"><label for="lab-r-pattern">"Event pattern"</label>
                <textarea id="lab-r-pattern" rows="6" spellcheck="false" bind:value=f.pattern data-testid="lab-rule-pattern"
                    aria-invalid=move || checked.get().is_err().to_string() aria-describedby="lab-r-pattern-error"></textarea>
                <p id="lab-r-pattern-error" class="field-error" data-testid="lab-rule-error">{move || checked.get().err()}</p></div>
            <fieldset class="targets" data-testid="lab-rule-targets">
                <legend>"Targets (up to 5)"</legend>
                {move || {
                    let names = editing.names(target_names);
                    if names.is_empty() {
                        return view! { <p class="muted">"Add a queue or a topic first."</p> }.into_any();
                    }
                    names.into_iter().map(|n| {
                        let checked = { let n = n.clone(); move || f.targets.with(|t| t.contains(&n)) };
                        let toggle = { let n = n.clone(); move |_| f.targets.update(|t| if let Some(i) = t.iter().position(|x| *x == n) { t.remove(i); } else { t.push(n.clone()); }) };
                        view! { <label class="toggle"><input type="checkbox" prop:checked=checked on:change=toggle data-testid=format!("lab-rule-target-{n}")/>" "{n.clone()}</label> }
                    }).collect_view().into_any()
                }}
            </fieldset>
            <div class="field"><label for="lab-r-input">"Input: constant JSON sent instead of the event (optional)"</label><input id="lab-r-input" type="text" bind:value=f.input data-testid="lab-rule-input"/></div>
            <div class="field"><label for="lab-r-group">"MessageGroupId (needed for a FIFO queue target)"</label><input id="lab-r-group" type="text" bind:value=f.group data-testid="lab-rule-group"/></div>
            <div class="field"><label for="lab-r-paths">"Input transformer: InputPathsMap (optional)"</label><input id="lab-r-paths" type="text" bind:value=f.paths data-testid="lab-rule-paths"/></div>
            <div class="field"><label for="lab-r-template">"InputTemplate (blank: deliver the whole event)"</label><input id="lab-r-template" type="text" bind:value=f.template data-testid="lab-rule-template"/></div>
            <button type="button" class="secondary" on:click=save disabled=move || checked.get().is_err() data-testid="lab-add-rule">"Save rule"</button>
        </fieldset>
    }
}

#[component]
fn SubscriptionForm(
    editing: Editing,
    f: SubscriptionFields,
    queues: Signal<Vec<String>>,
) -> impl IntoView {
    let checked = Memo::new(move |_| {
        let text = f.policy.get();
        // Blank, or `{}` (how SNS removes a policy): every message.
        let empty = serde_json::from_str::<serde_json::Value>(&text)
            .is_ok_and(|v| v.as_object().is_some_and(|m| m.is_empty()));
        if text.trim().is_empty() || empty {
            return Ok(None);
        }
        let dialect = if f.body.get() {
            Dialect::SnsBody
        } else {
            Dialect::SnsAttributes
        };
        check_pattern(&text, dialect).map(Some)
    });
    let save = move |_| {
        let Ok(policy) = checked.get_untracked() else {
            return;
        };
        let topic = f.topic.get_untracked().trim().to_owned();
        let queue = f.queue.get_untracked();
        let sub = SubscriptionConfig {
            topic: topic.clone(),
            endpoint: Endpoint::Queue(queue.clone()),
            filter_policy: policy,
            filter_policy_scope: if f.body.get_untracked() {
                FilterPolicyScope::MessageBody
            } else {
                FilterPolicyScope::MessageAttributes
            },
            raw_message_delivery: f.raw.get_untracked(),
            redrive_policy: Some(f.dlq.get_untracked())
                .filter(|d| !d.is_empty())
                .map(|dlq| SubscriptionRedrive { dlq }),
        };
        editing.apply(|t| {
            if queue.is_empty() {
                return Err("Choose the queue to subscribe.".into());
            }
            if !t.topics.iter().any(|x| x.name == topic) {
                t.topics.push(TopicConfig {
                    name: topic.clone(),
                    fifo: topic.ends_with(".fifo"),
                    content_based_dedup: true,
                });
            }
            // One subscription per topic and queue: saving it again changes it.
            let endpoint = sub.endpoint.clone();
            let verb = upsert(&mut t.subscriptions, sub, |s| {
                s.topic == topic && s.endpoint == endpoint
            });
            Ok(match verb {
                "Updated" => format!("Updated the subscription of {queue} to {topic}."),
                _ => format!("Subscribed {queue} to {topic}."),
            })
        });
    };
    view! {
        <fieldset class="lab-form">
            <legend>"Topic subscription (saving the same topic and queue updates it)"</legend>
            <div class="field"><label for="lab-s-topic">"Topic (created if new; end in .fifo for FIFO)"</label><input id="lab-s-topic" type="text" bind:value=f.topic data-testid="lab-sub-topic"/></div>
            <div class="field"><label for="lab-s-queue">"Subscribed queue"</label>
                <Choice id="lab-s-queue" testid="lab-sub-queue" value=f.queue options=queues none="choose a queue"/></div>
            <div class="field"><label for="lab-s-policy">"Filter policy (blank: everything)"</label>
                <textarea id="lab-s-policy" rows="3" spellcheck="false" bind:value=f.policy data-testid="lab-sub-policy" aria-invalid=move || checked.get().is_err().to_string() aria-describedby="lab-s-policy-error"></textarea>
                <p id="lab-s-policy-error" class="field-error" data-testid="lab-sub-error">{move || checked.get().err()}</p></div>
            <label class="toggle"><input type="checkbox" bind:checked=f.body data-testid="lab-sub-body"/>" Filter on the message body (not the attributes)"</label>
            <label class="toggle"><input type="checkbox" bind:checked=f.raw data-testid="lab-sub-raw"/>" Raw message delivery (no SNS envelope)"</label>
            <div class="field"><label for="lab-s-dlq">"Dead-letter queue (optional: where what cannot be delivered goes)"</label>
                <Choice id="lab-s-dlq" testid="lab-sub-dlq" value=f.dlq options=queues none="none"/></div>
            <button type="button" class="secondary" on:click=save disabled=move || checked.get().is_err() data-testid="lab-add-sub">"Save subscription"</button>
        </fieldset>
    }
}

#[component]
fn ArchiveForm(editing: Editing, f: ArchiveFields) -> impl IntoView {
    let buses = Signal::derive(move || editing.names(bus_names));
    let checked = Memo::new(move |_| {
        let text = f.pattern.get();
        if text.trim().is_empty() {
            return Ok(None);
        }
        check_pattern(&text, Dialect::EventBridge).map(Some)
    });
    let save = move |_| {
        let Ok(pattern) = checked.get_untracked() else {
            return;
        };
        let name = f.name.get_untracked().trim().to_owned();
        let bus = f.bus.get_untracked();
        editing.apply(|t| {
            let retention_days = t
                .archives
                .iter()
                .find(|a| a.name == name)
                .map_or(0, |a| a.retention_days);
            let archive = ArchiveConfig {
                name: name.clone(),
                bus,
                pattern,
                retention_days,
            };
            let verb = upsert(&mut t.archives, archive, |a| a.name == name);
            Ok(format!("{verb} archive {name}."))
        });
    };
    view! {
        <fieldset class="lab-form">
            <legend>"Archive (keeps a bus's events for replay)"</legend>
            <div class="field"><label for="lab-a-name">"Archive name"</label><input id="lab-a-name" type="text" bind:value=f.name data-testid="lab-archive-name"/></div>
            <div class="field"><label for="lab-a-bus">"Of bus"</label>
                <Choice id="lab-a-bus" testid="lab-archive-bus" value=f.bus options=buses/></div>
            <div class="field"><label for="lab-a-pattern">"Event pattern (blank: every event)"</label>
                <textarea id="lab-a-pattern" rows="3" spellcheck="false" bind:value=f.pattern data-testid="lab-archive-pattern" aria-invalid=move || checked.get().is_err().to_string() aria-describedby="lab-a-pattern-error"></textarea>
                <p id="lab-a-pattern-error" class="field-error" data-testid="lab-archive-error">{move || checked.get().err()}</p></div>
            <button type="button" class="secondary" on:click=save disabled=move || checked.get().is_err() data-testid="lab-add-archive">"Save archive"</button>
        </fieldset>
    }
}

/// Loads an item of the topology into its form.
type Load = Box<dyn Fn(&Topology) + Send + Sync>;

/// One line of the list: what it is, how to load it into its form (and the field to
/// focus then), how to remove it.
struct Item {
    label: String,
    edit: Option<(&'static str, Load)>,
    remove: Box<dyn Fn(&mut Topology) + Send + Sync>,
}

fn items(t: &Topology, forms: Forms) -> Vec<Item> {
    let mut out = Vec::new();
    for q in &t.queues {
        let name = q.name.clone();
        let key = name.clone();
        out.push(Item {
            label: format!(
                "queue {}{}",
                q.name,
                q.redrive
                    .as_ref()
                    .map(|r| format!(" → DLQ {} after {}", r.dlq, r.max_receive_count))
                    .unwrap_or_default()
            ),
            edit: Some((
                "#lab-q-name",
                Box::new(move |t: &Topology| {
                    if let Some(q) = t.queues.iter().find(|q| q.name == key) {
                        forms.queue.load(q);
                    }
                }),
            )),
            remove: Box::new(move |t| t.queues.retain(|q| q.name != name)),
        });
    }
    for b in &t.buses {
        let name = b.name.clone();
        out.push(Item {
            label: format!("bus {name}"),
            edit: None,
            remove: Box::new(move |t| t.buses.retain(|b| b.name != name)),
        });
    }
    for x in &t.topics {
        let name = x.name.clone();
        out.push(Item {
            label: format!("topic {name}"),
            edit: None,
            remove: Box::new(move |t| {
                t.topics.retain(|x| x.name != name);
                t.subscriptions.retain(|s| s.topic != name);
            }),
        });
    }
    for (i, s) in t.subscriptions.iter().enumerate() {
        let policy = s
            .filter_policy
            .as_ref()
            .map(|p| format!(" where {p}"))
            .unwrap_or_default();
        out.push(Item {
            label: format!(
                "subscription {} → {}{policy}",
                s.topic,
                s.endpoint.describe()
            ),
            edit: matches!(s.endpoint, Endpoint::Queue(_)).then(|| {
                let load: Load = Box::new(move |t: &Topology| {
                    if let Some(s) = t.subscriptions.get(i) {
                        forms.subscription.load(s);
                    }
                });
                ("#lab-s-topic", load)
            }),
            remove: Box::new(move |t| {
                if i < t.subscriptions.len() {
                    t.subscriptions.remove(i);
                }
            }),
        });
    }
    for r in &t.rules {
        let (bus, name) = (r.bus.clone(), r.name.clone());
        let (kb, kn) = (bus.clone(), name.clone());
        out.push(Item {
            label: format!(
                "rule {}{} → {}",
                r.name,
                if r.bus == "default" {
                    String::new()
                } else {
                    format!(" on {}", r.bus)
                },
                r.targets
                    .iter()
                    .map(|x| x.endpoint.describe())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            edit: Some((
                "#lab-r-name",
                Box::new(move |t: &Topology| {
                    if let Some(r) = t.rules.iter().find(|r| r.bus == kb && r.name == kn) {
                        forms.rule.load(r);
                    }
                }),
            )),
            remove: Box::new(move |t| t.rules.retain(|r| !(r.bus == bus && r.name == name))),
        });
    }
    for a in &t.archives {
        let name = a.name.clone();
        let key = name.clone();
        out.push(Item {
            label: format!(
                "archive {}{}",
                a.name,
                a.pattern
                    .as_ref()
                    .map(|p| format!(" where {p}"))
                    .unwrap_or_default()
            ),
            edit: Some((
                "#lab-a-name",
                Box::new(move |t: &Topology| {
                    if let Some(a) = t.archives.iter().find(|a| a.name == key) {
                        forms.archive.load(a);
                    }
                }),
            )),
            remove: Box::new(move |t| t.archives.retain(|a| a.name != name)),
        });
    }
    for h in &t.handlers {
        let name = h.name.clone();
        out.push(Item {
            label: format!("handler {name}"),
            edit: None,
            remove: Box::new(move |t| t.handlers.retain(|h| h.name != name)),
        });
    }
    out
}

/// What the topology holds, each with Edit and Remove.
#[component]
fn TopologyList(editing: Editing, forms: Forms) -> impl IntoView {
    view! {
        <div class="builder-list">
        <h3>"What the topology holds"</h3>
        <ul class="lab-list" data-testid="lab-topology">
            {move || {
                let list = editing.topology.with(|t| items(t, forms));
                if list.is_empty() {
                    return view! { <li class="muted">"Nothing yet: add a queue first."</li> }.into_any();
                }
                list.into_iter().map(|item| {
                    let Item { label, edit, remove } = item;
                    let remove = std::sync::Arc::new(remove);
                    let on_remove = move |_| {
                        let remove = remove.clone();
                        editing.apply(move |t| {
                            remove(t);
                            Ok("Removed.".to_owned())
                        });
                        if let Some(Err(e)) = editing.notice.get_untracked() {
                            editing.notice.set(Some(Err(format!("It cannot be removed while something uses it: {e}"))));
                        }
                    };
                    let edit_button = edit.map(|(field, load)| {
                        let on_edit = move |_| {
                            editing.topology.with_untracked(|t| load(t));
                            focus_soon(field);
                        };
                        view! { <button type="button" class="secondary" on:click=on_edit aria-label=format!("Edit {label}")>"Edit"</button> }
                    });
                    view! { <li><span>{label.clone()}</span><span class="item-actions">{edit_button}<button type="button" class="secondary" on:click=on_remove aria-label=format!("Remove {label}")>"Remove"</button></span></li> }
                }).collect_view().into_any()
            }}
        </ul>
        </div>
    }
}
