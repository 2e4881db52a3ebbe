//! Given/when/then for every command and refusal of the insurance aggregates, upcasting,
//! and projection tests.

use dojo_engine::domain::testing::given;
use dojo_engine::domain::*;
use dojo_engine::projection::{HistoryEntry, Projection, QuoteDashboardView, ReadModels};

fn registered(id: &str) -> DomainEvent {
    DomainEvent::CustomerRegistered {
        customer_id: id.into(),
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        phone: "+44 7700 900001".into(),
        postcode: "EH1 1AA".into(),
        birth_year: 1990,
    }
}

fn register(id: &str, postcode: &str) -> CustomerCommand {
    CustomerCommand::RegisterCustomer {
        customer_id: id.into(),
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        phone: "+44 7700 900001".into(),
        postcode: postcode.into(),
        birth_year: 1990,
    }
}

fn customer() -> Customer {
    [registered("c1")]
        .iter()
        .fold(Customer::default(), |c, e| c.apply(e))
}

fn requested() -> DomainEvent {
    DomainEvent::QuoteRequested {
        quote_id: "q1".into(),
        customer_id: "c1".into(),
        cover: Cover::Home,
        sum_insured: 250_000,
    }
}

fn issued(expires: u64) -> DomainEvent {
    DomainEvent::QuoteIssued {
        quote_id: "q1".into(),
        customer_id: "c1".into(),
        premium_pence: 40_000,
        expires_at_ms: expires,
    }
}

fn accepted() -> DomainEvent {
    DomainEvent::QuoteAccepted {
        quote_id: "q1".into(),
        customer_id: "c1".into(),
    }
}

#[test]
fn registering_a_new_customer_records_it() {
    given::<Customer>(&[])
        .when(register("c1", "eh1 1aa"))
        .then(&[registered("c1")]);
}

#[test]
fn registering_twice_is_refused() {
    given::<Customer>(&[registered("c1")])
        .when(register("c1", "EH1 1AA"))
        .then_err(DomainError::AlreadyRegistered("c1".into()));
}

#[test]
fn a_malformed_postcode_is_refused() {
    given::<Customer>(&[])
        .when(register("c1", "nowhere"))
        .then_err(DomainError::InvalidPostcode("nowhere".into()));
}

#[test]
fn changing_address_records_the_new_postcode() {
    given::<Customer>(&[registered("c1")])
        .when(CustomerCommand::ChangeAddress {
            postcode: "g2 3bb".into(),
        })
        .then(&[DomainEvent::AddressChanged {
            customer_id: "c1".into(),
            postcode: "G2 3BB".into(),
        }]);
}

#[test]
fn moving_to_the_same_address_or_as_an_unknown_customer_is_refused() {
    given::<Customer>(&[registered("c1")])
        .when(CustomerCommand::ChangeAddress {
            postcode: "EH1 1AA".into(),
        })
        .then_err(DomainError::SameAddress("c1".into(), "EH1 1AA".into()));
    given::<Customer>(&[])
        .when(CustomerCommand::ChangeAddress {
            postcode: "G2 3BB".into(),
        })
        .then_err(DomainError::UnknownCustomer(String::new()));
}

#[test]
fn contact_preferences_change_and_need_a_customer() {
    given::<Customer>(&[registered("c1")])
        .when(CustomerCommand::ChangeContactPreferences {
            email_opt_in: false,
            sms_opt_in: true,
        })
        .then(&[DomainEvent::ContactPreferencesChanged {
            customer_id: "c1".into(),
            email_opt_in: false,
            sms_opt_in: true,
        }]);
    given::<Customer>(&[])
        .when(CustomerCommand::ChangeContactPreferences {
            email_opt_in: false,
            sms_opt_in: true,
        })
        .then_err(DomainError::UnknownCustomer(String::new()));
}

#[test]
fn a_quote_is_requested_for_a_registered_customer_only() {
    let request = |registered| QuoteCommand::RequestQuote {
        quote_id: "q1".into(),
        customer_id: "c1".into(),
        customer_registered: registered,
        cover: Cover::Home,
        sum_insured: 250_000,
    };
    given::<Quote>(&[]).when(request(true)).then(&[requested()]);
    given::<Quote>(&[])
        .when(request(false))
        .then_err(DomainError::UnknownCustomer("c1".into()));
    given::<Quote>(&[requested()])
        .when(request(true))
        .then_err(DomainError::QuoteExists("q1".into()));
    given::<Quote>(&[])
        .when(QuoteCommand::RequestQuote {
            quote_id: "q1".into(),
            customer_id: "c1".into(),
            customer_registered: true,
            cover: Cover::Car,
            sum_insured: 10,
        })
        .then_err(DomainError::SumInsuredOutOfRange(10));
}

