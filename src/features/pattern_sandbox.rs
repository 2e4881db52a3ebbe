//! The pattern sandbox: an EventBridge pattern or SNS filter policy against an event, with
//! the result and the engine's per-field explanation, live as the learner types. Invalid
//! patterns show AWS's reason at its line and column. Sample events come from the
//! insurance scenario; "test against the log" runs the pattern over the newest stored
//! events; the pattern can be copied as AWS-ready JSON. What the learner typed is kept
//! per language, and saved in IndexedDB across reloads.

mod samples;

use crate::components::ErrorView;
use crate::components::PageHeader;
use crate::state::use_store;
use dojo_engine::json;
use dojo_engine::pattern::sns::{attributes_to_json, MessageAttribute};
use dojo_engine::pattern::{explain, Dialect, EventPattern, Explanation};
use dojo_engine::EventStore;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The name the sandbox's drafts are saved under.
const DOCUMENT: &str = "event-dojo.sandbox";

/// How many of the newest stored events "test against the log" reads.
const LOG_WINDOW: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    EventBridge,
    SnsAttributes,
    SnsBody,
}

/// What the learner typed: the language in use, and the pattern and subject per
/// language.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Drafts {
    mode: Option<Mode>,
    drafts: BTreeMap<Mode, (String, String)>,
}

impl Mode {
    /// The sample pattern and subject a language starts with.
    fn samples(self) -> (&'static str, &'static str) {
        match self {
            Mode::EventBridge => (samples::DEFAULT_PATTERN, samples::EVENTS[0].1),
            Mode::SnsAttributes => (samples::SNS_ATTRIBUTES_POLICY, samples::SNS_ATTRIBUTES),
            Mode::SnsBody => (samples::SNS_BODY_POLICY, samples::SNS_BODY),
        }
    }

    fn dialect(self) -> Dialect {
        match self {
            Mode::EventBridge => Dialect::EventBridge,
            Mode::SnsAttributes => Dialect::SnsAttributes,
            Mode::SnsBody => Dialect::SnsBody,
        }
    }

    fn subject_label(self) -> &'static str {
        match self {
            Mode::EventBridge => "Event (JSON)",
            Mode::SnsAttributes => "Message attributes (JSON: name → {\"Type\", \"Value\"})",
            Mode::SnsBody => "Message body (JSON object, or text)",
        }
    }
}

/// The pattern's validity, and the verdict on the current subject.
#[derive(Clone, PartialEq)]
enum Verdict {
    PatternInvalid(String),
    SubjectInvalid(String),
    Evaluated(Explanation),
}

fn evaluate(mode: Mode, pattern: &str, subject: &str) -> Verdict {
    let p = match EventPattern::parse(pattern, mode.dialect()) {
        Ok(p) => p,
        Err(e) => return Verdict::PatternInvalid(e.to_string()),
    };
    let parsed = json::parse(subject);
    let view = match (mode, parsed) {
        (Mode::EventBridge, Ok(v)) if matches!(v.value, json::Json::Object(_)) => v.value,
        (Mode::EventBridge, Ok(_)) => {
            return Verdict::SubjectInvalid("The event must be a JSON object.".into())
        }
        (Mode::SnsAttributes, Ok(_)) => {
            let attrs: Result<BTreeMap<String, MessageAttribute>, _> =
                serde_json::from_str(subject);
            match attrs
                .map_err(|e| e.to_string())
                .and_then(|a| attributes_to_json(&a).map_err(|e| e.to_string()))
            {
                Ok(view) => view,
                Err(e) => {
                    return Verdict::SubjectInvalid(format!("The attributes are not usable: {e}"))
                }
            }
        }
        (Mode::SnsBody, Ok(v)) => match dojo_engine::pattern::sns::body_to_json(&v.value) {
            Some(body) => body,
            None => {
                return Verdict::SubjectInvalid(
                    "The body is not a JSON object, so a MessageBody policy never matches it."
                        .into(),
                )
            }
        },
        (Mode::SnsBody, Err(_)) => {
            return Verdict::SubjectInvalid(
                "The body is plain text, so a MessageBody policy never matches it.".into(),
            )
        }
        (_, Err(e)) => return Verdict::SubjectInvalid(format!("Not valid JSON: {e}")),
    };
    Verdict::Evaluated(explain(&p, &view))
}

/// Pretty AWS-ready JSON for the pattern, or the reason it is not valid JSON.
fn aws_json(pattern: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(pattern)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
}

