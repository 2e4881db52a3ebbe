//! The insurance domain: Customer Management, the Quote Generator, policies and Comms,
//! as pure, synchronous aggregates.
//!
//! Every aggregate follows one shape ([`Aggregate`]): `handle(&state, command)` decides and
//! returns events or a [`DomainError`]; `apply(state, &event)` evolves and cannot fail.
//! Outside facts (the time, a customer's details for pricing) come in through commands, so
//! deciding is repeatable. Events are past-tense variants of [`DomainEvent`] with stable
//! type names and schema versions; old versions are upcast when read ([`upcast`]).
//! This module does not store or route anything: see `store`, `sim` and `projection`.

mod comms;
mod customer;
mod event;
mod policy;
pub mod pricing;
mod quote;
mod stream;
pub mod testing;

pub use comms::{Comms, CommsCommand, Notification};
pub use customer::{Customer, CustomerCommand};
pub use event::{
    upcast, ContactMethod, Cover, DomainEvent, StoredEvent, UpcastError, CURRENT_VERSIONS,
    SCHEMA_VERSION_FIELD,
};
pub use policy::{Policy, PolicyCommand};
pub use quote::{Quote, QuoteCommand, QuoteStatus, QUOTE_VALIDITY_MS};
pub use stream::Category;

use thiserror::Error;

/// A command refused, with what the learner can do about it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("customer {0} is already registered; use ChangeAddress or ChangeContactPreferences to update it")]
    AlreadyRegistered(String),
    #[error("customer {0} is not registered; register the customer first")]
    UnknownCustomer(String),
    #[error("postcode \"{0}\" is not a UK-style postcode (like \"EH1 1AA\")")]
    InvalidPostcode(String),
    #[error("{field} is required")]
    Missing { field: &'static str },
    #[error("customer {0} already lives at {1}; nothing changes")]
    SameAddress(String, String),
    #[error("quote {0} already exists")]
    QuoteExists(String),
    #[error("quote {0} does not exist; request it first")]
    UnknownQuote(String),
    #[error("quote {quote} is {status}, but {action} needs it to be {needed}")]
    WrongQuoteStatus {
        quote: String,
        status: &'static str,
        action: &'static str,
        needed: &'static str,
    },
    #[error("quote {0} expired at {1} ms; request a new quote")]
    QuoteExpired(String, u64),
    #[error("sum insured must be between £1,000 and £5,000,000, not £{0}")]
    SumInsuredOutOfRange(u64),
    #[error("policy {0} already exists")]
    PolicyExists(String),
    #[error("policy {0} does not exist")]
    UnknownPolicy(String),
    #[error("policy {0} is already cancelled")]
    AlreadyCancelled(String),
    #[error("notification {0} already exists")]
    NotificationExists(String),
    #[error("notification {0} was not requested")]
    UnknownNotification(String),
    #[error("notification {0} was already sent")]
    AlreadySent(String),
    #[error("customer {customer} has opted out of {channel} messages")]
    OptedOut {
        customer: String,
        channel: &'static str,
    },
}

/// A consistency boundary that decides on commands and evolves by events.
pub trait Aggregate: Clone + Default {
    type Command;
    /// Decides: the events a command causes, or why it is refused. Never changes `self`.
    fn handle(&self, command: &Self::Command) -> Result<Vec<DomainEvent>, DomainError>;
    /// Evolves: the state after an event. Events are facts, so this cannot fail; events
    /// about other aggregates leave the state unchanged.
    fn apply(self, event: &DomainEvent) -> Self;
}
