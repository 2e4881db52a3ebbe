//! Sample patterns and events from the insurance scenario, for the sandbox.

pub const DEFAULT_PATTERN: &str = r#"{
  "source": ["dojo.quotes"],
  "detail-type": ["QuoteIssued"],
  "detail": {
    "premium_pence": [{ "numeric": [">", 50000] }]
  }
}"#;

/// (label, event JSON) as EventBridge delivers them.
pub const EVENTS: &[(&str, &str)] = &[
    (
        "QuoteIssued, £450",
        r#"{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "QuoteIssued",
  "source": "dojo.quotes",
  "account": "123456789012",
  "time": "2026-01-01T00:00:02Z",
  "region": "us-east-1",
  "resources": [],
  "detail": { "quote_id": "q1", "customer_id": "c1", "premium_pence": 45000, "expires_at_ms": 2592002000 }
}"#,
    ),
    (
        "QuoteIssued, £720",
        r#"{
  "version": "0",
  "id": "0d2c5e4a-39b1-4a5e-8f7a-2f6b1c9e8d11",
  "detail-type": "QuoteIssued",
  "source": "dojo.quotes",
  "account": "123456789012",
  "time": "2026-01-01T00:01:10Z",
  "region": "us-east-1",
  "resources": [],
  "detail": { "quote_id": "q2", "customer_id": "c2", "premium_pence": 72000, "expires_at_ms": 2592070000 }
}"#,
    ),
    (
        "CustomerRegistered",
        r#"{
  "version": "0",
  "id": "1b9c6e2d-7f3a-4c8e-9d1b-5a6e7f8c9d0e",
  "detail-type": "CustomerRegistered",
  "source": "dojo.customers",
  "account": "123456789012",
  "time": "2026-01-01T00:00:00Z",
  "region": "us-east-1",
  "resources": [],
  "detail": { "customer_id": "c1", "given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.com", "postcode": "EH1 1AA", "birth_year": 1990 }
}"#,
    ),
    (
        "PolicyBound",
        r#"{
  "version": "0",
  "id": "9f8e7d6c-5b4a-4392-8172-6a5b4c3d2e1f",
  "detail-type": "PolicyBound",
  "source": "dojo.quotes",
  "account": "123456789012",
  "time": "2026-01-01T00:00:10Z",
  "region": "us-east-1",
  "resources": ["arn:aws:dojo:policy/q1-p"],
  "detail": { "policy_id": "q1-p", "quote_id": "q1", "customer_id": "c1", "premium_pence": 45000 }
}"#,
    ),
];

pub const SNS_ATTRIBUTES_POLICY: &str = r#"{
  "event_type": ["QuoteIssued"],
  "premium": [{ "numeric": [">=", 500] }],
  "channels": ["email"]
}"#;

pub const SNS_ATTRIBUTES: &str = r#"{
  "event_type": { "Type": "String", "Value": "QuoteIssued" },
  "premium": { "Type": "Number", "Value": "450" },
  "channels": { "Type": "String.Array", "Value": "[\"email\", \"sms\"]" }
}"#;

pub const SNS_BODY_POLICY: &str = r#"{
  "quote": { "cover": ["home", "car"], "premium": [{ "numeric": [">", 300] }] }
}"#;

pub const SNS_BODY: &str =
    r#"{ "quote": { "cover": "home", "premium": 450, "customer": { "id": "c1" } } }"#;
