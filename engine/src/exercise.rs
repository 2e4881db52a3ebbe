//! Guided exercises as data: TOML files with Markdown text, each a starting design, a
//! reference solution, goal checks, narration beats, three graded hints and a golf par.
//!
//! Three kinds. A `channels` exercise runs a fixed workload (the simulation script steps
//! of `dojo sim run`) against the learner's design: a topology plus any steps the
//! learner adds (a receive, an MQTT subscription). A `system` exercise runs the learner's
//! scenario of the insurance services (style, inputs, poll interval, the sync-vs-async
//! experiment). A `schema` exercise takes the learner's new version of an event type's
//! schema and its upcaster, against the type's stored history ([`evolve`]). Goals are
//! checked by [`check::check`] over the trace, the read models, the metrics or the
//! registry's verdicts; each failing goal says what failed and why.
//!
//! A file holds one exercise, or a pack: `[[exercise]]` tables. Parsing reports the
//! exercise and the field at fault ([`ExerciseError`]).

pub mod check;
pub mod evolve;
pub mod quiz;

use crate::services::Scenario;
use crate::sim::script::Step;
use crate::topology::Topology;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The exercises shipped with the app, as (file name, TOML text).
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "01-events-and-commands.toml",
        include_str!("../../exercises/01-events-and-commands.toml"),
    ),
    (
        "02-event-storming.toml",
        include_str!("../../exercises/02-event-storming.toml"),
    ),
    (
        "03-notification-hotspot.toml",
        include_str!("../../exercises/03-notification-hotspot.toml"),
    ),
    (
        "04-carried-state.toml",
        include_str!("../../exercises/04-carried-state.toml"),
    ),
    (
        "05-event-sourcing.toml",
        include_str!("../../exercises/05-event-sourcing.toml"),
    ),
    ("06-cqrs.toml", include_str!("../../exercises/06-cqrs.toml")),
    (
        "07-sync-vs-async.toml",
        include_str!("../../exercises/07-sync-vs-async.toml"),
    ),
    (
        "08-dead-letter-queue.toml",
        include_str!("../../exercises/08-dead-letter-queue.toml"),
    ),
    ("09-fifo.toml", include_str!("../../exercises/09-fifo.toml")),
    (
        "10-fan-out-filter.toml",
        include_str!("../../exercises/10-fan-out-filter.toml"),
    ),
    (
        "11-rule-transformer.toml",
        include_str!("../../exercises/11-rule-transformer.toml"),
    ),
    (
        "12-archive-replay.toml",
        include_str!("../../exercises/12-archive-replay.toml"),
    ),
    ("13-mqtt.toml", include_str!("../../exercises/13-mqtt.toml")),
    (
        "14-iot-retained.toml",
        include_str!("../../exercises/14-iot-retained.toml"),
    ),
    (
        "15-capstone.toml",
        include_str!("../../exercises/15-capstone.toml"),
    ),
    (
        "16-evolve-compatibly.toml",
        include_str!("../../exercises/16-evolve-compatibly.toml"),
    ),
    (
        "17-upcast-a-breaking-change.toml",
        include_str!("../../exercises/17-upcast-a-breaking-change.toml"),
    ),
    (
        "18-brief-quote-flow.toml",
        include_str!("../../exercises/18-brief-quote-flow.toml"),
    ),
    (
        "19-brief-claims-in-order.toml",
        include_str!("../../exercises/19-brief-claims-in-order.toml"),
    ),
    (
        "20-brief-policy-history.toml",
        include_str!("../../exercises/20-brief-policy-history.toml"),
    ),
];

