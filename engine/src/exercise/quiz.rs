//! Quiz questions generated from the live model, with answers the engine computes: which
//! queues an event reaches under a style's rules, what a read model shows after a replay
//! that skips one event, whether a pattern matches an event, which message a second
//! FIFO consumer gets, and where a poison message ends up. A seed makes a quiz
//! repeatable; grading compares the chosen options with the computed ones.

use crate::pattern::{Dialect, EventPattern};
use crate::projection::ReadModels;
use crate::rng::SeededRng;
use crate::services::{self, Input, Scenario, Style, TimedInput};
use crate::sim::{PutEventsEntry, ReceiveRequest, SendRequest, TraceKind, World};
use crate::topology::Topology;
use serde::Serialize;
use serde_json::json;

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub prompt: String,
    /// What the question is about (a pattern, an event, a history), shown beside it.
    pub context: String,
    pub options: Vec<String>,
    /// Several options may be right (check boxes) or exactly one (radio buttons).
    pub multiple: bool,
    /// The right options, by index, ascending.
    pub answer: Vec<usize>,
    /// Why, in words.
    pub explanation: String,
}

impl Question {
    /// Whether exactly the right options were chosen.
    pub fn grade(&self, chosen: &[usize]) -> bool {
        let mut c = chosen.to_vec();
        c.sort_unstable();
        c.dedup();
        c == self.answer
    }
}

/// Five questions, one of each kind, from `seed`.
pub fn generate(seed: u64) -> Vec<Question> {
    let mut rng = SeededRng::new(seed);
    vec![
        routing(&mut rng),
        replay_without(&mut rng),
        pattern_match(&mut rng),
        fifo_next(&mut rng),
        poison(&mut rng),
    ]
}

fn routing(rng: &mut SeededRng) -> Question {
    let (style, style_name) = *rng.pick(&[
        (Style::Notification, "event notification"),
        (Style::EventCarriedState, "event-carried state transfer"),
    ]);
    let event = *rng.pick(&[
        "CustomerRegistered",
        "AddressChanged",
        "QuoteRequested",
        "QuoteIssued",
        "QuoteAccepted",
        "PolicyBound",
    ]);
    let topology = services::topology(style);
    let mut world = World::new(&topology, 1).expect("the built-in topology is valid");
    world
        .put_events(
            "default",
            &[PutEventsEntry {
                source: "dojo.insurance".into(),
                detail_type: event.into(),
                detail: json!({}),
                resources: vec![],
                time: None,
            }],
        )
        .expect("the default bus exists");
    let options: Vec<String> = topology
        .queues
        .iter()
        .map(|q| q.name.clone())
        .chain(std::iter::once("none of them".to_owned()))
        .collect();
    let reached: Vec<String> = world
        .trace()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::Enqueued { .. }))
        .map(|e| e.channel.trim_start_matches("queue:").to_owned())
        .collect();
    let mut answer: Vec<usize> = options
        .iter()
        .enumerate()
        .filter(|(_, o)| reached.contains(o))
        .map(|(i, _)| i)
        .collect();
    if answer.is_empty() {
        answer.push(options.len() - 1);
    }
    let rules: Vec<String> = topology
        .rules
        .iter()
        .map(|r| format!("{} {}", r.name, r.pattern))
        .collect();
    Question {
        prompt: format!(
            "In the {style_name} style, which queues receive a {event} event put on the bus?"
        ),
        context: format!("The bus's rules:\n{}", rules.join("\n")),
        options,
        multiple: true,
        answer,
        explanation: if reached.is_empty() {
            format!("No rule's pattern names {event}, so the bus delivers it nowhere.")
        } else {
            format!(
                "The rules whose detail-type lists {event} send it to {}.",
                reached.join(" and ")
            )
        },
    }
}

