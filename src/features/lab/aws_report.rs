//! A `dojo aws compare --json` report read back into the lab: what AWS delivered beside
//! what the simulation did, queue by queue, drawn on the canvas and listed with reasons.

use crate::components::ErrorView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use super::model::Lab;

/// One delivery line of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// `match`, `differ`, `sim_only` or `aws_only`.
    pub status: String,
    pub queue: String,
    pub content: String,
    #[serde(default)]
    pub reason: Option<String>,
    pub expected: bool,
}

/// Per queue: how many deliveries match, differ, or exist on one side only, and how many
/// of the differences AWS's documentation does not explain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub matched: usize,
    pub differ: usize,
    pub sim_only: usize,
    pub aws_only: usize,
    pub unexpected: usize,
}

impl Tally {
    /// The badge's words on the canvas.
    pub fn badge(&self) -> String {
        let total = self.matched + self.differ + self.sim_only + self.aws_only;
        if total == self.matched {
            return format!("AWS: all {total} match");
        }
        let mut parts = vec![format!("{} match", self.matched)];
        if self.differ > 0 {
            parts.push(format!("{} differ", self.differ));
        }
        if self.sim_only + self.aws_only > 0 {
            parts.push(format!("{} one side", self.sim_only + self.aws_only));
        }
        format!("AWS: {}", parts.join(", "))
    }

    /// `ok`, `expected` (every difference explained) or `unexpected`.
    pub fn state(&self) -> &'static str {
        if self.unexpected > 0 {
            "unexpected"
        } else if self.differ + self.sim_only + self.aws_only > 0 {
            "expected"
        } else {
            "ok"
        }
    }
}

/// An imported report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The file it came from.
    pub file: String,
    pub lines: Vec<Line>,
    /// Notes on the run (what was not made, steps refused): the text, and whether AWS's
    /// documentation explains it.
    pub notes: Vec<(String, bool)>,
    pub queues: BTreeMap<String, Tally>,
}

impl Comparison {
    pub fn unexpected(&self) -> usize {
        self.queues.values().map(|t| t.unexpected).sum::<usize>()
            + self.notes.iter().filter(|(_, ok)| !ok).count()
    }
}

/// Reads a report; what is wrong names the line.
pub fn parse(file: &str, text: &str) -> Result<Comparison, String> {
    let mut out = Comparison {
        file: file.to_owned(),
        lines: Vec::new(),
        notes: Vec::new(),
        queues: BTreeMap::new(),
    };
    let mut summary = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(raw)
            .map_err(|e| format!("Line {n} is not JSON ({e}). A report is what `dojo aws compare --json` prints: one JSON object per line."))?;
        match v["record"].as_str() {
            Some("delivery") => {
                let line: Line = serde_json::from_value(v.clone()).map_err(|e| {
                    format!("Line {n}: a delivery needs status, queue, content and expected ({e}).")
                })?;
                let tally = out.queues.entry(line.queue.clone()).or_default();
                match line.status.as_str() {
                    "match" => tally.matched += 1,
                    "differ" => tally.differ += 1,
                    "sim_only" => tally.sim_only += 1,
                    "aws_only" => tally.aws_only += 1,
                    other => {
                        return Err(format!(
                            "Line {n}: status {other:?} is not one of match, differ, sim_only, aws_only."
                        ))
                    }
                }
                if !line.expected {
                    tally.unexpected += 1;
                }
                out.lines.push(line);
            }
            Some("note") => out.notes.push((
                v["what"].as_str().unwrap_or_default().to_owned(),
                v["expected"].as_bool().unwrap_or(false),
            )),
            Some("summary") => summary = true,
            Some(other) => {
                return Err(format!(
                    "Line {n}: record {other:?} is not one a report has (delivery, note, summary)."
                ))
            }
            None => return Err(format!("Line {n} has no \"record\" field.")),
        }
    }
    if !summary {
        return Err("The report has no summary line: it is cut short, or it is not from `dojo aws compare --json`.".into());
    }
    Ok(out)
}

fn status_words(status: &str) -> &'static str {
    match status {
        "match" => "match",
        "differ" => "differs",
        "sim_only" => "only in the simulation",
        _ => "only on AWS",
    }
}

/// The file name a lab's script downloads as.
pub const SCRIPT_FILE: &str = "event-dojo-lab.json";

