//! The app shell: opens the event store, provides it through context, and routes between
//! the pages. A failure to open storage is shown through the shared error view.

use crate::components::focus::FocusHeadingOnNavigate;
use crate::components::{ErrorView, ReadOnlyBanner, SchemaWarning};
use crate::features::classroom::{Classroom, ClassroomPage, ClassroomStatus, GoToBanner};
use crate::features::console::ConsolePage;
use crate::features::event_log::{EventDetailPage, EventStorePage};
use crate::features::lab::LabPage;
use crate::features::learn::{ExercisePage, LearnPage, QuizPage};
use crate::features::pattern_sandbox::PatternSandboxPage;
use crate::features::schemas::SchemasPage;
use crate::features::start::StartPage;
use crate::features::workshop::WorkshopPage;
use crate::state::StoreContext;
use crate::storage::{IdbStore, DB_NAME};
use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

/// Every page but the start page is lazily loaded: its code is cut into wasm modules of
/// its own after the build (`scripts/split.mjs`) and fetched the first time a page of its
/// group opens, so the first download carries only the shell and the start page. Pages
/// that share most of their code are one group, because every set of groups that shares
/// some code gets a module of its own, and fewer groups mean fewer files to fetch.
macro_rules! lazy_groups {
    ($($group:ident { $($variant:ident => $page:ident, $name:literal;)+ })*) => {
        #[derive(Clone, Copy, Debug, PartialEq)]
        enum Page { $($($variant,)+)* }

        impl Page {
            /// The page's name in "Opening … " while its modules arrive.
            fn name(self) -> &'static str {
                match self { $($(Page::$variant => $name,)+)* }
            }

            /// The page's view, once its group's modules are loaded; an error when they
            /// could not be fetched.
            async fn load(self) -> Result<AnyView, SplitLoaderError> {
                match self { $($(Page::$variant => $group(self).await,)+)* }
            }
        }

        $(
            // What Leptos's `#[lazy]` does, but fallible: a module that cannot be fetched
            // (offline before the service worker had it) is an error on the page, not a
            // panic that stops the app.
            #[wasm_split($group, wasm_split_path = ::leptos::wasm_split, fallible)]
            fn $group(page: Page) -> Result<AnyView, SplitLoaderError> {
                Ok(match page {
                    $(Page::$variant => view! { <$page/> }.into_any(),)+
                    #[allow(unreachable_patterns)]
                    other => unreachable!("{other:?} is not in {}", stringify!($group)),
                })
            }
        )*
    };
}

lazy_groups! {
    event_store_pages {
        Store => EventStorePage, "the event store";
        Event => EventDetailPage, "the event";
        Console => ConsolePage, "the event console";
    }
    channel_pages {
        Lab => LabPage, "the channels lab";
        Sandbox => PatternSandboxPage, "the pattern sandbox";
    }
    workshop_pages {
        Workshop => WorkshopPage, "the workshop";
    }
    learn_pages {
        Learn => LearnPage, "the exercises";
        Exercise => ExercisePage, "the exercise";
        Quiz => QuizPage, "the quiz";
    }
    classroom_pages {
        Classroom => ClassroomPage, "the classroom";
    }
    schema_pages {
        Schemas => SchemasPage, "the event schemas";
    }
}

/// A route's view for a lazily loaded page.
fn lazily(page: Page) -> impl Fn() -> AnyView + Clone + Send + 'static {
    move || view! { <LazyPage page/> }.into_any()
}

/// A lazily loaded page: says what is opening while its modules arrive (on a slow network
/// that takes a moment the first time), then shows it. Not a `<Suspense>`: that would
/// also stand in for the page whenever the page itself waits on a read.
#[component]
fn LazyPage(page: Page) -> impl IntoView {
    let loaded = StoredValue::new_local(None::<AnyView>);
    let ready = RwSignal::new(false);
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        let view = page.load().await.unwrap_or_else(|_| view! {
            <ErrorView title=format!("Could not open {}", page.name())
                message="This page's code did not arrive: the network failed before this browser had saved it for offline use."
                hint="Reload when you are online again; everything you saved is kept."/>
        }.into_any());
        loaded.set_value(Some(view));
        ready.set(true);
    });
    move || {
        match ready.get() {
        true => loaded
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_else(|| ().into_any()),
        false => view! {
            <p class="muted page-loading" data-testid="page-loading">{format!("Opening {}…", page.name())}</p>
        }
        .into_any(),
    }
    }
}

