//! A system exercise's scenario, edited visually: the integration style, how often the
//! services poll, the inputs in time order (add, change, remove), and the settings of a
//! generated workload and of the sync-vs-async experiment when the scenario has them.
//! Every change is validated as the whole scenario and changes nothing unless valid.

use crate::features::lab::Notice;
use crate::features::workshop::{style_from, style_key, STYLES};
use dojo_engine::domain::Cover;
use dojo_engine::services::{Input, Scenario, TimedInput};
use leptos::prelude::*;

/// The scenario being edited and where a valid change goes.
#[derive(Clone, Copy)]
struct Editing {
    scenario: Signal<Scenario>,
    on_change: Callback<Scenario>,
    notice: Notice,
}

impl Editing {
    fn apply(self, change: impl FnOnce(&mut Scenario) -> Result<String, String>) {
        let mut next = self.scenario.get_untracked();
        let result = change(&mut next).and_then(|said| {
            // The scenario's own validation, as when the JSON is read.
            let text = serde_json::to_string(&next).expect("scenarios are plain data");
            Scenario::from_json(&text).map_err(|e| format!("`{}`: {}", e.path, e.message))?;
            self.on_change.run(next);
            Ok(said)
        });
        self.notice.set(Some(result));
    }
}

/// A whole number typed into a field.
fn whole(text: &str, label: &str) -> Result<u64, String> {
    text.trim()
        .replace(['_', ','], "")
        .parse::<u64>()
        .map_err(|_| format!("{label} must be a whole number, not \"{text}\"."))
}

/// One numeric setting, saved when the field is left (Enter or Tab).
#[component]
fn Setting(
    editing: Editing,
    id: &'static str,
    label: &'static str,
    read: fn(&Scenario) -> Option<u64>,
    write: fn(&mut Scenario, u64),
) -> impl IntoView {
    let value = move || {
        editing
            .scenario
            .with(read)
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    let change = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        editing.apply(|s| {
            let v = whole(&text, label)?;
            write(s, v);
            Ok(format!("{label}: now {v}."))
        });
    };
    view! {
        <div class="field"><label for=id>{label}</label>
            <input id=id type="text" inputmode="numeric" prop:value=value on:change=change data-testid=id/></div>
    }
}

/// The fields of the input form, shared by every kind of input.
#[derive(Clone, Copy)]
struct InputFields {
    kind: RwSignal<String>,
    at: RwSignal<String>,
    customer: RwSignal<String>,
    given: RwSignal<String>,
    family: RwSignal<String>,
    email: RwSignal<String>,
    postcode: RwSignal<String>,
    born: RwSignal<String>,
    cover: RwSignal<String>,
    sum: RwSignal<String>,
    quote: RwSignal<String>,
    email_opt_in: RwSignal<bool>,
    sms_opt_in: RwSignal<bool>,
}

const KINDS: [(&str, &str); 5] = [
    ("register_customer", "RegisterCustomer"),
    ("request_quote", "RequestQuote"),
    ("accept_quote", "AcceptQuote"),
    ("change_address", "ChangeAddress"),
    ("change_contact_preferences", "ChangeContactPreferences"),
];

impl InputFields {
    fn new() -> InputFields {
        let text = |s: &str| RwSignal::new(s.to_owned());
        InputFields {
            kind: text("accept_quote"),
            at: text("5"),
            customer: text("c1"),
            given: text("Grace"),
            family: text("Hopper"),
            email: text("grace@example.com"),
            postcode: text("G2 3BB"),
            born: text("1985"),
            cover: text("home"),
            sum: text("250000"),
            quote: text("q1"),
            email_opt_in: RwSignal::new(true),
            sms_opt_in: RwSignal::new(false),
        }
    }

