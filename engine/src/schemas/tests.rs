use super::bindings;
use super::compat::{check, diff, reader_breaks, Change, Mode};
use super::registry::{Origin, RegisterError, Registered, Registries, Validation, DISCOVERED};
use super::upcaster::{trial, Upcaster};
use super::validate::{validate, Rule};
use super::*;
use proptest::prelude::*;

fn schema(doc: Value) -> Schema {
    Schema::from_json(&doc).expect("a test schema reads")
}

fn quote_v1() -> Value {
    json!({
        "type": "object",
        "properties": {
            "quote_id": {"type": "string", "format": "uuid"},
            "premium_pence": {"type": "integer"},
            "cover": {"type": "string", "enum": ["home", "car", "travel"]},
            "customer": {
                "type": "object",
                "properties": {"email": {"type": "string", "format": "email"}},
                "required": ["email"]
            },
            "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]}}
        },
        "required": ["quote_id", "premium_pence"]
    })
}

#[test]
fn a_schema_reads_and_writes_back_and_refuses_what_it_cannot_hold() {
    let s = schema(quote_v1());
    assert_eq!(Schema::from_json(&s.to_json()), Ok(s.clone()));
    assert_eq!(
        s.field_paths(),
        [
            "cover",
            "customer",
            "customer.email",
            "lines",
            "lines[].sku",
            "premium_pence",
            "quote_id"
        ]
    );
    assert_eq!(
        s.at("lines[].sku").and_then(|x| x.types.clone()),
        Some(vec![JsonType::String])
    );
    let err = Schema::from_json(&json!({"properties": {"a": {"oneOf": []}}}))
        .expect_err("this input is refused");
    assert_eq!(err.at, "/properties/a/oneOf");
    assert!(err.message.contains("\"oneOf\" is not supported"), "{err}");
    let err = Schema::from_json(&json!({"type": "text"})).expect_err("this input is refused");
    assert_eq!(err.at, "/type");
    assert!(err.message.contains("\"text\" is not a JSON type"), "{err}");
    assert!(Schema::from_json(&json!({"additionalProperties": {"type": "string"}})).is_err());
}

#[test]
fn validation_names_the_field_and_the_rule() {
    let s = schema(quote_v1());
    let fits = json!({"quote_id": "0b7e3a9c-1d2f-4e5a-9b8c-7d6e5f4a3b2c", "premium_pence": 650, "cover": "car",
        "customer": {"email": "ada@example.com"}, "lines": [{"sku": "a"}]});
    assert_eq!(validate(&s, &fits), vec![]);
    let bad = json!({"quote_id": "q-1", "premium_pence": "650", "cover": "boat",
        "customer": {}, "lines": [{"sku": "a"}, {"qty": 1}]});
    let found: Vec<(String, Rule)> = validate(&s, &bad)
        .into_iter()
        .map(|v| (v.path, v.rule))
        .collect();
    assert_eq!(
        found,
        [
            ("quote_id".to_owned(), Rule::Format),
            ("premium_pence".to_owned(), Rule::Type),
            ("cover".to_owned(), Rule::Enum),
            ("customer.email".to_owned(), Rule::Required),
            ("lines[1].sku".to_owned(), Rule::Required),
        ]
    );
    let message = validate(
        &s,
        &json!({"quote_id": "0b7e3a9c-1d2f-4e5a-9b8c-7d6e5f4a3b2c", "premium_pence": 6.5}),
    )[0]
    .to_string();
    assert_eq!(
        message,
        "field `premium_pence` must be integer, found number 6.5 (rule: type)"
    );
    let closed =
        schema(json!({"type": "object", "properties": {"a": {}}, "additionalProperties": false}));
    assert_eq!(
        validate(&closed, &json!({"a": 1, "b": 2}))[0].rule,
        Rule::AdditionalProperties
    );
    assert_eq!(
        validate(&s, &json!([]))[0].message,
        "the event must be object, found array []"
    );
}

