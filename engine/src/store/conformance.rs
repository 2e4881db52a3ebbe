//! The conformance suite for [`EventStore`] implementations.
//!
//! Every implementation (MemStore natively, IdbStore in headless Chromium) runs this one
//! suite, so they cannot drift apart. Each case gets a fresh, empty store from the
//! caller's factory and panics with the case name and what went wrong. It needs no
//! executor of its own: the caller drives the future.

use super::{EventStore, ExpectedVersion, StoreError};
use crate::envelope::NewEvent;
use serde_json::json;
use std::future::Future;

fn event(n: u32) -> NewEvent {
    NewEvent::new(
        &format!("evt-{n}"),
        "s",
        "ThingHappened",
        "dojo.conformance",
    )
    .with_data(json!({ "n": n }))
}

fn batch(range: std::ops::Range<u32>) -> Vec<NewEvent> {
    range.map(event).collect()
}

/// Runs every case, each on a fresh store from `fresh(case_name)`.
pub async fn run_all<S, F, Fut>(mut fresh: F)
where
    S: EventStore,
    F: FnMut(&'static str) -> Fut,
    Fut: Future<Output = S>,
{
    appends_are_read_back_in_order(&fresh("appends_are_read_back_in_order").await).await;
    global_positions_are_gapless_across_streams(
        &fresh("global_positions_are_gapless_across_streams").await,
    )
    .await;
    conflicting_append_names_both_versions_and_writes_nothing(
        &fresh("conflicting_append_names_both_versions_and_writes_nothing").await,
    )
    .await;
    expected_version_variants_are_enforced(&fresh("expected_version_variants_are_enforced").await)
        .await;
    batch_is_atomic(&fresh("batch_is_atomic").await).await;
    reads_start_from_the_middle(&fresh("reads_start_from_the_middle").await).await;
    empty_stream_id_is_refused(&fresh("empty_stream_id_is_refused").await).await;
    an_event_over_256_kib_is_refused_with_its_size(
        &fresh("an_event_over_256_kib_is_refused_with_its_size").await,
    )
    .await;
    envelopes_keep_every_attribute(&fresh("envelopes_keep_every_attribute").await).await;
    an_identity_is_stored_once(&fresh("an_identity_is_stored_once").await).await;
    append_new_adds_only_new_identities_in_one_go(
        &fresh("append_new_adds_only_new_identities_in_one_go").await,
    )
    .await;
    a_batch_across_streams_lands_in_batch_order(
        &fresh("a_batch_across_streams_lands_in_batch_order").await,
    )
    .await;
    a_batch_refused_anywhere_writes_nothing(
        &fresh("a_batch_refused_anywhere_writes_nothing").await,
    )
    .await;
}

async fn appends_are_read_back_in_order(store: &impl EventStore) {
    let result = store
        .append("a", ExpectedVersion::NoStream, batch(1..4))
        .await
        .expect("appends_are_read_back_in_order: first append succeeds");
    assert_eq!(
        (
            result.first_position,
            result.last_position,
            result.stream_version
        ),
        (1, 3, 3)
    );
    let read = store.read_stream("a", 1).await.expect("read_stream");
    let ids: Vec<_> = read.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        ["evt-1", "evt-2", "evt-3"],
        "appends_are_read_back_in_order"
    );
    let versions: Vec<_> = read.iter().map(|e| e.stream_version).collect();
    assert_eq!(
        versions,
        [1, 2, 3],
        "appends_are_read_back_in_order: versions"
    );
    assert!(
        store
            .read_stream("unknown", 1)
            .await
            .expect("read unknown")
            .is_empty(),
        "an unknown stream reads as empty"
    );
}

