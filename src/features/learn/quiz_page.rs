//! The quiz (`/quiz`): five questions generated from the live model (routing under a
//! style's rules, a replay that skips an event, a pattern against an event, FIFO group
//! locks, a poison message and its DLQ), graded by the engine's answers. `?seed=N` makes
//! a quiz repeatable; "New questions" draws another.

use crate::components::PageHeader;
use dojo_engine::exercise::quiz::{generate, Question};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn QuizPage() -> impl IntoView {
    let query = use_query_map();
    let seed = RwSignal::new(
        query
            .with_untracked(|q| q.get("seed").and_then(|s| s.parse::<u64>().ok()))
            .unwrap_or_else(|| js_sys::Date::now() as u64),
    );
    let questions = Memo::new(move |_| generate(seed.get()));
    // The options chosen per question, and whether the answers have been checked.
    let chosen = RwSignal::new(Vec::<Vec<usize>>::new());
    let checked = RwSignal::new(false);
    Effect::new(move |_| {
        let n = questions.with(Vec::len);
        chosen.set(vec![Vec::new(); n]);
        checked.set(false);
    });
    let toggle = move |q: usize, o: usize, multiple: bool| {
        chosen.update(|c| {
            if c.len() <= q {
                c.resize(q + 1, Vec::new());
            }
            if multiple {
                if let Some(i) = c[q].iter().position(|x| *x == o) {
                    c[q].remove(i);
                } else {
                    c[q].push(o);
                }
            } else {
                c[q] = vec![o];
            }
        });
        checked.set(false);
    };
    let score = move || {
        questions.with(|qs| {
            chosen.with(|c| {
                qs.iter()
                    .enumerate()
                    .filter(|(i, q)| q.grade(c.get(*i).map_or(&[][..], |v| v.as_slice())))
                    .count()
            })
        })
    };

    let question_view = move |i: usize, q: Question| {
        let name = format!("q{i}");
        let options = q
            .options
            .iter()
            .enumerate()
            .map(|(o, text)| {
                let id = format!("q{i}-o{o}");
                let is_checked = move || chosen.with(|c| c.get(i).is_some_and(|v| v.contains(&o)));
                let multiple = q.multiple;
                view! {
                    <label class="toggle quiz-option" for=id.clone()>
                        <input id=id.clone() type=if multiple { "checkbox" } else { "radio" } name=name.clone()
                            prop:checked=is_checked on:change=move |_| toggle(i, o, multiple) data-testid=id.clone()/>
                        " "{text.clone()}
                    </label>
                }
            })
            .collect_view();
        let verdict = {
            let q = q.clone();
            move || {
                checked.get().then(|| {
                    let right = chosen.with(|c| q.grade(c.get(i).map_or(&[][..], |v| v.as_slice())));
                    let answer: Vec<&str> = q.answer.iter().map(|a| q.options[*a].as_str()).collect();
                    view! {
                        <p class=if right { "quiz-verdict right" } else { "quiz-verdict wrong" } data-testid=format!("q{i}-verdict")>
                            <strong>{if right { "✓ Right." } else { "✗ Not quite." }}</strong>
                            {format!(" The answer: {}. {}", answer.join(", "), q.explanation)}
                        </p>
                    }
                })
            }
        };
        view! {
            <li class="panel quiz-question" data-testid=format!("q{i}")>
                <fieldset>
                    <legend><strong>{format!("{}. ", i + 1)}</strong>{q.prompt.clone()}
                        {q.multiple.then(|| view! { <span class="muted">" (choose every one that applies)"</span> })}</legend>
                    <pre class="json" tabindex="0" aria-label=format!("About question {}", i + 1)>{q.context.clone()}</pre>
                    {options}
                </fieldset>
                {verdict}
            </li>
        }
    };

    view! {
        <PageHeader title="Quiz" back_to_map=true intro="Questions drawn from the live model; the engine works out the answers, so the grading is exact."/>
        <ol class="quiz" data-testid="quiz">
            {move || questions.get().into_iter().enumerate().map(|(i, q)| question_view(i, q)).collect_view()}
        </ol>
        <div class="form-actions">
            <button type="button" class="primary" on:click=move |_| checked.set(true) data-testid="quiz-check">"Check answers"</button>
            <button type="button" class="secondary" on:click=move |_| seed.update(|s| *s = s.wrapping_add(1)) data-testid="quiz-new">"New questions"</button>
            {move || checked.get().then(|| view! {
                <p role="status" data-testid="quiz-score">{format!("{} of {} right.", score(), questions.with(Vec::len))}</p>
            })}
        </div>
    }
}
