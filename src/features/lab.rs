//! The channels lab, a scenario builder: load a topology or start empty, add and remove
//! queues (standard or FIFO, with a DLQ), topics and subscriptions with filter policies,
//! and rules with targets and input transformers. Every edit is validated as it is typed;
//! an invalid pattern shows AWS's reason at its line and column, and nothing changes
//! until the edit is valid. Then send messages through the topology and read the trace.
//! The topology and the messages sent are saved in IndexedDB.

mod builder;
mod canvas;
mod model;
mod queue_inspector;

use crate::components::{Choice, ErrorView};
pub(crate) use builder::{Notice, TopologyBuilder};
pub(crate) use canvas::LabCanvas;
use dojo_engine::sim::{PublishRequest, PutEventsEntry, SendRequest};
use dojo_engine::topology::Topology;
use leptos::prelude::*;
use model::Sent;
pub(crate) use model::{run, Lab};

/// The name the lab is saved under (in IndexedDB; older builds used localStorage).
const DOCUMENT: &str = "event-dojo.lab";

/// The saved lab for an exercise design: its topology, and the steps the lab can replay
/// (sends, publishes, events, receives, deletes and queue attribute changes; every
/// consumer becomes you), with
/// the clock a minute past the last step. Returns the document's name, its text, and how
/// many steps the lab cannot show (MQTT, replays).
pub(crate) fn document_for(
    topology: &Topology,
    steps: &[dojo_engine::sim::script::Step],
) -> (&'static str, String, usize) {
    let (lab, skipped) = lab_for(topology, steps);
    let text = serde_json::to_string(&lab).expect("labs are plain data");
    (DOCUMENT, text, skipped)
}

/// A lab holding `topology` with `steps` sent at their times and the clock a minute past
/// the last; and how many steps the lab cannot show (MQTT, replays).
pub(crate) fn lab_for(
    topology: &Topology,
    steps: &[dojo_engine::sim::script::Step],
) -> (Lab, usize) {
    let mut lab = Lab {
        topology: topology.clone(),
        ..Lab::default()
    };
    let mut skipped = 0;
    for s in steps {
        let before = lab.sent.len();
        if let Some(r) = &s.send {
            lab.sent.push((s.at_ms, Sent::Queue(r.clone())));
        }
        if let Some(r) = &s.publish {
            lab.sent.push((s.at_ms, Sent::Topic(r.clone())));
        }
        if let Some(p) = &s.put_events {
            for entry in &p.entries {
                let sent = if p.bus == "default" {
                    Sent::Bus(entry.clone())
                } else {
                    Sent::PutOn {
                        bus: p.bus.clone(),
                        entry: entry.clone(),
                    }
                };
                lab.sent.push((s.at_ms, sent));
            }
        }
        if let Some(r) = &s.receive {
            lab.sent.push((
                s.at_ms,
                Sent::Receive {
                    queue: r.queue.clone(),
                    max: r.max,
                    visibility_timeout_s: r.visibility_timeout_s,
                },
            ));
        }
        if let Some(d) = &s.delete {
            let sent = match &d.receipt_handle {
                Some(h) => Sent::DeleteHandle {
                    queue: d.queue.clone(),
                    receipt_handle: h.clone(),
                },
                None => Sent::DeleteHeld {
                    queue: d.queue.clone(),
                },
            };
            lab.sent.push((s.at_ms, sent));
        }
        if let Some(a) = &s.set_queue_attributes {
            lab.sent.push((s.at_ms, Sent::SetAttributes(a.clone())));
        }
        if lab.sent.len() == before {
            skipped += 1;
        }
    }
    lab.now_ms = steps.iter().map(|s| s.at_ms).max().unwrap_or(0) + 60_000;
    (lab, skipped)
}

