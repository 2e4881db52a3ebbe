//! The channels lab, a scenario builder: load a topology or start empty, add and remove
//! queues (standard or FIFO, with a DLQ), topics and subscriptions with filter policies,
//! and rules with targets and input transformers. Every edit is validated as it is typed;
//! an invalid pattern shows AWS's reason at its line and column, and nothing changes
//! until the edit is valid. Then send messages through the topology and read the trace.
//! The topology and the messages sent are saved in IndexedDB.

mod aws_report;
mod builder;
mod canvas;
mod model;
mod queue_inspector;
mod try_it;

use crate::components::{ErrorView, PageHeader};
pub(crate) use builder::{Notice, TopologyBuilder};
pub(crate) use canvas::{design_svg, LabCanvas};
use dojo_engine::topology::Topology;
use leptos::prelude::*;
use model::Sent;
pub(crate) use model::{run, Lab};
use try_it::{Message, MessageForm, WorkloadAndClock};

/// The name the lab is saved under (in IndexedDB; older builds used localStorage).
pub(crate) const DOCUMENT: &str = "event-dojo.lab";

/// The saved lab for an exercise design: its topology, and the steps the lab can replay
/// (sends, publishes, events, receives, deletes, queue attribute changes and archive
/// replays; every consumer becomes you), with
/// the clock a minute past the last step. Returns the document's name, its text, and how
/// many steps the lab cannot show (MQTT).
pub(crate) fn document_for(
    topology: &Topology,
    steps: &[dojo_engine::sim::script::Step],
) -> (&'static str, String, usize) {
    let (lab, skipped) = lab_for(topology, steps);
    let text = serde_json::to_string(&lab).expect("labs are plain data");
    (DOCUMENT, text, skipped)
}

/// A lab holding `topology` with `steps` sent at their times and the clock a minute past
/// the last; and how many steps the lab cannot show (MQTT).
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
        if let Some(r) = &s.start_replay {
            lab.sent.push((s.at_ms, Sent::Replay(r.clone())));
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
        <aws_report::AwsRun lab=lab/>
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
    let message = Message::new();
    view! {
        <PageHeader title="Channels lab" intro="Build a topology of queues, topics, buses and rules, then send messages through it, receive them as a consumer and read what happened. Every edit is checked as you type; nothing changes until it is valid.">
            <crate::components::BackupNotice name=DOCUMENT/>
        </PageHeader>
        // Inert until the saved lab has been read, so an early edit cannot be replaced by it.
        <div class="page lab-page" inert=move || !loaded.get()>
            <LabCanvas lab=lab outcome=trace/>
            <section class="panel" aria-labelledby="lab-build">
                <h2 id="lab-build">"Build"</h2>
                <StartFrom lab=lab notice=notice/>
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
                <MessageForm lab=lab notice=notice message=message/>
                <WorkloadAndClock lab=lab notice=notice message=message/>
                <LabTrace trace=trace/>
            </section>
        </div>
    }
}

/// Where a lab starts: a preset topology, or an empty one.
#[component]
fn StartFrom(lab: RwSignal<Lab>, notice: Notice) -> impl IntoView {
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
    let reset = move |_| {
        lab.set(Lab::default());
        notice.set(Some(Ok("Started from an empty topology.".into())));
    };
    view! {
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
    }
}

/// The run's narration, refusals and newest trace entries.
#[component]
fn LabTrace(trace: Memo<Result<model::LabRun, String>>) -> impl IntoView {
    view! {
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