#[test]
fn the_diff_lists_added_removed_changed_and_made_required() {
    let old = schema(quote_v1());
    let mut new_doc = quote_v1();
    new_doc["properties"]
        .as_object_mut()
        .expect("the test builds this")
        .shift_remove("lines");
    new_doc["properties"]["premium_pence"] = json!({"type": "string"});
    new_doc["properties"]["currency"] = json!({"type": "string"});
    new_doc["required"] = json!(["quote_id", "premium_pence", "cover"]);
    let changes = diff(&old, &schema(new_doc));
    assert_eq!(
        changes,
        [
            Change::MadeRequired {
                path: "cover".into()
            },
            Change::Removed {
                path: "lines".into()
            },
            Change::TypeChanged {
                path: "premium_pence".into(),
                from: "integer".into(),
                to: "string".into()
            },
            Change::Added {
                path: "currency".into(),
                required: false
            },
        ]
    );
    assert_eq!(
        changes[2].to_string(),
        "`premium_pence` changed type: integer → string"
    );
}

/// v1 plus `field` as `extra`, required or not.
fn with_field(field: &str, extra: Value, required: bool) -> Schema {
    let mut doc = quote_v1();
    doc["properties"][field] = extra;
    if required {
        doc["required"]
            .as_array_mut()
            .expect("the test builds this")
            .push(json!(field));
    }
    schema(doc)
}

#[test]
fn compatibility_modes_decide_as_confluent_describes_them() {
    let v1 = schema(quote_v1());
    let optional = with_field("discount", json!({"type": "integer"}), false);
    let required = with_field("discount", json!({"type": "integer"}), true);
    // An optional field is compatible both ways; a required one breaks BACKWARD only
    // (old events lack it), and dropping a required field breaks FORWARD only.
    for mode in Mode::ALL {
        assert_eq!(
            check(mode, std::slice::from_ref(&v1), &optional),
            vec![],
            "{mode}"
        );
    }
    let back = check(Mode::Backward, std::slice::from_ref(&v1), &required);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].breaks[0].path, "discount");
    assert_eq!(
        back[0].breaks[0].to_string(),
        "`discount`: consumers on v2 require it, and v1 events do not have it (rule: required)"
    );
    assert_eq!(
        check(Mode::Forward, std::slice::from_ref(&v1), &required),
        vec![]
    );
    let mut dropped_doc = quote_v1();
    dropped_doc["properties"]
        .as_object_mut()
        .expect("the test builds this")
        .shift_remove("premium_pence");
    dropped_doc["required"] = json!(["quote_id"]);
    let dropped = schema(dropped_doc);
    assert_eq!(
        check(Mode::Backward, std::slice::from_ref(&v1), &dropped),
        vec![]
    );
    let forward = check(Mode::Forward, std::slice::from_ref(&v1), &dropped);
    assert_eq!(forward[0].breaks[0].rule, "required");
    assert_eq!(
        check(Mode::Full, std::slice::from_ref(&v1), &dropped).len(),
        1
    );
    // A widened type reads old events but not the other way round.
    let widened = with_field("premium_pence", json!({"type": "number"}), true);
    assert_eq!(
        check(Mode::Backward, std::slice::from_ref(&v1), &widened),
        vec![]
    );
    assert_eq!(
        check(Mode::Forward, std::slice::from_ref(&v1), &widened)[0].breaks[0].rule,
        "type"
    );
    assert_eq!(
        check(Mode::None, std::slice::from_ref(&v1), &required),
        vec![]
    );
}

#[test]
fn transitive_modes_check_every_earlier_version() {
    // v1 has `legacy` as a string; v2 drops it; v3 brings it back as a number. Against
    // v2 alone that is an optional addition; against v1 it breaks.
    let v1 = with_field("legacy", json!({"type": "string"}), false);
    let v2 = schema(quote_v1());
    let v3 = with_field("legacy", json!({"type": "integer"}), false);
    let history = [v1, v2];
    assert_eq!(check(Mode::Backward, &history, &v3), vec![]);
    let transitive = check(Mode::BackwardTransitive, &history, &v3);
    assert_eq!(transitive.len(), 1);
    assert_eq!(transitive[0].version, 1);
    assert_eq!(transitive[0].breaks[0].path, "legacy");
}

