//! The console's commands: their forms, and the engine command each form asks for.

use dojo_engine::command::{Command, Executed};
use dojo_engine::domain::{Cover, CustomerCommand};
use std::collections::HashMap;

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

pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub default: &'static str,
    pub options: &'static [&'static str],
}

pub struct CommandSpec {
    pub kind: CommandKind,
    pub label: &'static str,
    pub help: &'static str,
    pub fields: &'static [FormField],
}

const fn f(name: &'static str, label: &'static str, default: &'static str) -> FormField {
    FormField {
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
            FormField { name: "cover", label: "Cover", default: "home", options: &["home", "car", "travel"] },
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

/// The command the form's fields ask for, or what is missing or malformed in them.
pub fn parse(
    kind: CommandKind,
    args: &HashMap<&'static str, String>,
    now_ms: u64,
) -> Result<Command, String> {
    let text = |name: &str, label: &str| arg(args, name, label).map(str::to_owned);
    let optional = |name: &str| args.get(name).cloned().unwrap_or_default();
    Ok(match kind {
        CommandKind::RegisterCustomer => {
            let customer_id = text("customer_id", "Customer id")?;
            let birth_year = u16::try_from(number(args, "birth_year", "Birth year")?)
                .map_err(|_| "Birth year is too large.".to_owned())?;
            Command::Customer {
                customer_id: customer_id.clone(),
                command: CustomerCommand::RegisterCustomer {
                    customer_id,
                    given_name: text("given_name", "Given name")?,
                    family_name: optional("family_name"),
                    email: optional("email"),
                    phone: optional("phone"),
                    postcode: text("postcode", "Postcode")?,
                    birth_year,
                },
            }
        }
        CommandKind::ChangeAddress => Command::Customer {
            customer_id: text("customer_id", "Customer id")?,
            command: CustomerCommand::ChangeAddress {
                postcode: text("postcode", "New postcode")?,
            },
        },
        CommandKind::RequestQuote => Command::RequestQuote {
            quote_id: text("quote_id", "Quote id")?,
            customer_id: text("customer_id", "Customer id")?,
            cover: match arg(args, "cover", "Cover")? {
                "car" => Cover::Car,
                "travel" => Cover::Travel,
                _ => Cover::Home,
            },
            sum_insured: number(args, "sum_insured", "Sum insured")?,
        },
        CommandKind::IssueQuote => Command::IssueQuote {
            quote_id: text("quote_id", "Quote id")?,
            now_ms,
            year: 2026,
        },
        CommandKind::AcceptQuote => Command::AcceptQuote {
            quote_id: text("quote_id", "Quote id")?,
            now_ms,
        },
        CommandKind::BindPolicy => Command::BindPolicy {
            policy_id: text("policy_id", "Policy id")?,
            quote_id: text("quote_id", "Quote id")?,
        },
        CommandKind::CancelPolicy => Command::CancelPolicy {
            policy_id: text("policy_id", "Policy id")?,
            reason: text("reason", "Reason")?,
        },
    })
}

/// What the learner reads after a command was carried out.
pub fn describe(executed: &Executed) -> String {
    let mut text = format!(
        "{} appended to {} (version {}, position {}).",
        executed.type_names().join(", "),
        executed.stream,
        executed.result.stream_version,
        executed.result.last_position
    );
    if !executed.passed_over.is_empty() {
        let positions: Vec<String> = executed
            .passed_over
            .iter()
            .map(|p| format!("#{p}"))
            .collect();
        text.push_str(&format!(
            " The aggregate passed over {} that {} not domain events: {}.",
            if positions.len() == 1 {
                "one event"
            } else {
                "events"
            },
            if positions.len() == 1 { "is" } else { "are" },
            positions.join(", ")
        ));
    }
    text
}
