//! The schema registry: registries of schemas, each with its versions (and the date and
//! origin of each), a compatibility mode that every new version must keep, a validation
//! mode for publishing, and the upcasters between versions. It is plain data that the
//! app keeps in IndexedDB beside the events; this module decides, and stores nothing.

use super::compat::{check, diff, Change, Incompatibility, Mode};
use super::upcaster::Upcaster;
use super::validate::{validate, Violation};
use super::{Schema, SchemaError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// The registry discovery writes into, as EventBridge names it.
pub const DISCOVERED: &str = "discovered-schemas";

/// Where a version came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Discovered,
    Written,
    Imported,
}

impl Origin {
    pub fn name(self) -> &'static str {
        match self {
            Origin::Discovered => "discovered",
            Origin::Written => "written",
            Origin::Imported => "imported",
        }
    }
}

/// What publishing does with an event of a schema's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Validation {
    /// Not checked.
    #[default]
    Off,
    /// Checked; an event that does not fit is written, with a warning.
    Warn,
    /// Checked; an event that does not fit is refused before anything is written.
    Enforce,
}

impl Validation {
    pub const ALL: [Validation; 3] = [Validation::Off, Validation::Warn, Validation::Enforce];

    pub fn name(self) -> &'static str {
        match self {
            Validation::Off => "off",
            Validation::Warn => "warn",
            Validation::Enforce => "enforce",
        }
    }

    pub fn parse(name: &str) -> Option<Validation> {
        Validation::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// One version of a schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub version: u32,
    /// When it was registered (RFC 3339, from the caller's clock).
    pub created: String,
    pub origin: Origin,
    /// The schema, as JSON Schema Draft 4 without `$schema`.
    pub document: Value,
}

impl Version {
    pub fn schema(&self) -> Schema {
        Schema::from_json(&self.document).expect("a registered version was read when registered")
    }
}

/// A schema: an event type's versions and modes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Entry {
    #[serde(default)]
    pub compatibility: Mode,
    #[serde(default)]
    pub validation: Validation,
    pub versions: Vec<Version>,
    /// Upcasters by the version they read: `n` turns version n's events into n + 1's.
    #[serde(default)]
    pub upcasters: BTreeMap<u32, String>,
}

impl Entry {
    pub fn latest(&self) -> Option<&Version> {
        self.versions.last()
    }

    pub fn version(&self, n: u32) -> Option<&Version> {
        self.versions.get(n.checked_sub(1)? as usize)
    }

    /// The changes from version `from` to version `to`.
    pub fn diff(&self, from: u32, to: u32) -> Option<Vec<Change>> {
        Some(diff(
            &self.version(from)?.schema(),
            &self.version(to)?.schema(),
        ))
    }

    /// The version among all that `data` fits, newest first; `None` when none does.
    pub fn version_of(&self, data: &Value) -> Option<u32> {
        self.reader().version_of(data)
    }

    /// Turns `data`, written in version `from`, into the latest version through the
    /// upcasters in between; the versions it passed, or the first one missing or failing.
    pub fn upcast(&self, from: u32, data: &Value) -> Result<(Value, Vec<u32>), String> {
        self.reader().upcast(from, data)
    }

    /// Every version's schema and every upcaster read once, for reading many events.
    pub fn reader(&self) -> EntryReader {
        EntryReader {
            schemas: self.versions.iter().map(Version::schema).collect(),
            upcasters: self
                .upcasters
                .iter()
                .map(|(n, text)| (*n, Upcaster::parse(text).map_err(|e| e.to_string())))
                .collect(),
        }
    }
}

/// An [`Entry`] read once (see [`Entry::reader`]).
pub struct EntryReader {
    /// Version 1's first.
    schemas: Vec<Schema>,
    upcasters: BTreeMap<u32, Result<Upcaster, String>>,
}

impl EntryReader {
    /// The latest version's number (0 without versions).
    pub fn latest(&self) -> u32 {
        self.schemas.len() as u32
    }

    /// The newest version `data` fits.
    pub fn version_of(&self, data: &Value) -> Option<u32> {
        (1..=self.latest())
            .rev()
            .find(|v| validate(&self.schemas[*v as usize - 1], data).is_empty())
    }

    /// Whether `data` fits the latest version.
    pub fn fits_latest(&self, data: &Value) -> bool {
        self.schemas
            .last()
            .is_some_and(|s| validate(s, data).is_empty())
    }

