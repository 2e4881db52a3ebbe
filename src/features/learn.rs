//! Guided exercises: the level map (`/learn`), grouped by concept with each exercise's
//! status and best golf score, where instructor packs are imported from a file or a URL;
//! the exercise page (`/learn/:id`), and the quiz (`/quiz`). Progress is saved in
//! IndexedDB.

mod evolution_form;
mod exercise_page;
mod mock_panel;
mod page;
mod progress;
mod quiz_page;
mod report;
mod scenario_form;
mod share_progress;
mod steps_form;
mod team;

use crate::components::ErrorView;
use crate::components::PageHeader;
use crate::storage::documents;
pub use exercise_page::ExercisePage;
use leptos::prelude::*;
pub use progress::Progress;
use progress::{Status, DOCUMENT};
pub use quiz_page::QuizPage;

/// The learner's progress, and whether it has been read from IndexedDB yet.
fn use_progress() -> (RwSignal<Progress>, RwSignal<bool>) {
    crate::state::use_document::<Progress>(DOCUMENT)
}

/// The learner's saved progress, read once without saving anything back (for pages that
/// only show where the learner stands).
pub async fn saved_progress(store: &crate::storage::IdbStore) -> Progress {
    documents::load::<Progress>(store, DOCUMENT)
        .await
        .unwrap_or_default()
}

/// Fetches a pack's text from a URL.
async fn fetch_text(url: &str) -> Result<String, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|_| {
            format!("{url} could not be fetched (offline, or the server does not allow it).")
        })?;
    if !response.ok() {
        return Err(format!("{url} answered HTTP {}.", response.status()));
    }
    response
        .text()
        .await
        .map_err(|_| "The answer's text could not be read.".to_owned())
}

#[component]
pub fn LearnPage() -> impl IntoView {
    let (progress, loaded) = use_progress();
    let notice = RwSignal::new(None::<Result<String, String>>);
    let url = RwSignal::new(String::new());
    let import = move |name: String, text: String| {
        let mut next = progress.get_untracked();
        let result = next.import_pack(&name, &text);
        if result.is_ok() {
            progress.set(next);
        }
        notice.set(Some(result));
    };
    let from_file = move |ev: leptos::ev::Event| {
        let name = crate::components::files::chosen_file_name(&ev)
            .unwrap_or_else(|| "pack.toml".to_owned());
        let Some(reading) = crate::components::files::chosen_file_text(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match reading.await {
                Ok(text) => import(name, text),
                Err(e) => notice.set(Some(Err(e))),
            }
        });
    };
    let from_url = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let u = url.get_untracked().trim().to_owned();
        if u.is_empty() {
            notice.set(Some(Err("Give the pack's URL first.".into())));
            return;
        }
        leptos::task::spawn_local(async move {
            match fetch_text(&u).await {
                Ok(text) => import(u, text),
                Err(e) => notice.set(Some(Err(e))),
            }
        });
    };

    // The exercise list changes only when a pack is imported, not with every save.
    let packs = Memo::new(move |_| progress.with(|p| p.packs.clone()));
    let exercises = Memo::new(move |_| {
        Progress {
            packs: packs.get(),
            ..Progress::default()
        }
        .exercises()
    });
    let groups = move || {
        let p = progress.get();
        let mut groups: Vec<(String, Vec<dojo_engine::exercise::Exercise>)> = Vec::new();
        for ex in exercises.get() {
            match groups.iter_mut().find(|(c, _)| *c == ex.concept) {
                Some((_, list)) => list.push(ex),
                None => groups.push((ex.concept.clone(), vec![ex])),
            }
        }
        groups
            .into_iter()
            .map(|(concept, list)| {
                let items = list
                    .into_iter()
                    .map(|ex| {
                        let mine = p.exercises.get(&ex.id).cloned().unwrap_or_default();
                        let (badge, class) = match mine.status() {
                            Status::Solved => ("Solved", "badge solved"),
                            Status::InProgress => ("In progress", "badge progress"),
                            Status::New => ("New", "badge"),
                        };
                        let golf = mine
                            .best_golf
                            .map(|g| format!("best golf {g}, par {}", ex.par))
                            .unwrap_or_else(|| format!("par {}", ex.par));
                        view! {
                            <li class="level-card" data-testid=format!("level-{}", ex.id)>
                                <a href=crate::paths::href(&format!("/learn/{}", ex.id))>
                                    <span class="level">{ex.level.to_string()}</span>
                                    " "<strong>{ex.title.clone()}</strong>
                                </a>
                                <span class=class data-testid="level-status">{badge}</span>
                                <span class="muted">{golf}</span>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="panel concept" aria-label=concept.clone()>
                        <h2>{concept.clone()}</h2>
                        <ul class="level-list">{items}</ul>
                    </section>
                }
            })
            .collect_view()
    };
    let solved = move || {
        let p = progress.get();
        let all = exercises.get();
        let n = all
            .iter()
            .filter(|e| p.exercises.get(&e.id).is_some_and(|x| x.solved))
            .count();
        format!("{n} of {} solved.", all.len())
    };

    view! {
        <PageHeader title="Learn" intro="Guided exercises, one idea at a time. Each checks your design after every try and says what to change. Each has a golf score: how many rules, subscriptions and inputs your design needs, where fewer is better, and par is the model answer's score.">
            <p><span data-testid="learn-summary">{solved}</span>" "<a href=crate::paths::href("/quiz") data-testid="quiz-link">"Quiz yourself"</a></p>
        </PageHeader>
        <div class="page learn-map" inert=move || !loaded.get()>
            {groups}
            <section class="panel" aria-labelledby="packs-heading">
                <h2 id="packs-heading">"Instructor packs"</h2>
                <p class="muted">"A pack is a TOML file of exercises in the same format as the shipped ones. It is checked in full before anything is added: every field, and that each starting design fails and each solution passes."</p>
                <div class="form-actions">
                    <label class="button-like secondary" for="pack-file">"Import a pack file"</label>
                    <input id="pack-file" type="file" accept=".toml,text/plain" class="visually-hidden" on:change=from_file data-testid="pack-file"/>
                </div>
                <form class="form-actions" on:submit=from_url>
                    <label for="pack-url">"or from a URL"</label>
                    <input id="pack-url" type="url" bind:value=url data-testid="pack-url" placeholder="https://…/pack.toml"/>
                    <button type="submit" class="secondary" data-testid="pack-url-import">"Import"</button>
                </form>
                {move || notice.get().map(|r| match r {
                    Ok(t) => view! { <p class="form-status" role="status" data-testid="pack-notice">{t}</p> }.into_any(),
                    Err(e) => view! { <ErrorView title="The pack was not imported; nothing changed" message=e/> }.into_any(),
                })}
            </section>
        </div>
    }
}
