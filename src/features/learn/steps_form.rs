//! The steps a learner adds to a channels exercise, edited visually: the list of them in
//! time order with Edit and Remove, and a form for the step the exercises ask for, an
//! MQTT client subscribing to a topic filter. The exercise's own workload is not here:
//! it is what every design is run against, and the learner cannot change it.

use crate::features::lab::Notice;
use dojo_engine::sim::script::{MqttSubscribe, Step};
use leptos::prelude::*;

/// A step in words: "at 0.5 s, dashboard subscribes to quotes/# (QoS 0)".
pub(crate) fn describe(step: &Step) -> String {
    let at = format!("at {:.1} s", step.at_ms as f64 / 1000.0);
    if let Some(s) = &step.mqtt_subscribe {
        return format!(
            "{at}, {} subscribes to {} (QoS {})",
            s.client, s.filter, s.qos
        );
    }
    if let Some(s) = &step.mqtt_unsubscribe {
        return format!("{at}, {} unsubscribes from {}", s.client, s.filter);
    }
    // Any other step the JSON holds is listed as it is written.
    let mut json = serde_json::to_value(step).unwrap_or_default();
    if let Some(m) = json.as_object_mut() {
        m.remove("at_ms");
    }
    format!("{at}: {json}")
}

/// A time in seconds typed into a field, as milliseconds.
fn millis(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && (0.0..=86_400.0).contains(s))
        .map(|s| (s * 1000.0).round() as u64)
        .ok_or(format!(
            "The time must be a number of seconds from 0 to 86400, not \"{text}\"."
        ))
}

#[component]
pub(crate) fn StepsForm(
    steps: Signal<Vec<Step>>,
    on_change: Callback<Vec<Step>>,
    notice: Notice,
) -> impl IntoView {
    let client = RwSignal::new("dashboard".to_owned());
    let filter = RwSignal::new("quotes/#".to_owned());
    let at = RwSignal::new("0.5".to_owned());
    let qos = RwSignal::new("0".to_owned());
    // The step being edited, replaced on save; None adds a new one.
    let editing = RwSignal::new(None::<usize>);
    let filter_error = Memo::new(move |_| {
        dojo_engine::pattern::mqtt::validate_filter(filter.get().trim())
            .err()
            .map(|e| e.to_string())
    });
    let save = move |_| {
        let result = (|| {
            let at_ms = millis(&at.get_untracked())?;
            let qos = match qos.get_untracked().trim() {
                "0" => 0,
                "1" => 1,
                "2" => 2,
                other => return Err(format!("QoS is 0, 1 or 2, not \"{other}\".")),
            };
            let client = client.get_untracked().trim().to_owned();
            if client.is_empty() {
                return Err("Name the MQTT client that subscribes.".to_owned());
            }
            let filter = filter.get_untracked().trim().to_owned();
            dojo_engine::pattern::mqtt::validate_filter(&filter)
                .map_err(|e| format!("The topic filter \"{filter}\" is not valid: {e}"))?;
            let step = Step {
                at_ms,
                mqtt_subscribe: Some(MqttSubscribe {
                    client: client.clone(),
                    filter: filter.clone(),
                    qos,
                }),
                ..Step::default()
            };
            let mut next = steps.get_untracked();
            let said = match editing.get_untracked().filter(|i| *i < next.len()) {
                Some(i) => {
                    next[i] = step;
                    format!("Changed the step: {client} subscribes to {filter}.")
                }
                None => {
                    next.push(step);
                    format!("Added a step: {client} subscribes to {filter}.")
                }
            };
            next.sort_by_key(|s| s.at_ms);
            on_change.run(next);
            Ok(said)
        })();
        if result.is_ok() {
            editing.set(None);
        }
        notice.set(Some(result));
    };
    view! {
        <fieldset class="lab-form" data-testid="steps-form">
            <legend>"Your steps (added to the exercise's traffic)"</legend>
            <ul class="lab-list" data-testid="steps-list">
                {move || {
                    let list = steps.get();
                    if list.is_empty() {
                        return view! { <li class="muted">"No steps of your own."</li> }.into_any();
                    }
                    list.iter().enumerate().map(|(i, s)| {
                        let label = describe(s);
                        let subscribe = s.mqtt_subscribe.clone();
                        let edit = subscribe.map(|sub| {
                            let at_ms = s.at_ms;
                            let on_edit = move |_| {
                                client.set(sub.client.clone());
                                filter.set(sub.filter.clone());
                                qos.set(sub.qos.to_string());
                                at.set(format!("{}", at_ms as f64 / 1000.0));
                                editing.set(Some(i));
                                crate::components::focus::focus_now("#step-client");
                            };
                            view! { <button type="button" class="secondary" on:click=on_edit aria-label=format!("Edit step: {label}")>"Edit"</button> }
                        });
                        let remove = move |_| {
                            let mut next = steps.get_untracked();
                            if i < next.len() {
                                next.remove(i);
                                on_change.run(next);
                                editing.set(None);
                                notice.set(Some(Ok("Removed the step.".into())));
                            }
                        };
                        view! { <li><span>{label.clone()}</span><span class="item-actions">{edit}<button type="button" class="secondary" on:click=remove aria-label=format!("Remove step: {label}")>"Remove"</button></span></li> }
                    }).collect_view().into_any()
                }}
            </ul>
            <p class="muted">{move || match editing.get() {
                Some(i) => format!("Changing step {}; Save replaces it.", i + 1),
                None => "An MQTT client subscribes to a topic filter (+ matches one level, # the rest).".to_owned(),
            }}</p>
            <div class="workload-grid">
                <div class="field"><label for="step-client">"MQTT client"</label><input id="step-client" type="text" bind:value=client data-testid="step-client"/></div>
                <div class="field"><label for="step-at">"At (s)"</label><input id="step-at" type="text" bind:value=at data-testid="step-at"/></div>
                <div class="field"><label for="step-qos">"QoS"</label><input id="step-qos" type="text" bind:value=qos data-testid="step-qos"/></div>
            </div>
            <div class="field"><label for="step-filter">"Topic filter"</label>
                <input id="step-filter" type="text" bind:value=filter data-testid="step-filter" aria-invalid=move || filter_error.get().is_some().to_string() aria-describedby="step-filter-error"/>
                <p id="step-filter-error" class="field-error">{move || filter_error.get()}</p></div>
            <button type="button" class="secondary" on:click=save data-testid="step-save">"Save step"</button>
        </fieldset>
    }
}