fn replay_without(rng: &mut SeededRng) -> Question {
    let postcodes = [
        "EH1 1AA", "G2 3BB", "CF10 1AA", "BT1 5GS", "LS1 4DY", "M1 1AE",
    ];
    let mut picks: Vec<&str> = Vec::new();
    while picks.len() < 4 {
        let p = *rng.pick(&postcodes);
        if !picks.contains(&p) {
            picks.push(p);
        }
    }
    let mut inputs = vec![TimedInput {
        at_ms: 0,
        input: Input::RegisterCustomer {
            customer_id: "c1".into(),
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            email: "ada@example.com".into(),
            phone: String::new(),
            postcode: picks[0].into(),
            birth_year: 1990,
        },
    }];
    for (i, p) in picks[1..].iter().enumerate() {
        inputs.push(TimedInput {
            at_ms: 1000 * (i as u64 + 1),
            input: Input::ChangeAddress {
                customer_id: "c1".into(),
                postcode: (*p).into(),
            },
        });
    }
    let scenario = Scenario {
        name: String::new(),
        description: String::new(),
        style: Style::EventSourcing,
        seed: 1,
        poll_interval_ms: 500,
        snapshot_interval: 100,
        inputs,
        workload: None,
        decoupling: None,
    };
    let outcome = services::run(&scenario, true);
    let entries = outcome.timeline.entries();
    let n = entries.len();
    // Skip an event that touches the customer's address, so the answer depends on it.
    let candidates: Vec<usize> = entries
        .iter()
        .filter(|e| matches!(e.event.type_name(), "CustomerRegistered" | "AddressChanged"))
        .map(|e| e.position as usize)
        .collect();
    let skip = *rng.pick(&candidates);
    let mut models = ReadModels::default();
    for e in entries.iter().filter(|e| e.position as usize != skip) {
        models.apply(e);
    }
    let shown = models
        .customers
        .customers
        .get("c1")
        .map(|c| c.postcode.clone());
    let mut options: Vec<String> = picks.iter().map(|p| (*p).to_owned()).collect();
    options.push("c1 is not in CustomerView".into());
    let answer = vec![match &shown {
        Some(p) => options
            .iter()
            .position(|o| o == p)
            .unwrap_or(options.len() - 1),
        None => options.len() - 1,
    }];
    let history: Vec<String> = entries
        .iter()
        .map(|e| {
            let data = serde_json::to_value(&e.event).unwrap_or_default();
            let postcode = data["data"]["postcode"].as_str().unwrap_or("").to_owned();
            format!("#{} {} {}", e.position, e.event.type_name(), postcode)
        })
        .collect();
    Question {
        prompt: format!(
            "What postcode does CustomerView show for c1 after replaying events 1–{n} without #{skip}?"
        ),
        context: format!("The history:\n{}", history.join("\n")),
        options,
        multiple: false,
        answer,
        explanation: match (&shown, skip) {
            (None, _) => format!("Without #{skip}, the CustomerRegistered, c1 never enters the view: an AddressChanged for an unknown customer changes nothing."),
            (Some(p), _) => format!("A replay applies every event but #{skip} in order; the last address change left standing sets {p}."),
        },
    }
}

fn pattern_match(rng: &mut SeededRng) -> Question {
    let threshold = 100 * (2 + rng.below(9));
    let premium = 100 * (1 + rng.below(12));
    let cover = *rng.pick(&["home", "car", "travel"]);
    let (pattern, why) = match rng.below(3) {
        0 => (
            json!({"detail": {"premium": [{"numeric": [">", threshold]}]}}),
            format!(
                "the premium {premium} is {} {threshold}",
                if premium > threshold {
                    "above"
                } else {
                    "not above"
                }
            ),
        ),
        1 => (
            json!({"detail": {"cover": [{"anything-but": ["travel"]}]}}),
            format!("the cover is {cover}, and anything-but excludes only travel"),
        ),
        _ => (
            json!({"detail-type": [{"prefix": "Quote"}], "detail": {"cover": ["home"]}}),
            format!("the type starts with Quote, and the cover is {cover}"),
        ),
    };
    let event = json!({"source": "dojo.quotes", "detail-type": "QuoteIssued", "detail": {"premium": premium, "cover": cover}});
    let matched = EventPattern::parse(&pattern.to_string(), Dialect::EventBridge)
        .map(|p| p.matches(&crate::json::Json::from_serde(&event)))
        .unwrap_or(false);
    Question {
        prompt: "Does the event match the pattern?".into(),
        context: format!("Pattern: {pattern}\nEvent: {event}"),
        options: vec!["Yes, it matches".into(), "No".into()],
        multiple: false,
        answer: vec![if matched { 0 } else { 1 }],
        explanation: format!(
            "{}: {why}.",
            if matched {
                "It matches"
            } else {
                "It does not match"
            }
        ),
    }
}