#[test]
fn issuing_prices_from_the_customer_and_sets_the_expiry() {
    let premium = pricing::premium_pence(Cover::Home, 250_000, 1990, "EH1 1AA", 2026);
    given::<Quote>(&[requested()])
        .when(QuoteCommand::IssueQuote {
            customer: customer(),
            now_ms: 1000,
            year: 2026,
        })
        .then(&[DomainEvent::QuoteIssued {
            quote_id: "q1".into(),
            customer_id: "c1".into(),
            premium_pence: premium,
            expires_at_ms: 1000 + QUOTE_VALIDITY_MS,
        }]);
    given::<Quote>(&[requested(), issued(10)])
        .when(QuoteCommand::IssueQuote {
            customer: customer(),
            now_ms: 1,
            year: 2026,
        })
        .then_err(DomainError::WrongQuoteStatus {
            quote: "q1".into(),
            status: "issued",
            action: "IssueQuote",
            needed: "requested",
        });
    given::<Quote>(&[])
        .when(QuoteCommand::IssueQuote {
            customer: customer(),
            now_ms: 1,
            year: 2026,
        })
        .then_err(DomainError::UnknownQuote(String::new()));
}

#[test]
fn an_issued_quote_is_accepted_before_it_expires_and_refused_after() {
    given::<Quote>(&[requested(), issued(100)])
        .when(QuoteCommand::AcceptQuote { now_ms: 99 })
        .then(&[accepted()]);
    given::<Quote>(&[requested(), issued(100)])
        .when(QuoteCommand::AcceptQuote { now_ms: 100 })
        .then_err(DomainError::QuoteExpired("q1".into(), 100));
    given::<Quote>(&[requested()])
        .when(QuoteCommand::AcceptQuote { now_ms: 1 })
        .then_err(DomainError::WrongQuoteStatus {
            quote: "q1".into(),
            status: "requested",
            action: "AcceptQuote",
            needed: "issued",
        });
}

#[test]
fn a_quote_expires_only_after_its_expiry_time() {
    given::<Quote>(&[requested(), issued(100)])
        .when(QuoteCommand::ExpireQuote { now_ms: 100 })
        .then(&[DomainEvent::QuoteExpired {
            quote_id: "q1".into(),
            customer_id: "c1".into(),
        }]);
    given::<Quote>(&[requested(), issued(100)])
        .when(QuoteCommand::ExpireQuote { now_ms: 50 })
        .then_err(DomainError::WrongQuoteStatus {
            quote: "q1".into(),
            status: "issued",
            action: "ExpireQuote",
            needed: "past its expiry time",
        });
}

fn quote_after(events: &[DomainEvent]) -> Quote {
    events.iter().fold(Quote::default(), |q, e| q.apply(e))
}

#[test]
fn a_policy_is_bound_from_an_accepted_quote_only() {
    let bind = |q: Quote| PolicyCommand::BindPolicy {
        policy_id: "p1".into(),
        quote: q,
    };
    given::<Policy>(&[])
        .when(bind(quote_after(&[requested(), issued(100), accepted()])))
        .then(&[DomainEvent::PolicyBound {
            policy_id: "p1".into(),
            quote_id: "q1".into(),
            customer_id: "c1".into(),
            premium_pence: 40_000,
        }]);
    given::<Policy>(&[])
        .when(bind(quote_after(&[requested(), issued(100)])))
        .then_err(DomainError::WrongQuoteStatus {
            quote: "q1".into(),
            status: "issued",
            action: "BindPolicy",
            needed: "accepted",
        });
    let bound = DomainEvent::PolicyBound {
        policy_id: "p1".into(),
        quote_id: "q1".into(),
        customer_id: "c1".into(),
        premium_pence: 1,
    };
    given::<Policy>(std::slice::from_ref(&bound))
        .when(bind(quote_after(&[requested(), issued(100), accepted()])))
        .then_err(DomainError::PolicyExists("p1".into()));
}

