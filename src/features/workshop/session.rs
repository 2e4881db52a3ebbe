//! The workshop session, kept in local storage: which preset (or imported scenario) and
//! style, the branches, and where the cursor was. The history itself is not stored: it is
//! re-derived, because the same scenario and seed always give the same history.
//!
//! Sessions also travel as files (scenario, seed, branches and the history, with a format
//! version) and as links (the session compressed into the URL fragment). Both are
//! validated before anything changes: a bad file or link leaves the current session as
//! it was and says what is wrong.

use base64::Engine as _;
use dojo_engine::domain::{upcast, StoredEvent};
use dojo_engine::services::{Edit, Outcome, Scenario, Style};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The name the session is saved under (in IndexedDB; older builds used localStorage).
pub const DOCUMENT: &str = "event-dojo.workshop";
/// Bumped when the stored shape changes; an older session is replaced, not misread.
pub const SESSION_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BranchSpec {
    pub name: String,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    pub preset: String,
    pub style: Style,
    pub ran: bool,
    pub position: u64,
    pub branches: Vec<BranchSpec>,
    pub compare_with: Option<Style>,
    /// An imported scenario, used instead of the preset.
    #[serde(default)]
    pub custom: Option<Scenario>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            version: SESSION_VERSION,
            preset: "quote-journey".into(),
            style: Style::EventCarriedState,
            ran: false,
            position: 0,
            branches: Vec::new(),
            compare_with: None,
            custom: None,
        }
    }
}

/// Whether a saved session can be used by this build (it is of this version).
pub fn usable(saved: Session) -> Option<Session> {
    (saved.version == SESSION_VERSION).then_some(saved)
}

/// What a session file says it is.
pub const FILE_FORMAT: &str = "event-dojo-session";
/// Largest session file or link accepted.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// The session as a file: the scenario, the seed, the branches, and the whole history.
pub fn export_json(session: &Session, scenario: &Scenario, outcome: Option<&Outcome>) -> String {
    let history: Vec<Value> = outcome
        .map(|o| {
            o.timeline
                .entries()
                .iter()
                .map(|e| json!({"position": e.position, "at_ms": e.at_ms, "event": e.event.to_stored()}))
                .collect()
        })
        .unwrap_or_default();
    let file = json!({
        "format": FILE_FORMAT,
        "version": SESSION_VERSION,
        "scenario": scenario,
        "seed": scenario.seed,
        "session": session,
        "history": history,
    });
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// What an import produced: the session to switch to, the file's history (to compare with
/// the re-derived one) and its length.
#[derive(Debug)]
pub struct Imported {
    pub session: Session,
    pub history: Vec<(u64, dojo_engine::domain::DomainEvent)>,
}

/// Reads a session file, checking its format and version first. Nothing changes on error.
pub fn import_json(text: &str) -> Result<Imported, String> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(format!(
            "The file is {} bytes; sessions are at most {} bytes.",
            text.len(),
            MAX_IMPORT_BYTES
        ));
    }
    let value: Value =
        dojo_engine::wording::parse(text).map_err(|e| format!("The file is not JSON. {e}"))?;
    if value.get("format").and_then(Value::as_str) != Some(FILE_FORMAT) {
        return Err(format!(
            "This is not an Event Dojo session file: it has no \"format\": \"{FILE_FORMAT}\"."
        ));
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(SESSION_VERSION) => {}
        Some(v) if v > u64::from(SESSION_VERSION) => {
            return Err(format!("This session was saved by a newer Event Dojo (format version {v}); this one reads version {SESSION_VERSION}. Update the app to open it."));
        }
        Some(v) => {
            return Err(format!(
            "Format version {v} is not supported; this Event Dojo reads version {SESSION_VERSION}."
        ))
        }
        None => return Err("The file has no format \"version\".".into()),
    }
    let scenario_text = value
        .get("scenario")
        .map(Value::to_string)
        .ok_or("The file has no \"scenario\".")?;
    let scenario = Scenario::from_json(&scenario_text)
        .map_err(|e| format!("The scenario is not valid at {}: {}", e.path, e.message))?;
    let mut session: Session = serde_json::from_value(
        value
            .get("session")
            .cloned()
            .ok_or("The file has no \"session\".")?,
    )
    .map_err(|e| format!("The session part is not valid: {e}."))?;
    session.version = SESSION_VERSION;
    session.style = scenario.style;
    session.custom = Some(scenario);
    session.ran = true;
    let mut history = Vec::new();
    for (i, entry) in value
        .get("history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let at = entry
            .get("at_ms")
            .and_then(Value::as_u64)
            .ok_or(format!("history[{i}] has no at_ms."))?;
        let stored: StoredEvent =
            serde_json::from_value(entry.get("event").cloned().unwrap_or(Value::Null))
                .map_err(|e| format!("history[{i}].event is not a stored event: {e}."))?;
        let event =
            upcast(&stored).map_err(|e| format!("history[{i}].event cannot be read: {e}."))?;
        history.push((at, event));
    }
    Ok(Imported { session, history })
}

