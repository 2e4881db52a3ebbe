use super::*;
use crate::domain::{CustomerCommand, DomainError};
use crate::envelope::EventEnvelope;
use crate::store::{Added, Fault, FaultyStore, MemStore, StreamAppend};
use futures_executor::block_on;
use serde_json::json;
use std::cell::Cell;

const TIME: &str = "2026-12-06T09:00:00Z";
const NOW_MS: u64 = 1_780_000_000_000;

/// Ids `id-1`, `id-2`, … in the order they are asked for, never repeated in a test
/// thread (the store holds each identity once).
fn ids() -> impl FnMut() -> String {
    thread_local!(static NEXT: Cell<u64> = const { Cell::new(0) });
    || {
        let n = NEXT.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        format!("id-{n}")
    }
}

fn register(id: &str) -> Command {
    Command::Customer {
        customer_id: id.into(),
        command: CustomerCommand::RegisterCustomer {
            customer_id: id.into(),
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            email: "ada@example.com".into(),
            phone: "+44 7700 900001".into(),
            postcode: "EH1 1AA".into(),
            birth_year: 1990,
        },
    }
}

fn move_to(id: &str, postcode: &str) -> Command {
    Command::Customer {
        customer_id: id.into(),
        command: CustomerCommand::ChangeAddress {
            postcode: postcode.into(),
        },
    }
}

fn run<S: EventStore>(store: &S, command: &Command) -> Result<Executed, CommandError> {
    block_on(execute(store, command, ids(), TIME))
}

fn stored(store: &impl EventStore) -> Vec<(String, String)> {
    block_on(store.read_all(1, 100))
        .expect("read_all")
        .into_iter()
        .map(|e| (e.stream_id, e.event_type))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(s, t)| ((*s).to_owned(), (*t).to_owned()))
        .collect()
}

#[test]
fn a_quote_journey_appends_each_decision_to_its_own_stream() {
    let store = MemStore::default();
    let first = run(&store, &register("c1")).expect("a new customer registers");
    assert_eq!(first.stream, "customer-c1");
    assert_eq!(first.type_names(), ["CustomerRegistered"]);
    assert_eq!(
        (first.result.stream_version, first.result.last_position),
        (1, 1)
    );
    // The command's own id, taken first, correlates and causes what it produced.
    let event = &first.events[0];
    let number = |id: &str| {
        id.trim_start_matches(|c: char| !c.is_ascii_digit())
            .parse::<u64>()
    };
    let command = event.correlation_id.as_deref().expect("correlated");
    assert!(command.starts_with("command-id-"), "{command}");
    assert_eq!(number(command).map(|n| n + 1), number(&event.id));
    assert_eq!(event.causation_id.as_deref(), Some(command));
    assert_eq!(event.time.as_deref(), Some(TIME));
    for command in [
        Command::RequestQuote {
            quote_id: "q1".into(),
            customer_id: "c1".into(),
            cover: Cover::Home,
            sum_insured: 250_000,
        },
        Command::IssueQuote {
            quote_id: "q1".into(),
            now_ms: NOW_MS,
            year: 2026,
        },
        Command::AcceptQuote {
            quote_id: "q1".into(),
            now_ms: NOW_MS + 1_000,
        },
        Command::BindPolicy {
            policy_id: "p1".into(),
            quote_id: "q1".into(),
        },
        move_to("c1", "G2 3BB"),
        Command::CancelPolicy {
            policy_id: "p1".into(),
            reason: "moved abroad".into(),
        },
    ] {
        run(&store, &command).unwrap_or_else(|e| panic!("{command:?} is refused: {e}"));
    }
    assert_eq!(
        stored(&store),
        pairs(&[
            ("customer-c1", "CustomerRegistered"),
            ("quote-q1", "QuoteRequested"),
            ("quote-q1", "QuoteIssued"),
            ("quote-q1", "QuoteAccepted"),
            ("policy-p1", "PolicyBound"),
            ("customer-c1", "AddressChanged"),
            ("policy-p1", "PolicyCancelled"),
        ])
    );
    let customer = block_on(rehydrate::<Customer, _>(&store, "customer-c1")).expect("readable");
    assert_eq!(
        (customer.state.postcode.as_str(), customer.version),
        ("G2 3BB", 2)
    );
    assert!(customer.passed_over.is_empty());
}

#[test]
fn a_refused_command_appends_nothing_and_says_why() {
    let store = MemStore::default();
    run(&store, &register("c1")).expect("registers");
    let again = run(&store, &register("c1")).expect_err("registered twice");
    assert_eq!(
        again,
        CommandError::Refused(DomainError::AlreadyRegistered("c1".into()))
    );
    let unknown = run(&store, &move_to("c9", "G2 3BB")).expect_err("an unknown customer");
    assert_eq!(
        unknown,
        CommandError::Refused(DomainError::UnknownCustomer("c9".into())),
        "the refusal names the customer asked for"
    );
    let quote_for_nobody = run(
        &store,
        &Command::RequestQuote {
            quote_id: "q1".into(),
            customer_id: "c9".into(),
            cover: Cover::Car,
            sum_insured: 10_000,
        },
    )
    .expect_err("a quote for an unregistered customer");
    assert!(
        matches!(quote_for_nobody, CommandError::Refused(_)),
        "{quote_for_nobody:?}"
    );
    assert_eq!(
        stored(&store),
        pairs(&[("customer-c1", "CustomerRegistered")])
    );
}