#[test]
fn a_policy_is_cancelled_once() {
    let bound = DomainEvent::PolicyBound {
        policy_id: "p1".into(),
        quote_id: "q1".into(),
        customer_id: "c1".into(),
        premium_pence: 1,
    };
    let cancelled = DomainEvent::PolicyCancelled {
        policy_id: "p1".into(),
        customer_id: "c1".into(),
        reason: "sold the car".into(),
    };
    given::<Policy>(std::slice::from_ref(&bound))
        .when(PolicyCommand::CancelPolicy {
            reason: "sold the car".into(),
        })
        .then(std::slice::from_ref(&cancelled));
    given::<Policy>(&[bound, cancelled])
        .when(PolicyCommand::CancelPolicy {
            reason: "again".into(),
        })
        .then_err(DomainError::AlreadyCancelled("p1".into()));
    given::<Policy>(&[])
        .when(PolicyCommand::CancelPolicy { reason: "x".into() })
        .then_err(DomainError::UnknownPolicy(String::new()));
}

fn notification_requested(channel: ContactMethod) -> DomainEvent {
    DomainEvent::NotificationRequested {
        notification_id: "n1".into(),
        customer_id: "c1".into(),
        channel,
        template: "quote-issued".into(),
        about: "q1".into(),
    }
}

#[test]
fn comms_sends_by_the_requested_channel_using_templates() {
    given::<Notification>(&[])
        .when(CommsCommand::RequestNotification {
            notification_id: "n1".into(),
            customer_id: "c1".into(),
            channel: ContactMethod::Email,
            template: "quote-issued".into(),
            about: "q1".into(),
        })
        .then(&[notification_requested(ContactMethod::Email)]);
    given::<Notification>(&[notification_requested(ContactMethod::Email)])
        .when(CommsCommand::SendNotification {
            customer: customer(),
        })
        .then(&[DomainEvent::EmailSent {
            notification_id: "n1".into(),
            customer_id: "c1".into(),
            to: "ada@example.com".into(),
            subject: "Hello Ada, your quote q1 is ready.".into(),
        }]);
    given::<Notification>(&[notification_requested(ContactMethod::Sms)])
        .when(CommsCommand::SendNotification {
            customer: customer(),
        })
        .then(&[DomainEvent::SmsSent {
            notification_id: "n1".into(),
            customer_id: "c1".into(),
            to: "+44 7700 900001".into(),
            text: "Hello Ada, your quote q1 is ready.".into(),
        }]);
}

#[test]
fn comms_refuses_opted_out_channels_duplicates_and_unknown_notifications() {
    let mut opted_out = customer();
    opted_out.sms_opt_in = false;
    given::<Notification>(&[notification_requested(ContactMethod::Sms)])
        .when(CommsCommand::SendNotification {
            customer: opted_out,
        })
        .then_err(DomainError::OptedOut {
            customer: "c1".into(),
            channel: "SMS",
        });
    let sent = DomainEvent::EmailSent {
        notification_id: "n1".into(),
        customer_id: "c1".into(),
        to: "x".into(),
        subject: "s".into(),
    };
    given::<Notification>(&[notification_requested(ContactMethod::Email), sent])
        .when(CommsCommand::SendNotification {
            customer: customer(),
        })
        .then_err(DomainError::AlreadySent("n1".into()));
    given::<Notification>(&[])
        .when(CommsCommand::SendNotification {
            customer: customer(),
        })
        .then_err(DomainError::UnknownNotification(String::new()));
    given::<Notification>(&[notification_requested(ContactMethod::Email)])
        .when(CommsCommand::RequestNotification {
            notification_id: "n1".into(),
            customer_id: "c1".into(),
            channel: ContactMethod::Email,
            template: "t".into(),
            about: "a".into(),
        })
        .then_err(DomainError::NotificationExists("n1".into()));
}

#[test]
fn customer_registered_v1_is_upcast_by_splitting_the_name() {
    let v1 = StoredEvent {
        event_type: "CustomerRegistered".into(),
        version: 1,
        data: serde_json::json!({"customer_id": "c1", "name": "Ada King Lovelace", "email": "a@x", "phone": "1", "postcode": "EH1 1AA", "birth_year": 1815}),
    };
    match upcast(&v1).expect("upcasts") {
        DomainEvent::CustomerRegistered {
            given_name,
            family_name,
            ..
        } => assert_eq!(
            (given_name.as_str(), family_name.as_str()),
            ("Ada King", "Lovelace")
        ),
        other => panic!("{other:?}"),
    }
    let current = registered("c1").to_stored();
    assert_eq!(current.version, 2);
    assert_eq!(upcast(&current), Ok(registered("c1")));
    let future = StoredEvent {
        version: 3,
        ..current
    };
    assert!(matches!(upcast(&future), Err(UpcastError::TooNew { .. })));
    let unknown = StoredEvent {
        event_type: "Nope".into(),
        version: 1,
        data: serde_json::json!({}),
    };
    assert_eq!(
        upcast(&unknown),
        Err(UpcastError::UnknownType("Nope".into()))
    );
}

