//! EventBridge event patterns against `docs/semantics.md` §1 (the EventBridge User Guide's "Event patterns"): every
//! operator, the type × operator matrix, null/empty/missing rules, arrays, `$or`, and
//! every validation reason.

use dojo_engine::pattern::{Dialect, EventPattern};

fn pattern(text: &str) -> EventPattern {
    EventPattern::eventbridge(text).unwrap_or_else(|e| panic!("{text} should be valid: {e}"))
}

fn matches(p: &str, event: &str) -> bool {
    pattern(p).matches_text(event).expect("event is valid JSON")
}

fn reason(p: &str) -> String {
    match EventPattern::eventbridge(p) {
        Ok(_) => panic!("{p} should be invalid"),
        Err(e) => e.reason,
    }
}

#[test]
fn exact_strings_match_byte_for_byte() {
    assert!(matches(
        r#"{"source":["dojo.quotes"]}"#,
        r#"{"source":"dojo.quotes"}"#
    ));
    assert!(!matches(
        r#"{"source":["dojo.quotes"]}"#,
        r#"{"source":"Dojo.Quotes"}"#
    ));
    assert!(matches(r#"{"a":[""]}"#, r#"{"a":""}"#));
    assert!(!matches(r#"{"a":[""]}"#, r#"{"a":null}"#));
    assert!(!matches(r#"{"a":[""]}"#, r#"{}"#));
}

#[test]
fn types_are_strict() {
    assert!(!matches(r#"{"a":["300"]}"#, r#"{"a":300}"#));
    assert!(!matches(r#"{"a":[300]}"#, r#"{"a":"300"}"#));
    assert!(!matches(r#"{"a":[true]}"#, r#"{"a":"true"}"#));
    assert!(!matches(r#"{"a":["true"]}"#, r#"{"a":true}"#));
    assert!(!matches(r#"{"a":[null]}"#, r#"{"a":"null"}"#));
    assert!(matches(r#"{"a":[null]}"#, r#"{"a":null}"#));
    assert!(!matches(r#"{"a":[null]}"#, r#"{}"#));
    assert!(!matches(
        r#"{"account":[111122223333]}"#,
        r#"{"account":"111122223333"}"#
    ));
    assert!(matches(r#"{"a":[false]}"#, r#"{"a":false}"#));
    assert!(!matches(r#"{"a":[1]}"#, r#"{"a":true}"#));
}

#[test]
fn numbers_compare_by_value() {
    assert!(matches(r#"{"a":[300]}"#, r#"{"a":300.0}"#));
    assert!(matches(r#"{"a":[3.0e2]}"#, r#"{"a":300}"#));
    assert!(matches(r#"{"a":[3.018e2]}"#, r#"{"a":301.8}"#));
    assert!(!matches(r#"{"a":[3]}"#, r#"{"a":3.0000000000000001}"#));
    assert!(matches(
        r#"{"a":[3.0000000000000001]}"#,
        r#"{"a":3.0000000000000001}"#
    ));
}

#[test]
fn a_json_string_holding_json_is_a_string() {
    assert!(!matches(
        r#"{"detail":{"a":[1]}}"#,
        r#"{"detail":"{\"a\":1}"}"#
    ));
    assert!(matches(
        r#"{"detail":["{\"a\":1}"]}"#,
        r#"{"detail":"{\"a\":1}"}"#
    ));
}

#[test]
fn fields_are_anded_and_alternatives_ored_and_others_ignored() {
    let p = r#"{"source":["a","b"],"detail-type":["T"]}"#;
    assert!(matches(p, r#"{"source":"b","detail-type":"T","extra":1}"#));
    assert!(!matches(p, r#"{"source":"c","detail-type":"T"}"#));
    assert!(!matches(p, r#"{"source":"a"}"#));
    assert!(matches(
        r#"{"a":["x",{"prefix":"hey"},{"prefix":"ad"}]}"#,
        r#"{"a":"adam"}"#
    ));
}

#[test]
fn nested_objects_and_dotted_keys_are_the_same_path() {
    assert!(matches(r#"{"a.b":["x"]}"#, r#"{"a":{"b":"x"}}"#));
    assert!(matches(r#"{"a":{"b":["x"]}}"#, r#"{"a.b":"x"}"#));
    assert!(matches(
        r#"{"detail":{"state":{"name":["ok"]}}}"#,
        r#"{"detail":{"state":{"name":"ok"}}}"#
    ));
    assert!(!matches(
        r#"{"detail":{"state":["ok"]}}"#,
        r#"{"detail":{"state":{"name":"ok"}}}"#
    ));
}

#[test]
fn scalar_arrays_match_on_intersection_and_nest_flat() {
    assert!(matches(r#"{"r":["b","z"]}"#, r#"{"r":["a","b"]}"#));
    assert!(!matches(r#"{"r":["z"]}"#, r#"{"r":["a","b"]}"#));
    assert!(matches(r#"{"r":[3]}"#, r#"{"r":[[1,2],[3]]}"#));
    assert!(matches(r#"{"r":["a"]}"#, r#"{"r":"a"}"#));
}

#[test]
fn empty_arrays_contribute_no_values() {
    assert!(!matches(r#"{"r":[null]}"#, r#"{"r":[]}"#));
    assert!(!matches(r#"{"r":[{"exists":true}]}"#, r#"{"r":[]}"#));
    assert!(matches(r#"{"r":[{"exists":false}]}"#, r#"{"r":[]}"#));
    assert!(!matches(r#"{"r":[{"anything-but":"x"}]}"#, r#"{"r":[]}"#));
    assert!(!matches(r#"{"r":[{"prefix":""}]}"#, r#"{"r":[]}"#));
}

#[test]
fn arrays_of_objects_match_element_by_element() {
    let p = r#"{"employees":{"first":["Anna"],"last":["Jones"]}}"#;
    let mixed =
        r#"{"employees":[{"first":"Anna","last":"Smith"},{"first":"Peter","last":"Jones"}]}"#;
    let same =
        r#"{"employees":[{"first":"Peter","last":"Smith"},{"first":"Anna","last":"Jones"}]}"#;
    assert!(!matches(p, mixed));
    assert!(matches(p, same));
    let deep = r#"{"a":{"b":{"c":[1]},"d":[2]}}"#;
    assert!(matches(deep, r#"{"a":[{"b":[{"c":9},{"c":1}],"d":2}]}"#));
    assert!(!matches(
        deep,
        r#"{"a":[{"b":[{"c":1}],"d":3},{"b":[{"c":9}],"d":2}]}"#
    ));
}

#[test]
fn prefix_and_suffix() {
    assert!(matches(
        r#"{"a":[{"prefix":"ca-"}]}"#,
        r#"{"a":"ca-central-1"}"#
    ));
    assert!(!matches(
        r#"{"a":[{"prefix":"ca-"}]}"#,
        r#"{"a":"us-east-1"}"#
    ));
    assert!(matches(r#"{"a":[{"prefix":""}]}"#, r#"{"a":""}"#));
    assert!(!matches(r#"{"a":[{"prefix":"1"}]}"#, r#"{"a":123}"#));
    assert!(!matches(r#"{"a":[{"prefix":""}]}"#, r#"{"a":null}"#));
    assert!(matches(
        r#"{"a":[{"suffix":".png"}]}"#,
        r#"{"a":"image.png"}"#
    ));
    assert!(matches(r#"{"a":[{"suffix":""}]}"#, r#"{"a":"x"}"#));
    assert!(!matches(
        r#"{"a":[{"suffix":".png"}]}"#,
        r#"{"a":"image.PNG"}"#
    ));
}

#[test]
fn ignore_case_forms_fold_per_character() {
    assert!(matches(
        r#"{"a":[{"equals-ignore-case":"AliCE"}]}"#,
        r#"{"a":"alice"}"#
    ));
    assert!(!matches(
        r#"{"a":[{"equals-ignore-case":"alice"}]}"#,
        r#"{"a":"alice2"}"#
    ));
    assert!(matches(
        r#"{"a":[{"equals-ignore-case":"É"}]}"#,
        r#"{"a":"é"}"#
    ));
    assert!(matches(
        r#"{"a":[{"equals-ignore-case":""}]}"#,
        r#"{"a":""}"#
    ));
    assert!(!matches(
        r#"{"a":[{"equals-ignore-case":""}]}"#,
        r#"{"a":"x"}"#
    ));
    assert!(matches(
        r#"{"a":[{"prefix":{"equals-ignore-case":"EU"}}]}"#,
        r#"{"a":"eu-west-1"}"#
    ));
    assert!(matches(
        r#"{"a":[{"suffix":{"equals-ignore-case":".PNG"}}]}"#,
        r#"{"a":"x.png"}"#
    ));
    assert!(!matches(
        r#"{"a":[{"equals-ignore-case":"1"}]}"#,
        r#"{"a":1}"#
    ));
}

#[test]
fn wildcard_matches_the_whole_string() {
    let p = r#"{"a":[{"wildcard":"dir/*.png"}]}"#;
    assert!(matches(p, r#"{"a":"dir/a/b.png"}"#));
    assert!(!matches(p, r#"{"a":"dir/a.png.txt"}"#));
    assert!(matches(r#"{"a":[{"wildcard":"a\\*b"}]}"#, r#"{"a":"a*b"}"#));
    assert!(!matches(
        r#"{"a":[{"wildcard":"a\\*b"}]}"#,
        r#"{"a":"axb"}"#
    ));
    assert!(matches(r#"{"a":[{"wildcard":""}]}"#, r#"{"a":""}"#));
    assert!(!matches(r#"{"a":[{"wildcard":"*"}]}"#, r#"{"a":5}"#));
}

#[test]
fn anything_but_is_type_agnostic_and_needs_a_value() {
    let p = r#"{"a":[{"anything-but":"x"}]}"#;
    assert!(matches(p, r#"{"a":"y"}"#));
    assert!(!matches(p, r#"{"a":"x"}"#));
    assert!(matches(p, r#"{"a":5}"#));
    assert!(matches(p, r#"{"a":null}"#));
    assert!(matches(p, r#"{"a":true}"#));
    assert!(!matches(p, r#"{}"#));
    assert!(matches(p, r#"{"a":["x","b"]}"#));
    assert!(!matches(p, r#"{"a":["x"]}"#));
    assert!(!matches(
        r#"{"a":[{"anything-but":[1,2]}]}"#,
        r#"{"a":1.0}"#
    ));
    assert!(matches(r#"{"a":[{"anything-but":[1,2]}]}"#, r#"{"a":"1"}"#));
    assert!(!matches(
        r#"{"a":[{"anything-but":123}]}"#,
        r#"{"a":123.0}"#
    ));
}

#[test]
fn anything_but_object_forms() {
    assert!(matches(
        r#"{"a":[{"anything-but":{"prefix":"init"}}]}"#,
        r#"{"a":"done"}"#
    ));
    assert!(!matches(
        r#"{"a":[{"anything-but":{"prefix":"init"}}]}"#,
        r#"{"a":"initial"}"#
    ));
    assert!(matches(
        r#"{"a":[{"anything-but":{"prefix":"init"}}]}"#,
        r#"{"a":5}"#
    ));
    assert!(!matches(
        r#"{"a":[{"anything-but":{"prefix":["a","b"]}}]}"#,
        r#"{"a":"bee"}"#
    ));
    assert!(!matches(
        r#"{"a":[{"anything-but":{"suffix":".txt"}}]}"#,
        r#"{"a":"x.txt"}"#
    ));
    assert!(matches(
        r#"{"a":[{"anything-but":{"suffix":".txt"}}]}"#,
        r#"{"a":null}"#
    ));
    assert!(!matches(
        r#"{"a":[{"anything-but":{"equals-ignore-case":["X","y"]}}]}"#,
        r#"{"a":"Y"}"#
    ));
    assert!(matches(
        r#"{"a":[{"anything-but":{"equals-ignore-case":"x"}}]}"#,
        r#"{"a":null}"#
    ));
    assert!(!matches(
        r#"{"a":[{"anything-but":{"wildcard":"*/lib/*"}}]}"#,
        r#"{"a":"/usr/lib/x"}"#
    ));
    assert!(matches(
        r#"{"a":[{"anything-but":{"wildcard":""}}]}"#,
        r#"{"a":"x"}"#
    ));
    assert!(!matches(
        r#"{"a":[{"anything-but":{"wildcard":""}}]}"#,
        r#"{"a":""}"#
    ));
    assert!(matches(
        r#"{"a":[{"anything-but":["roses"]},{"exists":false}]}"#,
        r#"{}"#
    ));
}

#[test]
fn numeric_conditions_and_ranges() {
    let gt = r#"{"a":[{"numeric":[">",0,"<=",5]}]}"#;
    assert!(matches(gt, r#"{"a":5}"#));
    assert!(matches(gt, r#"{"a":0.1}"#));
    assert!(!matches(gt, r#"{"a":0}"#));
    assert!(!matches(gt, r#"{"a":5.0001}"#));
    assert!(!matches(gt, r#"{"a":"3"}"#));
    assert!(!matches(gt, r#"{"a":null}"#));
    assert!(!matches(gt, r#"{"a":true}"#));
    assert!(matches(
        r#"{"a":[{"numeric":["=",300]}]}"#,
        r#"{"a":3.0e2}"#
    ));
    assert!(matches(r#"{"a":[{"numeric":["<",-1]}]}"#, r#"{"a":-1.5}"#));
    assert!(matches(
        r#"{"a":[{"numeric":[">=",1e300]}]}"#,
        r#"{"a":2e300}"#
    ));
    assert!(!matches(
        r#"{"a":[{"numeric":["=",0.3]}]}"#,
        r#"{"a":0.30000000000000004}"#
    ));
    assert!(matches(
        r#"{"a":[{"numeric":[">",1,"<",3]}]}"#,
        r#"{"a":[0,2,9]}"#
    ));
    assert!(!matches(
        r#"{"a":[{"numeric":[">",0]}]}"#,
        r#"{"a":3.0000000000000001}"#
    ));
}

#[test]
fn exists_counts_leaves_only() {
    let yes = r#"{"a":[{"exists":true}]}"#;
    let no = r#"{"a":[{"exists":false}]}"#;
    assert!(matches(yes, r#"{"a":null}"#));
    assert!(matches(yes, r#"{"a":""}"#));
    assert!(!matches(yes, r#"{"a":{"b":1}}"#));
    assert!(matches(no, r#"{"a":{"b":1}}"#));
    assert!(matches(no, r#"{"b":1}"#));
    assert!(!matches(no, r#"{"a":0}"#));
    assert!(matches(r#"{"a":{"b":[{"exists":false}]}}"#, r#"{"a":"x"}"#));
    assert!(matches(r#"{"a":{"b":[{"exists":false}]}}"#, r#"{}"#));
}

#[test]
fn cidr_matches_addresses_of_the_same_family() {
    let p = r#"{"ip":[{"cidr":"10.0.0.0/24"}]}"#;
    assert!(matches(p, r#"{"ip":"10.0.0.255"}"#));
    assert!(!matches(p, r#"{"ip":"10.0.1.1"}"#));
    assert!(!matches(p, r#"{"ip":"10.0.0.256"}"#));
    assert!(!matches(p, r#"{"ip":"host.example"}"#));
    assert!(matches(
        r#"{"ip":[{"cidr":"10.0.0.5/24"}]}"#,
        r#"{"ip":"10.0.0.1"}"#
    ));
    assert!(matches(
        r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#,
        r#"{"ip":"2001:0DB8:0:0:0:0:0:1"}"#
    ));
    assert!(!matches(
        r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#,
        r#"{"ip":"10.0.0.1"}"#
    ));
    assert!(matches(
        r#"{"ip":["2001:db8::1"]}"#,
        r#"{"ip":"2001:0db8:0:0:0:0:0:1"}"#
    ));
    assert!(matches(r#"{"ip":["10.0.0.1"]}"#, r#"{"ip":"10.0.0.1"}"#));
}

#[test]
fn or_at_any_level_with_siblings_anded() {
    let p = r#"{"source":["s"],"$or":[{"detail":{"a":[1]}},{"detail":{"b":[{"prefix":"x"}]}}]}"#;
    assert!(matches(p, r#"{"source":"s","detail":{"b":"xy"}}"#));
    assert!(matches(p, r#"{"source":"s","detail":{"a":1}}"#));
    assert!(!matches(p, r#"{"source":"t","detail":{"a":1}}"#));
    let nested = r#"{"detail":{"$or":[{"c":[1]},{"$or":[{"d":[2]},{"e":[3]}]}]}}"#;
    assert!(matches(nested, r#"{"detail":{"e":3}}"#));
    assert!(!matches(nested, r#"{"detail":{"e":4}}"#));
    assert_eq!(pattern(nested).branches.len(), 3);
}

#[test]
fn duplicate_keys_keep_the_last() {
    assert!(matches(r#"{"a":["x"],"a":["y"]}"#, r#"{"a":"y"}"#));
    assert!(!matches(r#"{"a":["x"],"a":["y"]}"#, r#"{"a":"x"}"#));
}

#[test]
fn structural_errors_use_aws_reasons() {
    assert_eq!(reason(r#"["a"]"#), "Filter is not an object");
    assert_eq!(reason(r#""a""#), "Filter is not an object");
    assert_eq!(
        reason(r#"{"source":"aws.ec2"}"#),
        r#""source" must be an object or an array"#
    );
    assert_eq!(
        reason(r#"{"detail":{"x":5}}"#),
        r#""x" must be an object or an array"#
    );
    assert_eq!(reason(r#"{"detail":{}}"#), "Empty objects are not allowed");
    assert_eq!(reason(r#"{}"#), "Empty objects are not allowed");
    assert_eq!(reason(r#"{"a":[]}"#), "Empty arrays are not allowed");
    assert_eq!(
        reason(r#"{"a":[["b"]]}"#),
        "Match value must be String, number, true, false, or null"
    );
    assert_eq!(
        reason(r#"{"a":[{"NUMERIC":[">",1]}]}"#),
        "Unrecognized match type NUMERIC"
    );
    assert_eq!(
        reason(r#"{"a":[{"contains":"x"}]}"#),
        "Unrecognized match type contains"
    );
    assert_eq!(
        reason(r#"{"a":[{"EXISTS":true}]}"#),
        "Unrecognized match type EXISTS"
    );
    assert_eq!(
        reason(r#"{"a":[{"prefix":"a","suffix":"b"}]}"#),
        "Only one key allowed in match expression"
    );
    assert_eq!(reason(r#"{"a":[{}]}"#), "Match expression name not found");
    assert!(reason(r#"{"a":[x]}"#).starts_with("Unrecognized token 'x'"));
}

#[test]
fn string_operator_errors() {
    assert_eq!(
        reason(r#"{"a":[{"prefix":1}]}"#),
        "prefix match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"a":[{"suffix":null}]}"#),
        "suffix match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"a":[{"equals-ignore-case":1}]}"#),
        "equals-ignore-case match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"a":[{"wildcard":1}]}"#),
        "wildcard match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"a":[{"prefix":{"x":"a"}}]}"#),
        "Unsupported prefix pattern: x"
    );
    assert_eq!(
        reason(r#"{"a":[{"suffix":{"wildcard":"a"}}]}"#),
        "Unsupported suffix pattern: wildcard"
    );
    assert_eq!(
        reason(r#"{"a":[{"prefix":{"equals-ignore-case":5}}]}"#),
        "equals-ignore-case match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"a":[{"wildcard":"a**b"}]}"#),
        "Consecutive wildcard characters at pos 2"
    );
    assert_eq!(
        reason(r#"{"a":[{"wildcard":"a\\b"}]}"#),
        "Invalid escape character at pos 1"
    );
    assert_eq!(
        reason(r#"{"a":[{"wildcard":"*:*:*:*:*:event-bus/*"}]}"#),
        "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"
    );
}

#[test]
fn numeric_errors() {
    assert_eq!(
        reason(r#"{"a":[{"numeric":5}]}"#),
        "Value of numeric must be an array."
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":[]}]}"#),
        "Invalid member in numeric match: ]"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":[5,"<",6]}]}"#),
        "Invalid member in numeric match: 5"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":["!=",5]}]}"#),
        "Unrecognized numeric range operator: !="
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":["=","5"]}]}"#),
        "Value of equals must be numeric"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">=","5"]}]}"#),
        "Value of >= must be numeric"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">"]}]}"#),
        "Value of > must be numeric"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":["<","x"]}]}"#),
        "Value of < must be numeric"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":["<=",null]}]}"#),
        "Value of <= must be numeric"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">",0,">",5]}]}"#),
        "Bad numeric range operator: >"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">",0,"<","x"]}]}"#),
        "Bad value in numeric range: x"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":["<",5,">",0]}]}"#),
        "Too many elements in numeric expression"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":["=",5,6]}]}"#),
        "Too many elements in numeric expression"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">",0,"<",5,6]}]}"#),
        "Too many terms in numeric range expression"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">",5,"<",5]}]}"#),
        "Bottom must be less than top"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">",6,"<=",5]}]}"#),
        "Bottom must be less than top"
    );
    assert_eq!(
        reason(r#"{"a":[{"numeric":[">",3.0000000000000001]}]}"#),
        "Cannot compare number : 3.0000000000000001"
    );
}

#[test]
fn exists_and_anything_but_errors() {
    assert_eq!(
        reason(r#"{"a":[{"exists":"true"}]}"#),
        "exists match pattern must be either true or false."
    );
    let bad_value = "Value of anything-but must be an array or single string/number value.";
    assert_eq!(reason(r#"{"a":[{"anything-but":null}]}"#), bad_value);
    assert_eq!(reason(r#"{"a":[{"anything-but":true}]}"#), bad_value);
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"prefix":{"equals-ignore-case":"x"}}}]}"#),
        bad_value
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":["a",null]}]}"#),
        "Inside anything but list, start|null|boolean is not supported."
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":[{"prefix":"a"}]}]}"#),
        "Inside anything but list, start|null|boolean is not supported."
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":["a",1]}]}"#),
        "Inside anything but list, either all values are number or string, mixed type is not supported"
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"equals-ignore-case":["a",1]}}]}"#),
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{}}]}"#),
        "Anything-But expression name not found"
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"numeric":[">",1]}}]}"#),
        "Unsupported anything-but pattern: numeric"
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"prefix":""}}]}"#),
        "Null prefix/suffix not allowed"
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"suffix":""}}]}"#),
        "Null prefix/suffix not allowed"
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"prefix":5}}]}"#),
        "prefix/suffix match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"a":[{"anything-but":{"equals-ignore-case":5}}]}"#),
        "equals-ignore-case match pattern must be a string"
    );
}

#[test]
fn cidr_errors() {
    assert_eq!(
        reason(r#"{"a":[{"cidr":5}]}"#),
        "prefix match pattern must be a string"
    );
    assert_eq!(
        reason(r#"{"a":[{"cidr":"10.0.0.0"}]}"#),
        "Malformed CIDR, one '/' required"
    );
    assert_eq!(
        reason(r#"{"a":[{"cidr":"10.0.0.0/a"}]}"#),
        "Malformed CIDR, mask bits must be an integer"
    );
    assert_eq!(
        reason(r#"{"a":[{"cidr":"10.0.0.256/24"}]}"#),
        "Nonstandard IP address: 10.0.0.256"
    );
    assert_eq!(
        reason(r#"{"a":[{"cidr":"10.0.0.1/32"}]}"#),
        "IPv4 mask bits must be < 32"
    );
}

#[test]
fn or_errors() {
    assert_eq!(
        reason(r#"{"$or":{"a":[1]}}"#),
        "It must be an Array followed with $or."
    );
    assert_eq!(
        reason(r#"{"$or":[{"a":[1]},"b"]}"#),
        "Only JSON object is allowed in array of $or relationship."
    );
    assert_eq!(
        reason(r#"{"$or":[{"a":[1]}]}"#),
        "There must have at least 2 Objects in $or relationship."
    );
    assert_eq!(
        reason(r#"{"$or":[{"numeric":[1]},{"b":[2]}]}"#),
        "numeric is Ruler reserved fieldName which cannot be used inside $or."
    );
}

#[test]
fn limits_are_enforced() {
    let long = format!(r#"{{"a":["{}"]}}"#, "x".repeat(2100));
    assert!(reason(&long).contains("less than or equal to 2048"));
    let just_fits = format!(r#"{{"a":["{}"]}}"#, "x".repeat(2048 - 10));
    assert_eq!(just_fits.chars().count(), 2048);
    pattern(&just_fits);
    // 11 × 10 × 10 = 1100 combinations.
    let or = |n: usize, key: &str| {
        let branches: Vec<String> = (0..n).map(|i| format!(r#"{{"{key}":[{i}]}}"#)).collect();
        format!(r#"{{"$or":[{}]}}"#, branches.join(","))
    };
    let many = format!(
        r#"{{"x":{},"y":{},"z":{}}}"#,
        or(11, "a"),
        or(10, "b"),
        or(10, "c")
    );
    assert!(reason(&many).contains("more than 1000"));
    let ok = format!(
        r#"{{"x":{},"y":{},"z":{}}}"#,
        or(10, "a"),
        or(10, "b"),
        or(10, "c")
    );
    assert_eq!(pattern(&ok).branches.len(), 1000);
}

#[test]
fn errors_carry_a_position_and_the_aws_message() {
    let err = EventPattern::eventbridge("{\n  \"source\": \"x\"\n}").expect_err("invalid");
    assert_eq!((err.line, err.column), (Some(2), Some(13)));
    assert_eq!(
        err.aws_message(),
        "Event pattern is not valid. Reason: \"source\" must be an object or an array"
    );
    let sns = EventPattern::parse(r#"{"a":"x"}"#, Dialect::SnsAttributes).expect_err("invalid");
    assert_eq!(
        sns.aws_message(),
        "Invalid parameter: Attributes Reason: FilterPolicy: \"a\" must be an object or an array"
    );
}

/// EventBridge User Guide, "Content filtering" (anything-but), with event-ruler's
/// `JsonRuleCompiler` for the reasons AWS returns: an empty anything-but list, and a
/// number that numeric matching cannot compare exactly, are refused as `numeric` refuses
/// such numbers (`docs/semantics.md` §1.3).
#[test]
fn anything_but_refuses_an_empty_list_and_numbers_it_cannot_compare() {
    let reason = |p: &str| {
        EventPattern::parse(p, Dialect::EventBridge)
            .expect_err(p)
            .to_string()
    };
    assert!(reason(r#"{"a": [{"anything-but": []}]}"#).contains(
        "Reason: Inside anything but list, either all values are number or string, mixed type is not supported"
    ));
    assert!(
        reason(r#"{"a": [{"anything-but": [1, 3.0000000000000001]}]}"#)
            .contains("Reason: Cannot compare number : 3.0000000000000001")
    );
    assert!(reason(r#"{"a": [{"anything-but": 3.0000000000000001}]}"#)
        .contains("Reason: Cannot compare number : 3.0000000000000001"));
    // A number a double holds exactly is fine, as in numeric matching.
    assert!(EventPattern::parse(
        r#"{"a": [{"anything-but": [1, 2.5]}]}"#,
        Dialect::EventBridge
    )
    .is_ok());
}