/// A store where someone else appends to a stream between this command's read and its
/// append, as another tab or service would.
struct Racing {
    inner: MemStore,
    interloper: Cell<Option<StreamAppend>>,
}

impl EventStore for Racing {
    async fn append_batch(&self, batch: Vec<StreamAppend>) -> Result<AppendResult, StoreError> {
        if let Some(first) = self.interloper.take() {
            self.inner.append_batch(vec![first]).await?;
        }
        self.inner.append_batch(batch).await
    }

    async fn append_new(&self, events: Vec<(String, NewEvent)>) -> Result<Added, StoreError> {
        self.inner.append_new(events).await
    }

    async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        self.inner.read_stream(stream, from_version).await
    }

    async fn read_all(&self, from: u64, max: usize) -> Result<Vec<EventEnvelope>, StoreError> {
        self.inner.read_all(from, max).await
    }
}

#[test]
fn a_stream_changed_after_it_was_read_is_a_conflict_not_a_lost_update() {
    let store = Racing {
        inner: MemStore::default(),
        interloper: Cell::new(None),
    };
    run(&store, &register("c1")).expect("registers");
    let other_tab = DomainEvent::AddressChanged {
        customer_id: "c1".into(),
        postcode: "AB1 2CD".into(),
    }
    .to_new_event("other-tab", TIME);
    store.interloper.set(Some((
        "customer-c1".into(),
        ExpectedVersion::Exact(1),
        vec![other_tab],
    )));
    let conflict = run(&store, &move_to("c1", "G2 3BB")).expect_err("the stream moved on");
    assert_eq!(
        conflict,
        CommandError::Store(StoreError::Conflict {
            stream: "customer-c1".into(),
            expected: ExpectedVersion::Exact(1),
            actual: 2
        })
    );
    assert_eq!(
        stored(&store.inner),
        pairs(&[
            ("customer-c1", "CustomerRegistered"),
            ("customer-c1", "AddressChanged"),
        ]),
        "only the other tab's change is stored"
    );
    // Sent again, the command reads the newer stream and decides on it.
    run(&store, &move_to("c1", "G2 3BB")).expect("the retry succeeds");
}

#[test]
fn store_failures_reach_the_caller_and_write_nothing() {
    let store = FaultyStore::new(MemStore::default());
    run(&store, &register("c1")).expect("registers");
    store.inject(Fault::QuotaExceeded);
    let full = run(&store, &register("c2")).expect_err("the disk is full");
    assert!(
        matches!(full, CommandError::Store(StoreError::QuotaExceeded(_))),
        "{full:?}"
    );
    store.clear();
    store.inject(Fault::Abort);
    let aborted = run(&store, &register("c2")).expect_err("the append is aborted");
    assert!(
        matches!(aborted, CommandError::Store(StoreError::Aborted(_))),
        "{aborted:?}"
    );
    store.inject(Fault::Corrupt(1));
    let damaged =
        run(&store, &move_to("c1", "G2 3BB")).expect_err("the customer's first event is damaged");
    assert!(
        matches!(
            damaged,
            CommandError::Store(StoreError::Corrupt { position: 1, .. })
        ),
        "{damaged:?}"
    );
    assert_eq!(
        stored(store.inner()),
        pairs(&[("customer-c1", "CustomerRegistered")])
    );
}

#[test]
fn an_undecodable_event_is_reported_with_its_position_and_nothing_is_appended() {
    let store = MemStore::default();
    run(&store, &register("c1")).expect("registers");
    let too_new = NewEvent::new("x1", "customer-c1", "AddressChanged", "dojo.insurance")
        .with_data(json!({"customer_id": "c1", "postcode": "AB1 2CD", "schema_version": 99}));
    block_on(store.append("customer-c1", ExpectedVersion::Exact(1), vec![too_new]))
        .expect("stored as a plain event");
    let error = run(&store, &move_to("c1", "G2 3BB"))
        .expect_err("the stream holds a version this build does not know");
    let CommandError::Unreadable {
        stream, position, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!((stream.as_str(), *position), ("customer-c1", 2));
    assert!(
        error
            .to_string()
            .starts_with("event #2 in customer-c1 cannot be read: AddressChanged v99"),
        "{error}"
    );
    assert_eq!(stored(&store).len(), 2, "nothing was appended");
}

#[test]
fn an_event_that_is_not_a_domain_event_is_passed_over_and_listed() {
    let store = MemStore::default();
    run(&store, &register("c1")).expect("registers");
    let by_hand = NewEvent::new("x1", "customer-c1", "NoteAdded", "dojo.hand")
        .with_data(json!({"note": "called the customer"}));
    block_on(store.append("customer-c1", ExpectedVersion::Exact(1), vec![by_hand]))
        .expect("published by hand");
    let executed = run(&store, &move_to("c1", "G2 3BB")).expect("the customer is still registered");
    assert_eq!(executed.passed_over, [2]);
    assert_eq!(
        executed.result.stream_version, 3,
        "expected the stream's whole version"
    );
}
