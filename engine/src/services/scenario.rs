//! Scenarios as data: an integration style, a seed, timed inputs, an optional generated
//! workload with a spike, and an optional sync-vs-async experiment. Serde JSON, validated.

use super::decoupling::DecouplingConfig;
use crate::domain::Cover;
use crate::rng::SeededRng;
use serde::{Deserialize, Serialize};

/// How the services learn about each other's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Style {
    Notification,
    EventCarriedState,
    EventSourcing,
    Cqrs,
}

impl Style {
    /// The style's name, as the workshop shows it.
    pub fn name(self) -> &'static str {
        match self {
            Style::Notification => "Event notification",
            Style::EventCarriedState => "Event-carried state transfer",
            Style::EventSourcing => "Event sourcing",
            Style::Cqrs => "CQRS",
        }
    }

    /// What the style does and what it costs, in a sentence or two: the workshop shows it
    /// beside a scenario's own (style-free) description.
    pub fn explained(self) -> &'static str {
        match self {
            Style::Notification => "Event notification: events are thin (only ids), so the Quote Generator and Comms call Customer Management back for every customer detail. Watch the callbacks pile up on Customer Management.",
            Style::EventCarriedState => "Event-carried state transfer: events carry the customer's details, and the Quote Generator and Comms keep local replicas. No callbacks, but bigger payloads and replicas that are a little stale.",
            Style::EventSourcing => "Event sourcing: the event log is the source of truth, and a customer is rebuilt by replaying its stream from the store whenever a service needs it.",
            Style::Cqrs => "CQRS: a projector folds the log into a CustomerView read model when it polls, and services read that. Reads are cheap, but the read model lags behind the write head.",
        }
    }
}

/// Something from outside the system: a customer or an agent acting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Input {
    RegisterCustomer {
        customer_id: String,
        given_name: String,
        #[serde(default)]
        family_name: String,
        email: String,
        #[serde(default)]
        phone: String,
        postcode: String,
        birth_year: u16,
    },
    ChangeAddress {
        customer_id: String,
        postcode: String,
    },
    ChangeContactPreferences {
        customer_id: String,
        email_opt_in: bool,
        sms_opt_in: bool,
    },
    /// `quote_id` is optional in files; inputs without one get `q1`, `q2`, ... in time order.
    RequestQuote {
        #[serde(default)]
        quote_id: String,
        customer_id: String,
        cover: Cover,
        sum_insured: u64,
    },
    AcceptQuote {
        quote_id: String,
    },
}

impl Input {
    /// The input in a line: "RegisterCustomer c1 (Ada Lovelace, EH1 1AA)".
    pub fn describe(&self) -> String {
        match self {
            Input::RegisterCustomer {
                customer_id,
                given_name,
                family_name,
                postcode,
                ..
            } => format!("RegisterCustomer {customer_id} ({given_name} {family_name}, {postcode})")
                .replace(" ,", ","),
            Input::ChangeAddress {
                customer_id,
                postcode,
            } => format!("ChangeAddress {customer_id} → {postcode}"),
            Input::ChangeContactPreferences {
                customer_id,
                email_opt_in,
                sms_opt_in,
            } => format!(
                "ChangeContactPreferences {customer_id} (email {}, SMS {})",
                if *email_opt_in { "on" } else { "off" },
                if *sms_opt_in { "on" } else { "off" }
            ),
            Input::RequestQuote {
                quote_id,
                customer_id,
                cover,
                ..
            } => format!("RequestQuote {quote_id} for {customer_id} ({cover:?})")
                .replace("RequestQuote  for", "RequestQuote for"),
            Input::AcceptQuote { quote_id } => format!("AcceptQuote {quote_id}"),
        }
    }
}

/// An input at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TimedInput {
    pub at_ms: u64,
    #[serde(flatten)]
    pub input: Input,
}

