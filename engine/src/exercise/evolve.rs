//! Schema exercises: the learner's new version of an event type's schema and its
//! upcaster, judged as the registry would judge them. The current version is what
//! discovery writes from the insurance workload (2,000 events from the exercise's seed),
//! so it always describes the history; the stored events are the first `history`
//! events' of the type, as the event store keeps them (with their `schema_version`).

use super::{Design, EvolveSetup, Exercise};
use crate::discovery::Inferred;
use crate::domain::DomainEvent;
use crate::schemas::compat::{check, Incompatibility};
use crate::schemas::registry::{Origin, Registries};
use crate::schemas::upcaster::Upcaster;
use crate::schemas::validate::validate;
use crate::schemas::{JsonType, Schema};
use serde_json::{json, Value};

/// Events of the workload the current version is discovered from.
const DISCOVER_FROM: usize = 2_000;

/// The data of the `event_type` events in `history`, as the event store keeps it.
fn stored_data(event_type: &str, history: &[(u64, DomainEvent)]) -> Vec<Value> {
    history
        .iter()
        .filter(|(_, e)| e.type_name() == event_type)
        .map(|(_, e)| e.to_new_event("", "").data.unwrap_or(Value::Null))
        .collect()
}

/// What discovery writes from `events`.
fn discovered(events: &[Value]) -> Schema {
    let mut inferred = Inferred::default();
    for data in events {
        inferred.add(data);
    }
    Schema::from_json(&inferred.to_schema()).expect("discovery writes the registry's dialect")
}

/// The current version of `setup`'s event type: discovered from the workload.
pub fn current_schema(setup: &EvolveSetup, seed: u64) -> Schema {
    let history = crate::workload::insurance_history(DISCOVER_FROM, seed);
    discovered(&stored_data(&setup.event_type, &history))
}

/// How one stored event fares.
enum Fate {
    /// It fits the new version as it is.
    Fits,
    /// The upcaster turns it into one that fits.
    Upcast,
    /// Neither: why.
    Lost(String),
}

/// A learner's evolution, judged.
pub struct EvolveRun {
    setup: EvolveSetup,
    current: Schema,
    new: Schema,
    upcaster: Upcaster,
    breaks: Vec<Incompatibility>,
    fates: Vec<Fate>,
}

/// Reads the design's new version and upcaster, and tries every stored event.
pub fn run(ex: &Exercise, design: &Design) -> Result<EvolveRun, String> {
    let setup = ex
        .evolve
        .clone()
        .ok_or("a schema exercise names its event type in [evolve]")?;
    let evolution = design
        .evolution
        .as_ref()
        .ok_or("the design needs an evolution: a schema and an upcaster")?;
    let new = Schema::from_json(&evolution.schema)
        .map_err(|e| format!("`evolution.schema` is not a schema the registry holds: {e}"))?;
    let upcaster = Upcaster::parse(&evolution.upcaster.join("\n"))
        .map_err(|e| format!("`evolution.upcaster`, step {}: {}", e.line, e.message))?;
    // One workload for both: the current version is discovered from its first 2,000
    // events, and the stored events are its first `history`.
    let history = crate::workload::insurance_history(DISCOVER_FROM.max(setup.history), ex.seed);
    let current = discovered(&stored_data(
        &setup.event_type,
        &history[..DISCOVER_FROM.min(history.len())],
    ));
    let breaks = check(setup.mode, std::slice::from_ref(&current), &new);
    let fates = stored_data(
        &setup.event_type,
        &history[..setup.history.min(history.len())],
    )
    .iter()
    .map(|data| {
        if validate(&new, data).is_empty() {
            return Fate::Fits;
        }
        if upcaster.ops.is_empty() {
            let why = validate(&new, data)
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            return Fate::Lost(why);
        }
        match upcaster.apply(data) {
            Ok(v) => match validate(&new, &v).first() {
                None => Fate::Upcast,
                Some(first) => Fate::Lost(format!("after the upcaster, {first}")),
            },
            Err(e) => Fate::Lost(e.to_string()),
        }
    })
    .collect();
    Ok(EvolveRun {
        setup,
        current,
        new,
        upcaster,
        breaks,
        fates,
    })
}

impl EvolveRun {
    fn count(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for f in &self.fates {
            match f {
                Fate::Fits => c.0 += 1,
                Fate::Upcast => c.1 += 1,
                Fate::Lost(_) => c.2 += 1,
            }
        }
        c
    }

    /// The run's figures, as the exercise page shows them.
    pub fn metrics(&self) -> Value {
        let (fits, upcast, lost) = self.count();
        json!({
            "event_type": self.setup.event_type,
            "mode": self.setup.mode.name(),
            "stored_events": self.fates.len(),
            "fit_as_they_are": fits,
            "fit_through_the_upcaster": upcast,
            "lost": lost,
            "changes": crate::schemas::compat::diff(&self.current, &self.new)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        })
    }

