use super::*;
use crate::discovery::Inferred;
use crate::workload::insurance_entries;

fn sample() -> Vec<HistoryEntry> {
    insurance_entries(800, 7)
}

/// QuoteIssued's schema as discovery writes it from the sample.
fn quote_issued(sample: &[HistoryEntry]) -> Schema {
    let mut inferred = Inferred::default();
    for e in sample
        .iter()
        .filter(|e| e.event.type_name() == "QuoteIssued")
    {
        inferred.add(&e.event.to_stored().data);
    }
    Schema::from_json(&inferred.to_schema()).expect("discovery writes the registry's dialect")
}

fn topology(json: Value) -> Topology {
    Topology::from_json(&json.to_string()).expect("the test's design is valid")
}

#[test]
fn a_proposal_changes_the_schema_and_drafts_its_upcaster() {
    let schema = quote_issued(&sample());
    let rename = Proposal::Rename {
        path: "premium_pence".into(),
        to: "premium_minor".into(),
    };
    let renamed = rename.apply(&schema).expect("premium_pence exists");
    assert!(renamed.properties.contains_key("premium_minor"));
    assert!(renamed.is_required("premium_minor") && !renamed.is_required("premium_pence"));
    assert_eq!(
        rename.draft_upcaster().to_text(),
        "rename premium_pence to premium_minor\n"
    );
    let add = Proposal::AddRequired {
        path: "currency".into(),
        of: JsonType::String,
        default: json!("GBP"),
    };
    assert_eq!(
        add.draft_upcaster().to_text(),
        "default currency = \"GBP\"\n"
    );
    assert!(add
        .apply(&schema)
        .expect("currency is new")
        .is_required("currency"));
    let optional = Proposal::AddOptional {
        path: "discount_pence".into(),
        of: JsonType::Integer,
    };
    assert!(optional.draft_upcaster().ops.is_empty());
    assert_eq!(
        Proposal::Remove {
            path: "nope".into()
        }
        .apply(&schema),
        Err(ProposalError("the schema has no field `nope`".into()))
    );
    assert_eq!(
        Proposal::Rename {
            path: "quote_id".into(),
            to: "customer_id".into()
        }
        .apply(&schema),
        Err(ProposalError(
            "`customer_id` is already a field here".into()
        ))
    );
}

#[test]
fn patterns_filters_and_target_inputs_that_name_the_field_are_found() {
    let design = topology(json!({
        "queues": [{"name": "big"}, {"name": "policies"}, {"name": "audit"}],
        "topics": [{"name": "quotes"}],
        "subscriptions": [
            {"topic": "quotes", "endpoint": {"queue": "audit"}, "filter_policy_scope": "MessageBody",
             "filter_policy": {"premium_pence": [{"numeric": [">", 0]}]}},
            {"topic": "quotes", "endpoint": {"queue": "big"},
             "filter_policy": {"premium_pence": [{"numeric": [">", 0]}]}}
        ],
        "rules": [
            {"name": "big-quotes", "pattern": {"detail-type": ["QuoteIssued"], "detail": {"premium_pence": [{"numeric": [">", 100000]}]}},
             "targets": [{"id": "q", "endpoint": {"queue": "big"},
                          "input_transformer": {"input_paths_map": {"p": "$.detail.premium_pence"}, "input_template": "<p>"}}]},
            {"name": "bound", "pattern": {"detail-type": ["PolicyBound"], "detail": {"premium_pence": [{"exists": true}]}},
             "targets": [{"id": "q", "endpoint": {"queue": "policies"}}]},
            {"name": "everything", "pattern": {"source": ["dojo.insurance"]},
             "targets": [{"id": "q", "endpoint": {"queue": "audit"}, "input_path": "$.detail.quote_id"}]}
        ]
    }));
    let uses = pattern_uses(
        "QuoteIssued",
        "premium_pence",
        &[("lab".into(), design.clone())],
    );
    let found: Vec<(&str, &str)> = uses
        .iter()
        .map(|u| (u.consumer.as_str(), u.path.as_str()))
        .collect();
    // Not the PolicyBound rule (it never sees QuoteIssued), not the attribute policy.
    assert_eq!(
        found,
        [
            ("rule big-quotes on default", "detail.premium_pence"),
            ("subscription of quotes to queue:audit", "premium_pence"),
            ("target q of rule big-quotes", "$.detail.premium_pence"),
        ]
    );
    let ids = pattern_uses("QuoteIssued", "quote_id", &[("lab".into(), design)]);
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(ids[0].consumer, "target q of rule everything");
    // A bus schema's source counts too.
    let other_source = topology(json!({"queues": [{"name": "a"}], "rules": [{"name": "r",
        "pattern": {"source": ["elsewhere"], "detail": {"x": [1]}}, "targets": [{"id": "t", "endpoint": {"queue": "a"}}]}]}));
    assert_eq!(
        pattern_uses(
            "dojo.lab@Thing",
            "x",
            &[("lab".into(), other_source.clone())]
        ),
        vec![]
    );
    assert_eq!(
        pattern_uses("elsewhere@Thing", "x", &[("lab".into(), other_source)]).len(),
        1
    );
}

