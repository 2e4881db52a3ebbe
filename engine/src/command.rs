//! Commands against an event store: rehydrate, decide, append with the expected version.
//!
//! A [`Command`] is what a learner asks the insurance system to do. [`execute`] rebuilds
//! the aggregates the command needs from their streams ([`rehydrate`]), lets the owning
//! aggregate decide, and appends what it decided with the version it read
//! ([`ExpectedVersion::Exact`]), so a change made in between (another tab, another
//! service) is a conflict, not a lost update. A refused command appends nothing.
//!
//! A stream event that does not decode as a domain event is never passed over in
//! silence: a domain event type that cannot be read (a newer schema version, broken
//! data) stops the command with [`CommandError::Unreadable`], and an event that is not a
//! domain event at all (published by hand into the stream) is listed in
//! [`Rehydrated::passed_over`].
//!
//! Generic over [`EventStore`], so the console runs it on IndexedDB, the services on
//! memory, and the tests on the in-memory and fault-injecting stores.

use crate::domain::{
    Aggregate, Category, Cover, Customer, CustomerCommand, DomainError, DomainEvent, Policy,
    PolicyCommand, Quote, QuoteCommand, UpcastError,
};
use crate::envelope::NewEvent;
use crate::store::{AppendResult, EventStore, ExpectedVersion, StoreError};
use thiserror::Error;

/// An aggregate rebuilt from its stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Rehydrated<A> {
    pub state: A,
    /// The stream's version as read: the version to expect when appending.
    pub version: u64,
    /// Positions of the stream's events that are not domain events (no schema version
    /// in their data), which the aggregate does not see.
    pub passed_over: Vec<u64>,
}

/// Why a command appended nothing.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CommandError {
    /// The aggregate refused the command.
    #[error(transparent)]
    Refused(#[from] DomainError),
    /// An event in a stream the command reads is a domain event this build cannot read.
    #[error("event #{position} in {stream} cannot be read: {reason}")]
    Unreadable {
        stream: String,
        position: u64,
        reason: UpcastError,
    },
    /// The store failed, or (as [`StoreError::Conflict`]) the stream changed after it was
    /// read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rebuilds an aggregate from `stream`, with the version to expect when appending.
pub async fn rehydrate<A: Aggregate, S: EventStore>(
    store: &S,
    stream: &str,
) -> Result<Rehydrated<A>, CommandError> {
    let events = store.read_stream(stream, 1).await?;
    let mut rehydrated = Rehydrated {
        state: A::default(),
        version: events.last().map_or(0, |e| e.stream_version),
        passed_over: Vec::new(),
    };
    for envelope in &events {
        match DomainEvent::from_envelope(envelope) {
            Some(Ok(event)) => rehydrated.state = rehydrated.state.apply(&event),
            Some(Err(reason)) => {
                return Err(CommandError::Unreadable {
                    stream: stream.to_owned(),
                    position: envelope.position,
                    reason,
                })
            }
            None => rehydrated.passed_over.push(envelope.position),
        }
    }
    Ok(rehydrated)
}

/// What a learner asks the insurance system to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// A command for the customer `customer_id` (registering them, or changing what
    /// Customer Management holds about them).
    Customer {
        customer_id: String,
        command: CustomerCommand,
    },
    RequestQuote {
        quote_id: String,
        customer_id: String,
        cover: Cover,
        sum_insured: u64,
    },
    /// Prices the quote from its customer as the store knows them at `now_ms`.
    IssueQuote {
        quote_id: String,
        now_ms: u64,
        year: u16,
    },
    AcceptQuote {
        quote_id: String,
        now_ms: u64,
    },
    BindPolicy {
        policy_id: String,
        quote_id: String,
    },
    CancelPolicy {
        policy_id: String,
        reason: String,
    },
}

/// A command carried out.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    /// The stream the command's aggregate lives in.
    pub stream: String,
    /// What was appended, in order.
    pub events: Vec<NewEvent>,
    pub result: AppendResult,
    /// Positions passed over while rehydrating (see [`Rehydrated::passed_over`]), in
    /// every stream the command read.
    pub passed_over: Vec<u64>,
}

impl Executed {
    /// The appended events' type names, in order.
    pub fn type_names(&self) -> Vec<&str> {
        self.events.iter().map(|e| e.event_type.as_str()).collect()
    }
}

/// What a command decided, before it is appended.
struct Decision {
    stream: String,
    expected: u64,
    events: Vec<DomainEvent>,
    passed_over: Vec<u64>,
}

/// Reads the aggregates a command needs and lets the owner decide.
struct Decider<'a, S> {
    store: &'a S,
    passed_over: Vec<u64>,
}

