//! The console's commands: their forms, and how each is decided against the store.

use dojo_engine::domain::{
    Aggregate, Cover, Customer, CustomerCommand, DomainEvent, Policy, PolicyCommand, Quote,
    QuoteCommand,
};
use dojo_engine::{AppendResult, EventStore, ExpectedVersion, NewEvent};
use std::collections::HashMap;

use crate::storage::IdbStore;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CommandKind {
    RegisterCustomer,
    ChangeAddress,
    RequestQuote,
    IssueQuote,
    AcceptQuote,
    BindPolicy,
    CancelPolicy,
}

impl CommandKind {
    pub fn key(self) -> &'static str {
        match self {
            CommandKind::RegisterCustomer => "RegisterCustomer",
            CommandKind::ChangeAddress => "ChangeAddress",
            CommandKind::RequestQuote => "RequestQuote",
            CommandKind::IssueQuote => "IssueQuote",
            CommandKind::AcceptQuote => "AcceptQuote",
            CommandKind::BindPolicy => "BindPolicy",
            CommandKind::CancelPolicy => "CancelPolicy",
        }
    }

    pub fn from_key(key: &str) -> CommandKind {
        COMMANDS
            .iter()
            .map(|c| c.kind)
            .find(|k| k.key() == key)
            .unwrap_or(CommandKind::RegisterCustomer)
    }
}

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub default: &'static str,
    pub options: &'static [&'static str],
}

pub struct CommandSpec {
    pub kind: CommandKind,
    pub label: &'static str,
    pub help: &'static str,
    pub fields: &'static [Field],
}

const fn f(name: &'static str, label: &'static str, default: &'static str) -> Field {
    Field {
        name,
        label,
        default,
        options: &[],
    }
}

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        kind: CommandKind::RegisterCustomer,
        label: "Register a customer",
        help: "Customer Management records a new customer. Refused if the id is taken or the postcode is malformed.",
        fields: &[
            f("customer_id", "Customer id", "c1"),
            f("given_name", "Given name", "Ada"),
            f("family_name", "Family name", "Lovelace"),
            f("email", "Email", "ada@example.com"),
            f("phone", "Phone", "+44 7700 900001"),
            f("postcode", "Postcode", "EH1 1AA"),
            f("birth_year", "Birth year", "1990"),
        ],
    },
    CommandSpec {
        kind: CommandKind::ChangeAddress,
        label: "Change a customer's address",
        help: "Refused for an unknown customer or the same address.",
        fields: &[f("customer_id", "Customer id", "c1"), f("postcode", "New postcode", "G2 3BB")],
    },
    CommandSpec {
        kind: CommandKind::RequestQuote,
        label: "Request a quote",
        help: "The Quote Generator opens a quote for a registered customer.",
        fields: &[
            f("quote_id", "Quote id", "q1"),
            f("customer_id", "Customer id", "c1"),
            Field { name: "cover", label: "Cover", default: "home", options: &["home", "car", "travel"] },
            f("sum_insured", "Sum insured (£)", "250000"),
        ],
    },
    CommandSpec {
        kind: CommandKind::IssueQuote,
        label: "Issue a quote",
        help: "Prices the quote from the customer's age and postcode as the store knows them now.",
        fields: &[f("quote_id", "Quote id", "q1")],
    },
    CommandSpec {
        kind: CommandKind::AcceptQuote,
        label: "Accept a quote",
        help: "Refused unless the quote is issued and not expired (quotes last 30 days).",
        fields: &[f("quote_id", "Quote id", "q1")],
    },
    CommandSpec {
        kind: CommandKind::BindPolicy,
        label: "Bind a policy",
        help: "Binds a policy from an accepted quote.",
        fields: &[f("policy_id", "Policy id", "p1"), f("quote_id", "Quote id", "q1")],
    },
    CommandSpec {
        kind: CommandKind::CancelPolicy,
        label: "Cancel a policy",
        help: "Refused for an unknown or already cancelled policy.",
        fields: &[f("policy_id", "Policy id", "p1"), f("reason", "Reason", "moved abroad")],
    },
];

/// An aggregate rebuilt from its stream, with the version to expect when appending.
async fn load<A: Aggregate>(store: &IdbStore, stream: &str) -> Result<(A, u64), String> {
    let events = store
        .read_stream(stream, 1)
        .await
        .map_err(|e| e.to_string())?;
    let version = events.last().map_or(0, |e| e.stream_version);
    let mut state = A::default();
    for envelope in &events {
        match DomainEvent::from_envelope(envelope) {
            Some(Ok(event)) => state = state.apply(&event),
            Some(Err(e)) => {
                return Err(format!(
                    "event #{} in {stream} cannot be read: {e}",
                    envelope.position
                ))
            }
            None => {}
        }
    }
    Ok((state, version))
}

fn arg<'a>(
    args: &'a HashMap<&'static str, String>,
    name: &str,
    label: &str,
) -> Result<&'a str, String> {
    match args.get(name).map(String::as_str) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(format!("{label} is required.")),
    }
}

fn number(args: &HashMap<&'static str, String>, name: &str, label: &str) -> Result<u64, String> {
    let text = arg(args, name, label)?;
    text.replace(',', "")
        .parse()
        .map_err(|_| format!("{label} must be a whole number, not \"{text}\"."))
}

