//! Customer Management's aggregate: registration, address and contact preferences.

use super::{Aggregate, DomainError, DomainEvent};

/// A customer as Customer Management knows them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Customer {
    pub registered: bool,
    pub customer_id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub phone: String,
    pub postcode: String,
    pub birth_year: u16,
    pub email_opt_in: bool,
    pub sms_opt_in: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CustomerCommand {
    RegisterCustomer {
        customer_id: String,
        given_name: String,
        family_name: String,
        email: String,
        phone: String,
        postcode: String,
        birth_year: u16,
    },
    ChangeAddress {
        postcode: String,
    },
    ChangeContactPreferences {
        email_opt_in: bool,
        sms_opt_in: bool,
    },
}

/// A loose UK postcode shape: outward code (letters then a digit), a space, inward code.
pub fn valid_postcode(p: &str) -> bool {
    let Some((outward, inward)) = p.trim().split_once(' ') else {
        return false;
    };
    let letters = outward
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    (1..=2).contains(&letters)
        && outward.len() > letters
        && outward.len() <= 4
        && outward
            .chars()
            .nth(letters)
            .is_some_and(|c| c.is_ascii_digit())
        && inward.len() == 3
        && inward.chars().next().is_some_and(|c| c.is_ascii_digit())
        && inward.chars().skip(1).all(|c| c.is_ascii_alphabetic())
}

impl Aggregate for Customer {
    type Command = CustomerCommand;

    fn handle(&self, command: &CustomerCommand) -> Result<Vec<DomainEvent>, DomainError> {
        match command {
            CustomerCommand::RegisterCustomer {
                customer_id,
                given_name,
                family_name,
                email,
                phone,
                postcode,
                birth_year,
            } => {
                if self.registered {
                    return Err(DomainError::AlreadyRegistered(customer_id.clone()));
                }
                if customer_id.trim().is_empty() {
                    return Err(DomainError::Missing {
                        field: "customer_id",
                    });
                }
                if given_name.trim().is_empty() {
                    return Err(DomainError::Missing {
                        field: "given_name",
                    });
                }
                if !valid_postcode(postcode) {
                    return Err(DomainError::InvalidPostcode(postcode.clone()));
                }
                Ok(vec![DomainEvent::CustomerRegistered {
                    customer_id: customer_id.clone(),
                    given_name: given_name.trim().to_owned(),
                    family_name: family_name.trim().to_owned(),
                    email: email.clone(),
                    phone: phone.clone(),
                    postcode: postcode.trim().to_uppercase(),
                    birth_year: *birth_year,
                }])
            }
            CustomerCommand::ChangeAddress { postcode } => {
                if !self.registered {
                    return Err(DomainError::UnknownCustomer(self.customer_id.clone()));
                }
                if !valid_postcode(postcode) {
                    return Err(DomainError::InvalidPostcode(postcode.clone()));
                }
                let postcode = postcode.trim().to_uppercase();
                if postcode == self.postcode {
                    return Err(DomainError::SameAddress(self.customer_id.clone(), postcode));
                }
                Ok(vec![DomainEvent::AddressChanged {
                    customer_id: self.customer_id.clone(),
                    postcode,
                }])
            }
            CustomerCommand::ChangeContactPreferences {
                email_opt_in,
                sms_opt_in,
            } => {
                if !self.registered {
                    return Err(DomainError::UnknownCustomer(self.customer_id.clone()));
                }
                Ok(vec![DomainEvent::ContactPreferencesChanged {
                    customer_id: self.customer_id.clone(),
                    email_opt_in: *email_opt_in,
                    sms_opt_in: *sms_opt_in,
                }])
            }
        }
    }

    fn apply(mut self, event: &DomainEvent) -> Self {
        match event {
            DomainEvent::CustomerRegistered {
                customer_id,
                given_name,
                family_name,
                email,
                phone,
                postcode,
                birth_year,
            } => {
                self = Customer {
                    registered: true,
                    customer_id: customer_id.clone(),
                    given_name: given_name.clone(),
                    family_name: family_name.clone(),
                    email: email.clone(),
                    phone: phone.clone(),
                    postcode: postcode.clone(),
                    birth_year: *birth_year,
                    email_opt_in: true,
                    sms_opt_in: true,
                };
            }
            DomainEvent::AddressChanged { postcode, .. } => self.postcode = postcode.clone(),
            DomainEvent::ContactPreferencesChanged {
                email_opt_in,
                sms_opt_in,
                ..
            } => {
                self.email_opt_in = *email_opt_in;
                self.sms_opt_in = *sms_opt_in;
            }
            _ => {}
        }
        self
    }
}