#[component]
pub fn App() -> impl IntoView {
    // An upgrade blocked by another tab's older connection waits, and says so.
    let blocked = RwSignal::new(false);
    let opened = LocalResource::new(move || {
        IdbStore::open_with(DB_NAME, move || {
            blocked.set(true);
            crate::state::announce_upgrade();
        })
    });
    // The classroom lives as long as the page, so its connection and status outlast
    // navigation; it rejoins the room the learner was in before a reload.
    provide_context(Classroom::start());
    view! {
        <Router base=crate::paths::base()>
            <FocusHeadingOnNavigate/>
            // With a <base href>, "#main" would resolve to the app's root and leave the
            // page; the link moves the focus itself instead.
            <a class="skip-link" href="#main" on:click=|ev| {
                ev.prevent_default();
                crate::components::focus::focus_now("#main");
            }>"Skip to content"</a>
            <header class="app-header">
                <a class="brand" href=crate::paths::href("/") data-testid="brand-home">
                    <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
                        <rect width="32" height="32" rx="7"/>
                        <path d="M6 10h20M9 10v15M23 10v15M7 15h18"/>
                    </svg>
                    <span class="brand-name">"Event Dojo"</span>
                </a>
                <nav aria-label="Main">
                    <A href=crate::paths::href("/learn")>"Learn"</A>
                    <A href=crate::paths::href("/lab")>"Channels lab"</A>
                    <A href=crate::paths::href("/workshop")>"Workshop"</A>
                    <A href=crate::paths::href("/store")>"Event store"</A>
                    <A href=crate::paths::href("/console")>"Event console"</A>
                    <A href=crate::paths::href("/sandbox")>"Pattern sandbox"</A>
                    <A href=crate::paths::href("/schemas")>"Schemas"</A>
                    <A href=crate::paths::href("/classroom")>"Classroom"</A>
                </nav>
                <ClassroomStatus/>
            </header>
            <main id="main" tabindex="-1">
                <GoToBanner/>
                {move || match opened.get() {
                    None if blocked.get() => view! {
                        <ErrorView title="Waiting for another Event Dojo tab"
                            message="This version of Event Dojo needs to upgrade its database, and another tab still has the older one open."
                            hint="Close or reload the other Event Dojo tabs; this page continues by itself as soon as they let go. Nothing is lost."/>
                    }.into_any(),
                    None => view! { <p class="muted" data-testid="app-loading">"Opening the event store…"</p> }.into_any(),
                    Some(Err(e)) => view! {
                        <ErrorView title="Could not open the event store" message=crate::advice::explain(&e)
                            hint="Everything in Event Dojo (the event log, the lab, the workshop, your progress) lives in this browser's IndexedDB, so without it there is nothing to read and nowhere to save. Reload once storage is allowed; what was stored before is still there."/>
                    }.into_any(),
                    Some(Ok(store)) => {
                        let ctx = StoreContext::new(store);
                        expect_context::<Classroom>().attach_store(&ctx);
                        let superseded = ctx.clone();
                        provide_context(ctx);
                        view! {
                            {move || superseded.superseded().then(|| view! {
                                <ErrorView title="Event Dojo was updated in another tab"
                                    message="This tab closed its connection to the database so the update can finish. What is on screen may be out of date."
                                    hint="Reload this tab to carry on; everything you saved is kept."/>
                            })}
                            <ReadOnlyBanner/>
                            <SchemaWarning/>
                            <Routes fallback=NotFound>
                                <Route path=path!("/") view=StartPage/>
                                <Route path=path!("/store") view=lazily(Page::Store)/>
                                <Route path=path!("/event/:position") view=lazily(Page::Event)/>
                                <Route path=path!("/console") view=lazily(Page::Console)/>
                                <Route path=path!("/sandbox") view=lazily(Page::Sandbox)/>
                                <Route path=path!("/lab") view=lazily(Page::Lab)/>
                                <Route path=path!("/workshop") view=lazily(Page::Workshop)/>
                                <Route path=path!("/learn") view=lazily(Page::Learn)/>
                                <Route path=path!("/classroom") view=lazily(Page::Classroom)/>
                                <Route path=path!("/schemas") view=lazily(Page::Schemas)/>
                                <Route path=path!("/learn/:id") view=lazily(Page::Exercise)/>
                                <Route path=path!("/quiz") view=lazily(Page::Quiz)/>
                            </Routes>
                        }.into_any()
                    }
                }}
            </main>
        </Router>
    }
}

/// The page for an address the app does not know: a heading, what happened, and the way
/// back to the start.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <div class="page-title" data-testid="not-found">
            <h1 tabindex="-1">"Page not found"</h1>
            <p class="muted">"There is nothing at this address. It may have been mistyped, or it belongs to a newer or older version of Event Dojo."</p>
            <p><a href=crate::paths::href("/")>"Go to the start page"</a>" or use the navigation above."</p>
        </div>
    }
}
