//! Comms: notifications requested from templates, then sent by email or SMS.

use super::{Aggregate, ContactMethod, Customer, DomainError, DomainEvent};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Notification {
    pub notification_id: String,
    pub customer_id: String,
    pub channel: Option<ContactMethod>,
    pub template: String,
    pub about: String,
    pub requested: bool,
    pub sent: bool,
}

/// Comms keeps one aggregate per notification.
pub type Comms = Notification;

#[derive(Debug, Clone, PartialEq)]
pub enum CommsCommand {
    RequestNotification {
        notification_id: String,
        customer_id: String,
        channel: ContactMethod,
        template: String,
        about: String,
    },
    /// Sends using the customer's contact details and preferences as Comms knows them.
    SendNotification { customer: Customer },
}

/// The text a template produces for a customer.
pub fn render(template: &str, customer: &Customer, about: &str) -> String {
    let name = if customer.given_name.is_empty() {
        "customer".to_owned()
    } else {
        customer.given_name.clone()
    };
    match template {
        "quote-issued" => format!("Hello {name}, your quote {about} is ready."),
        "policy-bound" => format!("Welcome {name}: policy {about} is now active."),
        "address-changed" => format!("{name}, we updated your address to {about}."),
        other => format!("{name}: {other} ({about})"),
    }
}

impl Aggregate for Notification {
    type Command = CommsCommand;

    fn handle(&self, command: &CommsCommand) -> Result<Vec<DomainEvent>, DomainError> {
        match command {
            CommsCommand::RequestNotification {
                notification_id,
                customer_id,
                channel,
                template,
                about,
            } => {
                if self.requested {
                    return Err(DomainError::NotificationExists(notification_id.clone()));
                }
                if template.is_empty() {
                    return Err(DomainError::Missing { field: "template" });
                }
                Ok(vec![DomainEvent::NotificationRequested {
                    notification_id: notification_id.clone(),
                    customer_id: customer_id.clone(),
                    channel: *channel,
                    template: template.clone(),
                    about: about.clone(),
                }])
            }
            CommsCommand::SendNotification { customer } => {
                if !self.requested {
                    return Err(DomainError::UnknownNotification(
                        self.notification_id.clone(),
                    ));
                }
                if self.sent {
                    return Err(DomainError::AlreadySent(self.notification_id.clone()));
                }
                let text = render(&self.template, customer, &self.about);
                match self.channel {
                    Some(ContactMethod::Sms) if !customer.sms_opt_in => {
                        Err(DomainError::OptedOut {
                            customer: self.customer_id.clone(),
                            channel: "SMS",
                        })
                    }
                    Some(ContactMethod::Sms) => Ok(vec![DomainEvent::SmsSent {
                        notification_id: self.notification_id.clone(),
                        customer_id: self.customer_id.clone(),
                        to: customer.phone.clone(),
                        text,
                    }]),
                    _ if !customer.email_opt_in => Err(DomainError::OptedOut {
                        customer: self.customer_id.clone(),
                        channel: "email",
                    }),
                    _ => Ok(vec![DomainEvent::EmailSent {
                        notification_id: self.notification_id.clone(),
                        customer_id: self.customer_id.clone(),
                        to: customer.email.clone(),
                        subject: text,
                    }]),
                }
            }
        }
    }

    fn apply(mut self, event: &DomainEvent) -> Self {
        match event {
            DomainEvent::NotificationRequested {
                notification_id,
                customer_id,
                channel,
                template,
                about,
            } => {
                self = Notification {
                    notification_id: notification_id.clone(),
                    customer_id: customer_id.clone(),
                    channel: Some(*channel),
                    template: template.clone(),
                    about: about.clone(),
                    requested: true,
                    sent: false,
                };
            }
            DomainEvent::EmailSent { .. } | DomainEvent::SmsSent { .. } => self.sent = true,
            _ => {}
        }
        self
    }
}
