//! A queue's inspector in the lab: what it holds, its settings (as changed while the lab
//! runs) and dead-letter queue, FIFO group locks and a depth sparkline; receive and
//! delete as its consumer; and SetQueueAttributes, checked before it is kept.

use super::model::{run, Lab, LabRun, Sent, CONSUMER};
use crate::components::diagram::{message_timing, Sparkline};
use crate::components::Choice;
use dojo_engine::sim::SetQueueAttributes;
use dojo_engine::topology::Redrive;
use leptos::prelude::*;

/// A field of whole seconds from 0 to `max`, blank for none.
fn seconds(text: &str, label: &str, max: u32) -> Result<Option<u32>, String> {
    match text.trim() {
        "" => Ok(None),
        t => match t.parse::<u32>() {
            Ok(s) if s <= max => Ok(Some(s)),
            _ => {
                let most = match max {
                    1000.. => format!("{},{:03}", max / 1000, max % 1000),
                    _ => max.to_string(),
                };
                Err(format!(
                    "{label} must be a whole number of seconds from 0 to {most}, not \"{t}\"."
                ))
            }
        },
    }
}

/// The lab with `sent` added at its clock, if the channels accept it; else their reason.
fn try_send(lab: &Lab, sent: Sent) -> Result<Lab, String> {
    let before = run(lab)?.refused.len();
    let mut next = lab.clone();
    next.sent.push((next.now_ms, sent));
    let after = run(&next)?;
    match after.refused.get(before) {
        Some(reason) => Err(reason
            .split_once(": ")
            .map_or(reason.clone(), |(_, r)| r.to_owned())),
        None => Ok(next),
    }
}