#[test]
fn the_registry_keeps_versions_refuses_a_breaking_one_and_checks_publishing() {
    let mut reg = Registries::default();
    let at = "2026-12-06T10:00:00Z";
    assert_eq!(
        reg.register(
            DISCOVERED,
            "QuoteIssued",
            &quote_v1(),
            Origin::Discovered,
            at
        ),
        Ok(Registered::New(1))
    );
    assert_eq!(
        reg.register(
            DISCOVERED,
            "QuoteIssued",
            &quote_v1(),
            Origin::Discovered,
            at
        ),
        Ok(Registered::Same(1))
    );
    let before = reg.clone();
    let breaking = with_field("discount", json!({"type": "integer"}), true).to_json();
    let refused = reg
        .register(DISCOVERED, "QuoteIssued", &breaking, Origin::Written, at)
        .expect_err("this input is refused");
    let RegisterError::Incompatible {
        mode,
        ref incompatibilities,
        ..
    } = refused
    else {
        panic!("{refused}")
    };
    assert_eq!(mode, Mode::Backward);
    assert_eq!(incompatibilities[0].breaks[0].path, "discount");
    assert!(refused.to_string().contains("QuoteIssued: the new version breaks BACKWARD compatibility\n- BACKWARD against v1: `discount`"), "{refused}");
    assert_eq!(reg, before, "a refused version changes nothing");
    let optional = with_field("discount", json!({"type": "integer"}), false).to_json();
    assert_eq!(
        reg.register(DISCOVERED, "QuoteIssued", &optional, Origin::Written, at),
        Ok(Registered::New(2))
    );
    let entry = reg
        .entry(DISCOVERED, "QuoteIssued")
        .expect("the test builds this");
    assert_eq!(
        entry.diff(1, 2),
        Some(vec![Change::Added {
            path: "discount".into(),
            required: false
        }])
    );
    assert!(matches!(
        reg.register("no spaces", "X", &json!({}), Origin::Written, at),
        Err(RegisterError::BadName(_))
    ));

    // Publishing: nothing is checked while validation is off.
    let bad = json!({"quote_id": "q", "premium_pence": 1});
    assert_eq!(reg.checker().check("QuoteIssued", Some(&bad)), None);
    reg.entry_mut(DISCOVERED, "QuoteIssued")
        .expect("the test builds this")
        .validation = Validation::Enforce;
    let misfit = reg
        .checker()
        .check("QuoteIssued", Some(&bad))
        .expect("a bad uuid is refused");
    assert_eq!(misfit.version, 2);
    assert_eq!(
        misfit.to_string(),
        "QuoteIssued does not fit schema QuoteIssued v2 in discovered-schemas: field `quote_id` must be a uuid, found \"q\" (rule: format)"
    );
    assert_eq!(reg.checker().check("PolicyBound", Some(&bad)), None);
    // Serialised, it reads back as itself (what IndexedDB keeps).
    let text = serde_json::to_string(&reg).expect("the test builds this");
    assert_eq!(
        serde_json::from_str::<Registries>(&text).expect("the test builds this"),
        reg
    );
}

#[test]
fn an_upcaster_maps_old_events_and_its_trial_reports_each_failure() {
    let text = "# v1 to v2\nrename premium_pence to premium.amount_pence\ndefault premium.currency = \"GBP\"\nretype quote_id to string\nremove lines\n";
    let up = Upcaster::parse(text).expect("the test builds this");
    assert_eq!(up.to_text(), "rename premium_pence to premium.amount_pence\ndefault premium.currency = \"GBP\"\nretype quote_id to string\nremove lines\n");
    let out = up
        .apply(&json!({"quote_id": 7, "premium_pence": 650, "lines": []}))
        .expect("the test builds this");
    assert_eq!(
        out,
        json!({"quote_id": "7", "premium": {"amount_pence": 650, "currency": "GBP"}})
    );
    let err = Upcaster::parse("rename a\n").expect_err("this input is refused");
    assert_eq!(err.to_string(), "line 1: rename needs `rename A to B`");
    let err = Upcaster::parse("\n\ndefault a = GBP").expect_err("this input is refused");
    assert!(
        err.to_string()
            .starts_with("line 3: the value \"GBP\" is not JSON"),
        "{err}"
    );
    assert!(Upcaster::parse("explode a")
        .expect_err("this input is refused")
        .message
        .contains("unknown step \"explode\""));
    let failing = Upcaster::parse("retype n to integer").expect("the test builds this");
    assert_eq!(
        failing
            .apply(&json!({"n": "seven"}))
            .expect_err("this input is refused")
            .to_string(),
        "`retype n to integer` failed: \"seven\" cannot become integer"
    );
    let target = schema(
        json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}),
    );
    let events = [json!({"n": "1"}), json!({"n": "x"}), json!({})];
    let t = trial(&failing, &events, &target);
    assert_eq!((t.tried, t.fit, t.failed), (3, 1, 2));
    assert_eq!(t.failures[1].0, 2);
    assert!(
        t.failures[1].1.contains("field `n` is required"),
        "{:?}",
        t.failures
    );
}