fn fifo_next(rng: &mut SeededRng) -> Question {
    let first = *rng.pick(&["A", "B"]);
    let order: Vec<(&str, &str)> = if first == "A" {
        vec![("A", "a1"), ("A", "a2"), ("B", "b1"), ("B", "b2")]
    } else {
        vec![("B", "b1"), ("A", "a1"), ("B", "b2"), ("A", "a2")]
    };
    let topology = Topology::from_json(
        r#"{"queues": [{"name": "orders.fifo", "fifo": true, "content_based_dedup": true}]}"#,
    )
    .expect("valid");
    let mut world = World::new(&topology, 1).expect("valid");
    for (g, body) in &order {
        world
            .send(&SendRequest {
                queue: "orders.fifo".into(),
                body: (*body).into(),
                group_id: Some((*g).into()),
                ..Default::default()
            })
            .expect("send");
    }
    let receive = |world: &mut World, consumer: &str| {
        world
            .receive(&ReceiveRequest {
                queue: "orders.fifo".into(),
                consumer: consumer.into(),
                max: 1,
                wait_s: Some(0),
                visibility_timeout_s: None,
                step: None,
            })
            .expect("receive");
        world
            .take_completed_receives()
            .into_iter()
            .flat_map(|r| r.messages)
            .map(|m| m.body)
            .next()
    };
    let got_first = receive(&mut world, "worker-1").unwrap_or_default();
    let got_second = receive(&mut world, "worker-2");
    let mut options: Vec<String> = order.iter().map(|(_, b)| (*b).to_owned()).collect();
    options.push("nothing".into());
    let answer = vec![match &got_second {
        Some(b) => options.iter().position(|o| o == b).unwrap_or(0),
        None => options.len() - 1,
    }];
    Question {
        prompt: format!(
            "worker-1 received {got_first} and has not deleted it. What does worker-2 get from its next receive of one message?"
        ),
        context: format!(
            "Sent to orders.fifo in this order (group: body): {}",
            order.iter().map(|(g, b)| format!("{g}: {b}")).collect::<Vec<_>>().join(", ")
        ),
        options,
        multiple: false,
        answer,
        explanation: format!(
            "Group {} is locked while {got_first} is in flight, so worker-2 gets the head of the other group.",
            if got_first.starts_with('a') { "A" } else { "B" }
        ),
    }
}

fn poison(rng: &mut SeededRng) -> Question {
    let max = 1 + rng.below(4) as u32;
    let receives = 1 + rng.below(5) as u32;
    let topology = Topology::from_json(&format!(
        r#"{{"queues": [{{"name": "work", "visibility_timeout_s": 5, "redrive": {{"dlq": "work-dlq", "max_receive_count": {max}}}}}, {{"name": "work-dlq"}}]}}"#
    ))
    .expect("valid");
    let mut world = World::new(&topology, 1).expect("valid");
    world
        .send(&SendRequest {
            queue: "work".into(),
            body: "poison".into(),
            ..Default::default()
        })
        .expect("send");
    // How many of the worker's receives returned the message: the one that would go past
    // maxReceiveCount returns nothing, because the message moves to the DLQ instead.
    let mut returned = 0;
    for i in 0..receives {
        world.run_until(u64::from(i) * 10_000);
        world
            .receive(&ReceiveRequest {
                queue: "work".into(),
                consumer: "worker".into(),
                max: 1,
                wait_s: Some(0),
                visibility_timeout_s: None,
                step: None,
            })
            .expect("receive");
        returned += world
            .take_completed_receives()
            .iter()
            .map(|r| r.messages.len())
            .sum::<usize>();
    }
    let moved = world
        .trace()
        .iter()
        .any(|e| matches!(e.kind, TraceKind::MovedToDlq { .. }));
    Question {
        prompt: format!(
            "Queue work holds one poison message. A worker calls ReceiveMessage on work {}, 10 s apart, and never deletes what it gets. Where is the message after the last call?",
            times(receives as usize)
        ),
        context: format!("Queue work: visibility timeout 5 s, maxReceiveCount {max}, dead-letter queue work-dlq."),
        options: vec!["Still in work, waiting to be received again".into(), "In work-dlq".into()],
        multiple: false,
        answer: vec![usize::from(moved)],
        explanation: if moved {
            format!(
                "The first {} return it. Call number {} would take its receive count past maxReceiveCount {max}, so SQS moves it to work-dlq instead and that call gets nothing.",
                times_returned(returned),
                max + 1
            )
        } else {
            format!(
                "Every call returned it: {}, no more than maxReceiveCount {max}, so it is still in work.",
                times(returned)
            )
        },
    }
}