    /// `data`, written in version `from`, through the upcasters to the latest version;
    /// the versions it passed, or the first one missing or failing.
    pub fn upcast(&self, from: u32, data: &Value) -> Result<(Value, Vec<u32>), String> {
        let mut data = data.clone();
        let mut passed = Vec::new();
        for n in from..self.latest() {
            let upcaster = self
                .upcasters
                .get(&n)
                .ok_or_else(|| format!("no upcaster from v{n} to v{}", n + 1))?
                .as_ref()
                .map_err(Clone::clone)?;
            data = upcaster
                .apply(&data)
                .map_err(|e| format!("v{n} → v{}: {e}", n + 1))?;
            passed.push(n + 1);
        }
        Ok((data, passed))
    }
}

/// Registries by name, each holding schemas by name (a CloudEvents type, or
/// `source@detail-type` for bus events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Registries {
    pub registries: BTreeMap<String, BTreeMap<String, Entry>>,
}

/// Why a version was not registered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegisterError {
    #[error("the schema cannot be read: {0}")]
    Unreadable(#[from] SchemaError),
    #[error("{}", incompatible_message(.name, *.mode, .incompatibilities))]
    Incompatible {
        name: String,
        mode: Mode,
        incompatibilities: Vec<Incompatibility>,
    },
    #[error("a registry name is letters, digits, '.', '-' and '_' ({0:?} is not)")]
    BadName(String),
    #[error("the upcaster cannot be kept: {0}")]
    Upcaster(String),
}

fn incompatible_message(name: &str, mode: Mode, list: &[Incompatibility]) -> String {
    let mut text = format!("{name}: the new version breaks {mode} compatibility");
    for inc in list {
        for b in &inc.breaks {
            text.push_str(&format!(
                "\n- {} against v{}: {b}",
                inc.direction, inc.version
            ));
        }
    }
    text
}

/// What registering did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    /// A new version with this number.
    New(u32),
    /// The latest version is already this schema; nothing changed.
    Same(u32),
}

/// An event that does not fit its type's schema at publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misfit {
    pub event_type: String,
    pub registry: String,
    pub version: u32,
    pub validation: Validation,
    pub violations: Vec<Violation>,
}

impl fmt::Display for Misfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list: Vec<String> = self.violations.iter().map(|v| v.to_string()).collect();
        write!(
            f,
            "{} does not fit schema {} v{} in {}: {}",
            self.event_type,
            self.event_type,
            self.version,
            self.registry,
            list.join("; ")
        )
    }
}

fn valid_registry_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

impl Registries {
    pub fn entry(&self, registry: &str, name: &str) -> Option<&Entry> {
        self.registries.get(registry)?.get(name)
    }

    pub fn entry_mut(&mut self, registry: &str, name: &str) -> Option<&mut Entry> {
        self.registries.get_mut(registry)?.get_mut(name)
    }

    /// Registers `document` as the next version of `name` in `registry`, creating both if
    /// new. Refused, with the reason per field, when it breaks the schema's compatibility
    /// mode; nothing changes then.
    pub fn register(
        &mut self,
        registry: &str,
        name: &str,
        document: &Value,
        origin: Origin,
        created: &str,
    ) -> Result<Registered, RegisterError> {
        if !valid_registry_name(registry) {
            return Err(RegisterError::BadName(registry.into()));
        }
        let schema = Schema::from_json(document)?;
        let canonical = schema.to_json();
        let entry = self
            .registries
            .get(registry)
            .and_then(|r| r.get(name))
            .cloned()
            .unwrap_or_default();
        if let Some(latest) = entry.latest() {
            if latest.document == canonical {
                return Ok(Registered::Same(latest.version));
            }
        }
        let earlier: Vec<Schema> = entry.versions.iter().map(Version::schema).collect();
        let incompatibilities = check(entry.compatibility, &earlier, &schema);
        if !incompatibilities.is_empty() {
            return Err(RegisterError::Incompatible {
                name: name.into(),
                mode: entry.compatibility,
                incompatibilities,
            });
        }
        Ok(self.push_version(registry, name, canonical, origin, created))
    }