fn entries(events: Vec<DomainEvent>) -> Vec<HistoryEntry> {
    events
        .into_iter()
        .enumerate()
        .map(|(i, event)| HistoryEntry {
            position: i as u64 + 1,
            at_ms: i as u64 * 10,
            event,
        })
        .collect()
}

#[test]
fn the_quote_dashboard_moves_counts_and_premiums_between_statuses() {
    let log = entries(vec![requested(), issued(1000), accepted()]);
    let view = QuoteDashboardView::rebuild(&log);
    assert_eq!(view.count(QuoteStatus::Accepted), 1);
    assert_eq!(view.count(QuoteStatus::Issued), 0);
    assert_eq!(view.premium(QuoteStatus::Accepted), 40_000);
    assert_eq!(view.checkpoint().position, 3);
}

#[test]
fn projections_ignore_entries_at_or_before_their_checkpoint() {
    let log = entries(vec![registered("c1"), requested()]);
    let mut models = ReadModels::default();
    for e in &log {
        models.apply(e);
    }
    let once = models.clone();
    models.apply(&log[1]);
    assert_eq!(models, once, "applying an old entry again changes nothing");
    assert_eq!(models.customers.customers["c1"].quotes, 1);
}

#[test]
fn customers_move_between_postcode_districts() {
    let log = entries(vec![
        registered("c1"),
        registered("c2"),
        DomainEvent::AddressChanged {
            customer_id: "c1".into(),
            postcode: "G2 3BB".into(),
        },
    ]);
    let mut models = ReadModels::default();
    log.iter().for_each(|e| models.apply(e));
    let eh1: Vec<&String> = models.by_postcode.districts["EH1"].iter().collect();
    assert_eq!(eh1, ["c2"]);
    assert!(models.by_postcode.districts["G2"].contains("c1"));
    assert_eq!(models.customers.customers["c1"].postcode, "G2 3BB");
}

#[test]
fn the_outbox_lists_pending_notifications_until_sent() {
    let sent = DomainEvent::EmailSent {
        notification_id: "n1".into(),
        customer_id: "c1".into(),
        to: "a@x".into(),
        subject: "s".into(),
    };
    let log = entries(vec![notification_requested(ContactMethod::Email), sent]);
    let mut models = ReadModels::default();
    models.apply(&log[0]);
    assert_eq!(models.outbox.pending.len(), 1);
    models.apply(&log[1]);
    assert!(models.outbox.pending.is_empty());
    assert_eq!(models.outbox.sent_email, 1);
}

#[test]
fn a_read_model_reports_its_lag_behind_the_write_head() {
    let log = entries(vec![registered("c1"), requested(), issued(1)]);
    let mut models = ReadModels::default();
    models.apply(&log[0]);
    let head = dojo_engine::projection::Checkpoint {
        position: 3,
        at_ms: 20,
    };
    assert_eq!(models.customers.checkpoint().lag(head), (2, 20));
}

#[test]
fn required_fields_are_named_when_missing() {
    let mut cmd = register("", "EH1 1AA");
    given::<Customer>(&[])
        .when(cmd.clone())
        .then_err(DomainError::Missing {
            field: "customer_id",
        });
    if let CustomerCommand::RegisterCustomer {
        customer_id,
        given_name,
        ..
    } = &mut cmd
    {
        *customer_id = "c1".into();
        *given_name = " ".into();
    }
    given::<Customer>(&[])
        .when(cmd)
        .then_err(DomainError::Missing {
            field: "given_name",
        });
    given::<Notification>(&[])
        .when(CommsCommand::RequestNotification {
            notification_id: "n1".into(),
            customer_id: "c1".into(),
            channel: ContactMethod::Email,
            template: String::new(),
            about: "q1".into(),
        })
        .then_err(DomainError::Missing { field: "template" });
}

#[test]
fn an_expired_quote_cannot_be_accepted_or_expired_again() {
    let expired = DomainEvent::QuoteExpired {
        quote_id: "q1".into(),
        customer_id: "c1".into(),
    };
    given::<Quote>(&[requested(), issued(100), expired.clone()])
        .when(QuoteCommand::AcceptQuote { now_ms: 200 })
        .then_err(DomainError::QuoteExpired("q1".into(), 100));
    given::<Quote>(&[requested(), issued(100), expired])
        .when(QuoteCommand::ExpireQuote { now_ms: 200 })
        .then_err(DomainError::WrongQuoteStatus {
            quote: "q1".into(),
            status: "expired",
            action: "ExpireQuote",
            needed: "issued",
        });
}
