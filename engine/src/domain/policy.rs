//! Policies: bound from an accepted quote, and cancelled.

use super::{Aggregate, DomainError, DomainEvent, Quote, QuoteStatus};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub policy_id: String,
    pub customer_id: String,
    pub quote_id: String,
    pub premium_pence: u64,
    pub bound: bool,
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PolicyCommand {
    /// Binds from the quote as it stands.
    BindPolicy {
        policy_id: String,
        quote: Quote,
    },
    CancelPolicy {
        reason: String,
    },
}

impl Aggregate for Policy {
    type Command = PolicyCommand;

    fn handle(&self, command: &PolicyCommand) -> Result<Vec<DomainEvent>, DomainError> {
        match command {
            PolicyCommand::BindPolicy { policy_id, quote } => {
                if self.bound {
                    return Err(DomainError::PolicyExists(policy_id.clone()));
                }
                if quote.status == QuoteStatus::None {
                    return Err(DomainError::UnknownQuote(quote.quote_id.clone()));
                }
                if quote.status != QuoteStatus::Accepted {
                    return Err(DomainError::WrongQuoteStatus {
                        quote: quote.quote_id.clone(),
                        status: quote.status.name(),
                        action: "BindPolicy",
                        needed: "accepted",
                    });
                }
                Ok(vec![DomainEvent::PolicyBound {
                    policy_id: policy_id.clone(),
                    quote_id: quote.quote_id.clone(),
                    customer_id: quote.customer_id.clone(),
                    premium_pence: quote.premium_pence,
                }])
            }
            PolicyCommand::CancelPolicy { reason } => {
                if !self.bound {
                    return Err(DomainError::UnknownPolicy(self.policy_id.clone()));
                }
                if self.cancelled {
                    return Err(DomainError::AlreadyCancelled(self.policy_id.clone()));
                }
                Ok(vec![DomainEvent::PolicyCancelled {
                    policy_id: self.policy_id.clone(),
                    customer_id: self.customer_id.clone(),
                    reason: reason.clone(),
                }])
            }
        }
    }

    fn apply(mut self, event: &DomainEvent) -> Self {
        match event {
            DomainEvent::PolicyBound {
                policy_id,
                quote_id,
                customer_id,
                premium_pence,
            } => {
                self = Policy {
                    policy_id: policy_id.clone(),
                    customer_id: customer_id.clone(),
                    quote_id: quote_id.clone(),
                    premium_pence: *premium_pence,
                    bound: true,
                    cancelled: false,
                };
            }
            DomainEvent::PolicyCancelled { .. } => self.cancelled = true,
            _ => {}
        }
        self
    }
}