    fn load(self, t: &TimedInput) {
        self.at.set(format!("{}", t.at_ms as f64 / 1000.0));
        let kind = match &t.input {
            Input::RegisterCustomer {
                customer_id,
                given_name,
                family_name,
                email,
                postcode,
                birth_year,
                ..
            } => {
                self.customer.set(customer_id.clone());
                self.given.set(given_name.clone());
                self.family.set(family_name.clone());
                self.email.set(email.clone());
                self.postcode.set(postcode.clone());
                self.born.set(birth_year.to_string());
                "register_customer"
            }
            Input::ChangeAddress {
                customer_id,
                postcode,
            } => {
                self.customer.set(customer_id.clone());
                self.postcode.set(postcode.clone());
                "change_address"
            }
            Input::ChangeContactPreferences {
                customer_id,
                email_opt_in,
                sms_opt_in,
            } => {
                self.customer.set(customer_id.clone());
                self.email_opt_in.set(*email_opt_in);
                self.sms_opt_in.set(*sms_opt_in);
                "change_contact_preferences"
            }
            Input::RequestQuote {
                quote_id,
                customer_id,
                cover,
                sum_insured,
            } => {
                self.quote.set(quote_id.clone());
                self.customer.set(customer_id.clone());
                self.cover.set(format!("{cover:?}").to_lowercase());
                self.sum.set(sum_insured.to_string());
                "request_quote"
            }
            Input::AcceptQuote { quote_id } => {
                self.quote.set(quote_id.clone());
                "accept_quote"
            }
        };
        self.kind.set(kind.to_owned());
    }

    /// The input the fields describe, or what is wrong with them.
    fn read(self) -> Result<TimedInput, String> {
        let at = self.at.get_untracked();
        let at_ms = at
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| (s * 1000.0).round() as u64)
            .ok_or(format!(
                "The time must be a number of seconds, 0 or more, not \"{at}\"."
            ))?;
        let get = |s: RwSignal<String>| s.get_untracked().trim().to_owned();
        let needed = |s: RwSignal<String>, what: &str| {
            Some(get(s))
                .filter(|v| !v.is_empty())
                .ok_or(format!("Fill in the {what}."))
        };
        let input = match self.kind.get_untracked().as_str() {
            "register_customer" => Input::RegisterCustomer {
                customer_id: needed(self.customer, "customer id")?,
                given_name: needed(self.given, "given name")?,
                family_name: get(self.family),
                email: needed(self.email, "email")?,
                phone: String::new(),
                postcode: needed(self.postcode, "postcode")?,
                birth_year: get(self.born).parse().map_err(|_| {
                    format!("The birth year must be a year, not \"{}\".", get(self.born))
                })?,
            },
            "change_address" => Input::ChangeAddress {
                customer_id: needed(self.customer, "customer id")?,
                postcode: needed(self.postcode, "postcode")?,
            },
            "change_contact_preferences" => Input::ChangeContactPreferences {
                customer_id: needed(self.customer, "customer id")?,
                email_opt_in: self.email_opt_in.get_untracked(),
                sms_opt_in: self.sms_opt_in.get_untracked(),
            },
            "request_quote" => Input::RequestQuote {
                quote_id: get(self.quote),
                customer_id: needed(self.customer, "customer id")?,
                cover: match get(self.cover).as_str() {
                    "car" => Cover::Car,
                    "travel" => Cover::Travel,
                    _ => Cover::Home,
                },
                sum_insured: whole(&get(self.sum), "The sum insured")?,
            },
            _ => Input::AcceptQuote {
                quote_id: needed(self.quote, "quote id")?,
            },
        };
        Ok(TimedInput { at_ms, input })
    }
}

