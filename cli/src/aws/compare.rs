//! The simulation's deliveries set beside AWS's: each one matches, differs, or exists on
//! one side only, with the reason where it is known and whether the difference is one
//! AWS's documentation allows (timing, a standard queue's duplicates and order).

use super::Delivery;
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Match,
    Differ,
    SimOnly,
    AwsOnly,
}

impl Status {
    fn words(self) -> &'static str {
        match self {
            Status::Match => "match",
            Status::Differ => "differ",
            Status::SimOnly => "only in the simulation",
            Status::AwsOnly => "only on AWS",
        }
    }
}

/// One side's view of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Seen {
    pub step: usize,
    pub at_ms: u64,
    pub receive_count: u32,
    pub consumer: String,
}

impl Seen {
    fn of(d: &Delivery) -> Seen {
        Seen {
            step: d.step,
            at_ms: d.at_ms,
            receive_count: d.receive_count,
            consumer: d.consumer.clone(),
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub status: Status,
    pub queue: String,
    /// What was delivered, without what differs between any two runs (ids, times,
    /// ARNs): an SNS envelope's message and attributes, an event's source, type and
    /// detail, or the body as it is.
    pub content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sim: Option<Seen>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws: Option<Seen>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The difference is one AWS's documentation allows.
    pub expected: bool,
}

/// What else the two runs said.
#[derive(Debug, Default)]
pub struct Notes {
    pub not_made: Vec<String>,
    /// Queues whose only feed on AWS was not made (a handler's dead-letter queue).
    pub unfed: Vec<String>,
    pub refused_on_aws: Vec<String>,
    pub refused_in_sim: Vec<String>,
}

/// A note on the run as a whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub what: String,
    pub expected: bool,
}

#[derive(Debug, Default)]
pub struct Report {
    pub lines: Vec<Line>,
    pub notes: Vec<Note>,
}

/// The value with every object's keys in sorted order, so key order never differs.
fn canonical(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, canonical(v)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// The delivered content without what differs between any two runs.
pub fn content(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body).map(canonical) else {
        return body.to_owned();
    };
    if v["Type"] == "Notification" && v.get("TopicArn").is_some() {
        let message = v["Message"].as_str().map_or(Value::Null, |m| {
            serde_json::from_str::<Value>(&content(m)).unwrap_or(Value::String(content(m)))
        });
        let mut out = json!({"sns": {"Message": message}});
        if let Some(s) = v.get("Subject").filter(|s| !s.is_null()) {
            out["sns"]["Subject"] = s.clone();
        }
        if let Some(a) = v
            .get("MessageAttributes")
            .filter(|a| a.as_object().is_some_and(|m| !m.is_empty()))
        {
            out["sns"]["MessageAttributes"] = a.clone();
        }
        return out.to_string();
    }
    if v.get("detail-type").is_some() && v.get("source").is_some() && v.get("detail").is_some() {
        return json!({"source": v["source"], "detail-type": v["detail-type"], "detail": v["detail"]})
            .to_string();
    }
    v.to_string()
}

fn fifo(queue: &str) -> bool {
    queue.ends_with(".fifo")
}

/// Pairs each side's deliveries queue by queue and explains what does not pair.
pub fn compare(sim: &[Delivery], aws: &[Delivery], notes: &Notes) -> Report {
    let mut report = Report::default();
    let mut queues: Vec<&str> = sim.iter().chain(aws).map(|d| d.queue.as_str()).collect();
    queues.sort_unstable();
    queues.dedup();
    for queue in queues {
        let s: Vec<(&Delivery, String)> = sim
            .iter()
            .filter(|d| d.queue == queue)
            .map(|d| (d, content(&d.body)))
            .collect();
        let a: Vec<(&Delivery, String)> = aws
            .iter()
            .filter(|d| d.queue == queue)
            .map(|d| (d, content(&d.body)))
            .collect();
        let unfed = notes.unfed.iter().any(|q| q == queue);
        let mut lines = compare_queue(queue, &s, &a, unfed);
        // What the simulation delivered from a step AWS refused is missing on AWS.
        let refused: Vec<&str> = notes
            .refused_on_aws
            .iter()
            .filter(|p| !p.contains("MQTT runs on AWS IoT Core"))
            .filter_map(|p| p.split(" at ").next())
            .collect();
        if !refused.is_empty() {
            for l in lines
                .iter_mut()
                .filter(|l| l.status == Status::SimOnly && l.reason.is_none())
            {
                l.reason = Some(format!(
                    "AWS refused {} (see the notes): what the simulation delivered from there is missing",
                    refused.join(", ")
                ));
            }
        }
        report.lines.extend(lines);
    }
    for n in &notes.not_made {
        report.notes.push(Note {
            what: format!("not made on AWS: {n}"),
            expected: true,
        });
    }
    for p in &notes.refused_on_aws {
        let step = p.split(" at ").next().unwrap_or_default();
        let both = notes
            .refused_in_sim
            .iter()
            .any(|s| s.split(" at ").next() == Some(step));
        let mqtt = p.contains("MQTT runs on AWS IoT Core");
        report.notes.push(Note {
            what: if both {
                format!("refused on AWS as in the simulation: {p}")
            } else {
                format!("refused on AWS: {p}")
            },
            expected: both || mqtt,
        });
    }
    for s in &notes.refused_in_sim {
        let step = s.split(" at ").next().unwrap_or_default();
        if !notes
            .refused_on_aws
            .iter()
            .any(|p| p.split(" at ").next() == Some(step))
        {
            report.notes.push(Note {
                what: format!("refused in the simulation, accepted on AWS: {s}"),
                expected: false,
            });
        }
    }
    report
}

fn compare_queue(
    queue: &str,
    s: &[(&Delivery, String)],
    a: &[(&Delivery, String)],
    unfed: bool,
) -> Vec<Line> {
    let mut pair_of: Vec<Option<usize>> = vec![None; s.len()];
    let mut taken = vec![false; a.len()];
    // Same content and receive count first, then same content.
    for exact in [true, false] {
        for (i, (sd, sc)) in s.iter().enumerate() {
            if pair_of[i].is_some() {
                continue;
            }
            if let Some(j) = (0..a.len()).find(|&j| {
                !taken[j] && a[j].1 == *sc && (!exact || a[j].0.receive_count == sd.receive_count)
            }) {
                taken[j] = true;
                pair_of[i] = Some(j);
            }
        }
    }
    let mut lines = Vec::new();
    // Order: among paired deliveries, AWS's order against the simulation's, within each
    // message group on a FIFO queue, over the whole queue otherwise.
    let out_of_order = |i: usize, j: usize| {
        let (sd, ad) = (s[i].0, a[j].0);
        (0..i).any(|k| {
            pair_of[k].is_some_and(|l| {
                (!fifo(queue) || s[k].0.group_id == sd.group_id) && a[l].0.order > ad.order
            })
        })
    };
    for (i, (sd, sc)) in s.iter().enumerate() {
        let line = |status, aws: Option<&Delivery>, reason: Option<String>, expected| Line {
            status,
            queue: queue.to_owned(),
            content: sc.clone(),
            sim: Some(Seen::of(sd)),
            aws: aws.map(Seen::of),
            reason,
            expected,
        };
        let Some(j) = pair_of[i] else {
            let (reason, expected) = if unfed {
                (Some("not made on AWS: it is the dead-letter queue of a handler's subscription or target, and handlers are Lambda functions a run does not make".to_owned()), true)
            } else if sd.receive_count > 1 {
                (Some(format!("timing: the simulation redelivered it (receive {}) after its visibility timeout; on AWS no receive got it again within the run", sd.receive_count)), true)
            } else {
                (None, false)
            };
            lines.push(line(Status::SimOnly, None, reason, expected));
            continue;
        };
        let ad = a[j].0;
        if ad.receive_count != sd.receive_count {
            lines.push(line(Status::Differ, Some(ad), Some(format!(
                "timing: receive {} in the simulation, receive {} on AWS: a redelivery after the visibility timeout happened at a different moment", sd.receive_count, ad.receive_count
            )), true));
        } else if ad.step != sd.step {
            let why = if fifo(queue) {
                "; which messages one receive returns from a FIFO queue also depends on how many of one message group it gives"
            } else {
                ""
            };
            lines.push(line(Status::Differ, Some(ad), Some(format!(
                "timing: received by step {} in the simulation ({} ms) and by step {} on AWS ({} ms){why}", sd.step, sd.at_ms, ad.step, ad.at_ms
            )), true));
        } else if out_of_order(i, j) {
            let (reason, expected) = if fifo(queue) {
                (format!("order: AWS delivered it out of order within message group {}, which a FIFO queue does not do", sd.group_id.as_deref().unwrap_or("?")), false)
            } else {
                (
                    "order: a standard queue does not keep the order messages were sent in"
                        .to_owned(),
                    true,
                )
            };
            lines.push(line(Status::Differ, Some(ad), Some(reason), expected));
        } else {
            lines.push(line(Status::Match, Some(ad), None, true));
        }
    }
    for (j, (ad, ac)) in a.iter().enumerate() {
        if taken[j] {
            continue;
        }
        let again = a
            .iter()
            .enumerate()
            .any(|(k, (_, c))| k != j && taken[k] && c == ac);
        let (reason, expected) = if ad.receive_count > 1 {
            (Some(format!("timing: AWS redelivered it (receive {}) after its visibility timeout within the run; the simulation did not", ad.receive_count)), true)
        } else if again && !fifo(queue) {
            (
                Some(
                    "at-least-once: a standard queue can deliver a message more than once"
                        .to_owned(),
                ),
                true,
            )
        } else {
            (None, false)
        };
        lines.push(Line {
            status: Status::AwsOnly,
            queue: queue.to_owned(),
            content: ac.clone(),
            sim: None,
            aws: Some(Seen::of(ad)),
            reason,
            expected,
        });
    }
    lines
}

impl Report {
    fn count(&self, status: Status) -> (usize, usize) {
        let of: Vec<&Line> = self.lines.iter().filter(|l| l.status == status).collect();
        (of.len(), of.iter().filter(|l| l.expected).count())
    }

