//! "Try it": the message form (put an event on a bus, publish to a topic, send to a
//! queue), and the workload generator with the virtual clock that plays it.

use super::builder;
use super::model::{Lab, Sent};
use super::Notice;
use crate::components::{Choice, PlayLoop};
use dojo_engine::sim::{PublishRequest, PutEventsEntry, SendRequest};
use dojo_engine::topology::Topology;
use leptos::prelude::*;

/// The message form's fields, which the workload generator sends too.
#[derive(Clone, Copy)]
pub(super) struct Message {
    detail: RwSignal<String>,
    event_type: RwSignal<String>,
    bus: RwSignal<String>,
    topic: RwSignal<String>,
    queue: RwSignal<String>,
    group: RwSignal<String>,
    dedup: RwSignal<String>,
}

impl Message {
    pub(super) fn new() -> Self {
        Message {
            detail: RwSignal::new(r#"{"quote_id": "q1", "premium": 650}"#.to_owned()),
            event_type: RwSignal::new("QuoteIssued".to_owned()),
            bus: RwSignal::new("default".to_owned()),
            topic: RwSignal::new(String::new()),
            queue: RwSignal::new(String::new()),
            group: RwSignal::new("g1".to_owned()),
            dedup: RwSignal::new(String::new()),
        }
    }

    /// FIFO sends need a group; the deduplication id is fresh per send unless one is
    /// given.
    fn fifo_ids(self, lab: RwSignal<Lab>, fifo: bool) -> (Option<String>, Option<String>) {
        if !fifo {
            return (None, None);
        }
        let group = Some(self.group.get_untracked().trim().to_owned()).filter(|g| !g.is_empty());
        let dedup = match self.dedup.get_untracked().trim() {
            "" => format!("lab-{}", lab.with_untracked(|l| l.sent.len() + 1)),
            d => d.to_owned(),
        };
        (group, Some(dedup))
    }

    /// The detail as JSON, or what is wrong with it.
    fn detail_json(self) -> Result<serde_json::Value, String> {
        dojo_engine::wording::parse::<serde_json::Value>(&self.detail.get_untracked())
            .map_err(|e| format!("The detail is not valid JSON. {e}"))
    }

    /// An event with this detail-type and `detail`, put on the chosen bus.
    fn on_bus(self, detail: serde_json::Value) -> Sent {
        let entry = PutEventsEntry {
            source: "dojo.lab".into(),
            detail_type: self.event_type.get_untracked(),
            detail,
            resources: vec![],
            time: None,
        };
        let bus = self.bus.get_untracked();
        if bus == "default" {
            Sent::Bus(entry)
        } else {
            Sent::PutOn { bus, entry }
        }
    }
}

/// The message form and its three ways to send.
#[component]
pub(super) fn MessageForm(lab: RwSignal<Lab>, notice: Notice, message: Message) -> impl IntoView {
    let m = message;
    // Sends now and moves the clock on a second.
    let send_now = move |sent: Sent| {
        lab.update(|l| {
            l.sent.push((l.now_ms, sent));
            l.now_ms += 1000;
        });
        notice.set(None);
    };
    let send_event = move |_| match m.detail_json() {
        Ok(detail) => send_now(m.on_bus(detail)),
        Err(e) => notice.set(Some(Err(e))),
    };
    let publish = move |_| {
        let topic = m.topic.get_untracked();
        if topic.is_empty() {
            return notice.set(Some(Err("Choose a topic to publish to.".into())));
        }
        let fifo =
            lab.with_untracked(|l| l.topology.topics.iter().any(|t| t.name == topic && t.fifo));
        let (group_id, dedup_id) = m.fifo_ids(lab, fifo);
        send_now(Sent::Topic(PublishRequest {
            topic,
            message: m.detail.get_untracked(),
            group_id,
            dedup_id,
            ..Default::default()
        }));
    };
    let send_queue = move |_| {
        let queue = m.queue.get_untracked();
        if queue.is_empty() {
            return notice.set(Some(Err("Choose a queue to send to.".into())));
        }
        let fifo =
            lab.with_untracked(|l| l.topology.queues.iter().any(|q| q.name == queue && q.fifo));
        let (group_id, dedup_id) = m.fifo_ids(lab, fifo);
        send_now(Sent::Queue(SendRequest {
            queue,
            body: m.detail.get_untracked(),
            group_id,
            dedup_id,
            ..Default::default()
        }));
    };
    let names = move |pick: fn(&Topology) -> Vec<String>| {
        Signal::derive(move || lab.with(|l| pick(&l.topology)))
    };
    view! {
        <div class="try-grid">
            <div class="field"><label for="lab-m-type">"detail-type"</label><input id="lab-m-type" type="text" bind:value=m.event_type/></div>
            <div class="field"><label for="lab-m-bus">"Bus"</label>
                <Choice id="lab-m-bus" testid="lab-message-bus" value=m.bus options=names(builder::bus_names)/></div>
            <div class="field"><label for="lab-m-topic">"Topic"</label>
                <Choice id="lab-m-topic" testid="lab-message-topic" value=m.topic options=names(builder::topic_names) none="choose a topic"/></div>
            <div class="field"><label for="lab-m-queue">"Queue"</label>
                <Choice id="lab-m-queue" testid="lab-message-queue" value=m.queue options=names(builder::queue_names) none="choose a queue"/></div>
            <div class="field"><label for="lab-m-group">"FIFO group id"</label><input id="lab-m-group" type="text" bind:value=m.group data-testid="lab-message-group"/></div>
            <div class="field"><label for="lab-m-dedup">"FIFO dedup id (blank: new each time)"</label><input id="lab-m-dedup" type="text" bind:value=m.dedup/></div>
        </div>
        <div class="field"><label for="lab-m-detail">"Message or detail (JSON)"</label>
            <textarea id="lab-m-detail" rows="3" spellcheck="false" bind:value=m.detail data-testid="lab-message"></textarea></div>
        <div class="form-actions">
            <button type="button" class="primary" on:click=send_event data-testid="lab-put-event">"Put event on the bus"</button>
            <button type="button" class="secondary" on:click=publish data-testid="lab-publish">"Publish to the topic"</button>
            <button type="button" class="secondary" on:click=send_queue data-testid="lab-send-queue">"Send to the queue"</button>
        </div>
    }
}

/// The times of a steady rate for a while plus a spike, from `start_ms`, at most 5,000.
fn workload_times(fields: [(&str, String); 5], start_ms: u64) -> Result<Vec<u64>, String> {
    let mut values = [0f64; 5];
    for (value, (label, text)) in values.iter_mut().zip(fields) {
        *value = text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| *v >= 0.0)
            .ok_or(format!(
                "{label} must be a number of 0 or more, not \"{text}\"."
            ))?;
    }
    let [rate, secs, n, over, at] = values;
    let mut times = Vec::new();
    if rate > 0.0 {
        let count = (rate * secs).floor() as u64;
        times.extend((0..count).map(|k| start_ms + (k as f64 * 1000.0 / rate) as u64));
    }
    let n = n.floor() as u64;
    times.extend((0..n).map(|k| {
        start_ms + (at * 1000.0) as u64 + (k as f64 * over * 1000.0 / n.max(1) as f64) as u64
    }));
    if times.len() > 5000 {
        return Err(format!(
            "That is {} messages; the lab takes at most 5,000 at once.",
            times.len()
        ));
    }
    Ok(times)
}

