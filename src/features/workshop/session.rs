//! The workshop session, kept in local storage: which preset and style, the branches, and
//! where the cursor was. The history itself is not stored: it is re-derived, because the
//! same scenario and seed always give the same history.

use dojo_engine::services::{Edit, Style};
use serde::{Deserialize, Serialize};

const KEY: &str = "event-dojo.workshop";
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
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The saved session, or a fresh one if there is none or it is from another version.
pub fn load() -> Session {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|text| serde_json::from_str::<Session>(&text).ok())
        .filter(|s| s.version == SESSION_VERSION)
        .unwrap_or_default()
}

pub fn save(session: &Session) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(session)) {
        // Storage can be full or disabled; the session then lives only in this tab.
        let _ = s.set_item(KEY, &text);
    }
}