/// Each shipped exercise's id and title, in curriculum order, without parsing
/// [`SHIPPED`]: what the app's start page needs, so that its first download carries
/// neither the exercise texts nor the TOML reader. A test keeps it equal to them.
pub const SHIPPED_INDEX: &[(&str, &str)] = &[
    (
        "events-and-commands",
        "Events are facts, commands can be refused",
    ),
    ("event-storming", "Event storming the insurance domain"),
    (
        "notification-hotspot",
        "The callback hotspot of event notification",
    ),
    ("carried-state", "Replicas and their staleness window"),
    ("event-sourcing", "State is a replay of the log"),
    ("cqrs", "A read model for the dashboard"),
    ("sync-vs-async", "A queue absorbs the spike"),
    (
        "dead-letter-queue",
        "A poison message and its dead-letter queue",
    ),
    ("fifo", "Payments in order, exactly once"),
    ("fan-out-filter", "One topic, filtered subscriptions"),
    ("rule-transformer", "Big quotes, reshaped for Comms"),
    ("archive-replay", "Archive the quotes, replay them to audit"),
    ("mqtt-topics", "A dashboard that hears only the north"),
    ("iot-retained", "Last known state on AWS IoT Core"),
    ("capstone", "Capstone: the insurance flow"),
    ("evolve-compatibly", "Add a field without breaking anyone"),
    (
        "upcast-a-breaking-change",
        "Rescue a breaking change with an upcaster",
    ),
    (
        "brief-quote-flow",
        "Brief: quotes to underwriting, audit and a dashboard",
    ),
    (
        "brief-claims-in-order",
        "Brief: claims in order, past a poison claim",
    ),
    (
        "brief-policy-history",
        "Brief: a policy history that rebuilds its read models",
    ),
];

/// Every shipped exercise, in curriculum order (parsed once, then cloned).
pub fn shipped() -> Vec<Exercise> {
    static PARSED: std::sync::OnceLock<Vec<Exercise>> = std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| {
            SHIPPED
                .iter()
                .flat_map(|(name, text)| {
                    parse_pack(text, name)
                        .unwrap_or_else(|e| panic!("shipped exercise {name}: {e}"))
                })
                .collect()
        })
        .clone()
}

/// What the learner works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A topology (and added steps) against a fixed workload.
    Channels,
    /// A scenario of the insurance services.
    System,
    /// A new version of an event type's schema, and its upcaster.
    Schema,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Channels => "channels",
            Kind::System => "system",
            Kind::Schema => "schema",
        }
    }
}

/// One idea of the narration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beat {
    /// Markdown.
    pub text: String,
    /// Continue only after this has happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Wait>,
}

/// What a beat waits for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wait {
    /// The learner applies a design.
    Apply,
    /// The learner's run contains a trace entry of this kind (`moved_to_dlq`, ...).
    Trace(String),
}

/// A design: a topology and added steps (channels), a scenario (system), or a schema
/// evolution (schema).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Design {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<Topology>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Scenario>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evolution: Option<Evolution>,
}

/// A schema exercise's design: the event type's next version and how old events reach it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Evolution {
    /// The new version, as JSON Schema Draft 4 (type, properties, required,
    /// additionalProperties, items, enum, format).
    pub schema: serde_json::Value,
    /// The upcaster from the current version, one step per entry: `rename A to B`,
    /// `remove A`, `default A = JSON`, `set A = JSON`, `retype A to TYPE`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upcaster: Vec<String>,
}

/// A schema exercise's setting: the event type evolved, the mode its registry keeps,
/// and how many events of the insurance workload (from the exercise's seed) are stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvolveSetup {
    pub event_type: String,
    #[serde(default)]
    pub mode: crate::schemas::compat::Mode,
    pub history: usize,
}

impl Design {
    /// Parses a design the learner typed as JSON; errors name the JSON path.
    /// Errors are sentences for the learner (`wording`): where, what is allowed there,
    /// and the closest valid name.
    pub fn from_json(text: &str) -> Result<Design, String> {
        let d: Design = crate::wording::parse(text)?;
        if let Some(t) = &d.topology {
            t.validate()
                .map_err(|e| format!("`topology.{}`: {}", e.path, e.message))?;
        }
        Ok(d)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("designs are plain data")
    }

    /// The design as JSON without the settings left at their defaults, as its author
    /// would write it: what the visual editors put in the JSON view.
    pub fn to_compact_json(&self) -> String {
        serde_json::to_string_pretty(&crate::compact::without_defaults(self))
            .expect("designs are plain data")
    }

    /// The golf score: rules, subscriptions and handlers plus added steps (channels),
    /// inputs (system), or upcaster steps (schema). Fewer is better.
    pub fn golf(&self) -> u32 {
        let t = self.topology.as_ref().map_or(0, |t| {
            t.rules.len() + t.subscriptions.len() + t.handlers.len()
        });
        let s = self.scenario.as_ref().map_or(0, |s| s.inputs.len());
        let e = self.evolution.as_ref().map_or(0, |e| e.upcaster.len());
        (t + self.steps.len() + s + e) as u32
    }
}

