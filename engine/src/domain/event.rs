//! Domain events: stable type names, schema versions, and upcasting of old versions.

use super::Category;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

/// What a quote covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Cover {
    Home,
    Car,
    Travel,
}

/// How Comms reaches a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactMethod {
    Email,
    Sms,
}

/// Everything that can happen in the insurance domain (current schema versions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum DomainEvent {
    /// v2: v1 had one `name` field; see [`upcast`].
    CustomerRegistered {
        customer_id: String,
        given_name: String,
        family_name: String,
        email: String,
        phone: String,
        postcode: String,
        birth_year: u16,
    },
    AddressChanged {
        customer_id: String,
        postcode: String,
    },
    ContactPreferencesChanged {
        customer_id: String,
        email_opt_in: bool,
        sms_opt_in: bool,
    },
    QuoteRequested {
        quote_id: String,
        customer_id: String,
        cover: Cover,
        sum_insured: u64,
    },
    QuoteIssued {
        quote_id: String,
        customer_id: String,
        premium_pence: u64,
        expires_at_ms: u64,
    },
    QuoteAccepted {
        quote_id: String,
        customer_id: String,
    },
    QuoteExpired {
        quote_id: String,
        customer_id: String,
    },
    PolicyBound {
        policy_id: String,
        quote_id: String,
        customer_id: String,
        premium_pence: u64,
    },
    PolicyCancelled {
        policy_id: String,
        customer_id: String,
        reason: String,
    },
    NotificationRequested {
        notification_id: String,
        customer_id: String,
        channel: ContactMethod,
        template: String,
        about: String,
    },
    EmailSent {
        notification_id: String,
        customer_id: String,
        to: String,
        subject: String,
    },
    SmsSent {
        notification_id: String,
        customer_id: String,
        to: String,
        text: String,
    },
}

/// The current schema version of each event type; types not listed are at version 1.
pub const CURRENT_VERSIONS: &[(&str, u32)] = &[("CustomerRegistered", 2)];

impl DomainEvent {
    /// The stable type name, as stored and as CloudEvents `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            DomainEvent::CustomerRegistered { .. } => "CustomerRegistered",
            DomainEvent::AddressChanged { .. } => "AddressChanged",
            DomainEvent::ContactPreferencesChanged { .. } => "ContactPreferencesChanged",
            DomainEvent::QuoteRequested { .. } => "QuoteRequested",
            DomainEvent::QuoteIssued { .. } => "QuoteIssued",
            DomainEvent::QuoteAccepted { .. } => "QuoteAccepted",
            DomainEvent::QuoteExpired { .. } => "QuoteExpired",
            DomainEvent::PolicyBound { .. } => "PolicyBound",
            DomainEvent::PolicyCancelled { .. } => "PolicyCancelled",
            DomainEvent::NotificationRequested { .. } => "NotificationRequested",
            DomainEvent::EmailSent { .. } => "EmailSent",
            DomainEvent::SmsSent { .. } => "SmsSent",
        }
    }

    pub fn schema_version(&self) -> u32 {
        version_of(self.type_name())
    }

    /// The customer every event is about (all events carry it).
    pub fn customer_id(&self) -> &str {
        match self {
            DomainEvent::CustomerRegistered { customer_id, .. }
            | DomainEvent::AddressChanged { customer_id, .. }
            | DomainEvent::ContactPreferencesChanged { customer_id, .. }
            | DomainEvent::QuoteRequested { customer_id, .. }
            | DomainEvent::QuoteIssued { customer_id, .. }
            | DomainEvent::QuoteAccepted { customer_id, .. }
            | DomainEvent::QuoteExpired { customer_id, .. }
            | DomainEvent::PolicyBound { customer_id, .. }
            | DomainEvent::PolicyCancelled { customer_id, .. }
            | DomainEvent::NotificationRequested { customer_id, .. }
            | DomainEvent::EmailSent { customer_id, .. }
            | DomainEvent::SmsSent { customer_id, .. } => customer_id,
        }
    }

    /// The stream (aggregate instance) the event belongs to.
    pub fn stream_id(&self) -> String {
        match self {
            DomainEvent::CustomerRegistered { customer_id, .. }
            | DomainEvent::AddressChanged { customer_id, .. }
            | DomainEvent::ContactPreferencesChanged { customer_id, .. } => {
                Category::Customer.stream(customer_id)
            }
            DomainEvent::QuoteRequested { quote_id, .. }
            | DomainEvent::QuoteIssued { quote_id, .. }
            | DomainEvent::QuoteAccepted { quote_id, .. }
            | DomainEvent::QuoteExpired { quote_id, .. } => Category::Quote.stream(quote_id),
            DomainEvent::PolicyBound { policy_id, .. }
            | DomainEvent::PolicyCancelled { policy_id, .. } => Category::Policy.stream(policy_id),
            DomainEvent::NotificationRequested {
                notification_id, ..
            }
            | DomainEvent::EmailSent {
                notification_id, ..
            }
            | DomainEvent::SmsSent {
                notification_id, ..
            } => Category::Notification.stream(notification_id),
        }
    }

    /// The event as stored: type, version and data.
    pub fn to_stored(&self) -> StoredEvent {
        let value = serde_json::to_value(self).expect("domain events are plain data");
        StoredEvent {
            event_type: self.type_name().to_owned(),
            version: self.schema_version(),
            data: value["data"].clone(),
        }
    }
}