#[component]
pub(crate) fn ScenarioForm(
    scenario: Signal<Scenario>,
    on_change: Callback<Scenario>,
    notice: Notice,
) -> impl IntoView {
    let editing = Editing {
        scenario,
        on_change,
        notice,
    };
    view! {
        <StyleAndTiming editing=editing/>
        <InputsEditor editing=editing/>
        <GeneratedWorkload editing=editing/>
        {move || scenario.with(|s| s.decoupling.is_some()).then(|| view! {
            <fieldset class="lab-form">
                <legend>"Sync vs async experiment"</legend>
                <div class="workload-grid">
                    <Setting editing=editing id="decoupling-consumers" label="Consumers"
                        read=|s| s.decoupling.as_ref().map(|d| u64::from(d.consumers)) write=|s, v| if let Some(d) = &mut s.decoupling { d.consumers = v.min(10_000) as u32 }/>
                    <Setting editing=editing id="decoupling-service" label="Service time (ms)"
                        read=|s| s.decoupling.as_ref().map(|d| d.service_ms) write=|s, v| if let Some(d) = &mut s.decoupling { d.service_ms = v }/>
                    <Setting editing=editing id="decoupling-timeout" label="Push timeout (ms)"
                        read=|s| s.decoupling.as_ref().map(|d| d.timeout_ms) write=|s, v| if let Some(d) = &mut s.decoupling { d.timeout_ms = v }/>
                    <Setting editing=editing id="decoupling-rate" label="Steady rate (per s)"
                        read=|s| s.decoupling.as_ref().map(|d| u64::from(d.base_rate_per_s)) write=|s, v| if let Some(d) = &mut s.decoupling { d.base_rate_per_s = v.min(100_000) as u32 }/>
                    <Setting editing=editing id="decoupling-spike" label="Spike: requests"
                        read=|s| s.decoupling.as_ref().map(|d| u64::from(d.spike.requests)) write=|s, v| if let Some(d) = &mut s.decoupling { d.spike.requests = v.min(1_000_000) as u32 }/>
                    <Setting editing=editing id="decoupling-capacity" label="Queue capacity"
                        read=|s| s.decoupling.as_ref().map(|d| d.queue_capacity as u64) write=|s, v| if let Some(d) = &mut s.decoupling { d.queue_capacity = v.min(10_000_000) as usize }/>
                </div>
            </fieldset>
        })}
    }
}

/// The integration style, the services' polling interval and the random seed.
#[component]
fn StyleAndTiming(editing: Editing) -> impl IntoView {
    let scenario = editing.scenario;
    let style = move || scenario.with(|s| style_key(s.style));
    let set_style = move |ev: leptos::ev::Event| {
        let chosen = style_from(&event_target_value(&ev));
        editing.apply(|s| {
            s.style = chosen;
            Ok(format!("Style: {}.", chosen.name()))
        });
    };
    view! {
        <fieldset class="lab-form">
            <legend>"Style and timing"</legend>
            <div class="field"><label for="scenario-style">"Integration style"</label>
                <select id="scenario-style" data-testid="scenario-style" on:change=set_style>
                    {STYLES.into_iter().map(|s| view! { <option value=style_key(s) selected=move || style() == style_key(s)>{s.name()}</option> }).collect_view()}
                </select></div>
            <p class="muted" data-testid="scenario-style-explained">{move || scenario.with(|s| s.style.explained())}</p>
            <div class="workload-grid">
                <Setting editing=editing id="scenario-poll" label="Services poll every (ms)"
                    read=|s| Some(s.poll_interval_ms) write=|s, v| s.poll_interval_ms = v/>
                <Setting editing=editing id="scenario-seed" label="Random seed"
                    read=|s| Some(s.seed) write=|s, v| s.seed = v/>
            </div>
        </fieldset>
    }
}