/// One exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    pub id: String,
    pub title: String,
    /// The curriculum item; the level map groups by it.
    pub concept: String,
    /// 100, 200 or 300.
    pub level: u16,
    pub kind: Kind,
    /// The golf par: the reference solution's score.
    pub par: u32,
    pub beats: Vec<Beat>,
    /// Concept, then where to look, then what to do.
    pub hints: Vec<String>,
    #[serde(default = "seed")]
    pub seed: u64,
    /// Channels: the steps every design is run against.
    #[serde(default)]
    pub workload: Vec<Step>,
    /// Channels: the MQTT broker the exercise runs on, whatever the design says
    /// (`aws_iot_core` for an exercise about AWS IoT Core's differences).
    #[serde(default)]
    pub mqtt_profile: Option<crate::topology::MqttProfile>,
    /// Channels: how long the run goes on after the last step (default five minutes),
    /// long enough for timeouts and retries, short of retention.
    #[serde(default = "five_minutes")]
    pub run_for_ms: u64,
    pub start: Design,
    pub solution: Design,
    pub goals: Vec<check::Goal>,
    /// Schema: the event type, its mode and its stored history.
    #[serde(default)]
    pub evolve: Option<EvolveSetup>,
    /// The capstone's review checklist: trade-offs the learner answers in words.
    #[serde(default)]
    pub review: Vec<String>,
    /// An open brief's other designs: each meets every requirement in its own way, as a
    /// second team's might. A brief is judged by its requirements, never by one intended
    /// topology, and [`prove`] checks each of these as it checks the solution.
    #[serde(default)]
    pub alternatives: Vec<Design>,
    /// The start and the solution as the editor shows them: pretty JSON in AWS's names,
    /// without the settings left at their defaults (`Design::to_compact_json`).
    #[serde(skip)]
    pub start_text: String,
    #[serde(skip)]
    pub solution_text: String,
}

impl Exercise {
    /// What golf and par mean for this exercise, in words a learner reads beside the par.
    pub fn golf_explained(&self) -> String {
        let (counted, free) = match self.kind {
            Kind::Channels => (
                "the rules, subscriptions and handlers in your design and the steps you add",
                "queues, topics and settings cost nothing",
            ),
            Kind::System => (
                "the inputs in your scenario",
                "the scenario's style and other settings cost nothing",
            ),
            Kind::Schema => (
                "the steps of your upcaster",
                "the new version itself costs nothing",
            ),
        };
        let par = match self.par {
            0 => format!("Par 0: the model answer needs none of them; {free}."),
            1 => format!("Par 1: the model answer needs one; {free}."),
            n => format!("Par {n}: the model answer needs {n}; {free}."),
        };
        format!("Golf counts {counted}, and fewer is better. {par}")
    }
}

fn seed() -> u64 {
    1
}

fn five_minutes() -> u64 {
    300_000
}

/// A problem in an exercise file: which exercise, which field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: exercise {exercise}, {field}: {message}")]
pub struct ExerciseError {
    pub file: String,
    /// The exercise's id, or its place in the file when the id is unreadable.
    pub exercise: String,
    pub field: String,
    pub message: String,
}

/// Parses a file of one exercise or a pack (`[[exercise]]` tables) and validates each.
pub fn parse_pack(text: &str, file: &str) -> Result<Vec<Exercise>, ExerciseError> {
    let fail = |exercise: String, field: &str, message: String| ExerciseError {
        file: file.to_owned(),
        exercise,
        field: field.to_owned(),
        message,
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        // Where, as a line and column, and what the TOML reader expected there.
        let at = e.span().map_or(String::new(), |span| {
            let (line, column) = crate::json::line_column(text, span.start);
            format!(" at line {line}, column {column}")
        });
        fail(
            "?".into(),
            "(file)",
            format!("not valid TOML{at}: {}", e.message().trim()),
        )
    })?;
    let value =
        serde_json::to_value(&table).map_err(|e| fail("?".into(), "(file)", e.to_string()))?;
    let items: Vec<serde_json::Value> = match value.get("exercise") {
        Some(serde_json::Value::Array(list)) if value.as_object().is_some_and(|m| m.len() == 1) => {
            list.clone()
        }
        Some(_) => {
            return Err(fail(
                "?".into(),
                "exercise",
                "a pack is a list of [[exercise]] tables and nothing else".into(),
            ))
        }
        None => vec![value],
    };
    let mut out: Vec<Exercise> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let name = item["id"]
            .as_str()
            .map_or(format!("#{}", i + 1), str::to_owned);
        let mut ex: Exercise = crate::shape::from_value(&item).map_err(|e| {
            fail(
                name.clone(),
                &e.path,
                crate::wording::shape_of("an exercise", "the exercise", &e.path, &e.message),
            )
        })?;
        // Shown in AWS's names whatever names the file uses, without the defaults.
        ex.start_text = ex.start.to_compact_json();
        ex.solution_text = ex.solution.to_compact_json();
        if out.iter().any(|x| x.id == ex.id) {
            return Err(fail(
                name,
                "id",
                "another exercise in this pack has the same id".into(),
            ));
        }
        validate(&ex).map_err(|(field, message)| fail(name.clone(), &field, message))?;
        out.push(ex);
    }
    Ok(out)
}