#[component]
pub fn QueueInspector(
    lab: RwSignal<Lab>,
    outcome: Memo<Result<LabRun, String>>,
    queue: String,
) -> impl IntoView {
    let max = RwSignal::new("1".to_owned());
    let visibility = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let receive = {
        let queue = queue.clone();
        move |_| {
            let Ok(n) = max.get_untracked().trim().parse::<u32>() else {
                error.set(Some(
                    "Receive at most must be a whole number from 1 to 10.".into(),
                ));
                return;
            };
            if !(1..=10).contains(&n) {
                error.set(Some(format!(
                    "Receive at most must be from 1 to 10, not {n} (SQS's MaxNumberOfMessages)."
                )));
                return;
            }
            let timeout = match seconds(
                &visibility.get_untracked(),
                "The visibility timeout",
                43_200,
            ) {
                Ok(t) => t,
                Err(e) => return error.set(Some(e)),
            };
            error.set(None);
            lab.update(|l| {
                l.sent.push((
                    l.now_ms,
                    Sent::Receive {
                        queue: queue.clone(),
                        max: n,
                        visibility_timeout_s: timeout,
                    },
                ))
            });
        }
    };
    let delete = {
        let queue = queue.clone();
        move |_| {
            lab.update(|l| {
                l.sent.push((
                    l.now_ms,
                    Sent::DeleteHeld {
                        queue: queue.clone(),
                    },
                ))
            })
        }
    };
    let details = {
        let queue = queue.clone();
        move || {
            let now = lab.with(|l| l.now_ms);
            outcome.with(|o| {
                let r = o.as_ref().ok()?;
                let peek = r.queues.get(&queue)?.clone();
                let samples = r.depths.get(&queue).cloned().unwrap_or_default();
                let changes = r.changes.get(&queue).cloned().unwrap_or_default();
                let dlq = peek.config.redrive.as_ref().map(|d| {
                    let depth = r.queues.get(&d.dlq).map_or(0, |x| x.messages.len());
                    format!("Its dead-letter queue {} holds {depth}.", d.dlq)
                });
                let m = &peek.metrics;
                let locks = peek.config.fifo.then(|| {
                    if peek.locked_groups.is_empty() {
                        view! { <p data-testid="inspector-locks">"No message group is locked."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="peek" data-testid="inspector-locks">
                                {peek.locked_groups.iter().map(|(g, mid)| view! {
                                    <li>{format!("Group {g} is locked by message {mid}: the next message of {g} waits until it is deleted or becomes visible again.")}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                });
                Some(view! {
                    <p data-testid="inspector-summary">{format!("{} visible, {} in flight, {} delayed; {} sent, {} received, {} deleted, {} dropped.", m.depth, m.in_flight, m.delayed, m.sent, m.delivered, m.deleted, m.dropped)}</p>
                    <p data-testid="inspector-settings">{peek.config.summary()}" "{dlq}</p>
                    {(!changes.is_empty()).then(|| view! {
                        <ul class="peek" data-testid="inspector-changes" aria-label="Attribute changes while it ran">
                            {changes.into_iter().map(|(at, change)| view! {
                                <li>{format!("At t = {:.1} s, {change}.", at as f64 / 1000.0)}</li>
                            }).collect_view()}
                        </ul>
                    })}
                    {locks}
                    <Sparkline samples=samples/>
                    <ul class="peek" data-testid="inspector-messages">
                        {peek.messages.iter().take(10).map(|msg| {
                            let group = msg.group_id.as_ref().map(|g| format!(", group {g}")).unwrap_or_default();
                            let when = message_timing(msg.state, msg.visible_at_ms, None, now);
                            view! { <li><code>{msg.message_id.clone()}</code>{format!(" {when} (received {}×{group}): ", msg.receive_count)}<span class="mono">{msg.body.chars().take(80).collect::<String>()}</span></li> }
                        }).collect_view()}
                    </ul>
                    {(peek.messages.len() > 10).then(|| view! { <p class="muted">{format!("and {} more.", peek.messages.len() - 10)}</p> })}
                })
            })
        }
    };
    view! {
        {details}
        <fieldset class="lab-form">
            <legend>"Consume as you"</legend>
            <div class="workload-grid">
                <div class="field"><label for="inspector-max">"Receive at most"</label><input id="inspector-max" type="text" bind:value=max/></div>
                <div class="field"><label for="inspector-visibility">"Visibility timeout (s; blank: the queue's)"</label><input id="inspector-visibility" type="text" bind:value=visibility data-testid="inspector-visibility"/></div>
            </div>
            <div class="form-actions">
                <button type="button" class="secondary" on:click=receive data-testid="inspector-receive">"Receive"</button>
                <button type="button" class="secondary" on:click=delete data-testid="inspector-delete">"Delete what you hold"</button>
            </div>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <p class="muted">{format!("Received messages stay in flight as {CONSUMER} until you delete them or their visibility timeout ends; play the clock to watch it.")}</p>
        </fieldset>
        <AttributesForm lab=lab queue=queue/>
    }
}

/// SetQueueAttributes on the running queue: a visibility timeout, a delay and a redrive
/// policy, each left as it is when blank.
#[component]
fn AttributesForm(lab: RwSignal<Lab>, queue: String) -> impl IntoView {
    let visibility = RwSignal::new(String::new());
    let delay = RwSignal::new(String::new());
    let dlq = RwSignal::new(String::new());
    let receives = RwSignal::new("3".to_owned());
    let status = RwSignal::new(None::<Result<String, String>>);
    let others = {
        let queue = queue.clone();
        move || {
            lab.with(|l| {
                l.topology
                    .queues
                    .iter()
                    .filter(|q| q.name != queue)
                    .map(|q| q.name.clone())
                    .collect::<Vec<_>>()
            })
        }
    };
    let set = {
        let queue = queue.clone();
        move |_| {
            let request = (|| -> Result<SetQueueAttributes, String> {
                let redrive_policy = match dlq.get_untracked().as_str() {
                    "" => None,
                    name => {
                        let t = receives.get_untracked();
                        let max_receive_count = t
                            .trim()
                            .parse::<u32>()
                            .ok()
                            .filter(|n| (1..=1000).contains(n))
                            .ok_or(format!(
                                "Receives before the dead-letter queue must be from 1 to 1,000 (maxReceiveCount), not \"{t}\"."
                            ))?;
                        Some(Redrive {
                            dlq: name.to_owned(),
                            max_receive_count,
                        })
                    }
                };
                Ok(SetQueueAttributes {
                    queue: queue.clone(),
                    visibility_timeout_s: seconds(
                        &visibility.get_untracked(),
                        "VisibilityTimeout",
                        43_200,
                    )?,
                    delay_s: seconds(&delay.get_untracked(), "DelaySeconds", 900)?,
                    redrive_policy,
                })
            })();
            let next = request.and_then(|r| {
                lab.with_untracked(|l| try_send(l, Sent::SetAttributes(r)))
                    .map_err(|e| format!("Nothing changed: {e}."))
            });
            match next {
                Ok(l) => {
                    let at = l.now_ms as f64 / 1000.0;
                    lab.set(l);
                    status.set(Some(Ok(format!(
                        "Changed at t = {at:.1} s; the settings above show the queue as it is now."
                    ))));
                }
                Err(e) => status.set(Some(Err(e))),
            }
        }
    };
    view! {
        <fieldset class="lab-form">
            <legend>"Change its attributes while it runs (SetQueueAttributes)"</legend>
            <p class="muted">"Blank fields stay as they are. A new visibility timeout applies to later receives. A new delay applies to later sends on a standard queue; on a FIFO queue it also applies to messages still waiting out their delay. A new redrive policy applies at the next receive."</p>
            <div class="workload-grid">
                <div class="field"><label for="attr-visibility">"VisibilityTimeout (s)"</label><input id="attr-visibility" type="text" bind:value=visibility data-testid="attr-visibility"/></div>
                <div class="field"><label for="attr-delay">"DelaySeconds"</label><input id="attr-delay" type="text" bind:value=delay data-testid="attr-delay"/></div>
                <div class="field"><label for="attr-dlq">"Dead-letter queue"</label>
                    <Choice id="attr-dlq" testid="attr-dlq" value=dlq options=Signal::derive(others) none="leave as it is"/></div>
                <div class="field"><label for="attr-receives">"after receives (maxReceiveCount)"</label><input id="attr-receives" type="text" bind:value=receives data-testid="attr-receives"/></div>
            </div>
            <div class="form-actions">
                <button type="button" class="secondary" on:click=set data-testid="attr-set">"Set queue attributes"</button>
            </div>
            {move || status.get().map(|r| match r {
                Ok(t) => view! { <p class="form-status" role="status" data-testid="attr-status">{t}</p> }.into_any(),
                Err(e) => view! { <p class="field-error" role="alert" data-testid="attr-status">{e}</p> }.into_any(),
            })}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab() -> Lab {
        Lab {
            topology: dojo_engine::topology::Topology::from_json(
                r#"{"queues": [{"name": "work"}, {"name": "o.fifo", "fifo": true}]}"#,
            )
            .expect("topology"),
            sent: vec![],
            now_ms: 4000,
            aws: None,
        }
    }

    #[test]
    fn a_valid_change_is_kept_at_the_clock_and_listed_for_its_queue() {
        let next = try_send(
            &lab(),
            Sent::SetAttributes(SetQueueAttributes {
                queue: "work".into(),
                visibility_timeout_s: Some(5),
                ..Default::default()
            }),
        )
        .expect("accepted");
        assert_eq!(next.sent.len(), 1);
        let r = run(&next).expect("runs");
        assert_eq!(r.queues["work"].config.visibility_timeout_s, 5);
        assert_eq!(
            r.changes["work"],
            [(
                4000,
                "SetQueueAttributes: VisibilityTimeout 5 s (for later receives)".to_owned()
            )]
        );
    }

    #[test]
    fn a_refused_change_says_why_and_changes_nothing() {
        let e = try_send(
            &lab(),
            Sent::SetAttributes(SetQueueAttributes {
                queue: "work".into(),
                redrive_policy: Some(Redrive {
                    dlq: "o.fifo".into(),
                    max_receive_count: 3,
                }),
                ..Default::default()
            }),
        )
        .expect_err("a FIFO dead-letter queue for a standard queue");
        assert!(e.contains("same type as its source"), "{e}");
        assert_eq!(
            seconds("901", "DelaySeconds", 900).expect_err("too long"),
            "DelaySeconds must be a whole number of seconds from 0 to 900, not \"901\"."
        );
        assert_eq!(seconds(" ", "DelaySeconds", 900), Ok(None));
        assert!(seconds("-1", "VisibilityTimeout", 43_200)
            .expect_err("negative")
            .contains("from 0 to 43,200,"));
    }
}
