//! The event console: a form per domain command. The engine's command handler
//! (`dojo_engine::command`) decides it by its aggregate, loaded by replaying its stream
//! from the app's event store, and appends the resulting events with the stream's
//! expected version, so a concurrent change is a
//! conflict, not a lost update. A refused command shows the domain's reason and appends
//! nothing. Beside it, the read models are folded from the store, with a rebuild that
//! shows its progress.

mod commands;
mod read_models;

use crate::components::ErrorView;
use crate::components::PageHeader;
use crate::state::use_store;
use commands::{describe, parse, CommandKind, COMMANDS};
use dojo_engine::command::execute;
use leptos::prelude::*;
use leptos::task::spawn_local;
use read_models::StoreReadModels;
use std::collections::HashMap;

#[component]
pub fn ConsolePage() -> impl IntoView {
    let ctx = use_store();
    let store = StoredValue::new_local(ctx.clone());
    let kind = RwSignal::new(CommandKind::RegisterCustomer);
    let values = RwSignal::new(HashMap::<&'static str, String>::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let health = ctx.health;

    let field_value = move |name: &'static str, default: &'static str| {
        values.with(|v| v.get(name).cloned().unwrap_or_else(|| default.to_owned()))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let k = kind.get_untracked();
        let spec = COMMANDS
            .iter()
            .find(|c| c.kind == k)
            .expect("every kind has a spec");
        let args: HashMap<&'static str, String> = spec
            .fields
            .iter()
            .map(|f| (f.name, field_value(f.name, f.default).trim().to_owned()))
            .collect();
        let command = match parse(k, &args, js_sys::Date::now() as u64) {
            Ok(command) => command,
            Err(e) => {
                outcome.set(Some(Err(e)));
                return;
            }
        };
        let store = store.get_value();
        busy.set(true);
        spawn_local(async move {
            let time = crate::browser::now_rfc3339();
            let result = execute(&store, &command, crate::browser::random_id, &time).await;
            outcome.set(Some(
                result
                    .map(|e| describe(&e))
                    .map_err(|e| crate::advice::explain_command(&e)),
            ));
            busy.set(false);
        });
    };

    view! {
        <PageHeader title="Event console" intro="Commands are requests that can be refused; events are facts. Send a command: its aggregate is rebuilt from its stream in your event store, decides, and the events it produces are appended with an expected version."/>
        <div class="page console-page">
            <section class="panel" aria-labelledby="command-heading">
                <h2 id="command-heading">"Send a command"</h2>
                <form on:submit=submit novalidate data-testid="command-form">
                    <div class="field">
                        <label for="command-kind">"Command"</label>
                        <select id="command-kind" data-testid="command-kind"
                            on:change=move |ev| { kind.set(CommandKind::from_key(&event_target_value(&ev))); outcome.set(None); }>
                            {COMMANDS.iter().map(|c| view! { <option value=c.kind.key()>{c.label}</option> }).collect_view()}
                        </select>
                        <p class="field-hint">{move || COMMANDS.iter().find(|c| c.kind == kind.get()).map(|c| c.help)}</p>
                    </div>
                    {move || {
                        let spec = COMMANDS.iter().find(|c| c.kind == kind.get()).expect("every kind has a spec");
                        spec.fields.iter().map(|f| {
                            let id = format!("cmd-{}", f.name);
                            let name = f.name;
                            let default = f.default;
                            let input = if f.options.is_empty() {
                                view! {
                                    <input id=id.clone() type="text" autocomplete="off" data-testid=id.clone()
                                        prop:value=move || field_value(name, default)
                                        on:input=move |ev| values.update(|v| { v.insert(name, event_target_value(&ev)); })/>
                                }.into_any()
                            } else {
                                view! {
                                    <select id=id.clone() data-testid=id.clone() prop:value=move || field_value(name, default)
                                        on:change=move |ev| values.update(|v| { v.insert(name, event_target_value(&ev)); })>
                                        {f.options.iter().map(|o| view! { <option value=*o>{*o}</option> }).collect_view()}
                                    </select>
                                }.into_any()
                            };
                            view! { <div class="field"><label for=id>{f.label}</label>{input}</div> }
                        }).collect_view()
                    }}
                    <div class="form-actions">
                        <button type="submit" class="primary" disabled=move || busy.get() || !health.with(|h| h.can_write()) data-testid="command-submit">"Send command"</button>
                    </div>
                    {move || outcome.get().map(|r| match r {
                        Ok(text) => view! { <p class="form-status" role="status" data-testid="command-result">{text}</p> }.into_any(),
                        Err(e) => view! { <ErrorView title="The command was refused" message=e hint="Nothing was appended."/> }.into_any(),
                    })}
                </form>
            </section>
            <StoreReadModels/>
        </div>
    }
}