impl<S: EventStore> Decider<'_, S> {
    async fn load<A: Aggregate>(
        &mut self,
        category: Category,
        id: &str,
    ) -> Result<(A, u64), CommandError> {
        let rehydrated = rehydrate::<A, S>(self.store, &category.stream(id)).await?;
        self.passed_over.extend(rehydrated.passed_over);
        Ok((rehydrated.state, rehydrated.version))
    }

    /// The owner's decision on its own stream.
    fn decide<A: Aggregate>(
        self,
        category: Category,
        id: &str,
        (state, expected): (A, u64),
        command: &A::Command,
    ) -> Result<Decision, CommandError> {
        Ok(Decision {
            stream: category.stream(id),
            expected,
            events: state.handle(command)?,
            passed_over: self.passed_over,
        })
    }

    async fn run(mut self, command: &Command) -> Result<Decision, CommandError> {
        match command {
            Command::Customer {
                customer_id,
                command,
            } => {
                let (mut customer, version) = self
                    .load::<Customer>(Category::Customer, customer_id)
                    .await?;
                // An unregistered customer is refused by the id asked for.
                customer.customer_id.clone_from(customer_id);
                self.decide(
                    Category::Customer,
                    customer_id,
                    (customer, version),
                    command,
                )
            }
            Command::RequestQuote {
                quote_id,
                customer_id,
                cover,
                sum_insured,
            } => {
                let (customer, _) = self
                    .load::<Customer>(Category::Customer, customer_id)
                    .await?;
                let quote = self.load::<Quote>(Category::Quote, quote_id).await?;
                let command = QuoteCommand::RequestQuote {
                    quote_id: quote_id.clone(),
                    customer_id: customer_id.clone(),
                    customer_registered: customer.registered,
                    cover: *cover,
                    sum_insured: *sum_insured,
                };
                self.decide(Category::Quote, quote_id, quote, &command)
            }
            Command::IssueQuote {
                quote_id,
                now_ms,
                year,
            } => {
                let (mut quote, version) = self.load::<Quote>(Category::Quote, quote_id).await?;
                quote.quote_id = quote_id.clone();
                let (customer, _) = self
                    .load::<Customer>(Category::Customer, &quote.customer_id)
                    .await?;
                let command = QuoteCommand::IssueQuote {
                    customer,
                    now_ms: *now_ms,
                    year: *year,
                };
                self.decide(Category::Quote, quote_id, (quote, version), &command)
            }
            Command::AcceptQuote { quote_id, now_ms } => {
                let (mut quote, version) = self.load::<Quote>(Category::Quote, quote_id).await?;
                quote.quote_id = quote_id.clone();
                let command = QuoteCommand::AcceptQuote { now_ms: *now_ms };
                self.decide(Category::Quote, quote_id, (quote, version), &command)
            }
            Command::BindPolicy {
                policy_id,
                quote_id,
            } => {
                let (mut quote, _) = self.load::<Quote>(Category::Quote, quote_id).await?;
                quote.quote_id = quote_id.clone();
                let policy = self.load::<Policy>(Category::Policy, policy_id).await?;
                let command = PolicyCommand::BindPolicy {
                    policy_id: policy_id.clone(),
                    quote,
                };
                self.decide(Category::Policy, policy_id, policy, &command)
            }
            Command::CancelPolicy { policy_id, reason } => {
                let (mut policy, version) =
                    self.load::<Policy>(Category::Policy, policy_id).await?;
                policy.policy_id = policy_id.clone();
                let command = PolicyCommand::CancelPolicy {
                    reason: reason.clone(),
                };
                self.decide(Category::Policy, policy_id, (policy, version), &command)
            }
        }
    }
}

/// Carries out `command` against `store`: rehydrate, decide, append with the expected
/// version. Events get their ids from `new_id`, the time `time` (ISO 8601), and the
/// command's own id (`command-` and one more id) as their correlation and cause.
pub async fn execute<S: EventStore>(
    store: &S,
    command: &Command,
    mut new_id: impl FnMut() -> String,
    time: &str,
) -> Result<Executed, CommandError> {
    let decision = Decider {
        store,
        passed_over: Vec::new(),
    }
    .run(command)
    .await?;
    let command_id = format!("command-{}", new_id());
    let events: Vec<NewEvent> = decision
        .events
        .iter()
        .map(|e| {
            e.to_new_event(&new_id(), time)
                .with_correlation(&command_id, &command_id)
        })
        .collect();
    let result = store
        .append(
            &decision.stream,
            ExpectedVersion::Exact(decision.expected),
            events.clone(),
        )
        .await?;
    Ok(Executed {
        stream: decision.stream,
        events,
        result,
        passed_over: decision.passed_over,
    })
}

#[cfg(test)]
mod tests;
