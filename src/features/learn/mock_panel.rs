//! The capstone's mock panel: once a design meets every requirement, the panel reads it
//! (`dojo_engine::panel`) and asks what happens when something goes wrong. For each
//! question the learner first commits a prediction (a choice and a sentence); then the
//! experiment runs on their own design (`panel::experiment::run`), and the panel shows
//! what happened beside what they said, with the run to step through on the lab's
//! canvas and to open in the lab. Predictions, outcomes and answers are saved with the
//! exercise's progress and go into the report.

use super::page::Page;
use super::progress::PanelEntry;
use crate::features::lab::{lab_for, run as run_lab, Lab, LabCanvas};
use dojo_engine::exercise::check::check;
use dojo_engine::exercise::{Design, Exercise, Kind};
use dojo_engine::panel::experiment::{self, Choice, Outcome};
use dojo_engine::panel::{panel, Question};
use leptos::prelude::*;

/// The mock panel as the learner worked it: the seed, and each question with its entry.
pub type Transcript = (u64, Vec<(Question, PanelEntry)>);

/// Questions a panel asks.
pub const QUESTIONS: usize = 5;

/// Whether an exercise ends with a mock panel: a capstone on the channels.
pub fn has_panel(ex: &Exercise) -> bool {
    ex.concept == "Capstone" && ex.kind == Kind::Channels
}

/// The panel's questions for a design, with the seed they were drawn with.
pub fn questions(design: &Design, seed: u64) -> Vec<Question> {
    design
        .topology
        .as_ref()
        .map(|t| panel(t, seed, QUESTIONS))
        .unwrap_or_default()
}

/// The design the panel reads: the last one checked, when it meets every requirement.
pub fn panel_design(ex: &Exercise, last_checked: Option<&str>) -> Option<Design> {
    let d = Design::from_json(last_checked?).ok()?;
    check(ex, &d).solved.then_some(d)
}

/// The panel as the learner worked it, for the report: its seed, and each question with
/// what the learner committed, saw and answered.
pub fn transcript(ex: &Exercise, m: &super::progress::ExerciseProgress) -> Option<Transcript> {
    if !has_panel(ex) {
        return None;
    }
    let design = panel_design(ex, m.checked.last().map(String::as_str))?;
    let seed = m.panel_seed.unwrap_or(ex.seed);
    let asked = questions(&design, seed)
        .into_iter()
        .map(|q| {
            let e = m.panel.get(&q.key()).cloned().unwrap_or_default();
            (q, e)
        })
        .collect();
    Some((seed, asked))
}

/// The panel's transcript as Markdown.
pub fn transcript_markdown(seed: u64, asked: &[(Question, PanelEntry)]) -> String {
    let mut md = format!("## Mock panel (seed {seed})\n\n");
    if asked.is_empty() {
        md.push_str("The panel found nothing to probe in this design.\n\n");
    }
    for (i, (q, e)) in asked.iter().enumerate() {
        md.push_str(&format!(
            "### {}. {}\n\n**Asked:** {}\n\n**Experiment:** {}\n\n",
            i + 1,
            q.probe.title(),
            q.asks,
            q.experiment.describe()
        ));
        match (e.prediction, e.happened) {
            (Some(p), Some(h)) => {
                md.push_str(&format!(
                    "**Predicted:** {} \u{2014} \u{201c}{}\u{201d}\n\n**What happened:** {}\n\n",
                    p.label(),
                    e.why,
                    h.label()
                ));
                for f in &e.facts {
                    md.push_str(&format!("- {f}\n"));
                }
                md.push_str(&format!(
                    "\n**Prediction:** {}\n\n**Answer:** {}\n\n",
                    if p == h {
                        "matched"
                    } else {
                        "went differently"
                    },
                    if e.answer.trim().is_empty() {
                        "(not answered)"
                    } else {
                        e.answer.trim()
                    }
                ));
            }
            _ => md.push_str("(no prediction committed yet)\n\n"),
        }
    }
    md
}