/// "Take it to AWS": the topology as a CloudFormation template to download, what the
/// simulation simplifies, and any wiring AWS cannot express.
#[component]
fn AwsExport(lab: RwSignal<Lab>) -> impl IntoView {
    use dojo_engine::cloudformation::{template, AWS_DIFFERENCES};
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let left_out = Memo::new(move |_| lab.with(|l| template(&l.topology, "").not_exported));
    let export = move |_| {
        let out = lab
            .with_untracked(|l| template(&l.topology, "Exported from the Event Dojo channels lab"));
        outcome.set(Some(
            crate::components::files::download("event-dojo-stack.yaml", "application/yaml", &out.yaml)
                .map(|_| "Saved event-dojo-stack.yaml. Deploy it with: aws cloudformation deploy --template-file event-dojo-stack.yaml --stack-name event-dojo --capabilities CAPABILITY_IAM".to_owned()),
        ));
    };
    view! {
        <h2 id="lab-aws">"Take it to AWS"</h2>
        <p class="muted">"The topology as an AWS CloudFormation template: SQS queues with their redrive policies, SNS topics and filtered subscriptions, EventBridge buses, rules, targets and archives, and the policies that let them send."</p>
        <div class="form-actions">
            <button type="button" class="secondary" on:click=export data-testid="lab-export-cfn">"Export CloudFormation (YAML)"</button>
        </div>
        {move || outcome.get().map(|r| match r {
            Ok(t) => view! { <p class="form-status" role="status" data-testid="lab-export-notice">{t}</p> }.into_any(),
            Err(e) => view! { <ErrorView title="The template was not saved" message=e/> }.into_any(),
        })}
        {move || {
            let missing = left_out.get();
            (!missing.is_empty()).then(|| view! {
                <div class="error-view" role="status" data-testid="lab-export-left-out">
                    <strong class="error-title">"Not in the template"</strong>
                    <ul>{missing.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </div>
            })
        }}
        <details data-testid="lab-aws-differences">
            <summary>"What changes on AWS"</summary>
            <ul>{AWS_DIFFERENCES.iter().map(|d| view! { <li>{*d}</li> }).collect_view()}</ul>
        </details>
    }
}

/// Topologies to start from: the insurance system in two styles and the worked examples.
fn presets() -> Vec<(&'static str, Topology)> {
    use dojo_engine::services::{topology, Style};
    let example = |text: &str| {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| Topology::from_json(&v["topology"].to_string()).ok())
            .unwrap_or_default()
    };
    vec![
        (
            "The insurance system, notification style",
            topology(Style::Notification),
        ),
        (
            "The insurance system, event-carried state",
            topology(Style::EventCarriedState),
        ),
        (
            "A queue with a dead-letter queue",
            example(include_str!("../../docs/examples/dlq-and-visibility.json")),
        ),
        (
            "Rule → topic fan-out, a FIFO queue and a failing handler",
            example(include_str!(
                "../../docs/examples/bus-fanout-fifo-mqtt.json"
            )),
        ),
    ]
}