#[component]
pub fn PatternSandboxPage() -> impl IntoView {
    let mode = RwSignal::new(Mode::EventBridge);
    let pattern = RwSignal::new(samples::DEFAULT_PATTERN.to_owned());
    let subject = RwSignal::new(samples::EVENTS[0].1.to_owned());
    let verdict = Memo::new(move |_| evaluate(mode.get(), &pattern.get(), &subject.get()));
    let copied = RwSignal::new(None::<String>);
    // The results remember the pattern they are for, and show only while it is unchanged.
    let log_results: LogResults = RwSignal::new(None);
    let store = StoredValue::new_local(use_store());
    let drafts = StoredValue::new(Drafts::default());
    // Nothing is saved until the saved drafts have been read, so they cannot be overwritten.
    let loaded = RwSignal::new(false);
    spawn_local(async move {
        if let Some(saved) = store.get_value().load_document::<Drafts>(DOCUMENT).await {
            let m = saved.mode.unwrap_or(Mode::EventBridge);
            if let Some((p, s)) = saved.drafts.get(&m) {
                pattern.set(p.clone());
                subject.set(s.clone());
            }
            mode.set(m);
            drafts.set_value(saved);
        }
        loaded.set(true);
    });
    Effect::new(move |_| {
        let (m, p, s) = (mode.get(), pattern.get(), subject.get());
        if !loaded.get() {
            return;
        }
        drafts.update_value(|d| {
            d.mode = Some(m);
            d.drafts.insert(m, (p, s));
        });
        store
            .get_value()
            .save_document(DOCUMENT, &drafts.get_value());
    });

    // Switching language keeps what was typed in the other; each starts from its sample.
    let set_mode = move |m: Mode| {
        let (p, s) = drafts
            .with_value(|d| d.drafts.get(&m).cloned())
            .unwrap_or_else(|| {
                let (p, s) = m.samples();
                (p.to_owned(), s.to_owned())
            });
        pattern.set(p);
        subject.set(s);
        mode.set(m);
        log_results.set(None);
    };

    let copy = move |_| {
        let Some(text) = aws_json(&pattern.get_untracked()) else {
            copied.set(Some("Fix the pattern first: it is not valid JSON.".into()));
            return;
        };
        let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
            return;
        };
        let promise = clipboard.write_text(&text);
        spawn_local(async move {
            let outcome = wasm_bindgen_futures::JsFuture::from(promise).await;
            copied.set(Some(match outcome {
                Ok(_) => "Copied the pattern as AWS-ready JSON.".into(),
                Err(_) => {
                    "The browser refused clipboard access; select the pattern and copy it by hand."
                        .into()
                }
            }));
        });
    };

    view! {
        <PageHeader title="Pattern sandbox" intro="Write an EventBridge pattern or an SNS filter policy and see, field by field, why an event matches or not. The answers and the error messages are the ones AWS gives."/>
        <div class="page sandbox-page" inert=move || !loaded.get()>
            <section class="panel" aria-labelledby="sandbox-inputs">
                <h2 id="sandbox-inputs">"Pattern and event"</h2>
                <fieldset class="mode-picker">
                    <legend>"Language"</legend>
                    <label><input type="radio" name="mode" data-testid="mode-eventbridge" checked=move || mode.get() == Mode::EventBridge
                        on:change=move |_| set_mode(Mode::EventBridge)/>" EventBridge pattern"</label>
                    <label><input type="radio" name="mode" data-testid="mode-sns-attributes" checked=move || mode.get() == Mode::SnsAttributes
                        on:change=move |_| set_mode(Mode::SnsAttributes)/>" SNS policy on attributes"</label>
                    <label><input type="radio" name="mode" data-testid="mode-sns-body" checked=move || mode.get() == Mode::SnsBody
                        on:change=move |_| set_mode(Mode::SnsBody)/>" SNS policy on the body"</label>
                </fieldset>
                <div class="field">
                    <label for="sandbox-pattern">"Pattern"</label>
                    <textarea id="sandbox-pattern" rows="9" spellcheck="false" bind:value=pattern data-testid="sandbox-pattern"
                        aria-invalid=move || matches!(verdict.get(), Verdict::PatternInvalid(_)).to_string()
                        aria-describedby="sandbox-pattern-error"></textarea>
                    <p id="sandbox-pattern-error" class="field-error" data-testid="sandbox-pattern-error" aria-live="polite">
                        {move || match verdict.get() { Verdict::PatternInvalid(e) => Some(e), _ => None }}
                    </p>
                </div>
                <div class="form-actions">
                    <button type="button" class="secondary" on:click=copy data-testid="sandbox-copy">"Copy as AWS JSON"</button>
                    <span class="form-status" role="status">{move || copied.get()}</span>
                </div>
                <div class="field">
                    <label for="sandbox-subject">{move || mode.get().subject_label()}</label>
                    <textarea id="sandbox-subject" rows="11" spellcheck="false" bind:value=subject data-testid="sandbox-event"></textarea>
                </div>
                <Show when=move || mode.get() == Mode::EventBridge>
                    <div class="samples" role="group" aria-label="Sample events from the insurance scenario">
                        <span class="muted">"Samples: "</span>
                        {samples::EVENTS.iter().map(|(name, text)| {
                            let text = *text;
                            view! {
                                <button type="button" class="chip" on:click=move |_| subject.set(text.to_owned())>{*name}</button>
                            }
                        }).collect_view()}
                    </div>
                </Show>
            </section>
            <section class="panel" aria-labelledby="sandbox-result-heading">
                <h2 id="sandbox-result-heading">"Result"</h2>
                <div aria-live="polite">
                    {move || match verdict.get() {
                        Verdict::PatternInvalid(_) => view! {
                            <p class="verdict invalid" data-testid="sandbox-verdict">"The pattern is not valid"</p>
                            <p class="muted">"AWS would refuse it with the message beside the pattern. Nothing is evaluated until it is valid."</p>
                        }.into_any(),
                        Verdict::SubjectInvalid(e) => view! {
                            <p class="verdict no" data-testid="sandbox-verdict">"No match"</p>
                            <p data-testid="sandbox-subject-error">{e}</p>
                        }.into_any(),
                        Verdict::Evaluated(ex) => view! { <ExplanationView explanation=ex/> }.into_any(),
                    }}
                </div>
                <Show when=move || mode.get() == Mode::EventBridge>
                    <TestAgainstLog pattern=pattern results=log_results/>
                </Show>
            </section>
        </div>
    }
}