/// Runs a question's experiment on the design with the exercise's workload.
pub fn run_experiment(ex: &Exercise, design: &Design, q: &Question) -> Result<Outcome, String> {
    let topology = design
        .topology
        .as_ref()
        .ok_or("the design has no topology")?;
    let mut workload = ex.workload.clone();
    workload.extend(design.steps.iter().cloned());
    experiment::run(topology, &workload, ex.seed, &q.experiment)
}

#[component]
pub fn MockPanel(page: Page) -> impl IntoView {
    let exercise = page.exercise;
    // The last design checked, and only when it changes: answers typed do not run the
    // check again.
    let last_checked = Memo::new(move |_| page.mine().checked.last().cloned());
    let design = Memo::new(move |_| {
        let ex = exercise.get()?;
        last_checked.with(|t| panel_design(&ex, t.as_deref()))
    });
    let seed = Memo::new(move |_| {
        let ex = exercise.get();
        page.mine()
            .panel_seed
            .unwrap_or_else(|| ex.map_or(1, |e| e.seed))
    });
    let asked = Memo::new(move |_| {
        let d = design.get()?;
        Some(questions(&d, seed.get()))
    });
    move || {
        let ex = exercise.get().filter(has_panel)?;
        let view = match asked.get() {
            None => view! {
                <p class="waiting" data-testid="panel-closed">"The panel opens when your latest checked design meets every requirement. Check a design that passes every goal, and the panel will read it."</p>
            }
            .into_any(),
            Some(qs) if qs.is_empty() => view! {
                <p data-testid="panel-none">"The panel read your design and found nothing to probe: every queue has a dead-letter queue, nothing depends on one consumer, and the history can be replayed. Try another seed, or explain in the review why it holds."</p>
            }
            .into_any(),
            Some(qs) => view! {
                <ol class="panel-questions">
                    {qs.into_iter().enumerate().map(|(i, q)| view! { <QuestionCard page=page ex=ex.clone() design=design index=i question=q/> }).collect_view()}
                </ol>
            }
            .into_any(),
        };
        Some(view! {
            <section class="panel mock-panel" aria-labelledby="mock-panel-heading" data-testid="mock-panel">
                <h2 id="mock-panel-heading">"Mock panel"</h2>
                <p class="muted">"A panel reads your design and asks what happens when something goes wrong. For each question, commit a prediction first: a choice and a sentence. Then the experiment runs on your own design, and you see what happened beside what you said. In every experiment, each queue that is not a dead-letter queue has two workers; each takes a second over a message and then deletes it."</p>
                <div class="field panel-seed">
                    <label for="panel-seed">"Panel seed (the same seed asks the same questions)"</label>
                    <input id="panel-seed" type="number" min="0" prop:value=move || seed.get().to_string() data-testid="panel-seed"
                        on:change=move |ev| {
                            if let Ok(s) = event_target_value(&ev).trim().parse::<u64>() {
                                page.update(&|m| m.panel_seed = Some(s));
                            }
                        }/>
                </div>
                {view}
            </section>
        })
    }
}