/// "once", "twice", "3 times".
fn times(n: usize) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// "call", "2 calls": the calls that returned the message.
fn times_returned(n: usize) -> String {
    if n == 1 {
        "call".into()
    } else {
        format!("{n} calls")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiz_is_repeatable_and_every_question_has_a_right_answer() {
        for seed in 0..40 {
            let q = generate(seed);
            assert_eq!(q, generate(seed), "seed {seed}");
            for question in &q {
                assert!(!question.answer.is_empty(), "{}", question.prompt);
                assert!(question.answer.iter().all(|i| *i < question.options.len()));
                assert!(question.grade(&question.answer));
                assert!(!question.explanation.is_empty());
                if !question.multiple {
                    assert_eq!(question.answer.len(), 1);
                }
            }
        }
        assert_ne!(generate(1), generate(2));
    }

    #[test]
    fn routing_answers_come_from_the_rules() {
        let mut rng = SeededRng::new(3);
        let q = (0..30)
            .map(|_| routing(&mut rng))
            .find(|q| q.prompt.contains("event-carried") && q.prompt.contains("CustomerRegistered"))
            .expect("generated");
        let right: Vec<&str> = q.answer.iter().map(|i| q.options[*i].as_str()).collect();
        assert_eq!(right, ["quote-generator-replica", "comms-replica"]);
        assert!(!q.grade(&[q.answer[0]]), "half an answer is wrong");
    }

    #[test]
    fn the_poison_question_agrees_with_its_own_answer() {
        for seed in 0..40 {
            let q = poison(&mut SeededRng::new(seed));
            let moved = q.answer == [1];
            let calls: u32 = if q.prompt.contains(" once,") {
                1
            } else if q.prompt.contains(" twice,") {
                2
            } else {
                q.prompt
                    .split(" times,")
                    .next()
                    .and_then(|p| p.rsplit(' ').next())
                    .and_then(|n| n.parse().ok())
                    .expect("a count")
            };
            let max: u32 = q
                .context
                .split("maxReceiveCount ")
                .nth(1)
                .and_then(|t| t.split(',').next())
                .and_then(|n| n.parse().ok())
                .expect("maxReceiveCount");
            // SQS: the call after maxReceiveCount receives moves the message instead.
            assert_eq!(moved, calls > max, "seed {seed}: {q:?}");
            if moved {
                assert!(
                    q.explanation.contains(&format!("Call number {}", max + 1)),
                    "{}",
                    q.explanation
                );
            } else {
                assert!(
                    q.explanation.starts_with("Every call returned it"),
                    "{}",
                    q.explanation
                );
            }
        }
    }

    #[test]
    fn the_fifo_question_skips_the_locked_group() {
        let q = fifo_next(&mut SeededRng::new(1));
        let right = &q.options[q.answer[0]];
        assert!(right == "b1" || right == "a1", "{right}");
        assert!(!q.prompt.contains(&format!("received {right} ")));
    }
}