/// Type of what "test against the log" found for a pattern: how many of the newest
/// events it read, and the matches' positions with a label each.
type LogResults = RwSignal<Option<(String, Result<(usize, Vec<(u64, String)>), String>)>>;

/// Runs the EventBridge pattern over the newest events in the store; `results` remember
/// the pattern they are for, and show only while it is unchanged.
#[component]
fn TestAgainstLog(pattern: RwSignal<String>, results: LogResults) -> impl IntoView {
    let store = StoredValue::new_local(use_store());
    let log_results = results;
    let test_log = move |_| {
        let store = store.get_value();
        let text = pattern.get_untracked();
        let Ok(p) = EventPattern::parse(&text, Dialect::EventBridge) else {
            log_results.set(Some((
                text,
                Err("The pattern is not valid; fix it first.".into()),
            )));
            return;
        };
        spawn_local(async move {
            let result = async {
                let head = store.store.head().await?;
                let from = head.saturating_sub(LOG_WINDOW as u64) + 1;
                let events = store.read_all(from, LOG_WINDOW).await?;
                let matching: Vec<(u64, String)> = events
                    .iter()
                    .filter(|e| p.matches(&json::Json::from_serde(&e.to_eventbridge_event())))
                    .map(|e| {
                        (
                            e.position,
                            format!("{} · {} v{}", e.event_type, e.stream_id, e.stream_version),
                        )
                    })
                    .collect();
                Ok::<_, dojo_engine::StoreError>((events.len(), matching))
            }
            .await;
            log_results.set(Some((text, result.map_err(|e| e.to_string()))));
        });
    };

    view! {
        <h3>"Test against the log"</h3>
        <p class="muted">{format!("Runs the pattern over the newest {LOG_WINDOW} events in your event store, as EventBridge events (type as detail-type, data as detail).")}</p>
        <button type="button" class="secondary" on:click=test_log data-testid="sandbox-test-log">"Test against the log"</button>
        {move || log_results.get().filter(|(for_pattern, _)| *for_pattern == pattern.get()).map(|(_, r)| match r {
            Err(e) => view! { <ErrorView title="Could not test against the log" message=e/> }.into_any(),
            Ok((total, matches)) => view! {
                <p data-testid="sandbox-log-summary">{format!("{} of the last {total} events match.", matches.len())}</p>
                <ul class="log-matches">
                    {matches.into_iter().map(|(pos, label)| view! {
                        <li><a href=crate::paths::href(&format!("/event/{pos}"))>{format!("#{pos} ")}</a>{label}</li>
                    }).collect_view()}
                </ul>
            }.into_any(),
        })}
    }
}

#[component]
fn ExplanationView(explanation: Explanation) -> impl IntoView {
    let many = explanation.branches.len() > 1;
    view! {
        <p class=if explanation.matched { "verdict yes" } else { "verdict no" } data-testid="sandbox-verdict">
            {if explanation.matched { "Match" } else { "No match" }}
        </p>
        {explanation.branches.into_iter().enumerate().map(|(i, branch)| view! {
            <div class="branch">
                {many.then(|| view! { <h3 class="branch-title">{format!("$or branch {} {}", i + 1, if branch.matched { "matches" } else { "does not match" })}</h3> })}
                <ul class="explanation" data-testid="sandbox-explanation">
                    {branch.fields.into_iter().map(|f| {
                        let mark = if f.matched { "✓" } else { "✗" };
                        let class = if f.matched { "field-line ok" } else { "field-line bad" };
                        let sentence = f.to_string();
                        let sentence = sentence.trim_start_matches(['✓', '✗', ' ']).to_owned();
                        view! {
                            <li class=class>
                                <span class="mark" aria-hidden="true">{mark}</span>
                                <span class="visually-hidden">{if f.matched { "matched: " } else { "did not match: " }}</span>
                                <span>{sentence}</span>
                            </li>
                        }
                    }).collect_view()}
                    {branch.array_note.map(|n| view! { <li class="field-line bad"><span class="mark" aria-hidden="true">"✗"</span><span>{n}</span></li> })}
                </ul>
            </div>
        }).collect_view()}
    }
}