/// The scenario's own inputs, in time order, and the form that adds or changes one.
#[component]
fn InputsEditor(editing: Editing) -> impl IntoView {
    let (scenario, notice) = (editing.scenario, editing.notice);
    let f = InputFields::new();
    // The input being changed (its place in the list); None adds one.
    let changing = RwSignal::new(None::<usize>);
    let save_input = move |_| {
        let read = f.read();
        let index = changing.get_untracked();
        editing.apply(|s| {
            let input = read?;
            let said = input.input.describe();
            let verb = match index.filter(|i| *i < s.inputs.len()) {
                Some(i) => {
                    s.inputs[i] = input;
                    "Changed"
                }
                None => {
                    s.inputs.push(input);
                    "Added"
                }
            };
            s.inputs.sort_by_key(|i| i.at_ms);
            Ok(format!("{verb} the input {said}."))
        });
        if matches!(notice.get_untracked(), Some(Ok(_))) {
            changing.set(None);
        }
    };
    let shows =
        move |kinds: &'static [&'static str]| move || !kinds.contains(&f.kind.get().as_str());
    view! {
        <fieldset class="lab-form">
            <legend>"Inputs (what customers and agents do, in time order)"</legend>
            <ol class="lab-list" data-testid="scenario-inputs">
                {move || {
                    let inputs = scenario.with(|s| s.inputs.clone());
                    if inputs.is_empty() {
                        return view! { <li class="muted">"No inputs of your own."</li> }.into_any();
                    }
                    inputs.into_iter().enumerate().map(|(i, t)| {
                        let label = format!("at {:.1} s: {}", t.at_ms as f64 / 1000.0, t.input.describe());
                        let edit = move |_| {
                            f.load(&t);
                            changing.set(Some(i));
                            crate::components::focus::focus_now("#input-kind");
                        };
                        let remove = move |_| {
                            editing.apply(|s| {
                                if i < s.inputs.len() {
                                    let gone = s.inputs.remove(i);
                                    return Ok(format!("Removed the input {}.", gone.input.describe()));
                                }
                                Err("That input is no longer there.".into())
                            });
                            changing.set(None);
                        };
                        view! { <li><span>{label.clone()}</span><span class="item-actions">
                            <button type="button" class="secondary" on:click=edit aria-label=format!("Edit input {label}")>"Edit"</button>
                            <button type="button" class="secondary" on:click=remove aria-label=format!("Remove input {label}")>"Remove"</button></span></li> }
                    }).collect_view().into_any()
                }}
            </ol>
            <p class="muted">{move || match changing.get() {
                Some(i) => format!("Changing input {}; Save replaces it.", i + 1),
                None => "Add an input: choose what happens, when, and to whom.".to_owned(),
            }}</p>
            <div class="workload-grid">
                <div class="field"><label for="input-kind">"What happens"</label>
                    <select id="input-kind" data-testid="input-kind" on:change=move |ev| f.kind.set(event_target_value(&ev))>
                        {KINDS.into_iter().map(|(key, label)| view! { <option value=key selected=move || f.kind.get() == key>{label}</option> }).collect_view()}
                    </select></div>
                <div class="field"><label for="input-at">"At (s)"</label><input id="input-at" type="text" bind:value=f.at data-testid="input-at"/></div>
                <div class="field" hidden=shows(&["register_customer", "change_address", "change_contact_preferences", "request_quote"])>
                    <label for="input-customer">"Customer id"</label><input id="input-customer" type="text" bind:value=f.customer data-testid="input-customer"/></div>
                <div class="field" hidden=shows(&["request_quote", "accept_quote"])>
                    <label for="input-quote">{move || if f.kind.get() == "request_quote" { "Quote id (blank: q1, q2, … in time order)" } else { "Quote id" }}</label>
                    <input id="input-quote" type="text" bind:value=f.quote data-testid="input-quote"/></div>
                <div class="field" hidden=shows(&["register_customer"])><label for="input-given">"Given name"</label><input id="input-given" type="text" bind:value=f.given/></div>
                <div class="field" hidden=shows(&["register_customer"])><label for="input-family">"Family name"</label><input id="input-family" type="text" bind:value=f.family/></div>
                <div class="field" hidden=shows(&["register_customer"])><label for="input-email">"Email"</label><input id="input-email" type="text" bind:value=f.email/></div>
                <div class="field" hidden=shows(&["register_customer"])><label for="input-born">"Birth year"</label><input id="input-born" type="text" bind:value=f.born/></div>
                <div class="field" hidden=shows(&["register_customer", "change_address"])><label for="input-postcode">"Postcode"</label><input id="input-postcode" type="text" bind:value=f.postcode data-testid="input-postcode"/></div>
                <div class="field" hidden=shows(&["request_quote"])><label for="input-cover">"Cover"</label>
                    <select id="input-cover" on:change=move |ev| f.cover.set(event_target_value(&ev))>
                        {["home", "car", "travel"].into_iter().map(|c| view! { <option value=c selected=move || f.cover.get() == c>{c}</option> }).collect_view()}
                    </select></div>
                <div class="field" hidden=shows(&["request_quote"])><label for="input-sum">"Sum insured"</label><input id="input-sum" type="text" bind:value=f.sum/></div>
            </div>
            <div hidden=shows(&["change_contact_preferences"])>
                <label class="toggle"><input type="checkbox" bind:checked=f.email_opt_in/>" Email opt-in"</label>
                <label class="toggle"><input type="checkbox" bind:checked=f.sms_opt_in/>" SMS opt-in"</label>
            </div>
            <button type="button" class="secondary" on:click=save_input data-testid="input-save">"Save input"</button>
        </fieldset>
    }
}