    /// Differences AWS's documentation does not explain.
    pub fn unexpected(&self) -> usize {
        self.lines.iter().filter(|l| !l.expected).count()
            + self.notes.iter().filter(|n| !n.expected).count()
    }

    fn summary(&self) -> Value {
        let (matched, _) = self.count(Status::Match);
        let (differ, differ_ok) = self.count(Status::Differ);
        let (sim_only, sim_ok) = self.count(Status::SimOnly);
        let (aws_only, aws_ok) = self.count(Status::AwsOnly);
        json!({
            "record": "summary",
            "match": matched,
            "differ": differ, "differ_expected": differ_ok,
            "sim_only": sim_only, "sim_only_expected": sim_ok,
            "aws_only": aws_only, "aws_only_expected": aws_ok,
            "notes": self.notes.len(),
            "unexpected": self.unexpected(),
        })
    }

    /// One JSON object per line: every delivery, every note, then the summary.
    pub fn json_lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .lines
            .iter()
            .map(|l| {
                let mut v = serde_json::to_value(l).unwrap_or(Value::Null);
                v["record"] = json!("delivery");
                v.to_string()
            })
            .collect();
        out.extend(self.notes.iter().map(|n| {
            json!({"record": "note", "what": n.what, "expected": n.expected}).to_string()
        }));
        out.push(self.summary().to_string());
        out
    }