/// A trace entry's fields as `name: value` pairs, long texts shortened.
fn describe(details: &serde_json::Value) -> String {
    let Some(m) = details.as_object() else {
        return details.to_string();
    };
    m.iter()
        .map(|(k, v)| {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let short: String = text.chars().take(90).collect();
            format!(
                "{k}: {short}{}",
                if text.chars().count() > 90 { "…" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[component]
pub fn LabPage() -> impl IntoView {
    // Inert until the saved lab is read, so it cannot be overwritten.
    let (lab, loaded) = crate::state::use_document::<Lab>(DOCUMENT);
    let trace = Memo::new(move |_| run(&lab.get()));
    let notice = RwSignal::new(None::<Result<String, String>>);
    let topology = Signal::derive(move || lab.with(|l| l.topology.clone()));
    let on_change = Callback::new(move |t: Topology| lab.update(|l| l.topology = t));

    // Try it.
    let m_detail = RwSignal::new(r#"{"quote_id": "q1", "premium": 650}"#.to_owned());
    let m_type = RwSignal::new("QuoteIssued".to_owned());
    let m_bus = RwSignal::new("default".to_owned());
    let m_topic = RwSignal::new(String::new());
    let m_queue = RwSignal::new(String::new());
    let m_group = RwSignal::new("g1".to_owned());
    let m_dedup = RwSignal::new(String::new());
    // FIFO sends need a group; the deduplication id is fresh per send unless one is given.
    let fifo_ids = move |fifo: bool| -> (Option<String>, Option<String>) {
        if !fifo {
            return (None, None);
        }
        let group = Some(m_group.get_untracked().trim().to_owned()).filter(|g| !g.is_empty());
        let dedup = match m_dedup.get_untracked().trim() {
            "" => format!("lab-{}", lab.with_untracked(|l| l.sent.len() + 1)),
            d => d.to_owned(),
        };
        (group, Some(dedup))
    };
    let on_bus = move |entry: PutEventsEntry| {
        let bus = m_bus.get_untracked();
        if bus == "default" {
            Sent::Bus(entry)
        } else {
            Sent::PutOn { bus, entry }
        }
    };
    // Sends now and moves the clock on a second.
    let send_now = move |sent: Sent| {
        lab.update(|l| {
            l.sent.push((l.now_ms, sent));
            l.now_ms += 1000;
        });
        notice.set(None);
    };
    let send_event = move |_| match dojo_engine::wording::parse::<serde_json::Value>(
        &m_detail.get_untracked(),
    ) {
        Ok(detail) => {
            let entry = PutEventsEntry {
                source: "dojo.lab".into(),
                detail_type: m_type.get_untracked(),
                detail,
                resources: vec![],
                time: None,
            };
            send_now(on_bus(entry));
        }
        Err(e) => notice.set(Some(Err(format!("The detail is not valid JSON. {e}")))),
    };
    let publish = move |_| {
        let topic = m_topic.get_untracked();
        if topic.is_empty() {
            return notice.set(Some(Err("Choose a topic to publish to.".into())));
        }
        let fifo =
            lab.with_untracked(|l| l.topology.topics.iter().any(|t| t.name == topic && t.fifo));
        let (group_id, dedup_id) = fifo_ids(fifo);
        let request = PublishRequest {
            topic,
            message: m_detail.get_untracked(),
            group_id,
            dedup_id,
            ..Default::default()
        };
        send_now(Sent::Topic(request));
    };
    let send_queue = move |_| {
        let queue = m_queue.get_untracked();
        if queue.is_empty() {
            return notice.set(Some(Err("Choose a queue to send to.".into())));
        }
        let fifo =
            lab.with_untracked(|l| l.topology.queues.iter().any(|q| q.name == queue && q.fifo));
        let (group_id, dedup_id) = fifo_ids(fifo);
        send_now(Sent::Queue(SendRequest {
            queue,
            body: m_detail.get_untracked(),
            group_id,
            dedup_id,
            ..Default::default()
        }));
    };
    // Workload generator and the virtual clock.
    let w_rate = RwSignal::new("5".to_owned());
    let w_for = RwSignal::new("10".to_owned());
    let w_spike_n = RwSignal::new("50".to_owned());
    let w_spike_over = RwSignal::new("2".to_owned());
    let w_spike_at = RwSignal::new("4".to_owned());
    let playing = RwSignal::new(false);
    let speed = RwSignal::new(1u64);
    let handle = StoredValue::new_local(None::<IntervalHandle>);
    let generate = move |_| {
        let num = |sig: RwSignal<String>, label: &str| -> Result<f64, String> {
            let t = sig.get_untracked();
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| *v >= 0.0)
                .ok_or(format!(
                    "{label} must be a number of 0 or more, not \"{t}\"."
                ))
        };
        let parsed = (|| -> Result<Vec<u64>, String> {
            let (rate, secs, n, over, at) = (
                num(w_rate, "Rate")?,
                num(w_for, "Duration")?,
                num(w_spike_n, "Spike size")?,
                num(w_spike_over, "Spike length")?,
                num(w_spike_at, "Spike start")?,
            );
            let start = lab.get_untracked().now_ms;
            let mut times = Vec::new();
            if rate > 0.0 {
                let count = (rate * secs).floor() as u64;
                times.extend((0..count).map(|k| start + (k as f64 * 1000.0 / rate) as u64));
            }
            let n = n.floor() as u64;
            times.extend((0..n).map(|k| {
                start + (at * 1000.0) as u64 + (k as f64 * over * 1000.0 / n.max(1) as f64) as u64
            }));
            if times.len() > 5000 {
                return Err(format!(
                    "That is {} messages; the lab takes at most 5,000 at once.",
                    times.len()
                ));
            }
            Ok(times)
        })();
        let detail = dojo_engine::wording::parse::<serde_json::Value>(&m_detail.get_untracked())
            .map_err(|e| format!("The detail is not valid JSON. {e}"));
        match parsed.and_then(|t| detail.map(|d| (t, d))) {
            Err(e) => notice.set(Some(Err(e))),
            Ok((times, detail)) => {
                let count = times.len();
                lab.update(|l| {
                    for at in times {
                        let entry = PutEventsEntry {
                            source: "dojo.lab".into(),
                            detail_type: m_type.get_untracked(),
                            detail: detail.clone(),
                            resources: vec![],
                            time: None,
                        };
                        l.sent.push((at, on_bus(entry)));
                    }
                });

                notice.set(Some(Ok(format!(
                    "Scheduled {count} events; play the clock to send them."
                ))));
            }
        }
    };
    let stop = move || {
        playing.set(false);
        handle.update_value(|h| {
            if let Some(h) = h.take() {
                h.clear();
            }
        });
    };
    let play = move |_| {
        if playing.get_untracked() {
            stop();
            return;
        }
        playing.set(true);
        let tick = move || {
            let done = lab.with_untracked(|l| l.sent.iter().all(|(at, _)| *at <= l.now_ms));
            if done {
                stop();
                return;
            }
            lab.update(|l| l.now_ms += 100 * speed.get_untracked());
        };
        if let Ok(h) = set_interval_with_handle(tick, std::time::Duration::from_millis(100)) {
            handle.set_value(Some(h));
        }
    };
    on_cleanup(move || {
        handle.update_value(|h| {
            if let Some(h) = h.take() {
                h.clear();
            }
        })
    });
    let reset = move |_| {
        lab.set(Lab::default());

        notice.set(Some(Ok("Started from an empty topology.".into())));
    };
    let preset = RwSignal::new(0usize);
    let load_preset = move |_| {
        let Some((name, topology)) = presets().into_iter().nth(preset.get_untracked()) else {
            return;
        };
        lab.set(Lab {
            topology,
            ..Lab::default()
        });
        notice.set(Some(Ok(format!(
            "Loaded \"{name}\"; what was sent before is cleared."
        ))));
    };
    let names = move |pick: fn(&Topology) -> Vec<String>| {
        Signal::derive(move || lab.with(|l| pick(&l.topology)))
    };

    view! {
        <div class="page-title">
            <h1>"Channels lab"</h1>
            <p class="muted">"Build a topology of queues, topics, buses and rules, then send messages through it, receive them as a consumer and read what happened. Every edit is checked as you type; nothing changes until it is valid."</p>
            <crate::components::BackupNotice name=DOCUMENT/>
        </div>
        // Inert until the saved lab has been read, so an early edit cannot be replaced by it.
        <div class="page lab-page" inert=move || !loaded.get()>
            <LabCanvas lab=lab outcome=trace/>
            <section class="panel" aria-labelledby="lab-build">
                <h2 id="lab-build">"Build"</h2>
                <fieldset class="lab-form">
                    <legend>"Start from"</legend>
                    <div class="form-actions">
                        <label for="lab-preset" class="visually-hidden">"Preset topology"</label>
                        <select id="lab-preset" data-testid="lab-preset" on:change=move |ev| preset.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {presets().into_iter().enumerate().map(|(i, (name, _))| view! { <option value=i.to_string()>{name}</option> }).collect_view()}
                        </select>
                        <button type="button" class="secondary" on:click=load_preset data-testid="lab-load-preset">"Load preset"</button>
                        <button type="button" class="secondary" on:click=reset data-testid="lab-reset">"Start empty"</button>
                    </div>
                </fieldset>
                <TopologyBuilder topology=topology on_change=on_change notice=notice/>
                // Stays in view at the bottom of the column while the learner works in a form.
                <div class="editor-status">
                {move || notice.get().map(|r| match r {
                    Ok(t) => view! { <p class="form-status" role="status" data-testid="lab-notice">{t}</p> }.into_any(),
                    Err(e) => view! { <ErrorView title="Nothing changed" message=e/> }.into_any(),
                })}
                </div>
            </section>
            <section class="panel" aria-labelledby="lab-aws">
                <AwsExport lab=lab/>
                <h2>"Try it"</h2>
                <div class="try-grid">
                    <div class="field"><label for="lab-m-type">"detail-type"</label><input id="lab-m-type" type="text" bind:value=m_type/></div>
                    <div class="field"><label for="lab-m-bus">"Bus"</label>
                        <Choice id="lab-m-bus" testid="lab-message-bus" value=m_bus options=names(builder::bus_names)/></div>
                    <div class="field"><label for="lab-m-topic">"Topic"</label>
                        <Choice id="lab-m-topic" testid="lab-message-topic" value=m_topic options=names(builder::topic_names) none="choose a topic"/></div>
                    <div class="field"><label for="lab-m-queue">"Queue"</label>
                        <Choice id="lab-m-queue" testid="lab-message-queue" value=m_queue options=names(builder::queue_names) none="choose a queue"/></div>
                    <div class="field"><label for="lab-m-group">"FIFO group id"</label><input id="lab-m-group" type="text" bind:value=m_group data-testid="lab-message-group"/></div>
                    <div class="field"><label for="lab-m-dedup">"FIFO dedup id (blank: new each time)"</label><input id="lab-m-dedup" type="text" bind:value=m_dedup/></div>
                </div>
                <div class="field"><label for="lab-m-detail">"Message or detail (JSON)"</label>
                    <textarea id="lab-m-detail" rows="3" spellcheck="false" bind:value=m_detail data-testid="lab-message"></textarea></div>
                <div class="form-actions">
                    <button type="button" class="primary" on:click=send_event data-testid="lab-put-event">"Put event on the bus"</button>
                    <button type="button" class="secondary" on:click=publish data-testid="lab-publish">"Publish to the topic"</button>
                    <button type="button" class="secondary" on:click=send_queue data-testid="lab-send-queue">"Send to the queue"</button>
                </div>
                <fieldset class="lab-form">
                    <legend>"Workload and clock"</legend>
                    <div class="workload-grid">
                        <div class="field"><label for="w-rate">"Rate (events/s)"</label><input id="w-rate" type="text" bind:value=w_rate data-testid="w-rate"/></div>
                        <div class="field"><label for="w-for">"For (s)"</label><input id="w-for" type="text" bind:value=w_for data-testid="w-for"/></div>
                        <div class="field"><label for="w-spike-n">"Spike: events"</label><input id="w-spike-n" type="text" bind:value=w_spike_n data-testid="w-spike-n"/></div>
                        <div class="field"><label for="w-spike-over">"over (s)"</label><input id="w-spike-over" type="text" bind:value=w_spike_over data-testid="w-spike-over"/></div>
                        <div class="field"><label for="w-spike-at">"starting at +(s)"</label><input id="w-spike-at" type="text" bind:value=w_spike_at data-testid="w-spike-at"/></div>
                    </div>
                    <div class="form-actions">
                        <button type="button" class="secondary" on:click=generate data-testid="w-generate">"Schedule the workload"</button>
                        <button type="button" class="secondary" on:click=play data-testid="clock-play">{move || if playing.get() { "Pause" } else { "Play" }}</button>
                        <label for="clock-speed">"Speed"</label>
                        <select id="clock-speed" on:change=move |ev| speed.set(event_target_value(&ev).parse().unwrap_or(1))>
                            <option value="1">"×1"</option>
                            <option value="10">"×10"</option>
                            <option value="100">"×100"</option>
                        </select>
                        <button type="button" class="secondary" on:click=move |_| { lab.update(|l| l.now_ms += 1000); } data-testid="clock-step">"+1 s"</button>
                        <button type="button" class="secondary" on:click=move |_| { lab.update(|l| l.now_ms += 10_000); } data-testid="clock-step-10">"+10 s"</button>
                        <span class="mono" data-testid="clock-now">{move || format!("t = {:.1} s", lab.get().now_ms as f64 / 1000.0)}</span>
                    </div>
                </fieldset>
                <h3>"Trace"</h3>
                <p class="narration" aria-live="polite" data-testid="lab-narration">
                    {move || trace.with(|t| t.as_ref().ok().map(|r| r.narration.clone()))}
                </p>
                {move || match trace.get() {
                    Err(e) => view! { <ErrorView title="The topology does not run" message=e/> }.into_any(),
                    Ok(r) => view! {
                        {r.refused.into_iter().map(|x| view! { <p class="field-error">{x}</p> }).collect_view()}
                        {(r.waiting > 0).then(|| view! { <p class="muted" data-testid="lab-waiting">{format!("{} messages wait for their time; play the clock.", r.waiting)}</p> })}
                        {(r.trace_len > r.rows.len()).then(|| view! {
                            <p class="muted" data-testid="lab-trace-count">{format!(
                                "{} entries; the newest {} are listed (the canvas and the queue inspectors count them all).",
                                r.trace_len, r.rows.len()
                            )}</p>
                        })}
                        <div class="trace-scroll" tabindex="0" role="region" aria-label="Trace entries" data-testid="lab-trace-scroll">
                        <table data-testid="lab-trace">
                            <thead><tr><th scope="col">"#"</th><th scope="col">"Channel"</th><th scope="col">"What happened"</th></tr></thead>
                            <tbody>
                                {r.rows.iter().map(|row| {
                                    let mut details = row.clone();
                                    if let Some(m) = details.as_object_mut() {
                                        for k in ["position", "at_ms", "channel", "message_id", "kind"] { m.remove(k); }
                                    }
                                    view! { <tr><td>{row["position"].to_string()}</td><td>{row["channel"].as_str().unwrap_or("").to_owned()}</td>
                                        <td><strong>{row["kind"].as_str().unwrap_or("").to_owned()}</strong>" "<span class="mono">{describe(&details)}</span></td></tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any(),
                }}
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exercise_opens_in_the_lab_and_runs_the_same_way() {
        let ex = dojo_engine::exercise::shipped()
            .into_iter()
            .find(|e| e.id == "dead-letter-queue")
            .expect("shipped");
        let topology = ex.solution.topology.clone().expect("a channels design");
        let (name, text, skipped) = document_for(&topology, &ex.workload);
        assert_eq!((name, skipped), (DOCUMENT, 0));
        let lab: Lab = serde_json::from_str(&text).expect("a lab document");
        let r = run(&lab).expect("runs");
        assert!(r.refused.is_empty(), "{:?}", r.refused);
        assert_eq!(
            r.counts
                .get(&("queue:work".into(), "queue:work-dlq".into())),
            Some(&1),
            "the poison message, and only it, moves to the DLQ as in the exercise"
        );
        let mqtt = dojo_engine::exercise::shipped()
            .into_iter()
            .find(|e| e.id == "mqtt-topics")
            .expect("shipped");
        let (_, _, skipped) = document_for(&Topology::default(), &mqtt.workload);
        assert_eq!(
            skipped,
            mqtt.workload.len(),
            "MQTT steps have no place in the lab"
        );
    }
}
