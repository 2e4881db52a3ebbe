//! The event store page: publish an event by hand and browse the persisted log, newest
//! first, with each event's full CloudEvents envelope.

mod event_detail;
mod log_list;
mod publish_form;
mod transfer;

pub use event_detail::EventDetailPage;
pub use log_list::EventLog;
pub use publish_form::PublishForm;

use crate::components::PageHeader;
use leptos::prelude::*;

/// The page: the publish form beside the log.
#[component]
pub fn EventStorePage() -> impl IntoView {
    view! {
        <PageHeader title="Event store" intro="The append-only log that is the source of truth. Everything here is kept in your browser's IndexedDB and survives a reload."/>
        <div class="page event-store-page">
            <section class="panel publish-panel" aria-labelledby="publish-heading">
                <h2 id="publish-heading">"Publish an event"</h2>
                <p class="panel-intro">
                    "An event is a fact that already happened, named in the past tense. "
                    "It is appended to a stream and gets the next version in that stream "
                    "and the next position in the whole log."
                </p>
                <PublishForm/>
            </section>
            <section class="panel log-panel" aria-labelledby="log-heading">
                <h2 id="log-heading">"Event log"</h2>
                <EventLog/>
            </section>
        </div>
    }
}