    /// The report in words, queue by queue.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut queue = "";
        for l in &self.lines {
            if l.queue != queue {
                queue = &l.queue;
                let here: Vec<&Line> = self.lines.iter().filter(|x| x.queue == queue).collect();
                let n = |s| here.iter().filter(|x| x.status == s).count();
                out += &format!(
                    "queue {queue}: {} match, {} differ, {} only in the simulation, {} only on AWS\n",
                    n(Status::Match),
                    n(Status::Differ),
                    n(Status::SimOnly),
                    n(Status::AwsOnly)
                );
            }
            let short: String = l.content.chars().take(100).collect();
            let steps = match (&l.sim, &l.aws) {
                (Some(s), Some(a)) => format!("step {} / step {}", s.step, a.step),
                (Some(s), None) => format!("step {} / -", s.step),
                (None, Some(a)) => format!("- / step {}", a.step),
                (None, None) => String::new(),
            };
            out += &format!("  {:<22} {steps:<18} {short}\n", l.status.words());
            if let Some(r) = &l.reason {
                out += &format!(
                    "      {}{r}\n",
                    if l.expected {
                        "expected: "
                    } else {
                        "UNEXPECTED: "
                    }
                );
            }
        }
        for n in &self.notes {
            out += &format!(
                "note: {}{}\n",
                if n.expected { "" } else { "UNEXPECTED: " },
                n.what
            );
        }
        let s = self.summary();
        out += &format!(
            "summary: {} match, {} differ ({} expected), {} only in the simulation ({} expected), {} only on AWS ({} expected); {} unexpected\n",
            s["match"], s["differ"], s["differ_expected"], s["sim_only"], s["sim_only_expected"], s["aws_only"], s["aws_only_expected"], s["unexpected"]
        );
        out
    }
}

#[cfg(test)]
mod tests;