/// The generated workload: customers and quotes the services make up.
#[component]
fn GeneratedWorkload(editing: Editing) -> impl IntoView {
    let scenario = editing.scenario;
    let workload_on = move || scenario.with(|s| s.workload.is_some());
    let toggle_workload = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        editing.apply(|s| {
            s.workload = on.then_some(dojo_engine::services::WorkloadConfig {
                customers: 10,
                quotes_per_customer: 1,
                accept_percent: 0,
                move_percent: 0,
                spread_ms: 10_000,
                spike: None,
            });
            Ok(if on {
                "Added a generated workload.".into()
            } else {
                "Removed the generated workload.".into()
            })
        });
    };
    view! {
        <fieldset class="lab-form">
            <legend>"Generated workload"</legend>
            <label class="toggle"><input type="checkbox" prop:checked=workload_on on:change=toggle_workload data-testid="workload-on"/>" Generate customers and quotes"</label>
            {move || workload_on().then(|| view! {
                <div class="workload-grid">
                    <Setting editing=editing id="workload-customers" label="Customers"
                        read=|s| s.workload.as_ref().map(|w| u64::from(w.customers)) write=|s, v| if let Some(w) = &mut s.workload { w.customers = v.min(u64::from(u32::MAX)) as u32 }/>
                    <Setting editing=editing id="workload-quotes" label="Quotes per customer"
                        read=|s| s.workload.as_ref().map(|w| u64::from(w.quotes_per_customer)) write=|s, v| if let Some(w) = &mut s.workload { w.quotes_per_customer = v.min(1000) as u32 }/>
                    <Setting editing=editing id="workload-accept" label="Accepted (%)"
                        read=|s| s.workload.as_ref().map(|w| u64::from(w.accept_percent)) write=|s, v| if let Some(w) = &mut s.workload { w.accept_percent = v.min(u64::from(u32::MAX)) as u32 }/>
                    <Setting editing=editing id="workload-move" label="Move house (%)"
                        read=|s| s.workload.as_ref().map(|w| u64::from(w.move_percent)) write=|s, v| if let Some(w) = &mut s.workload { w.move_percent = v.min(u64::from(u32::MAX)) as u32 }/>
                    <Setting editing=editing id="workload-spread" label="Spread over (ms)"
                        read=|s| s.workload.as_ref().map(|w| w.spread_ms) write=|s, v| if let Some(w) = &mut s.workload { w.spread_ms = v }/>
                </div>
            })}
        </fieldset>
    }
}