/// The workload generator (a rate for a while, and a spike) and the clock that plays
/// what is scheduled.
#[component]
pub(super) fn WorkloadAndClock(
    lab: RwSignal<Lab>,
    notice: Notice,
    message: Message,
) -> impl IntoView {
    let w_rate = RwSignal::new("5".to_owned());
    let w_for = RwSignal::new("10".to_owned());
    let w_spike_n = RwSignal::new("50".to_owned());
    let w_spike_over = RwSignal::new("2".to_owned());
    let w_spike_at = RwSignal::new("4".to_owned());
    let clock = PlayLoop::new(100);
    let speed = RwSignal::new(1u64);
    let generate = move |_| {
        let fields = [
            ("Rate", w_rate.get_untracked()),
            ("Duration", w_for.get_untracked()),
            ("Spike size", w_spike_n.get_untracked()),
            ("Spike length", w_spike_over.get_untracked()),
            ("Spike start", w_spike_at.get_untracked()),
        ];
        let times = workload_times(fields, lab.get_untracked().now_ms);
        match times.and_then(|t| message.detail_json().map(|d| (t, d))) {
            Err(e) => notice.set(Some(Err(e))),
            Ok((times, detail)) => {
                let count = times.len();
                lab.update(|l| {
                    for at in times {
                        l.sent.push((at, message.on_bus(detail.clone())));
                    }
                });
                notice.set(Some(Ok(format!(
                    "Scheduled {count} events; play the clock to send them."
                ))));
            }
        }
    };
    let play = move |_| {
        if clock.is_playing() {
            clock.stop();
            return;
        }
        clock.start(move || {
            let done = lab.with_untracked(|l| l.sent.iter().all(|(at, _)| *at <= l.now_ms));
            if done {
                clock.stop();
                return;
            }
            lab.update(|l| l.now_ms += 100 * speed.get_untracked());
        });
    };
    view! {
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
                <button type="button" class="secondary" on:click=play data-testid="clock-play">{move || if clock.playing.get() { "Pause" } else { "Play" }}</button>
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
    }
}

#[cfg(test)]
mod tests {
    use super::workload_times;

    fn fields(values: [&str; 5]) -> [(&'static str, String); 5] {
        let labels = [
            "Rate",
            "Duration",
            "Spike size",
            "Spike length",
            "Spike start",
        ];
        std::array::from_fn(|i| (labels[i], values[i].to_owned()))
    }

    #[test]
    fn a_workload_is_a_steady_rate_and_a_spike_from_the_clock() {
        let times = workload_times(fields(["2", "2", "2", "1", "5"]), 1_000).expect("valid");
        assert_eq!(times, [1_000, 1_500, 2_000, 2_500, 6_000, 6_500]);
        let err = workload_times(fields(["x", "2", "2", "1", "5"]), 0).expect_err("not a number");
        assert_eq!(err, "Rate must be a number of 0 or more, not \"x\".");
        let err = workload_times(fields(["1000", "10", "0", "0", "0"]), 0).expect_err("too many");
        assert_eq!(
            err,
            "That is 10000 messages; the lab takes at most 5,000 at once."
        );
    }
}