#[test]
fn the_registry_upcasts_through_every_version_in_between() {
    let mut reg = Registries::default();
    let at = "2026-12-06T10:00:00Z";
    let v1 = json!({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]});
    let v2 = json!({"type": "object", "properties": {"b": {"type": "integer"}}, "required": ["b"]});
    let v3 = json!({"type": "object", "properties": {"b": {"type": "string"}}, "required": ["b"]});
    reg.register("mine", "T", &v1, Origin::Written, at)
        .expect("the test builds this");
    reg.entry_mut("mine", "T")
        .expect("the test builds this")
        .compatibility = Mode::None;
    reg.register("mine", "T", &v2, Origin::Written, at)
        .expect("the test builds this");
    reg.register("mine", "T", &v3, Origin::Written, at)
        .expect("the test builds this");
    let entry = reg.entry_mut("mine", "T").expect("the test builds this");
    assert_eq!(
        entry.upcast(1, &json!({"a": 1})),
        Err("no upcaster from v1 to v2".into())
    );
    entry.upcasters.insert(1, "rename a to b".into());
    entry.upcasters.insert(2, "retype b to string".into());
    assert_eq!(
        entry.upcast(1, &json!({"a": 1})),
        Ok((json!({"b": "1"}), vec![2, 3]))
    );
    assert_eq!(entry.version_of(&json!({"a": 1})), Some(1));
    assert_eq!(entry.version_of(&json!({"b": "1"})), Some(3));
    assert_eq!(entry.version_of(&json!({"c": 1})), None);
}

#[test]
fn bindings_name_nested_types_and_mark_optional_fields() {
    let s = schema(quote_v1());
    let ts = bindings::typescript("QuoteIssued", 1, &s);
    assert!(ts.contains("export interface QuoteIssued {\n  cover?: \"home\" | \"car\" | \"travel\";\n  customer?: QuoteIssuedCustomer;\n  lines?: QuoteIssuedLinesItem[];\n  premium_pence: number;\n  quote_id: string;\n}\n"), "{ts}");
    assert!(
        ts.contains("export interface QuoteIssuedCustomer {\n  email: string;\n}"),
        "{ts}"
    );
    let rs = bindings::rust("QuoteIssued", 1, &s);
    assert!(rs.contains("pub struct QuoteIssued {\n    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub cover: Option<QuoteIssuedCover>,"), "{rs}");
    assert!(
        rs.contains("pub enum QuoteIssuedCover {\n    #[serde(rename = \"home\")]\n    Home,"),
        "{rs}"
    );
    let odd = schema(
        json!({"type": "object", "properties": {"detail-type": {"type": "string"}, "type": {"type": ["string", "null"]}, "premiumPence": {"type": "number"}}, "required": ["detail-type", "type", "premiumPence"]}),
    );
    let rs = bindings::rust("Odd", 2, &odd);
    assert!(
        rs.contains("#[serde(rename = \"detail-type\")]\n    pub detail_type: String,"),
        "{rs}"
    );
    assert!(
        rs.contains("#[serde(rename = \"premiumPence\")]\n    pub premium_pence: f64,"),
        "{rs}"
    );
    assert!(rs.contains("pub r#type: Option<String>,"), "{rs}");
    let ts = bindings::typescript("Odd", 2, &odd);
    assert!(ts.contains("  \"detail-type\": string;\n"), "{ts}");
    assert!(ts.contains("  type: string | null;\n"), "{ts}");
}

// The generated Rust for a checked-in schema compiles and reads an event: the file
// below is the generator's output, and the test fails when they drift apart.
mod generated {
    include!("tests/quote_issued_binding.rs");
}

