//! The capstone's report and the review that leads to it: the review questions answered
//! in the learner's words, and the report (the requirements, the design drawn as SVG and
//! written as JSON, the checks, the metrics, the mock panel's transcript and the
//! answers) as a Markdown file with its diagram, or as a printable page.

use super::mock_panel::{transcript, transcript_markdown, Transcript};
use super::page::Page;
use crate::components::markdown::Markdown;
use dojo_engine::exercise::check::Report;
use dojo_engine::exercise::Exercise;
use leptos::prelude::*;

/// The report the capstone exports, as Markdown: the requirements, the design (its
/// diagram by file name, when it has one, and its JSON), the checks and metrics, the
/// mock panel's transcript and the review's answers.
pub(super) fn capstone_report(
    ex: &Exercise,
    design: &str,
    diagram: Option<&str>,
    report: Option<&Report>,
    answers: &[String],
    panel: Option<&Transcript>,
    team: Option<&(String, Vec<String>)>,
) -> String {
    let mut md = format!("# Event Dojo capstone: {}\n\n", ex.title);
    if let Some((name, members)) = team {
        md.push_str(&format!("**Team {name}:** {}\n\n", members.join(", ")));
    }
    md.push_str("## Requirements\n\n");
    for b in &ex.beats {
        md.push_str(b.text.trim());
        md.push_str("\n\n");
    }
    md.push_str("## Design\n\n");
    if let Some(file) = diagram {
        md.push_str(&format!("![The design, drawn]({file})\n\n"));
    }
    md.push_str("```json\n");
    md.push_str(design.trim());
    md.push_str("\n```\n\n## Checks\n\n");
    match report {
        None => md.push_str("Not checked yet.\n"),
        Some(r) => {
            for g in &r.results {
                md.push_str(&format!(
                    "- [{}] {}: {}\n",
                    if g.passed { "x" } else { " " },
                    g.goal,
                    g.detail
                ));
            }
            md.push_str(&format!(
                "\n{}; golf {} (par {}).\n\n## Metrics\n\n```json\n{}\n```\n",
                if r.solved {
                    "Every requirement is met"
                } else {
                    "Not every requirement is met"
                },
                r.golf,
                ex.par,
                serde_json::to_string_pretty(&r.metrics).unwrap_or_default()
            ));
        }
    }
    if let Some((seed, asked)) = panel {
        md.push('\n');
        md.push_str(&transcript_markdown(*seed, asked));
    }
    md.push_str("\n## Review\n\n");
    for (i, q) in ex.review.iter().enumerate() {
        let a = answers.get(i).map(|a| a.trim()).unwrap_or("");
        md.push_str(&format!(
            "### {}. {q}\n\n{}\n\n",
            i + 1,
            if a.is_empty() { "(not answered)" } else { a }
        ));
    }
    md
}

/// The diagram's file name beside the report.
fn diagram_file(ex: &Exercise) -> String {
    format!("event-dojo-{}-design.svg", ex.id)
}