/// A generated workload: customers registering and asking for quotes, some accepting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkloadConfig {
    pub customers: u32,
    #[serde(default = "one")]
    pub quotes_per_customer: u32,
    /// Percentage of quotes accepted (0–100).
    #[serde(default)]
    pub accept_percent: u32,
    /// Percentage of customers who move house after quoting (0–100).
    #[serde(default)]
    pub move_percent: u32,
    /// Registrations spread over this long.
    pub spread_ms: u64,
    /// Optional spike of quote requests from the registered customers.
    #[serde(default)]
    pub spike: Option<QuoteSpike>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct QuoteSpike {
    pub at_ms: u64,
    pub requests: u32,
    pub over_ms: u64,
}

/// A what-if edit to a scenario's inputs (indexes into [`Scenario::all_inputs`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Edit {
    Skip {
        index: usize,
    },
    Insert {
        index: usize,
        input: TimedInput,
    },
    Replace {
        index: usize,
        input: TimedInput,
    },
    /// Moves an input to another place; it takes the time of the place it moves to.
    Move {
        from: usize,
        to: usize,
    },
}

/// A whole scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub style: Style,
    pub seed: u64,
    #[serde(default = "poll")]
    pub poll_interval_ms: u64,
    #[serde(default = "interval")]
    pub snapshot_interval: usize,
    #[serde(default)]
    pub inputs: Vec<TimedInput>,
    #[serde(default)]
    pub workload: Option<WorkloadConfig>,
    /// The sync-vs-async experiment, run beside the services.
    #[serde(default)]
    pub decoupling: Option<DecouplingConfig>,
}

fn poll() -> u64 {
    500
}

fn interval() -> usize {
    100
}

use crate::workload::{FAMILY, GIVEN, POSTCODES};

impl Scenario {
    /// Parses and validates; errors name the JSON path.
    pub fn from_json(text: &str) -> Result<Scenario, crate::topology::TopologyError> {
        let s: Scenario = crate::shape::from_str(text)
            .map_err(|e| crate::topology::TopologyError::from_shape(e, "scenario"))?;
        let problem = |path: String, message: &str| {
            Err(crate::topology::TopologyError {
                path,
                message: message.into(),
            })
        };
        if let Some(w) = &s.workload {
            if w.accept_percent > 100 {
                return problem(
                    "workload.accept_percent".into(),
                    "a percentage is between 0 and 100",
                );
            }
            if w.move_percent > 100 {
                return problem(
                    "workload.move_percent".into(),
                    "a percentage is between 0 and 100",
                );
            }
            if w.customers > 100_000 {
                return problem(
                    "workload.customers".into(),
                    "at most 100,000 customers per scenario",
                );
            }
        }
        if s.poll_interval_ms == 0 {
            return problem(
                "poll_interval_ms".into(),
                "services must poll at least every few ms; use 1 or more",
            );
        }
        Ok(s)
    }

    /// The explicit inputs and the generated workload, merged in time order, with quote
    /// ids assigned.
    pub fn all_inputs(&self) -> Vec<TimedInput> {
        let mut all = self.inputs.clone();
        if let Some(w) = &self.workload {
            all.extend(generate(w, self.seed));
        }
        all.sort_by_key(|i| i.at_ms);
        let mut n = 0;
        let mut tags = std::collections::BTreeMap::new();
        for t in &mut all {
            if let Input::RequestQuote { quote_id, .. } = &mut t.input {
                n += 1;
                let id = format!("q{n}");
                if quote_id.starts_with('#') {
                    tags.insert(quote_id.clone(), id.clone());
                }
                if quote_id.is_empty() || quote_id.starts_with('#') {
                    *quote_id = id;
                }
            }
        }
        for t in &mut all {
            if let Input::AcceptQuote { quote_id } = &mut t.input {
                if let Some(id) = tags.get(quote_id.as_str()) {
                    *quote_id = id.clone();
                }
            }
        }
        all
    }