    /// The schemas that check events at publish, read once for a batch: per event type,
    /// the latest version of the schema with the strictest validation mode (the first
    /// registry by name among equals).
    pub fn checker(&self) -> Checker {
        let mut by_type: BTreeMap<String, Check> = BTreeMap::new();
        for (registry, schemas) in &self.registries {
            for (name, entry) in schemas {
                let Some(latest) = entry.latest() else {
                    continue;
                };
                let stricter = by_type
                    .get(name)
                    .is_none_or(|c| rank(entry.validation) > rank(c.validation));
                if entry.validation != Validation::Off && stricter {
                    by_type.insert(
                        name.clone(),
                        Check {
                            registry: registry.clone(),
                            version: latest.version,
                            validation: entry.validation,
                            schema: latest.schema(),
                        },
                    );
                }
            }
        }
        Checker { by_type }
    }

    /// Registers a version that breaks the schema's BACKWARD promise but comes with an
    /// upcaster from the latest version, which readers on the new version read old
    /// events through. The upcaster must read, must have been tried on the stored events
    /// of the latest version without a failure (`failed`), and the version must keep
    /// every other promise of the mode (FORWARD's, which an upcaster cannot keep).
    #[allow(clippy::too_many_arguments)] // each is a separate fact the caller checked
    pub fn register_with_upcaster(
        &mut self,
        registry: &str,
        name: &str,
        document: &Value,
        origin: Origin,
        created: &str,
        upcaster: &str,
        failed: usize,
    ) -> Result<Registered, RegisterError> {
        let parsed =
            Upcaster::parse(upcaster).map_err(|e| RegisterError::Upcaster(e.to_string()))?;
        if parsed.ops.is_empty() {
            return Err(RegisterError::Upcaster("the upcaster has no steps".into()));
        }
        if failed > 0 {
            return Err(RegisterError::Upcaster(format!(
                "the upcaster failed on {failed} stored event(s); fix it so every old event fits the new version"
            )));
        }
        let entry = self.entry(registry, name).cloned().unwrap_or_default();
        let Some(from) = entry.latest().map(|v| v.version) else {
            return Err(RegisterError::Upcaster(
                "an upcaster needs an earlier version to read".into(),
            ));
        };
        let forward_only = match entry.compatibility {
            Mode::Full | Mode::Forward => Mode::Forward,
            Mode::FullTransitive | Mode::ForwardTransitive => Mode::ForwardTransitive,
            _ => Mode::None,
        };
        let schema = Schema::from_json(document)?;
        let earlier: Vec<Schema> = entry.versions.iter().map(Version::schema).collect();
        let incompatibilities = check(forward_only, &earlier, &schema);
        if !incompatibilities.is_empty() {
            return Err(RegisterError::Incompatible {
                name: name.into(),
                mode: entry.compatibility,
                incompatibilities,
            });
        }
        let registered = self.push_version(registry, name, schema.to_json(), origin, created);
        if let Some(slot) = self.entry_mut(registry, name) {
            slot.upcasters.insert(from, parsed.to_text());
        }
        Ok(registered)
    }

    /// Adds `canonical` as the next version of `name` in `registry`, creating both if
    /// new; the checks are the caller's.
    fn push_version(
        &mut self,
        registry: &str,
        name: &str,
        canonical: Value,
        origin: Origin,
        created: &str,
    ) -> Registered {
        let slot = self
            .registries
            .entry(registry.into())
            .or_default()
            .entry(name.into())
            .or_default();
        let version = slot.versions.len() as u32 + 1;
        slot.versions.push(Version {
            version,
            created: created.into(),
            origin,
            document: canonical,
        });
        Registered::New(version)
    }
}

/// One event type's check at publish.
#[derive(Debug, Clone, PartialEq)]
struct Check {
    registry: String,
    version: u32,
    validation: Validation,
    schema: Schema,
}

/// The checks at publish, with each schema read once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checker {
    by_type: BTreeMap<String, Check>,
}

impl Checker {
    /// Whether any event type is checked.
    pub fn is_empty(&self) -> bool {
        self.by_type.is_empty()
    }

    /// `None` when nothing checks `event_type` or the event fits the latest version;
    /// otherwise how it does not fit, and whether that refuses it
    /// ([`Validation::Enforce`]) or warns.
    pub fn check(&self, event_type: &str, data: Option<&Value>) -> Option<Misfit> {
        let c = self.by_type.get(event_type)?;
        let violations = validate(&c.schema, data.unwrap_or(&Value::Null));
        (!violations.is_empty()).then(|| Misfit {
            event_type: event_type.into(),
            registry: c.registry.clone(),
            version: c.version,
            validation: c.validation,
            violations,
        })
    }
}

fn rank(v: Validation) -> u8 {
    match v {
        Validation::Off => 0,
        Validation::Warn => 1,
        Validation::Enforce => 2,
    }
}