/// The session compressed into a URL fragment (`session=...`): scenario, seed, style and
/// branches, not the history, which the link's reader re-derives.
pub fn to_fragment(session: &Session, scenario: &Scenario) -> String {
    let mut small = session.clone();
    small.custom = Some(scenario.clone());
    let text = serde_json::to_string(&json!({"version": SESSION_VERSION, "session": small}))
        .unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9);
    format!(
        "session={}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    )
}

/// Reads a fragment made by [`to_fragment`] (with or without the leading `#`).
pub fn from_fragment(fragment: &str) -> Result<Session, String> {
    let data = fragment
        .trim_start_matches('#')
        .strip_prefix("session=")
        .ok_or("The link holds no session.")?;
    let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|_| "The link is damaged: its session is not valid base64.".to_owned())?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_IMPORT_BYTES)
        .map_err(|_| "The link is damaged: its session does not decompress.".to_owned())?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("The link's session is not JSON: {e}."))?;
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(SESSION_VERSION) => {}
        Some(v) => return Err(format!("The link was made by an Event Dojo with session format {v}; this one reads {SESSION_VERSION}.")),
        None => return Err("The link's session has no version.".into()),
    }
    let mut session: Session = serde_json::from_value(value["session"].clone())
        .map_err(|e| format!("The link's session is not valid: {e}."))?;
    if let Some(s) = &session.custom {
        let text = serde_json::to_string(s).unwrap_or_default();
        Scenario::from_json(&text).map_err(|e| {
            format!(
                "The link's scenario is not valid at {}: {}",
                e.path, e.message
            )
        })?;
    }
    session.ran = true;
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dojo_engine::services::{presets, run};

    fn journey() -> Scenario {
        Scenario::from_json(presets()[0].1).expect("preset")
    }

    #[test]
    fn a_session_file_round_trips_with_its_history() {
        let scenario = journey();
        let outcome = run(&scenario, false);
        let session = Session {
            ran: true,
            position: 5,
            ..Session::default()
        };
        let text = export_json(&session, &scenario, Some(&outcome));
        let imported = import_json(&text).expect("imports");
        assert_eq!(imported.session.position, 5);
        assert_eq!(imported.session.custom.as_ref(), Some(&scenario));
        assert_eq!(imported.history.len(), outcome.timeline.len());
        assert_eq!(imported.history[0].1, outcome.timeline.entries()[0].event);
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        assert!(import_json("{")
            .expect_err("not json")
            .starts_with("The file is not JSON"));
        assert!(import_json("{}")
            .expect_err("no format")
            .contains("not an Event Dojo session file"));
        let newer = json!({"format": FILE_FORMAT, "version": 99}).to_string();
        assert!(import_json(&newer)
            .expect_err("newer")
            .contains("newer Event Dojo (format version 99)"));
        let bad_scenario = json!({"format": FILE_FORMAT, "version": 1, "scenario": {"style": "sideways", "seed": 1}, "session": {}}).to_string();
        assert!(import_json(&bad_scenario)
            .expect_err("bad scenario")
            .contains("The scenario is not valid at style"));
    }

    #[test]
    fn a_share_link_round_trips_and_damage_is_reported() {
        let scenario = journey();
        let session = Session {
            branches: vec![BranchSpec {
                name: "skip #1".into(),
                edits: vec![Edit::Skip { index: 1 }],
            }],
            ..Session::default()
        };
        let fragment = to_fragment(&session, &scenario);
        assert!(
            fragment.len() < 2000,
            "compressed ({} chars)",
            fragment.len()
        );
        let back = from_fragment(&format!("#{fragment}")).expect("reads");
        assert_eq!(back.branches, session.branches);
        assert_eq!(back.custom, Some(scenario));
        assert!(from_fragment("#session=@@@")
            .expect_err("damaged")
            .contains("not valid base64"));
        assert!(from_fragment("#other=1").is_err());
    }
}