/// Writes the file above again: `cargo test -p dojo-engine -- --ignored regenerate`.
#[test]
#[ignore = "writes a source file; run by hand after changing the generator"]
fn regenerate_the_checked_in_binding() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/schemas/tests/quote_issued_binding.rs"
    );
    std::fs::write(path, bindings::rust("QuoteIssued", 1, &schema(quote_v1())))
        .expect("the test builds this");
}

#[test]
fn generated_rust_compiles_and_reads_an_event() {
    let expected = bindings::rust("QuoteIssued", 1, &schema(quote_v1()));
    let on_disk = include_str!("tests/quote_issued_binding.rs");
    assert_eq!(
        on_disk, expected,
        "regenerate tests/quote_issued_binding.rs"
    );
    let event: generated::QuoteIssued = serde_json::from_value(json!({
        "quote_id": "0b7e3a9c-1d2f-4e5a-9b8c-7d6e5f4a3b2c", "premium_pence": 650,
        "cover": "car", "lines": [{"sku": "a"}]
    }))
    .expect("the test builds this");
    assert_eq!(event.cover, Some(generated::QuoteIssuedCover::Car));
    assert_eq!(event.lines.as_ref().map(Vec::len), Some(1));
    assert!(serde_json::from_value::<generated::QuoteIssued>(json!({"quote_id": "x"})).is_err());
}

// Agreement with a JSON Schema validator from crates.io, and the soundness of the
// compatibility check, on generated schemas and values.

const NAMES: [&str; 3] = ["a", "b", "c"];
const STRINGS: [&str; 5] = [
    "plain",
    "ada@example.com",
    "2026-12-06T09:00:00Z",
    "0b7e3a9c-1d2f-4e5a-9b8c-7d6e5f4a3b2c",
    "",
];

fn arb_type() -> impl Strategy<Value = JsonType> {
    prop::sample::select(JsonType::ALL.to_vec())
}

fn arb_schema() -> impl Strategy<Value = Schema> {
    let leaf = (
        prop::option::of(prop::collection::vec(arb_type(), 1..3)),
        prop::option::of(prop::sample::select(vec!["email", "date-time", "uuid"])),
        prop::option::of(prop::collection::vec(
            prop::sample::select(STRINGS.to_vec()),
            1..3,
        )),
    )
        .prop_map(|(types, format, enumeration)| Schema {
            types: types.map(|mut t| {
                t.sort();
                t.dedup();
                t
            }),
            format: format.map(str::to_owned),
            enumeration: enumeration.map(|mut e| {
                e.sort();
                e.dedup();
                e.into_iter().map(|s| json!(s)).collect()
            }),
            open: true,
            ..Schema::default()
        });
    leaf.prop_recursive(2, 12, 3, |inner| {
        (
            prop::collection::btree_map(prop::sample::select(NAMES.to_vec()), inner.clone(), 0..3),
            prop::collection::vec(prop::sample::select(NAMES.to_vec()), 0..3),
            any::<bool>(),
            prop::option::of(inner),
            prop::option::of(prop::collection::vec(arb_type(), 1..3)),
        )
            .prop_map(|(properties, required, open, items, types)| {
                let mut required: Vec<String> = required.into_iter().map(str::to_owned).collect();
                required.sort();
                required.dedup();
                Schema {
                    types: types.map(|mut t| {
                        t.sort();
                        t.dedup();
                        t
                    }),
                    properties: properties
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                    required,
                    open,
                    items: items.map(Box::new),
                    ..Schema::default()
                }
            })
    })
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..3).prop_map(Value::from),
        Just(json!(0.5)),
        prop::sample::select(STRINGS.to_vec()).prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(["a", "b", "c", "d"].to_vec()),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// The schema with every object closed to the fields it names.
fn closed(s: &Schema) -> Schema {
    Schema {
        open: false,
        properties: s
            .properties
            .iter()
            .map(|(k, v)| (k.clone(), closed(v)))
            .collect(),
        items: s.items.as_deref().map(|i| Box::new(closed(i))),
        ..s.clone()
    }
}

