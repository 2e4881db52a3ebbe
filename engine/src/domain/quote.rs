//! The Quote Generator's aggregate: request, issue (priced from customer data), accept
//! and expire.

use super::pricing::premium_pence;
use super::{Aggregate, Cover, Customer, DomainError, DomainEvent};

/// How long an issued quote can be accepted: 30 days.
pub const QUOTE_VALIDITY_MS: u64 = 30 * 86_400_000;

#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum QuoteStatus {
    #[default]
    None,
    Requested,
    Issued,
    Accepted,
    Expired,
}

impl QuoteStatus {
    pub fn name(self) -> &'static str {
        match self {
            QuoteStatus::None => "not requested",
            QuoteStatus::Requested => "requested",
            QuoteStatus::Issued => "issued",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quote {
    pub quote_id: String,
    pub customer_id: String,
    pub status: QuoteStatus,
    pub cover: Option<Cover>,
    pub sum_insured: u64,
    pub premium_pence: u64,
    pub expires_at_ms: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QuoteCommand {
    /// `customer` is Customer Management's view of the customer, if registered.
    RequestQuote {
        quote_id: String,
        customer_id: String,
        customer_registered: bool,
        cover: Cover,
        sum_insured: u64,
    },
    /// Prices from the customer's data as the Quote Generator knows it at `now_ms`.
    IssueQuote {
        customer: Customer,
        now_ms: u64,
        year: u16,
    },
    AcceptQuote {
        now_ms: u64,
    },
    ExpireQuote {
        now_ms: u64,
    },
}

impl Quote {
    fn wrong(&self, action: &'static str, needed: &'static str) -> DomainError {
        DomainError::WrongQuoteStatus {
            quote: self.quote_id.clone(),
            status: self.status.name(),
            action,
            needed,
        }
    }
}

impl Aggregate for Quote {
    type Command = QuoteCommand;

    fn handle(&self, command: &QuoteCommand) -> Result<Vec<DomainEvent>, DomainError> {
        match command {
            QuoteCommand::RequestQuote {
                quote_id,
                customer_id,
                customer_registered,
                cover,
                sum_insured,
            } => {
                if self.status != QuoteStatus::None {
                    return Err(DomainError::QuoteExists(quote_id.clone()));
                }
                if !customer_registered {
                    return Err(DomainError::UnknownCustomer(customer_id.clone()));
                }
                if !(1_000..=5_000_000).contains(sum_insured) {
                    return Err(DomainError::SumInsuredOutOfRange(*sum_insured));
                }
                Ok(vec![DomainEvent::QuoteRequested {
                    quote_id: quote_id.clone(),
                    customer_id: customer_id.clone(),
                    cover: *cover,
                    sum_insured: *sum_insured,
                }])
            }
            QuoteCommand::IssueQuote {
                customer,
                now_ms,
                year,
            } => {
                if self.status == QuoteStatus::None {
                    return Err(DomainError::UnknownQuote(self.quote_id.clone()));
                }
                if self.status != QuoteStatus::Requested {
                    return Err(self.wrong("IssueQuote", "requested"));
                }
                if !customer.registered {
                    return Err(DomainError::UnknownCustomer(self.customer_id.clone()));
                }
                let cover = self.cover.unwrap_or(Cover::Home);
                Ok(vec![DomainEvent::QuoteIssued {
                    quote_id: self.quote_id.clone(),
                    customer_id: self.customer_id.clone(),
                    premium_pence: premium_pence(
                        cover,
                        self.sum_insured,
                        customer.birth_year,
                        &customer.postcode,
                        *year,
                    ),
                    expires_at_ms: now_ms + QUOTE_VALIDITY_MS,
                }])
            }
            QuoteCommand::AcceptQuote { now_ms } => match self.status {
                QuoteStatus::None => Err(DomainError::UnknownQuote(self.quote_id.clone())),
                QuoteStatus::Issued if *now_ms >= self.expires_at_ms => Err(
                    DomainError::QuoteExpired(self.quote_id.clone(), self.expires_at_ms),
                ),
                QuoteStatus::Issued => Ok(vec![DomainEvent::QuoteAccepted {
                    quote_id: self.quote_id.clone(),
                    customer_id: self.customer_id.clone(),
                }]),
                QuoteStatus::Expired => Err(DomainError::QuoteExpired(
                    self.quote_id.clone(),
                    self.expires_at_ms,
                )),
                _ => Err(self.wrong("AcceptQuote", "issued")),
            },
            QuoteCommand::ExpireQuote { now_ms } => match self.status {
                QuoteStatus::None => Err(DomainError::UnknownQuote(self.quote_id.clone())),
                QuoteStatus::Issued if *now_ms >= self.expires_at_ms => {
                    Ok(vec![DomainEvent::QuoteExpired {
                        quote_id: self.quote_id.clone(),
                        customer_id: self.customer_id.clone(),
                    }])
                }
                QuoteStatus::Issued => Err(self.wrong("ExpireQuote", "past its expiry time")),
                _ => Err(self.wrong("ExpireQuote", "issued")),
            },
        }
    }

    fn apply(mut self, event: &DomainEvent) -> Self {
        match event {
            DomainEvent::QuoteRequested {
                quote_id,
                customer_id,
                cover,
                sum_insured,
            } => {
                self = Quote {
                    quote_id: quote_id.clone(),
                    customer_id: customer_id.clone(),
                    status: QuoteStatus::Requested,
                    cover: Some(*cover),
                    sum_insured: *sum_insured,
                    ..Quote::default()
                };
            }
            DomainEvent::QuoteIssued {
                premium_pence,
                expires_at_ms,
                ..
            } => {
                self.status = QuoteStatus::Issued;
                self.premium_pence = *premium_pence;
                self.expires_at_ms = *expires_at_ms;
            }
            DomainEvent::QuoteAccepted { .. } => self.status = QuoteStatus::Accepted,
            DomainEvent::QuoteExpired { .. } => self.status = QuoteStatus::Expired,
            _ => {}
        }
        self
    }
}