fn version_of(type_name: &str) -> u32 {
    CURRENT_VERSIONS
        .iter()
        .find(|(t, _)| *t == type_name)
        .map_or(1, |(_, v)| *v)
}

/// An event as kept in a store or file, possibly at an old schema version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    #[serde(rename = "type")]
    pub event_type: String,
    pub version: u32,
    pub data: Value,
}

/// Why a stored event could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UpcastError {
    #[error("unknown event type \"{0}\"")]
    UnknownType(String),
    #[error("{event_type} v{version} is newer than this build knows (v{known})")]
    TooNew {
        event_type: String,
        version: u32,
        known: u32,
    },
    #[error("{event_type} v{version}: {reason}")]
    Malformed {
        event_type: String,
        version: u32,
        reason: String,
    },
}

/// Reads a stored event at any known version, upcasting step by step to the current one.
///
/// `CustomerRegistered` v1 → v2: the single `name` is split at its last space into
/// `given_name` and `family_name` (a one-word name becomes the given name).
pub fn upcast(stored: &StoredEvent) -> Result<DomainEvent, UpcastError> {
    let known = version_of(&stored.event_type);
    if stored.version > known {
        return Err(UpcastError::TooNew {
            event_type: stored.event_type.clone(),
            version: stored.version,
            known,
        });
    }
    let mut data = stored.data.clone();
    let mut version = stored.version;
    while version < known {
        data = match (stored.event_type.as_str(), version) {
            ("CustomerRegistered", 1) => {
                let mut d = data;
                let name = d
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                let (given, family) = match name.rsplit_once(' ') {
                    Some((g, f)) => (g.trim().to_owned(), f.to_owned()),
                    None => (name.clone(), String::new()),
                };
                if let Value::Object(m) = &mut d {
                    m.remove("name");
                    m.insert("given_name".into(), Value::String(given));
                    m.insert("family_name".into(), Value::String(family));
                }
                d
            }
            (t, v) => {
                return Err(UpcastError::Malformed {
                    event_type: t.to_owned(),
                    version: v,
                    reason: "no upcaster for this version".into(),
                })
            }
        };
        version += 1;
    }
    let tagged = serde_json::json!({ "type": stored.event_type, "data": data });
    serde_json::from_value(tagged).map_err(|e| {
        if e.to_string().contains("unknown variant") {
            UpcastError::UnknownType(stored.event_type.clone())
        } else {
            UpcastError::Malformed {
                event_type: stored.event_type.clone(),
                version: stored.version,
                reason: e.to_string(),
            }
        }
    })
}

/// The field that carries an event's schema version inside stored CloudEvents `data`.
pub const SCHEMA_VERSION_FIELD: &str = "schema_version";

impl DomainEvent {
    /// The event as a store entry: CloudEvents type = the type name, `data` = the fields
    /// plus `schema_version`.
    pub fn to_new_event(&self, id: &str, time: &str) -> crate::envelope::NewEvent {
        let stored = self.to_stored();
        let mut data = stored.data;
        if let Value::Object(m) = &mut data {
            m.insert(SCHEMA_VERSION_FIELD.into(), Value::from(stored.version));
        }
        crate::envelope::NewEvent::new(id, &self.stream_id(), self.type_name(), "dojo.insurance")
            .with_time(time)
            .with_data(data)
    }

    /// Reads a stored envelope back as a domain event, upcasting old versions. `None` when
    /// the envelope is not a domain event (a hand-published one, say).
    pub fn from_envelope(
        envelope: &crate::envelope::EventEnvelope,
    ) -> Option<Result<DomainEvent, UpcastError>> {
        let mut data = envelope.data.clone()?;
        let Value::Object(m) = &mut data else {
            return None;
        };
        let version = m.remove(SCHEMA_VERSION_FIELD)?.as_u64()? as u32;
        Some(upcast(&StoredEvent {
            event_type: envelope.event_type.clone(),
            version,
            data,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::EventEnvelope;

    #[test]
    fn domain_events_round_trip_through_store_envelopes() {
        let e = DomainEvent::QuoteAccepted {
            quote_id: "q1".into(),
            customer_id: "c1".into(),
        };
        let env = EventEnvelope::recorded(
            e.to_new_event("id", "2026-01-01T00:00:00Z"),
            "quote-q1",
            2,
            9,
        );
        assert_eq!(env.event_type, "QuoteAccepted");
        assert_eq!(DomainEvent::from_envelope(&env), Some(Ok(e)));
        let raw = EventEnvelope::recorded(
            crate::envelope::NewEvent::new("x", "s", "Hand", "me")
                .with_data(serde_json::json!({"a": 1})),
            "s",
            1,
            1,
        );
        assert_eq!(DomainEvent::from_envelope(&raw), None);
    }
}