fn boon_accepts(schema: &Value, value: &Value) -> bool {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.set_default_draft(boon::Draft::V4);
    let url = "file:///s.json";
    compiler
        .add_resource(url, schema.clone())
        .expect("a resource is accepted");
    let compiled = compiler
        .compile(url, &mut schemas)
        .expect("generated schemas are valid Draft 4");
    schemas.validate(value, compiled).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn validation_agrees_with_boon(s in arb_schema(), v in arb_value()) {
        let mine = validate(&s, &v).is_empty();
        prop_assert_eq!(mine, boon_accepts(&s.to_json(), &v), "schema {} value {}", s.to_json(), v);
    }

    #[test]
    fn a_compatible_reader_reads_every_event_the_writer_allows(
        reader in arb_schema(), writer in arb_schema(), v in arb_value()
    ) {
        // What the check assumes: producers write only the fields their schema names.
        if reader_breaks(&reader, &writer, "r", "w").is_empty() && validate(&closed(&writer), &v).is_empty() {
            prop_assert!(validate(&reader, &v).is_empty(),
                "reader {} writer {} value {}", reader.to_json(), writer.to_json(), v);
        }
    }
}

#[test]
fn a_breaking_version_is_kept_with_an_upcaster_that_rescues_old_events() {
    let mut reg = Registries::default();
    let at = "2026-12-06T10:00:00Z";
    reg.register("mine", "QuoteIssued", &quote_v1(), Origin::Written, at)
        .expect("v1 registers");
    let required = with_field("currency", json!({"type": "string"}), true).to_json();
    assert!(matches!(
        reg.register("mine", "QuoteIssued", &required, Origin::Written, at),
        Err(RegisterError::Incompatible { .. })
    ));
    let before = reg.clone();
    let failing = reg.register_with_upcaster(
        "mine",
        "QuoteIssued",
        &required,
        Origin::Written,
        at,
        "default currency = \"GBP\"",
        3,
    );
    assert_eq!(
        failing.expect_err("a failing trial is refused").to_string(),
        "the upcaster cannot be kept: the upcaster failed on 3 stored event(s); fix it so every old event fits the new version"
    );
    assert!(reg
        .register_with_upcaster("mine", "QuoteIssued", &required, Origin::Written, at, "", 0)
        .is_err());
    assert_eq!(reg, before, "refusals change nothing");
    assert_eq!(
        reg.register_with_upcaster(
            "mine",
            "QuoteIssued",
            &required,
            Origin::Written,
            at,
            "default currency = \"GBP\"",
            0
        ),
        Ok(Registered::New(2))
    );
    let entry = reg.entry("mine", "QuoteIssued").expect("kept");
    assert_eq!(entry.compatibility, Mode::Backward, "the mode is unchanged");
    assert_eq!(
        entry.upcasters.get(&1).map(String::as_str),
        Some("default currency = \"GBP\"\n")
    );
    let old = json!({"quote_id": "0b7e3a9c-1d2f-4e5a-9b8c-7d6e5f4a3b2c", "premium_pence": 1});
    let (upcast, passed) = entry.upcast(1, &old).expect("the upcaster applies");
    assert_eq!(passed, vec![2]);
    assert_eq!(
        validate(&entry.latest().expect("v2").schema(), &upcast),
        vec![]
    );
    // FORWARD's promise cannot be kept by an upcaster: under FULL, dropping a required
    // field is still refused.
    reg.entry_mut("mine", "QuoteIssued")
        .expect("kept")
        .compatibility = Mode::Full;
    let mut dropped = with_field("currency", json!({"type": "string"}), true).to_json();
    dropped["required"] = json!(["quote_id", "currency"]);
    assert!(matches!(
        reg.register_with_upcaster(
            "mine",
            "QuoteIssued",
            &dropped,
            Origin::Written,
            at,
            "remove premium_pence",
            0
        ),
        Err(RegisterError::Incompatible { .. })
    ));
    // The checker reads each schema once and says nothing while validation is off.
    assert!(reg.checker().is_empty());
    reg.entry_mut("mine", "QuoteIssued")
        .expect("kept")
        .validation = Validation::Warn;
    let misfit = reg
        .checker()
        .check("QuoteIssued", Some(&old))
        .expect("v2 needs a currency");
    assert_eq!((misfit.version, misfit.validation), (2, Validation::Warn));
}