/// One question: the prediction form, then the outcome beside the prediction, the run
/// to step through, and the written answer.
#[component]
fn QuestionCard(
    page: Page,
    ex: Exercise,
    design: Memo<Option<Design>>,
    index: usize,
    question: Question,
) -> impl IntoView {
    let key = question.key();
    let entry = {
        let key = key.clone();
        Memo::new(move |_| page.mine().panel.get(&key).cloned().unwrap_or_default())
    };
    // Drawn again only when a prediction is committed (or a teammate's arrives), not as an
    // answer is typed.
    let decided = Memo::new(move |_| entry.with(|e| e.prediction.zip(e.happened)));
    let choice = RwSignal::new(None::<Choice>);
    let why = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let ex_run = StoredValue::new(ex);
    let q_run = StoredValue::new(question.clone());
    let commit = {
        let key = key.clone();
        move |_| {
            let (Some(c), sentence) = (choice.get_untracked(), why.get_untracked()) else {
                problem.set(Some("Choose what you think happens first.".into()));
                return;
            };
            if sentence.trim().is_empty() {
                problem.set(Some(
                    "Say why in a sentence: the panel wants your reasoning, not only a choice."
                        .into(),
                ));
                return;
            }
            let Some(d) = design.get_untracked() else {
                return;
            };
            let outcome = ex_run.with_value(|ex| q_run.with_value(|q| run_experiment(ex, &d, q)));
            match outcome {
                Err(e) => problem.set(Some(format!("The experiment could not run: {e}"))),
                Ok(o) => {
                    problem.set(None);
                    page.update(&|m| {
                        let e = m.panel.entry(key.clone()).or_default();
                        e.prediction = Some(c);
                        e.why = sentence.trim().to_owned();
                        e.happened = Some(o.happened);
                        e.facts = o.facts.clone();
                    });
                }
            }
        }
    };
    let name = format!("panel-{index}-choice");
    let why_id = format!("panel-{index}-why");
    let answer_id = format!("panel-{index}-answer");
    let heading = format!("panel-{index}-heading");
    view! {
        <li class="panel-question" data-testid="panel-question">
            <h3 id=heading>{format!("{}. {}", index + 1, question.probe.title())}</h3>
            <p class="panel-asks" data-testid="panel-asks">{question.asks.clone()}</p>
            <p class="muted">{format!("The experiment: {}", question.experiment.describe())}</p>
            {move || match decided.get() {
                Some((p, h)) => {
                    let e = entry.get_untracked();
                    view! { <Outcome page=page key=key.clone() entry=e answer=Signal::derive(move || entry.with(|e| e.answer.clone())) predicted=p happened=h answer_id=answer_id.clone() ex=ex_run design=design question=q_run/> }.into_any()
                }
                None => view! {
                    <fieldset class="prediction" data-testid="panel-predict">
                        <legend>"Your prediction"</legend>
                        {Choice::ALL.into_iter().map(|c| view! {
                            <label class="choice"><input type="radio" name=name.clone() on:change=move |_| choice.set(Some(c)) data-testid=format!("panel-choice-{}", c.key())/>" "{c.label()}</label>
                        }).collect_view()}
                        <div class="field">
                            <label for=why_id.clone()>"Why, in a sentence"</label>
                            <textarea id=why_id.clone() rows="2" on:input=move |ev| why.set(event_target_value(&ev)) data-testid="panel-why"></textarea>
                        </div>
                        <button type="button" class="primary" on:click=commit.clone() data-testid="panel-commit">"Commit the prediction and run the experiment"</button>
                        {move || problem.get().map(|p| view! { <p class="field-error" role="alert" data-testid="panel-problem">{p}</p> })}
                    </fieldset>
                }.into_any(),
            }}
        </li>
    }
}