#[test]
fn readers_are_found_by_experiment_on_the_sample() {
    let sample = sample();
    let uses = reader_uses("QuoteIssued", "premium_pence", &sample);
    let named: Vec<(&str, bool)> = uses
        .iter()
        .map(|u| (u.reader.name, u.reads_field))
        .collect();
    assert!(named.contains(&("quote-dashboard", true)), "{named:?}");
    assert!(named.contains(&("Quote", true)), "{named:?}");
    assert!(
        !named.iter().any(|(n, _)| *n == "customers-by-postcode"),
        "{named:?}"
    );
    // A type no reader folds has no readers.
    assert_eq!(reader_uses("NoSuchEvent", "x", &sample), vec![]);
    // Postcodes are read by the postcode index and the customer, from two event types.
    let moved = reader_uses("AddressChanged", "postcode", &sample);
    assert!(
        moved
            .iter()
            .any(|u| u.reader.name == "customers-by-postcode" && u.reads_field),
        "{moved:?}"
    );
}

#[test]
fn the_impact_lists_stored_events_that_no_longer_fit() {
    let sample = sample();
    let schema = quote_issued(&sample);
    let stored: Vec<(u64, Value)> = sample
        .iter()
        .filter(|e| e.event.type_name() == "QuoteIssued")
        .map(|e| (e.position, e.event.to_stored().data))
        .collect();
    let add = Proposal::AddRequired {
        path: "currency".into(),
        of: JsonType::String,
        default: json!("GBP"),
    };
    let designs = [(
        "Event notification".to_owned(),
        crate::services::topology(crate::services::Style::Notification),
    )];
    let found = impact(
        "QuoteIssued",
        &schema,
        &add,
        &designs,
        &sample,
        stored.iter().map(|(p, v)| (*p, v)),
    )
    .expect("the proposal applies");
    assert_eq!(found.stored.checked, stored.len() as u64);
    assert_eq!(
        found.stored.misfits,
        stored.len() as u64,
        "no old event has a currency"
    );
    assert!(found.stored.examples[0]
        .1
        .contains("field `currency` is required and missing"));
    assert!(!found.takes_field_away);
    // The drafted upcaster rescues every old event.
    let trial = crate::schemas::upcaster::trial(
        &found.upcaster,
        stored.iter().map(|(_, v)| v),
        &found.proposed,
    );
    assert_eq!((trial.fit, trial.failed), (stored.len(), 0));
    let optional = Proposal::AddOptional {
        path: "note".into(),
        of: JsonType::String,
    };
    let fine = impact(
        "QuoteIssued",
        &schema,
        &optional,
        &designs,
        &sample,
        stored.iter().map(|(p, v)| (*p, v)),
    )
    .expect("the proposal applies");
    assert_eq!(fine.stored.misfits, 0);
}