    /// What happened: the changes, the breaks, and the first lost events, each as the
    /// place (`schema`, `registry`, `history`) and what.
    pub fn log(&self) -> Vec<(String, String)> {
        let line = |place: &str, what: String| (place.to_owned(), what);
        let mut out: Vec<_> = crate::schemas::compat::diff(&self.current, &self.new)
            .iter()
            .map(|c| line("schema", c.to_string()))
            .collect();
        out.extend(self.breaks.iter().flat_map(|inc| {
            inc.breaks.iter().map(move |b| {
                line(
                    "registry",
                    format!("{} against v{}: {b}", inc.direction, inc.version),
                )
            })
        }));
        out.extend(
            self.fates
                .iter()
                .enumerate()
                .filter_map(|(i, f)| match f {
                    Fate::Lost(why) => Some(line(
                        "history",
                        format!("stored {} #{} is lost: {why}", self.setup.event_type, i + 1),
                    )),
                    _ => None,
                })
                .take(20),
        );
        out
    }

    fn breaks_text(&self) -> String {
        let all: Vec<String> = self
            .breaks
            .iter()
            .flat_map(|inc| inc.breaks.iter().map(ToString::to_string))
            .collect();
        all.join("; ")
    }
}

impl EvolveRun {
    /// `compatible`: the new version keeps the mode with no upcaster.
    pub fn compatible(&self) -> (bool, String) {
        let mode = self.setup.mode;
        if self.breaks.is_empty() {
            (true, format!("v2 keeps {mode}: {}", mode.promise()))
        } else {
            (
                false,
                format!("v2 breaks {mode}: {}. Old events cannot be read by consumers on v2 as they are.", self.breaks_text()),
            )
        }
    }

    /// `registers`: the registry accepts the new version, with the upcaster if needed.
    pub fn registers(&self) -> (bool, String) {
        let mode = self.setup.mode;
        if self.fates.is_empty() && !self.breaks.is_empty() {
            return (
                false,
                format!("v2 breaks {mode}, and there is no stored event to try an upcaster on."),
            );
        }
        let mut registries = Registries::default();
        let name = &self.setup.event_type;
        let at = "2026-01-01T00:00:00Z";
        registries
            .register(
                "exercise",
                name,
                &self.current.to_json(),
                Origin::Discovered,
                at,
            )
            .expect("the current version registers into an empty registry");
        if let Some(e) = registries.entry_mut("exercise", name) {
            e.compatibility = mode;
        }
        let doc = self.new.to_json();
        let lost = self.count().2;
        let accepted = if self.breaks.is_empty() {
            registries.register("exercise", name, &doc, Origin::Written, at)
        } else if self.upcaster.ops.is_empty() {
            return (
                false,
                format!("The registry refuses v2: it breaks {mode} ({}), and no upcaster carries old events across.", self.breaks_text()),
            );
        } else {
            registries.register_with_upcaster(
                "exercise",
                name,
                &doc,
                Origin::Written,
                at,
                &self.upcaster.to_text(),
                lost,
            )
        };
        match accepted {
            Ok(_) if self.breaks.is_empty() => (true, format!("Registered as v2: it keeps {mode}.")),
            Ok(_) => (
                true,
                format!("Registered as v2 with the upcaster: every one of the {} stored events reaches v2.", self.fates.len()),
            ),
            Err(e) => (false, format!("The registry refuses v2: {e}")),
        }
    }

    /// `field`: the new version has the field (of the type, required or not), or, when
    /// `absent`, has not.
    pub fn field(
        &self,
        path: &str,
        of: Option<&str>,
        required: Option<bool>,
        absent: bool,
    ) -> (bool, String) {
        let (parent, name) = crate::schemas::split_path(path);
        let field = self.new.at(path);
        if absent {
            return match field {
                None => (true, format!("v2 has no `{path}`.")),
                Some(_) => (false, format!("v2 still has `{path}`.")),
            };
        }
        let Some(field) = field else {
            return (false, format!("v2 has no field `{path}`."));
        };
        if let Some(t) = of.and_then(JsonType::parse) {
            if field.types.as_deref() != Some(&[t]) {
                let found = field.types.as_ref().map_or("any type".to_owned(), |l| {
                    l.iter().map(|t| t.name()).collect::<Vec<_>>().join(" or ")
                });
                return (false, format!("`{path}` is {found}, not {t}."));
            }
        }
        let is_required = self.new.at(parent).is_some_and(|p| p.is_required(name));
        match required {
            Some(true) if !is_required => (
                false,
                format!("`{path}` is optional; it should be required."),
            ),
            Some(false) if is_required => (
                false,
                format!(
                    "`{path}` is required; it should be optional, since old events do not have it."
                ),
            ),
            _ => (
                true,
                format!(
                    "v2 has `{path}` ({}).",
                    if is_required { "required" } else { "optional" }
                ),
            ),
        }
    }

    /// `history_readable`: every stored event reads as the new version.
    pub fn history_readable(&self) -> (bool, String) {
        let (fits, upcast, lost) = self.count();
        let total = self.fates.len();
        let name = &self.setup.event_type;
        if total == 0 {
            return (false, format!("There is no stored {name} to read."));
        }
        if lost == 0 {
            return (
                true,
                format!("All {total} stored {name} events read as v2: {fits} as they are, {upcast} through the upcaster."),
            );
        }
        let first = self
            .fates
            .iter()
            .find_map(|f| match f {
                Fate::Lost(why) => Some(why.clone()),
                _ => None,
            })
            .unwrap_or_default();
        (
            false,
            format!("{lost} of {total} stored {name} events cannot be read as v2 (the first: {first}). Make the change compatible, or write an upcaster."),
        )
    }
}