/// Checks what serde cannot: levels, hints, beats, the designs' kinds, and goals that
/// name things the designs must have.
fn validate(ex: &Exercise) -> Result<(), (String, String)> {
    let bad = |field: &str, message: &str| Err((field.to_owned(), message.to_owned()));
    if ex.id.is_empty()
        || !ex
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return bad("id", "use lower-case letters, digits and '-' only");
    }
    if ![100, 200, 300].contains(&ex.level) {
        return bad("level", "must be 100, 200 or 300");
    }
    if ex.title.trim().is_empty() || ex.concept.trim().is_empty() {
        return bad("title", "the title and the concept must not be empty");
    }
    if ex.beats.is_empty() || ex.beats.iter().any(|b| b.text.trim().is_empty()) {
        return bad("beats", "give at least one beat, each with text");
    }
    if ex.hints.len() != 3 || ex.hints.iter().any(|h| h.trim().is_empty()) {
        return bad(
            "hints",
            "give exactly three hints: the concept, where to look, what to do",
        );
    }
    if ex.goals.is_empty() {
        return bad("goals", "give at least one goal");
    }
    let designs = [
        ("start".to_owned(), &ex.start),
        ("solution".to_owned(), &ex.solution),
    ]
    .into_iter()
    .chain(
        ex.alternatives
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("alternatives[{i}]"), d)),
    );
    for (field, design) in designs {
        let field = field.as_str();
        match ex.kind {
            Kind::Channels => {
                let Some(t) = &design.topology else {
                    return bad(field, "a channels exercise's design needs a topology");
                };
                if design.scenario.is_some() {
                    return bad(field, "a channels exercise's design has no scenario");
                }
                if let Err(e) = t.validate() {
                    return Err((format!("{field}.topology.{}", e.path), e.message));
                }
            }
            Kind::System => {
                if design.scenario.is_none()
                    || design.topology.is_some()
                    || !design.steps.is_empty()
                    || design.evolution.is_some()
                {
                    return bad(
                        field,
                        "a system exercise's design is a scenario and nothing else",
                    );
                }
            }
            Kind::Schema => {
                if design.evolution.is_none()
                    || design.topology.is_some()
                    || design.scenario.is_some()
                    || !design.steps.is_empty()
                {
                    return bad(
                        field,
                        "a schema exercise's design is an evolution (a schema and an upcaster) and nothing else",
                    );
                }
            }
        }
    }
    if (ex.kind == Kind::Schema) != ex.evolve.is_some() {
        return bad(
            "evolve",
            "a schema exercise, and only one, names the event type it evolves: [evolve] with event_type, mode and history",
        );
    }
    if ex.kind == Kind::System && !ex.workload.is_empty() {
        return bad(
            "workload",
            "a system exercise's workload is its scenario's inputs",
        );
    }
    for (i, g) in ex.goals.iter().enumerate() {
        if g.kind() != ex.kind {
            return Err((
                format!("goals[{i}]"),
                format!(
                    "this goal checks a {} exercise, and this is a {} one",
                    g.kind().name(),
                    ex.kind.name()
                ),
            ));
        }
        if let Err(message) = g.validate() {
            return Err((format!("goals[{i}]"), message));
        }
    }
    for (i, alt) in ex.alternatives.iter().enumerate() {
        if alt.topology == ex.solution.topology && alt.scenario == ex.solution.scenario {
            return Err((
                format!("alternatives[{i}]"),
                "an alternative design must differ from the solution".into(),
            ));
        }
    }
    if ex.par != ex.solution.golf() {
        return Err((
            "par".into(),
            format!(
                "the reference solution scores {}, so par must be {}",
                ex.solution.golf(),
                ex.solution.golf()
            ),
        ));
    }
    Ok(())
}