async fn global_positions_are_gapless_across_streams(store: &impl EventStore) {
    for (i, stream) in ["a", "b", "a", "c", "b"].iter().enumerate() {
        store
            .append(
                stream,
                ExpectedVersion::Any,
                batch(i as u32 * 2..i as u32 * 2 + 2),
            )
            .await
            .expect("append to several streams");
    }
    let all = store.read_all(1, 100).await.expect("read_all");
    let positions: Vec<_> = all.iter().map(|e| e.position).collect();
    assert_eq!(
        positions,
        (1..=10).collect::<Vec<_>>(),
        "positions are 1..=10 with no gaps"
    );
    let a_versions: Vec<_> = store
        .read_stream("a", 1)
        .await
        .expect("read a")
        .iter()
        .map(|e| (e.stream_version, e.position))
        .collect();
    assert_eq!(
        a_versions,
        [(1, 1), (2, 2), (3, 5), (4, 6)],
        "stream a interleaves"
    );
}

async fn conflicting_append_names_both_versions_and_writes_nothing(store: &impl EventStore) {
    store
        .append("a", ExpectedVersion::NoStream, batch(1..3))
        .await
        .expect("first append");
    let err = store
        .append("a", ExpectedVersion::Exact(1), batch(3..5))
        .await
        .expect_err("a stale expected version is a conflict");
    assert_eq!(
        err,
        StoreError::Conflict {
            stream: "a".into(),
            expected: ExpectedVersion::Exact(1),
            actual: 2
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("version 1") && message.contains("version 2"),
        "{message}"
    );
    assert_eq!(
        store.read_all(1, 100).await.expect("read_all").len(),
        2,
        "nothing written"
    );
}

async fn expected_version_variants_are_enforced(store: &impl EventStore) {
    store
        .append("a", ExpectedVersion::Exact(0), batch(1..2))
        .await
        .expect("Exact(0) means the stream is new");
    let err = store
        .append("a", ExpectedVersion::NoStream, batch(2..3))
        .await
        .expect_err("NoStream on an existing stream conflicts");
    assert!(
        matches!(err, StoreError::Conflict { actual: 1, .. }),
        "{err:?}"
    );
    let ok = store
        .append("a", ExpectedVersion::Any, batch(2..3))
        .await
        .expect("Any always appends");
    assert_eq!(ok.stream_version, 2);
    let ok = store
        .append("a", ExpectedVersion::Exact(2), batch(3..4))
        .await
        .expect("the right exact version appends");
    assert_eq!(ok.stream_version, 3);
    let empty = store
        .append("a", ExpectedVersion::Exact(3), Vec::new())
        .await
        .expect("an empty batch at the right version succeeds");
    assert_eq!((empty.stream_version, empty.last_position), (3, 3));
    let err = store
        .append("a", ExpectedVersion::Exact(9), Vec::new())
        .await
        .expect_err("an empty batch still checks the version");
    assert!(
        matches!(err, StoreError::Conflict { actual: 3, .. }),
        "{err:?}"
    );
}

async fn batch_is_atomic(store: &impl EventStore) {
    store
        .append("a", ExpectedVersion::NoStream, batch(1..3))
        .await
        .expect("first append");
    let ok = store
        .append("b", ExpectedVersion::NoStream, batch(10..15))
        .await
        .expect("a five-event batch");
    assert_eq!(
        (ok.first_position, ok.last_position),
        (3, 7),
        "batch positions are consecutive"
    );
    store
        .append("b", ExpectedVersion::NoStream, batch(20..25))
        .await
        .expect_err("a rejected batch");
    let all = store.read_all(1, 100).await.expect("read_all");
    assert_eq!(all.len(), 7, "the rejected batch left nothing behind");
    let b: Vec<_> = all
        .iter()
        .filter(|e| e.stream_id == "b")
        .map(|e| e.stream_version)
        .collect();
    assert_eq!(b, [1, 2, 3, 4, 5]);
}

async fn reads_start_from_the_middle(store: &impl EventStore) {
    store
        .append("a", ExpectedVersion::NoStream, batch(1..11))
        .await
        .expect("ten events");
    let tail = store.read_stream("a", 8).await.expect("read_stream from 8");
    let versions: Vec<_> = tail.iter().map(|e| e.stream_version).collect();
    assert_eq!(versions, [8, 9, 10], "read_stream from the middle");
    let page = store.read_all(4, 3).await.expect("read_all page");
    let positions: Vec<_> = page.iter().map(|e| e.position).collect();
    assert_eq!(positions, [4, 5, 6], "read_all honours from and max");
    assert!(
        store.read_all(11, 5).await.expect("past head").is_empty(),
        "past the head is empty"
    );
    let mut seen = Vec::new();
    let mut from = 1;
    loop {
        let page = store.read_all(from, 4).await.expect("paging");
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        seen.extend(page.iter().map(|e| e.position));
    }
    assert_eq!(
        seen,
        (1..=10).collect::<Vec<_>>(),
        "paging visits each event once"
    );
}

async fn empty_stream_id_is_refused(store: &impl EventStore) {
    let err = store
        .append("", ExpectedVersion::Any, batch(1..2))
        .await
        .expect_err("an empty stream id is refused");
    assert_eq!(err, StoreError::EmptyStreamId);
    assert!(store.read_all(1, 10).await.expect("read_all").is_empty());
}

/// One size limit wherever an event enters: its CloudEvents line is at most
/// `transfer::MAX_EVENT_BYTES`, as import requires. A batch holding one event over it
/// writes nothing, and the error names the event and its size.
async fn an_event_over_256_kib_is_refused_with_its_size(store: &impl EventStore) {
    let big = |id: &str, pad: usize| {
        NewEvent::new(id, "a", "Padded", "dojo.test").with_data(json!({ "pad": "x".repeat(pad) }))
    };
    let limit = crate::transfer::MAX_EVENT_BYTES;
    let err = store
        .append(
            "a",
            ExpectedVersion::Any,
            vec![event(1), big("huge", limit), event(2)],
        )
        .await
        .expect_err("an event over the limit is refused");
    let StoreError::TooLarge { id, bytes } = &err else {
        panic!("expected TooLarge, got {err:?}");
    };
    assert_eq!(id, "huge");
    assert!(*bytes > limit, "{bytes}");
    assert!(err.to_string().contains(&format!("is {bytes} bytes")));
    assert!(store.read_all(1, 10).await.expect("read_all").is_empty());
    // An event just under the limit is stored, and its exported line imports again.
    store
        .append("a", ExpectedVersion::Any, vec![big("fits", limit - 1024)])
        .await
        .expect("under the limit");
    let stored = store.read_all(1, 10).await.expect("read_all");
    let line = crate::transfer::export_line(&stored[0], crate::transfer::ExportFormat::CloudEvents);
    assert!(line.len() <= limit);
    crate::transfer::ImportReader::default()
        .read(&line)
        .expect("what is stored imports");
}

async fn envelopes_keep_every_attribute(store: &impl EventStore) {
    let event = NewEvent::new(
        "evt-x",
        "customer-7",
        "CustomerRegistered",
        "dojo.customers",
    )
    .with_time("2026-11-27T10:00:00Z")
    .with_data(json!({"name": "Ada", "tags": [1, 2.5, null, true], "nested": {"k": "v"}}))
    .with_correlation("corr-1", "cmd-1");
    store
        .append("customer-7", ExpectedVersion::NoStream, vec![event.clone()])
        .await
        .expect("append one");
    let stored = store.read_all(1, 1).await.expect("read_all").remove(0);
    assert_eq!(stored.id, event.id);
    assert_eq!(stored.source, event.source);
    assert_eq!(stored.event_type, event.event_type);
    assert_eq!(stored.time, event.time);
    assert_eq!(stored.subject, event.subject);
    assert_eq!(stored.data, event.data);
    assert_eq!(stored.correlation_id.as_deref(), Some("corr-1"));
    assert_eq!(stored.causation_id.as_deref(), Some("cmd-1"));
    assert_eq!(stored.specversion, "1.0");
    assert_eq!(stored.datacontenttype.as_deref(), Some("application/json"));
    assert_eq!(
        (
            stored.stream_id.as_str(),
            stored.stream_version,
            stored.position
        ),
        ("customer-7", 1, 1)
    );
}

async fn an_identity_is_stored_once(store: &impl EventStore) {
    store
        .append("a", ExpectedVersion::Any, batch(1..3))
        .await
        .expect("an_identity_is_stored_once: first append");
    let again = store
        .append("b", ExpectedVersion::Any, vec![event(3), event(2)])
        .await
        .expect_err("an_identity_is_stored_once: an identity already stored is refused");
    assert_eq!(
        again,
        StoreError::Duplicate {
            event_source: "dojo.conformance".into(),
            id: "evt-2".into()
        }
    );
    let twice = store
        .append("b", ExpectedVersion::Any, vec![event(4), event(4)])
        .await
        .expect_err("an_identity_is_stored_once: a batch repeating an identity is refused");
    assert!(matches!(twice, StoreError::Duplicate { .. }), "{twice:?}");
    // The same id from another source is another event.
    let mut other = event(1);
    other.source = "dojo.elsewhere".into();
    store
        .append("b", ExpectedVersion::Any, vec![other])
        .await
        .expect("an_identity_is_stored_once: same id, other source");
    let all = store.read_all(1, 100).await.expect("read_all");
    let ids: Vec<_> = all
        .iter()
        .map(|e| (e.source.as_str(), e.id.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("dojo.conformance", "evt-1"),
            ("dojo.conformance", "evt-2"),
            ("dojo.elsewhere", "evt-1")
        ],
        "refused appends wrote nothing"
    );
}

async fn append_new_adds_only_new_identities_in_one_go(store: &impl EventStore) {
    let file = |range: std::ops::Range<u32>| -> Vec<(String, crate::envelope::NewEvent)> {
        range
            .map(|n| (format!("stream-{}", n % 3), event(n)))
            .collect()
    };
    let first = store
        .append_new(file(1..6))
        .await
        .expect("append_new: a new file");
    assert_eq!((first.added, first.already_present), (5, 0));
    assert_eq!(
        (first.result.first_position, first.result.last_position),
        (1, 5)
    );
    let again = store
        .append_new(file(1..6))
        .await
        .expect("append_new: the same file again");
    assert_eq!(
        (again.added, again.already_present),
        (0, 5),
        "the second import adds nothing"
    );
    assert_eq!(
        (again.result.first_position, again.result.last_position),
        (6, 5)
    );
    // A file that mixes present and new events, and repeats one of the new ones.
    let mut mixed = file(4..9);
    mixed.push(("stream-0".into(), event(8)));
    let mixed = store
        .append_new(mixed)
        .await
        .expect("append_new: a mixed file");
    assert_eq!((mixed.added, mixed.already_present), (3, 3));
    assert_eq!(
        (mixed.result.first_position, mixed.result.last_position),
        (6, 8)
    );
    let all = store.read_all(1, 100).await.expect("read_all");
    let summary: Vec<_> = all
        .iter()
        .map(|e| {
            (
                e.id.as_str(),
                e.stream_id.as_str(),
                e.stream_version,
                e.position,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("evt-1", "stream-1", 1, 1),
            ("evt-2", "stream-2", 1, 2),
            ("evt-3", "stream-0", 1, 3),
            ("evt-4", "stream-1", 2, 4),
            ("evt-5", "stream-2", 2, 5),
            ("evt-6", "stream-0", 2, 6),
            ("evt-7", "stream-1", 3, 7),
            ("evt-8", "stream-2", 3, 8),
        ],
        "only new events were added, in order, with gapless positions and versions"
    );
    // One failure writes nothing, not even the new events before it.
    let mut too_big = file(20..22);
    too_big.push((
        "a".into(),
        crate::envelope::NewEvent::new("huge", "a", "Padded", "dojo.test")
            .with_data(json!({ "pad": "x".repeat(300_000) })),
    ));
    let err = store
        .append_new(too_big)
        .await
        .expect_err("append_new: an event over the limit fails the call");
    assert!(matches!(err, StoreError::TooLarge { .. }), "{err:?}");
    assert_eq!(store.read_all(1, 100).await.expect("read_all").len(), 8);
}

/// `(stream, version)` of every stored event, in position order.
async fn stored(store: &impl EventStore) -> Vec<(String, u64)> {
    let all = store.read_all(1, 100).await.expect("read_all");
    all.into_iter()
        .map(|e| (e.stream_id, e.stream_version))
        .collect()
}

fn owned(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(s, v)| ((*s).to_owned(), *v)).collect()
}

async fn a_batch_across_streams_lands_in_batch_order(store: &impl EventStore) {
    let case = "a_batch_across_streams_lands_in_batch_order";
    store
        .append("a", ExpectedVersion::NoStream, batch(1..2))
        .await
        .expect("first append");
    let result = store
        .append_batch(vec![
            ("b".into(), ExpectedVersion::NoStream, batch(10..12)),
            ("a".into(), ExpectedVersion::Exact(1), batch(20..21)),
            // The same stream again sees the batch's own earlier events.
            ("b".into(), ExpectedVersion::Exact(2), batch(30..31)),
        ])
        .await
        .unwrap_or_else(|e| panic!("{case}: the batch is refused: {e}"));
    assert_eq!(
        (
            result.first_position,
            result.last_position,
            result.stream_version
        ),
        (2, 5, 3),
        "{case}: positions follow on, and the version is the last stream's"
    );
    assert_eq!(
        stored(store).await,
        owned(&[("a", 1), ("b", 1), ("b", 2), ("a", 2), ("b", 3)]),
        "{case}"
    );
}

async fn a_batch_refused_anywhere_writes_nothing(store: &impl EventStore) {
    let case = "a_batch_refused_anywhere_writes_nothing";
    store
        .append("a", ExpectedVersion::NoStream, batch(1..3))
        .await
        .expect("first append");
    let conflict = store
        .append_batch(vec![
            ("b".into(), ExpectedVersion::NoStream, batch(10..12)),
            ("a".into(), ExpectedVersion::Exact(1), batch(20..21)),
        ])
        .await
        .expect_err("a stale version in the second entry");
    assert_eq!(
        conflict,
        StoreError::Conflict {
            stream: "a".into(),
            expected: ExpectedVersion::Exact(1),
            actual: 2
        },
        "{case}"
    );
    let twice = store
        .append_batch(vec![
            ("c".into(), ExpectedVersion::NoStream, batch(30..31)),
            ("c".into(), ExpectedVersion::NoStream, batch(31..32)),
        ])
        .await
        .expect_err("a stream created twice in one batch");
    assert_eq!(
        twice,
        StoreError::Conflict {
            stream: "c".into(),
            expected: ExpectedVersion::NoStream,
            actual: 1
        },
        "{case}"
    );
    let repeated = store
        .append_batch(vec![
            ("b".into(), ExpectedVersion::Any, batch(40..41)),
            ("c".into(), ExpectedVersion::Any, batch(40..41)),
        ])
        .await
        .expect_err("one identity in two streams of a batch");
    assert!(
        matches!(&repeated, StoreError::Duplicate { id, .. } if id == "evt-40"),
        "{case}: {repeated:?}"
    );
    let present = store
        .append_batch(vec![
            ("b".into(), ExpectedVersion::Any, batch(50..51)),
            ("c".into(), ExpectedVersion::Any, batch(2..3)),
        ])
        .await
        .expect_err("an identity stored already");
    assert!(
        matches!(&present, StoreError::Duplicate { id, .. } if id == "evt-2"),
        "{case}: {present:?}"
    );
    let unnamed = store
        .append_batch(vec![
            ("b".into(), ExpectedVersion::Any, batch(60..61)),
            (String::new(), ExpectedVersion::Any, batch(61..62)),
        ])
        .await
        .expect_err("an empty stream id in the batch");
    assert_eq!(unnamed, StoreError::EmptyStreamId, "{case}");
    assert_eq!(
        stored(store).await,
        owned(&[("a", 1), ("a", 2)]),
        "{case}: the refused batches wrote nothing"
    );
}