/// Decides a command against the store and appends what it produces; `appended` is
/// told what was appended (the classroom shares it).
pub async fn execute(
    store: &IdbStore,
    kind: CommandKind,
    args: &HashMap<&'static str, String>,
    now_ms: u64,
    appended: impl FnOnce(&str, Vec<NewEvent>, &AppendResult),
) -> Result<String, String> {
    let (stream, expected, events) = match kind {
        CommandKind::RegisterCustomer => {
            let id = arg(args, "customer_id", "Customer id")?;
            let stream = format!("customer-{id}");
            let (customer, version) = load::<Customer>(store, &stream).await?;
            let birth_year = u16::try_from(number(args, "birth_year", "Birth year")?)
                .map_err(|_| "Birth year is too large.".to_owned())?;
            let command = CustomerCommand::RegisterCustomer {
                customer_id: id.to_owned(),
                given_name: arg(args, "given_name", "Given name")?.to_owned(),
                family_name: args.get("family_name").cloned().unwrap_or_default(),
                email: args.get("email").cloned().unwrap_or_default(),
                phone: args.get("phone").cloned().unwrap_or_default(),
                postcode: arg(args, "postcode", "Postcode")?.to_owned(),
                birth_year,
            };
            (
                stream,
                version,
                customer.handle(&command).map_err(|e| e.to_string())?,
            )
        }
        CommandKind::ChangeAddress => {
            let id = arg(args, "customer_id", "Customer id")?;
            let stream = format!("customer-{id}");
            let (mut customer, version) = load::<Customer>(store, &stream).await?;
            customer.customer_id = id.to_owned();
            let command = CustomerCommand::ChangeAddress {
                postcode: arg(args, "postcode", "New postcode")?.to_owned(),
            };
            (
                stream,
                version,
                customer.handle(&command).map_err(|e| e.to_string())?,
            )
        }
        CommandKind::RequestQuote => {
            let quote_id = arg(args, "quote_id", "Quote id")?;
            let customer_id = arg(args, "customer_id", "Customer id")?;
            let (customer, _) = load::<Customer>(store, &format!("customer-{customer_id}")).await?;
            let stream = format!("quote-{quote_id}");
            let (quote, version) = load::<Quote>(store, &stream).await?;
            let cover = match arg(args, "cover", "Cover")? {
                "car" => Cover::Car,
                "travel" => Cover::Travel,
                _ => Cover::Home,
            };
            let command = QuoteCommand::RequestQuote {
                quote_id: quote_id.to_owned(),
                customer_id: customer_id.to_owned(),
                customer_registered: customer.registered,
                cover,
                sum_insured: number(args, "sum_insured", "Sum insured")?,
            };
            (
                stream,
                version,
                quote.handle(&command).map_err(|e| e.to_string())?,
            )
        }
        CommandKind::IssueQuote | CommandKind::AcceptQuote => {
            let quote_id = arg(args, "quote_id", "Quote id")?;
            let stream = format!("quote-{quote_id}");
            let (mut quote, version) = load::<Quote>(store, &stream).await?;
            quote.quote_id = quote_id.to_owned();
            let command = if kind == CommandKind::IssueQuote {
                let (customer, _) =
                    load::<Customer>(store, &format!("customer-{}", quote.customer_id)).await?;
                QuoteCommand::IssueQuote {
                    customer,
                    now_ms,
                    year: 2026,
                }
            } else {
                QuoteCommand::AcceptQuote { now_ms }
            };
            (
                stream,
                version,
                quote.handle(&command).map_err(|e| e.to_string())?,
            )
        }
        CommandKind::BindPolicy => {
            let policy_id = arg(args, "policy_id", "Policy id")?;
            let quote_id = arg(args, "quote_id", "Quote id")?;
            let (mut quote, _) = load::<Quote>(store, &format!("quote-{quote_id}")).await?;
            quote.quote_id = quote_id.to_owned();
            let stream = format!("policy-{policy_id}");
            let (policy, version) = load::<Policy>(store, &stream).await?;
            let command = PolicyCommand::BindPolicy {
                policy_id: policy_id.to_owned(),
                quote,
            };
            (
                stream,
                version,
                policy.handle(&command).map_err(|e| e.to_string())?,
            )
        }
        CommandKind::CancelPolicy => {
            let policy_id = arg(args, "policy_id", "Policy id")?;
            let stream = format!("policy-{policy_id}");
            let (mut policy, version) = load::<Policy>(store, &stream).await?;
            policy.policy_id = policy_id.to_owned();
            let command = PolicyCommand::CancelPolicy {
                reason: arg(args, "reason", "Reason")?.to_owned(),
            };
            (
                stream,
                version,
                policy.handle(&command).map_err(|e| e.to_string())?,
            )
        }
    };
    let time = String::from(js_sys::Date::new_0().to_iso_string());
    let names: Vec<&str> = events.iter().map(|e| e.type_name()).collect();
    let uuid = || {
        web_sys::window()
            .and_then(|w| w.crypto().ok())
            .map(|c| c.random_uuid())
            .unwrap_or_else(|| format!("id-{now_ms}"))
    };
    // The command is the correlation and the cause of what it produced.
    let command_id = format!("command-{}", uuid());
    let new: Vec<_> = events
        .iter()
        .map(|e| {
            e.to_new_event(&uuid(), &time)
                .with_correlation(&command_id, &command_id)
        })
        .collect();
    let result = store
        .append(&stream, ExpectedVersion::Exact(expected), new.clone())
        .await;
    crate::state::note_write(&result);
    let result = result.map_err(|e| e.to_string())?;
    appended(&stream, new, &result);
    Ok(format!(
        "{} appended to {stream} (version {}, position {}).",
        names.join(", "),
        result.stream_version,
        result.last_position
    ))
}