/// The capstone's review questions, and its report to export or print.
#[component]
pub(super) fn Review(page: Page, time: super::share_progress::Time) -> impl IntoView {
    let Page {
        exercise,
        text,
        last_good,
        report,
        error,
        ..
    } = page;
    let printable = RwSignal::new(false);
    let classroom = crate::features::classroom::use_classroom();
    // The report as it stands: with the diagram by file name (to download) or without
    // it (the printable page shows the drawing itself).
    let markdown = move |with_diagram: bool| {
        let ex = exercise.get_untracked()?;
        let mine = page.mine();
        let panel = transcript(&ex, &mine);
        let svg = last_good.with_untracked(|d| d.topology.is_some());
        let file = (with_diagram && svg).then(|| diagram_file(&ex));
        let team = super::team::report_team(page, classroom);
        Some(report.with_untracked(|r| {
            capstone_report(
                &ex,
                &text.get_untracked(),
                file.as_deref(),
                r.as_ref(),
                &mine.answers,
                panel.as_ref(),
                team.as_ref(),
            )
        }))
    };
    let svg = move || last_good.with(|d| d.topology.as_ref().map(crate::features::lab::design_svg));
    move || {
        let ex = exercise.get()?;
        if ex.review.is_empty() {
            return None;
        }
        let export = move |_| {
            let Some(ex) = exercise.get_untracked() else {
                return;
            };
            let Some(md) = markdown(true) else {
                return;
            };
            // The instructor gets the report too, when the learner shares progress.
            super::share_progress::send(classroom, page, time, Some(md.clone()));
            let files = crate::components::files::download(
                &format!("event-dojo-{}.md", ex.id),
                "text/markdown",
                &md,
            )
            .and_then(|()| match svg() {
                Some(s) => {
                    crate::components::files::download(&diagram_file(&ex), "image/svg+xml", &s)
                }
                None => Ok(()),
            });
            if let Err(e) = files {
                error.set(Some(e));
            }
        };
        let print = move |_| {
            if let Some(w) = web_sys::window() {
                let _ = w.print();
            }
        };
        Some(view! {
            <section class="panel review" aria-labelledby="review-heading">
                <h2 id="review-heading">"Review: your defence"</h2>
                <p class="muted">"Answer each trade-off in your own words. The answers are saved as you type and go into the report."</p>
                {ex.review.iter().enumerate().map(|(i, q)| {
                    // Read as the progress changes (a teammate's answer arrives), not
                    // drawn again: the field keeps its focus while the learner types.
                    let value = move || page.mine().answers.get(i).cloned().unwrap_or_default();
                    let field = format!("review-{i}");
                    view! {
                        <div class="field">
                            <label for=field.clone()>{format!("{}. {q}", i + 1)}</label>
                            <textarea id=field.clone() rows="3" prop:value=value data-testid=field
                                on:input=move |ev| {
                                    let a = event_target_value(&ev);
                                    page.update(&|m| {
                                        if m.answers.len() <= i { m.answers.resize(i + 1, String::new()); }
                                        m.answers[i] = a.clone();
                                    });
                                }></textarea>
                        </div>
                    }
                }).collect_view()}
                <div class="form-actions">
                    <button type="button" class="primary" on:click=export data-testid="export-report">"Export the report (Markdown, with its diagram as SVG)"</button>
                    <button type="button" class="secondary" on:click=move |_| printable.update(|p| *p = !*p) data-testid="printable-toggle">{move || if printable.get() { "Hide the printable report" } else { "Show the printable report" }}</button>
                </div>
                {move || printable.get().then(|| {
                    let md = markdown(false).unwrap_or_default();
                    let src = svg().map(|s| format!("data:image/svg+xml;charset=utf-8,{}", js_sys::encode_uri_component(&s)));
                    view! {
                        <article class="printable-report" data-testid="printable-report" aria-label="The printable report">
                            <div class="form-actions no-print">
                                <button type="button" class="primary" on:click=print data-testid="print-report">"Print"</button>
                            </div>
                            {src.map(|src| view! { <img class="report-diagram" src=src alt="The design, drawn: buses and topics, the rules and subscriptions that route from them, and the queues they deliver to" data-testid="report-diagram"/> })}
                            <Markdown source=md class="report-text"/>
                        </article>
                    }
                })}
            </section>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::progress::PanelEntry;
    use super::*;
    use dojo_engine::exercise::check::check;

    #[test]
    fn the_capstone_report_holds_the_design_checks_metrics_and_answers() {
        let ex = dojo_engine::exercise::shipped()
            .into_iter()
            .find(|e| e.id == "capstone")
            .expect("shipped");
        let design = ex.solution_text.clone();
        let r = check(&ex, &ex.solution);
        let md = capstone_report(
            &ex,
            &design,
            Some("event-dojo-capstone-design.svg"),
            Some(&r),
            &["Loose coupling.".into()],
            None,
            Some(&("red".into(), vec!["alice".into(), "bob".into()])),
        );
        assert!(md.starts_with(
            "# Event Dojo capstone: Capstone: the insurance flow\n\n**Team red:** alice, bob\n"
        ));
        assert!(md.contains("![The design, drawn](event-dojo-capstone-design.svg)"));
        assert!(md.contains("\"underwriting-review\""));
        assert!(md.contains("- [x] underwriting receives exactly 2 messages"));
        assert!(md.contains("Every requirement is met; golf 3 (par 3)."));
        assert!(md.contains("\"queue:comms\""), "metrics");
        assert!(md.contains("Loose coupling."));
        assert!(md.contains("(not answered)"));
    }

    #[test]
    fn the_report_carries_the_panels_transcript() {
        let ex = dojo_engine::exercise::shipped()
            .into_iter()
            .find(|e| e.id == "brief-quote-flow")
            .expect("shipped");
        let mine = super::super::progress::ExerciseProgress {
            checked: vec![ex.solution_text.clone()],
            ..Default::default()
        };
        let (seed, mut asked) = transcript(&ex, &mine).expect("a solved design has a panel");
        assert_eq!((seed, asked.len()), (1, 5));
        let q = asked[0].0.clone();
        let o = super::super::mock_panel::run_experiment(&ex, &ex.solution, &q).expect("runs");
        asked[0].1 = PanelEntry {
            prediction: Some(dojo_engine::panel::experiment::Choice::Lost),
            why: "Nothing keeps it.".into(),
            happened: Some(o.happened),
            facts: o.facts.clone(),
            answer: "A dead-letter queue.".into(),
        };
        let md = capstone_report(&ex, "{}", None, None, &[], Some(&(seed, asked)), None);
        assert!(md.contains("## Mock panel (seed 1)"));
        assert!(md.contains(&q.asks));
        assert!(md.contains("**Predicted:** Messages are lost, or reach no one \u{2014} \u{201c}Nothing keeps it.\u{201d}"));
        assert!(md.contains(&format!("**What happened:** {}", o.happened.label())));
        assert!(md.contains(&format!("- {}", o.facts[0])));
        assert!(md.contains("**Answer:** A dead-letter queue."));
        assert!(md.contains("(no prediction committed yet)"));
        assert!(!md.contains("![The design"), "no diagram named");
    }
}
