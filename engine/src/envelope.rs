//! The event envelope: CloudEvents 1.0 attributes plus the store's own extensions.
//!
//! An envelope serialises as CloudEvents 1.0 JSON (structured mode). The store-specific
//! fields (stream id, stream version, global position, correlation and causation ids)
//! are CloudEvents *extension attributes*, so their names follow the CloudEvents rule
//! of lower-case letters and digits only. This module does not validate learner input;
//! that is [`crate::publish`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The CloudEvents specification version every envelope carries.
pub const SPEC_VERSION: &str = "1.0";

/// An event that has been appended to a store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    /// Unique id of the event (CloudEvents `id`).
    pub id: String,
    /// The producer, as a URI reference (CloudEvents `source`).
    pub source: String,
    /// Always [`SPEC_VERSION`].
    pub specversion: String,
    /// The event type, past tense, for example `QuoteIssued` (CloudEvents `type`).
    #[serde(rename = "type")]
    pub event_type: String,
    /// When it happened, RFC 3339, chosen by the producer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// What the event is about inside the source, for example a customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Media type of `data`; `application/json` when data is JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacontenttype: Option<String>,
    /// The payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// The stream (aggregate instance) the event belongs to.
    #[serde(rename = "streamid")]
    pub stream_id: String,
    /// 1-based position of the event inside its stream.
    #[serde(rename = "streamversion")]
    pub stream_version: u64,
    /// 1-based position of the event in the whole store; gapless and increasing.
    #[serde(rename = "globalposition")]
    pub position: u64,
    /// Id shared by every event caused, directly or not, by one original request.
    #[serde(
        rename = "correlationid",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub correlation_id: Option<String>,
    /// Id of the event or command that directly caused this one.
    #[serde(
        rename = "causationid",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub causation_id: Option<String>,
}

impl EventEnvelope {
    /// Stamps a new event with the stream version and global position the store gave it.
    pub fn recorded(event: NewEvent, stream_id: &str, stream_version: u64, position: u64) -> Self {
        Self {
            id: event.id,
            source: event.source,
            specversion: SPEC_VERSION.to_owned(),
            event_type: event.event_type,
            time: event.time,
            subject: event.subject,
            datacontenttype: event.data.as_ref().map(|_| "application/json".to_owned()),
            data: event.data,
            stream_id: stream_id.to_owned(),
            stream_version,
            position,
            correlation_id: event.correlation_id,
            causation_id: event.causation_id,
        }
    }

    /// The event as EventBridge would deliver it: `detail-type` is the CloudEvents type,
    /// `detail` the data, and the envelope fields a rule can match on around them.
    pub fn to_eventbridge_event(&self) -> Value {
        serde_json::json!({
            "version": "0",
            "id": self.id,
            "detail-type": self.event_type,
            "source": self.source,
            "account": "123456789012",
            "time": self.time.clone().unwrap_or_default(),
            "region": "us-east-1",
            "resources": [],
            "detail": self.data.clone().unwrap_or_else(|| serde_json::json!({})),
        })
    }

    /// The envelope as CloudEvents JSON.
    pub fn to_cloudevent_json(&self) -> String {
        serde_json::to_string(self).expect("an envelope holds only JSON-representable values")
    }

    /// Parses CloudEvents JSON produced by [`Self::to_cloudevent_json`] or another producer
    /// that sets the store extensions.
    pub fn from_cloudevent_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// An event that has not been stored yet: no stream version, no position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub id: String,
    pub source: String,
    pub event_type: String,
    pub time: Option<String>,
    pub subject: Option<String>,
    pub data: Option<Value>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
}

/// The event as it was before a store stamped it (its stream, version and position
/// dropped), to append it somewhere else.
impl From<EventEnvelope> for NewEvent {
    fn from(e: EventEnvelope) -> Self {
        NewEvent {
            id: e.id,
            source: e.source,
            event_type: e.event_type,
            time: e.time,
            subject: e.subject,
            data: e.data,
            correlation_id: e.correlation_id,
            causation_id: e.causation_id,
        }
    }
}

impl NewEvent {
    /// An event with the required CloudEvents attributes; the subject defaults to the stream.
    pub fn new(id: &str, subject: &str, event_type: &str, source: &str) -> Self {
        Self {
            id: id.to_owned(),
            source: source.to_owned(),
            event_type: event_type.to_owned(),
            time: None,
            subject: Some(subject.to_owned()),
            data: None,
            correlation_id: None,
            causation_id: None,
        }
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    pub fn with_time(mut self, time: &str) -> Self {
        self.time = Some(time.to_owned());
        self
    }

    pub fn with_correlation(mut self, correlation_id: &str, causation_id: &str) -> Self {
        self.correlation_id = Some(correlation_id.to_owned());
        self.causation_id = Some(causation_id.to_owned());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn envelope_serialises_as_cloudevents_json_with_extensions() {
        let event = NewEvent::new("e1", "customer-1", "CustomerRegistered", "dojo.customers")
            .with_time("2026-01-01T00:00:00Z")
            .with_data(json!({"name": "Ada"}))
            .with_correlation("c1", "cmd-1");
        let envelope = EventEnvelope::recorded(event, "customer-1", 1, 7);
        let value: Value = serde_json::from_str(&envelope.to_cloudevent_json()).expect("valid");
        assert_eq!(
            value,
            json!({
                "id": "e1", "source": "dojo.customers", "specversion": "1.0",
                "type": "CustomerRegistered", "time": "2026-01-01T00:00:00Z",
                "subject": "customer-1", "datacontenttype": "application/json",
                "data": {"name": "Ada"}, "streamid": "customer-1", "streamversion": 1,
                "globalposition": 7, "correlationid": "c1", "causationid": "cmd-1"
            })
        );
    }

    #[test]
    fn an_envelope_maps_to_an_eventbridge_event() {
        let event = NewEvent::new("e1", "c-1", "QuoteIssued", "dojo.quotes")
            .with_data(json!({"premium": 450}));
        let eb = EventEnvelope::recorded(event, "quote-1", 1, 1).to_eventbridge_event();
        assert_eq!(eb["detail-type"], "QuoteIssued");
        assert_eq!(eb["source"], "dojo.quotes");
        assert_eq!(eb["detail"]["premium"], 450);
    }

    #[test]
    fn optional_attributes_are_omitted_when_absent() {
        let event = NewEvent {
            subject: None,
            ..NewEvent::new("e1", "s", "T", "src")
        };
        let json = EventEnvelope::recorded(event, "s", 1, 1).to_cloudevent_json();
        assert!(!json.contains("subject") && !json.contains("data") && !json.contains("time"));
    }

    proptest! {
        #[test]
        fn envelope_round_trips_through_cloudevents_json(
            id in "[a-z0-9-]{1,12}", stream in "[a-z0-9-]{1,12}", ty in "[A-Za-z]{1,12}",
            version in 1u64..1_000_000, position in 1u64..1_000_000,
            number in any::<i64>(), text in ".{0,20}", with_time in any::<bool>(),
        ) {
            let mut event = NewEvent::new(&id, &stream, &ty, "dojo.test")
                .with_data(json!({"n": number, "t": text}));
            if with_time {
                event = event.with_time("2026-11-27T10:00:00Z");
            }
            let envelope = EventEnvelope::recorded(event, &stream, version, position);
            let back = EventEnvelope::from_cloudevent_json(&envelope.to_cloudevent_json())
                .expect("round trip parses");
            prop_assert_eq!(back, envelope);
        }
    }
}