/// What happened beside the prediction, the run to step through, and the answer.
#[component]
#[allow(clippy::too_many_arguments)]
fn Outcome(
    page: Page,
    key: String,
    entry: PanelEntry,
    answer: Signal<String>,
    predicted: Choice,
    happened: Choice,
    answer_id: String,
    ex: StoredValue<Exercise>,
    design: Memo<Option<Design>>,
    question: StoredValue<Question>,
) -> impl IntoView {
    let matched = predicted == happened;
    let verdict = if matched {
        "Your prediction matched what happened.".to_owned()
    } else {
        format!(
            "It went differently: you predicted \u{201c}{}\u{201d}, and what happened was \u{201c}{}\u{201d}. The panel will ask why.",
            predicted.label(),
            happened.label()
        )
    };
    let watched = RwSignal::new(None::<Result<Outcome, String>>);
    let watch = move |_| {
        let Some(d) = design.get_untracked() else {
            return;
        };
        let o = ex.with_value(|ex| question.with_value(|q| run_experiment(ex, &d, q)));
        watched.set(Some(o));
    };
    let replay_id = answer_id.replace("-answer", "-replay");
    view! {
        <div class="panel-outcome" data-testid="panel-outcome">
            <div class="prediction-vs-outcome">
                <div>
                    <h4>"You predicted"</h4>
                    <p data-testid="panel-predicted">{predicted.label()}</p>
                    <p class="muted">{format!("\u{201c}{}\u{201d}", entry.why)}</p>
                </div>
                <div>
                    <h4>"What happened"</h4>
                    <p data-testid="panel-happened">{happened.label()}</p>
                    <ul class="facts" data-testid="panel-facts">
                        {entry.facts.iter().map(|f| view! { <li>{f.clone()}</li> }).collect_view()}
                    </ul>
                </div>
            </div>
            <p class=if matched { "panel-verdict matched" } else { "panel-verdict missed" } data-testid="panel-verdict">{verdict}</p>
            {move || match watched.get() {
                None => view! { <button type="button" class="secondary" on:click=watch data-testid="panel-watch">"Step through the experiment"</button> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error">{format!("The experiment could not run: {e}")}</p> }.into_any(),
                Some(Ok(o)) => view! { <ExperimentReplay outcome=o testid=replay_id.clone()/> }.into_any(),
            }}
            <div class="field">
                <label for=answer_id.clone()>"Your answer to the panel (it goes into the report)"</label>
                <textarea id=answer_id rows="3" prop:value=move || answer.get() data-testid="panel-answer"
                    on:input=move |ev| {
                        let a = event_target_value(&ev);
                        page.update(&|m| m.panel.entry(key.clone()).or_default().answer = a.clone());
                    }></textarea>
            </div>
        </div>
    }
}

/// The experiment's run on the lab's canvas, with a clock to move through it, and a
/// button that opens it in the lab.
#[component]
fn ExperimentReplay(outcome: Outcome, testid: String) -> impl IntoView {
    let script = outcome.script;
    let end = script.run_until_ms.unwrap_or(0);
    let (mut lab, _) = lab_for(&script.topology, &script.steps);
    lab.now_ms = end;
    let lab = RwSignal::new(lab);
    let run = Memo::new(move |_| run_lab(&lab.get()));
    let store = crate::state::use_store().store;
    let navigate = leptos_router::hooks::use_navigate();
    let opened = RwSignal::new(None::<String>);
    let open = move |_| {
        let text = lab
            .with_untracked(|l| {
                serde_json::to_string(&Lab {
                    now_ms: end,
                    ..l.clone()
                })
            })
            .unwrap_or_default();
        let store = store.clone();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match crate::storage::documents::replace_keeping_backup(
                &store,
                crate::features::lab::DOCUMENT,
                &text,
            )
            .await
            {
                Ok(()) => navigate(&crate::paths::href("/lab"), Default::default()),
                Err(e) => opened.set(Some(format!(
                    "The experiment could not be opened in the lab: {e}"
                ))),
            }
        });
    };
    let at = move || lab.with(|l| l.now_ms);
    view! {
        <div class="experiment-replay" data-testid="panel-replay">
            <div class="field">
                <label for=format!("{testid}-clock")>{move || format!("Time travel: t = {}", clock(at()))}</label>
                <input id=format!("{testid}-clock") type="range" min="0" max=end.to_string() step="1000" prop:value=move || at().to_string() data-testid="panel-clock"
                    on:input=move |ev| {
                        if let Ok(t) = event_target_value(&ev).parse::<u64>() {
                            lab.update(|l| l.now_ms = t);
                        }
                    }/>
            </div>
            <LabCanvas lab=lab outcome=run heading_id=format!("{testid}-canvas") title="The experiment, as it ran"/>
            <div class="form-actions">
                <button type="button" class="secondary" on:click=open data-testid="panel-open-lab">"Open this experiment in the lab"</button>
            </div>
            {move || opened.get().map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
    }
}

/// A simulated time as a learner reads it.
fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{} h {:02} min {:02} s", s / 3600, s % 3600 / 60, s % 60)
    } else if s >= 60 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}