/// Download the lab as a script with the commands that run it on AWS, and import the
/// comparison they print.
#[component]
pub fn AwsRun(lab: RwSignal<Lab>) -> impl IntoView {
    let notice = RwSignal::new(None::<Result<String, String>>);
    let download = move |_| {
        let text =
            lab.with_untracked(|l| serde_json::to_string_pretty(&l.script()).unwrap_or_default());
        notice.set(Some(
            crate::components::files::download(SCRIPT_FILE, "application/json", &text)
                .map(|_| format!("Saved {SCRIPT_FILE}.")),
        ));
    };
    let import = move |ev: leptos::ev::Event| {
        let name = crate::components::files::chosen_file_name(&ev)
            .unwrap_or_else(|| "report.jsonl".to_owned());
        let Some(reading) = crate::components::files::chosen_file_text(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let read = reading.await.and_then(|text| parse(&name, &text));
            match read {
                Ok(c) => {
                    let said = format!(
                        "Imported {}: {} deliveries compared on {} queue(s), {} difference(s) AWS's documentation does not explain. Each queue on the canvas shows its tally.",
                        c.file,
                        c.lines.len(),
                        c.queues.len(),
                        c.unexpected()
                    );
                    lab.update(|l| l.aws = Some(c));
                    notice.set(Some(Ok(said)));
                }
                Err(e) => notice.set(Some(Err(e))),
            }
        });
    };
    let clear = move |_| {
        lab.update(|l| l.aws = None);
        notice.set(Some(Ok("The comparison is cleared.".into())));
    };
    view! {
        <h3>"Run it on AWS and compare"</h3>
        <p class="muted">"The command line runs this lab on a real AWS account (or a local emulator): it makes the channels under a name prefix, sends what you sent at the same times, receives as you did, records every delivery, deletes everything it made, and reports where AWS differed from the simulation."</p>
        <ol class="steps" data-testid="lab-aws-run-steps">
            <li>"Download the lab as a simulation script. "
                <button type="button" class="secondary" on:click=download data-testid="lab-export-script">"Download " {SCRIPT_FILE}</button>
            </li>
            <li>"With AWS credentials in your environment, run and compare (see docs/aws.md):"
                <pre data-testid="lab-aws-commands"><code>{format!("dojo aws run {SCRIPT_FILE} --region eu-west-1\ndojo aws compare {SCRIPT_FILE} --region eu-west-1 --json > aws-report.jsonl")}</code></pre>
            </li>
            <li>
                <label for="lab-aws-import">"Import the report to see the differences on the canvas: "</label>
                <input id="lab-aws-import" type="file" accept=".jsonl,.json,application/json" on:change=import data-testid="lab-aws-import"/>
            </li>
        </ol>
        {move || notice.get().map(|r| match r {
            Ok(t) => view! { <p class="form-status" role="status" data-testid="lab-aws-notice">{t}</p> }.into_any(),
            Err(e) => view! { <ErrorView title="Nothing changed" message=e/> }.into_any(),
        })}
        {move || lab.with(|l| l.aws.clone()).map(|c| view! {
            <section aria-labelledby="lab-aws-comparison" data-testid="lab-aws-comparison">
                <h3 id="lab-aws-comparison">{format!("Compared with AWS ({})", c.file)}</h3>
                <table>
                    <thead><tr><th scope="col">"Queue"</th><th scope="col">"Match"</th><th scope="col">"Differ"</th><th scope="col">"Only in the simulation"</th><th scope="col">"Only on AWS"</th><th scope="col">"Unexplained"</th></tr></thead>
                    <tbody>{c.queues.iter().map(|(q, t)| view! {
                        <tr data-testid="lab-aws-queue"><th scope="row">{q.clone()}</th><td>{t.matched}</td><td>{t.differ}</td><td>{t.sim_only}</td><td>{t.aws_only}</td><td>{t.unexpected}</td></tr>
                    }).collect_view()}</tbody>
                </table>
                <ul class="aws-differences">
                    {c.lines.iter().filter(|l| l.status != "match").map(|l| view! {
                        <li data-testid="lab-aws-difference" class=if l.expected { "expected" } else { "unexpected" }>
                            <strong>{format!("{}, {}: ", l.queue, status_words(&l.status))}</strong>
                            <code>{l.content.chars().take(120).collect::<String>()}</code>
                            <span>{format!(" {}{}", if l.expected { "Expected: " } else { "Not explained: " }, l.reason.clone().unwrap_or_else(|| "no known reason".into()))}</span>
                        </li>
                    }).collect_view()}
                    {c.notes.iter().map(|(what, ok)| view! {
                        <li data-testid="lab-aws-note" class=if *ok { "expected" } else { "unexpected" }>{what.clone()}</li>
                    }).collect_view()}
                </ul>
                <button type="button" class="secondary" on:click=clear data-testid="lab-aws-clear">"Clear the comparison"</button>
            </section>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"record":"delivery","status":"match","queue":"orders","content":"a","sim":{"step":1,"at_ms":0,"receive_count":1,"consumer":"you"},"aws":{"step":1,"at_ms":3,"receive_count":1,"consumer":"you"},"expected":true}
{"record":"delivery","status":"aws_only","queue":"orders","content":"a","aws":{"step":1,"at_ms":3,"receive_count":1,"consumer":"you"},"reason":"at-least-once: a standard queue can deliver a message more than once","expected":true}
{"record":"delivery","status":"sim_only","queue":"audit","content":"{\"seen\":true}","sim":{"step":2,"at_ms":0,"receive_count":1,"consumer":"you"},"expected":false}
{"record":"note","what":"not made on AWS: handler crm","expected":true}
{"record":"summary","match":1,"differ":0,"sim_only":1,"aws_only":1,"unexpected":1}
"#;

    #[test]
    fn a_report_is_tallied_per_queue_for_the_canvas() {
        let c = parse("r.jsonl", REPORT).expect("a report");
        assert_eq!(c.queues["orders"].badge(), "AWS: 1 match, 1 one side");
        assert_eq!(c.queues["orders"].state(), "expected");
        assert_eq!(c.queues["audit"].state(), "unexpected");
        assert_eq!(c.unexpected(), 1);
        assert_eq!(c.notes, [("not made on AWS: handler crm".to_owned(), true)]);
    }

    #[test]
    fn a_bad_report_names_its_line() {
        let cut: String = REPORT.lines().take(2).collect::<Vec<_>>().join("\n");
        assert!(parse("r", &cut)
            .expect_err("no summary")
            .contains("no summary line"));
        let bad = REPORT.replace("\"status\":\"match\"", "\"status\":\"same\"");
        assert!(parse("r", &bad)
            .expect_err("bad status")
            .starts_with("Line 1: status \"same\""));
        assert!(parse("r", "{}\n")
            .expect_err("no record")
            .contains("Line 1 has no \"record\""));
        assert!(parse("r", "hello\n")
            .expect_err("not JSON")
            .starts_with("Line 1 is not JSON"));
    }
}