    /// The same scenario with edited inputs (and no generator: the inputs are explicit).
    pub fn with_edits(&self, edits: &[Edit]) -> Result<Scenario, String> {
        let mut inputs = self.all_inputs();
        for (k, edit) in edits.iter().enumerate() {
            let bad =
                |i: usize, len: usize| format!("edit {k}: index {i} is past the {len} inputs");
            match edit {
                Edit::Skip { index } => {
                    if *index >= inputs.len() {
                        return Err(bad(*index, inputs.len()));
                    }
                    inputs.remove(*index);
                }
                Edit::Insert { index, input } => {
                    if *index > inputs.len() {
                        return Err(bad(*index, inputs.len()));
                    }
                    inputs.insert(*index, input.clone());
                }
                Edit::Replace { index, input } => {
                    let Some(slot) = inputs.get_mut(*index) else {
                        return Err(bad(*index, inputs.len()));
                    };
                    *slot = input.clone();
                }
                Edit::Move { from, to } => {
                    if *from >= inputs.len() || *to >= inputs.len() {
                        return Err(bad((*from).max(*to), inputs.len()));
                    }
                    let at = inputs[*to].at_ms;
                    let mut moved = inputs.remove(*from);
                    moved.at_ms = at;
                    inputs.insert(*to, moved);
                }
            }
        }
        inputs.sort_by_key(|i| i.at_ms);
        Ok(Scenario {
            inputs,
            workload: None,
            ..self.clone()
        })
    }
}

fn generate(w: &WorkloadConfig, seed: u64) -> Vec<TimedInput> {
    let mut rng = SeededRng::new(seed);
    let mut out = Vec::new();
    let mut quotes = 0;
    for c in 1..=w.customers {
        let customer_id = format!("c{c}");
        let at = w.spread_ms * u64::from(c - 1) / u64::from(w.customers.max(1));
        out.push(TimedInput {
            at_ms: at,
            input: Input::RegisterCustomer {
                customer_id: customer_id.clone(),
                given_name: rng.pick(GIVEN).to_string(),
                family_name: rng.pick(FAMILY).to_string(),
                email: format!("{customer_id}@example.com"),
                phone: format!("+44 7700 9{c:05}"),
                postcode: rng.pick(POSTCODES).to_string(),
                birth_year: 1950 + rng.below(55) as u16,
            },
        });
        let mut t = at;
        for _ in 0..w.quotes_per_customer {
            t += 1000 + rng.below(4000);
            quotes += 1;
            let tag = format!("#{quotes}");
            let cover = *rng.pick(&[Cover::Home, Cover::Car, Cover::Travel]);
            out.push(TimedInput {
                at_ms: t,
                input: Input::RequestQuote {
                    quote_id: tag.clone(),
                    customer_id: customer_id.clone(),
                    cover,
                    sum_insured: 10_000 + rng.below(300_000),
                },
            });
            if rng.below(100) < u64::from(w.accept_percent) {
                out.push(TimedInput {
                    at_ms: t + 5000 + rng.below(10_000),
                    input: Input::AcceptQuote { quote_id: tag },
                });
            }
        }
        if rng.below(100) < u64::from(w.move_percent) {
            out.push(TimedInput {
                at_ms: t + 2000 + rng.below(3000),
                input: Input::ChangeAddress {
                    customer_id,
                    postcode: rng.pick(POSTCODES).to_string(),
                },
            });
        }
    }
    if let Some(s) = &w.spike {
        for i in 0..s.requests {
            let customer = 1 + rng.below(u64::from(w.customers.max(1)));
            out.push(TimedInput {
                at_ms: s.at_ms + s.over_ms * u64::from(i) / u64::from(s.requests.max(1)),
                input: Input::RequestQuote {
                    quote_id: String::new(),
                    customer_id: format!("c{customer}"),
                    cover: Cover::Travel,
                    sum_insured: 20_000,
                },
            });
        }
    }
    out
}

/// The shipped presets, by name.
pub fn presets() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "quote-journey",
            include_str!("../../presets/quote-journey.json"),
        ),
        (
            "callback-hotspot",
            include_str!("../../presets/callback-hotspot.json"),
        ),
        ("spike", include_str!("../../presets/spike.json")),
    ]
}