/// What `dojo exercise check` proves of a pack: each start fails and each solution passes.
pub fn prove(ex: &Exercise) -> Result<(), String> {
    let start = check::check(ex, &ex.start);
    if start.solved {
        return Err(format!(
            "{}: the starting design already passes every goal",
            ex.id
        ));
    }
    let solution = check::check(ex, &ex.solution);
    if let Some(e) = &solution.error {
        return Err(format!(
            "{}: the reference solution does not run: {e}",
            ex.id
        ));
    }
    if let Some(r) = solution.results.iter().find(|r| !r.passed) {
        return Err(format!(
            "{}: the reference solution fails \"{}\": {}",
            ex.id, r.goal, r.detail
        ));
    }
    for (i, alt) in ex.alternatives.iter().enumerate() {
        let r = check::check(ex, alt);
        if let Some(e) = &r.error {
            return Err(format!(
                "{}: alternative design {} does not run: {e}",
                ex.id,
                i + 1
            ));
        }
        if let Some(r) = r.results.iter().find(|r| !r.passed) {
            return Err(format!(
                "{}: alternative design {} fails \"{}\": {}",
                ex.id,
                i + 1,
                r.goal,
                r.detail
            ));
        }
    }
    // A goal must be earned by traffic: the solution with nothing sent through it (no
    // workload, no added steps, no inputs, no stored history) must fail every goal about
    // what happened. Only goals on the design's own shape (`at_most`, a schema's fields
    // and compatibility) hold whatever the traffic.
    let (quiet_ex, quiet_design) = without_traffic(ex);
    let quiet = check::check(&quiet_ex, &quiet_design);
    for (goal, result) in ex.goals.iter().zip(&quiet.results) {
        if result.passed && !goal.about_shape() {
            return Err(format!(
                "{}: the goal \"{}\" passes even when no traffic runs through the design ({}); a goal must be met by what happens, not by nothing happening",
                ex.id, result.goal, result.detail
            ));
        }
    }
    Ok(())
}

/// The exercise and its solution with nothing sent: no workload, no added steps, no
/// scenario inputs, no generated workload, no decoupling experiment and no stored
/// history.
fn without_traffic(ex: &Exercise) -> (Exercise, Design) {
    let mut quiet = ex.clone();
    quiet.workload.clear();
    if let Some(setup) = &mut quiet.evolve {
        setup.history = 0;
    }
    let mut design = ex.solution.clone();
    design.steps.clear();
    if let Some(s) = &mut design.scenario {
        s.inputs.clear();
        s.workload = None;
        s.decoupling = None;
    }
    (quiet, design)
}

/// The JSON Schema of a design (a topology and steps, or a scenario), from the types
/// that read designs: what `dojo schema` writes to `docs/design.schema.json`, which
/// [`crate::schema`] reads.
#[cfg(feature = "schema")]
pub fn design_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Design);
    let mut v = serde_json::to_value(&schema).expect("a schema is JSON");
    if let Some(m) = v.as_object_mut() {
        m.insert("title".into(), "An Event Dojo design".into());
        m.insert(
            "description".into(),
            "A design as the exercises, the lab and the workshop read it: a topology in the names of the AWS resources it stands for (CloudFormation's property names) with the steps a learner adds, or a scenario of the insurance services. Older designs' snake_case names are also read, as aliases. Generated by `dojo schema` from the engine's types; see docs/sim-format.md.".into(),
        );
    }
    v
}

#[cfg(all(test, feature = "schema"))]
#[test]
fn the_published_schema_is_the_one_the_types_give() {
    let now = serde_json::to_string_pretty(&design_schema()).expect("json") + "\n";
    assert!(
        now == crate::schema::TEXT,
        "docs/design.schema.json is out of date: run `cargo run -p dojo-cli -- schema > docs/design.schema.json`"
    );
}
