//! Classroom mode: this browser in a room of browsers that share events through a real
//! MQTT broker over WebSocket. The protocol, the checks on what the room sends and the
//! outbox are the engine's (`dojo_engine::classroom`); here are the connection
//! (`client.rs`), the page where a learner joins and watches the room (`page.rs`), and
//! the status shown in the header on every page (`status.rs`).
//!
//! Events a learner publishes (the event store's form and the console's commands) are
//! shared on their channel's topic if that channel is shared; they wait in the outbox,
//! kept in localStorage, until the broker acknowledges them (QoS 1), so nothing shared
//! while the broker is away is lost.

mod client;
mod page;
mod room_progress;
mod status;

pub use page::ClassroomPage;
pub use status::{ClassroomStatus, GoToBanner};

use crate::browser::{local_storage, session_storage};
use crate::state::{Appended, StoreContext};
use dojo_engine::classroom::coordination::{Coordination, CoordinationMessage, RoomProgress};
use dojo_engine::classroom::team::TeamDesign;
use dojo_engine::classroom::{Feed, Outbox, Outgoing, RoomMessage, RoomSettings};
use dojo_engine::{EventStore, NewEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;

/// Where the room settings (and whether the learner is in the room) are kept.
const SETTINGS_KEY: &str = "event-dojo.classroom";
/// Where the outbox is kept: events waiting for the broker's acknowledgement.
const OUTBOX_KEY: &str = "event-dojo.classroom.outbox";
/// This tab's part of the MQTT client id (sessionStorage: one per tab, kept on reload).
const TAB_KEY: &str = "event-dojo.classroom.tab";
/// The tab ids this browser has used (localStorage), newest last: a new tab takes over
/// one whose tab has closed, with its broker session.
const TAB_IDS_KEY: &str = "event-dojo.classroom.tabs";
/// How many tab ids are listed; an older one's broker session is left to expire.
const TAB_IDS_KEPT: usize = 16;

/// The name of the Web Lock the tab that stores the room's events holds.
const STORE_LOCK: &str = "event-dojo.classroom.store";

thread_local! {
    /// The event store, once it is open: received events are added to it on request.
    static STORE: RefCell<Option<StoreContext>> = const { RefCell::new(None) };
    /// Events the broker acknowledged, taken out of the saved outbox together soon after
    /// (a flush of N events gets N PUBACKs; one read and write of the outbox for them all).
    static ACKED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The Web Locks API's `navigator.locks` (web-sys has it only as an unstable API).
    type LockManager;
    #[wasm_bindgen(method)]
    fn request(this: &LockManager, name: &str, granted: &js_sys::Function) -> js_sys::Promise;
    /// `request(name, options, callback)`: with `{ifAvailable: true}` the callback gets
    /// `null` at once when another tab holds the lock.
    #[wasm_bindgen(method, js_name = request)]
    fn request_with_options(
        this: &LockManager,
        name: &str,
        options: &js_sys::Object,
        granted: &js_sys::Function,
    ) -> js_sys::Promise;
}

/// What a lock callback returns to keep its lock: a promise that never settles, so the
/// lock is held until the tab goes away.
fn held_for_the_tabs_life() -> js_sys::Promise {
    js_sys::Promise::new(&mut |_, _| {})
}

/// The Web Locks API, when the browser has it.
fn lock_manager() -> Option<LockManager> {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| !l.is_undefined())
        .map(JsCast::unchecked_into)
}

/// Makes a tab id this tab's own before the classroom connects, then calls `ready`.
/// Each tab holds a Web Lock named after its id for its life. A reload lets go of the
/// lock and takes it again, so it keeps its id. A duplicated tab starts with a copy of
/// its original's sessionStorage, so the same id, whose lock is taken: it takes another
/// (otherwise the two tabs would share an MQTT client id and push each other off the
/// broker). A new tab takes the id of a tab of this browser that has closed, when there
/// is one, and carries on with its broker session instead of leaving it behind; only
/// when every known id is in use does it make a new one.
fn claim_tab_id(ready: impl FnOnce() + 'static) {
    let Some(locks) = lock_manager() else {
        ready();
        return;
    };
    let own = session_storage().and_then(|s| s.get_item(TAB_KEY).ok().flatten());
    let mut candidates: std::collections::VecDeque<String> = own.into_iter().collect();
    for id in read_json::<Vec<String>>(TAB_IDS_KEY) {
        if !candidates.contains(&id) {
            candidates.push_back(id);
        }
    }
    claim_first_free(locks, candidates, Box::new(ready));
}

/// Tries the candidates' locks in turn (without waiting for any); the first one free
/// becomes this tab's id. With none left, a new id is made and listed.
fn claim_first_free(
    locks: LockManager,
    mut candidates: std::collections::VecDeque<String>,
    ready: Box<dyn FnOnce()>,
) {
    let id = candidates.pop_front().unwrap_or_else(|| {
        let id = new_tab_id();
        let mut known: Vec<String> = read_json(TAB_IDS_KEY);
        known.push(id.clone());
        let excess = known.len().saturating_sub(TAB_IDS_KEPT);
        known.drain(..excess);
        write_json(TAB_IDS_KEY, &known);
        id
    });
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"ifAvailable".into(), &true.into());
    let name = format!("{TAB_KEY}.{id}");
    let again: LockManager = locks.clone().unchecked_into();
    let granted =
        wasm_bindgen::closure::Closure::once_into_js(move |lock: wasm_bindgen::JsValue| {
            if lock.is_null() {
                // Another open tab has this id.
                claim_first_free(again, candidates, ready);
                return js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
            }
            if let Some(s) = session_storage() {
                let _ = s.set_item(TAB_KEY, &id);
            }
            ready();
            held_for_the_tabs_life()
        });
    let _ = locks.request_with_options(&name, &options, granted.unchecked_ref());
}

/// Asks for the store lock and holds it for the tab's life once granted; the next tab in
/// line takes over when this one closes. Without Web Locks, every tab stores (and the
/// store still holds each event once).
fn claim_storing_role(storing: RwSignal<bool>) {
    let Some(locks) = lock_manager() else {
        storing.set(true);
        return;
    };
    let granted =
        wasm_bindgen::closure::Closure::once_into_js(move |_lock: wasm_bindgen::JsValue| {
            storing.set(true);
            held_for_the_tabs_life()
        });
    let _ = locks.request(STORE_LOCK, granted.unchecked_ref());
}

/// The connection as the learner sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Not in a room.
    Off,
    Connecting {
        attempt: u32,
    },
    /// Subscribed: events flow both ways.
    Connected,
    /// The connection was lost (or never made); the next attempt is at `at_ms`
    /// (`Date.now()` time).
    Waiting {
        reason: String,
        attempt: u32,
        at_ms: f64,
    },
}

/// The classroom, provided to every page through context.
#[derive(Clone, Copy)]
pub struct Classroom {
    pub settings: RwSignal<RoomSettings>,
    pub status: RwSignal<Status>,
    pub feed: RwSignal<Feed>,
    /// Events waiting for the broker.
    pub outbox: RwSignal<usize>,
    /// The latest thing the learner should know (a refused filter, a full outbox).
    pub notice: RwSignal<Option<String>>,
    /// The time, ticking each second while a reconnect is waiting (for its countdown).
    pub now_ms: RwSignal<f64>,
    /// Whether this tab is the one that adds the room's events to the event store (the
    /// browser's tabs share one store, and each may be in the room): it holds a Web Lock.
    pub storing: RwSignal<bool>,
    /// What the room shares besides events: team designs, progress, commands.
    pub coordination: RwSignal<Coordinated>,
}

/// What the room shared besides events, as this browser has it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coordinated {
    /// Each exercise's team design: every member's edits.
    pub teams: BTreeMap<String, TeamDesign>,
    /// Conflicts found in team designs, by exercise, oldest first.
    pub conflicts: Vec<(String, String)>,
    /// The room's progress (an instructor's view).
    pub progress: RoomProgress,
    /// The latest "go to this exercise": who sent it, and where.
    pub goto: Option<(String, String)>,
}

impl Coordinated {
    /// Takes in a coordination message from the room (or this browser's own, echoed).
    pub fn add(&mut self, m: CoordinationMessage, me: &RoomSettings) {
        match m.what {
            Coordination::Design(d) if m.team == me.team => {
                let team = self.teams.entry(d.exercise.clone()).or_default();
                team.merge_notes(d.notes);
                let found = team.merge(d.edits);
                self.conflicts
                    .extend(found.into_iter().map(|c| (d.exercise.clone(), c.message())));
            }
            Coordination::Design(_) => {}
            Coordination::Progress(p) => self.progress.add(&m.team, &m.learner, p),
            Coordination::GoTo(g) => self.goto = Some((m.learner, g.exercise)),
        }
    }
}

/// Whole seconds from `now_ms` until `at_ms`.
fn seconds_left(at_ms: f64, now_ms: f64) -> u64 {
    ((at_ms - now_ms).max(0.0) / 1000.0).ceil() as u64
}

#[derive(Serialize, Deserialize, Default)]
struct Saved {
    settings: RoomSettings,
    joined: bool,
}

/// What localStorage holds under `key`, or the default when nothing (readable) is there.
fn read_json<T: DeserializeOwned + Default>(key: &str) -> T {
    local_storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Saves `value` under `key`; false when the browser would not keep it.
fn write_json<T: Serialize>(key: &str, value: &T) -> bool {
    let Ok(text) = serde_json::to_string(value) else {
        return false;
    };
    local_storage().is_some_and(|s| s.set_item(key, &text).is_ok())
}

/// The outbox as saved (shared by this browser's tabs).
fn read_outbox() -> Outbox {
    read_json(OUTBOX_KEY)
}

/// Takes an acknowledged event out of the outbox (batched). Until the batch is written a
/// reload sends it again, which receivers recognise; nothing is lost either way.
fn forget_acknowledged(classroom: Classroom, id: String) {
    let first = ACKED.with(|a| {
        let mut acked = a.borrow_mut();
        acked.push(id);
        acked.len() == 1
    });
    if first {
        set_timeout(
            move || {
                let acked = ACKED.with(|a| std::mem::take(&mut *a.borrow_mut()));
                let mut outbox = read_outbox();
                if outbox.remove(&acked) > 0 {
                    write_json(OUTBOX_KEY, &outbox);
                }
                classroom.outbox.set(outbox.items.len());
            },
            std::time::Duration::from_millis(50),
        );
    }
}

/// A new random tab id: eight letters and digits.
fn new_tab_id() -> String {
    crate::browser::random_id()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect()
}

/// This tab's id, kept for the tab's life so a reload resumes its broker session (see
/// [`claim_tab_id`], which sets it before the classroom connects).
fn tab_id() -> String {
    let storage = session_storage();
    if let Some(id) = storage
        .as_ref()
        .and_then(|s| s.get_item(TAB_KEY).ok().flatten())
    {
        return id;
    }
    let id = new_tab_id();
    if let Some(s) = storage {
        let _ = s.set_item(TAB_KEY, &id);
    }
    id
}

impl Classroom {
    /// Reads the saved settings and, if the learner was in a room, rejoins it.
    pub fn start() -> Self {
        let saved: Saved = read_json(SETTINGS_KEY);
        let classroom = Classroom {
            settings: RwSignal::new(saved.settings),
            status: RwSignal::new(Status::Off),
            feed: RwSignal::new(Feed::default()),
            outbox: RwSignal::new(read_outbox().items.len()),
            notice: RwSignal::new(None),
            now_ms: RwSignal::new(js_sys::Date::now()),
            storing: RwSignal::new(false),
            coordination: RwSignal::new(Coordinated::default()),
        };
        claim_storing_role(classroom.storing);
        // The page lives as long as the app, so the ticker does too.
        let _ = set_interval_with_handle(
            move || {
                if matches!(classroom.status.get_untracked(), Status::Waiting { .. }) {
                    classroom.now_ms.set(js_sys::Date::now());
                }
            },
            std::time::Duration::from_millis(1000),
        );
        if saved.joined
            && classroom
                .settings
                .with_untracked(|s| s.problems().is_empty())
        {
            claim_tab_id(move || client::connect(classroom));
        } else {
            claim_tab_id(|| {});
        }
        classroom
    }

    /// Joins the room these settings describe (they have been checked), and saves them.
    pub fn join(self, settings: RoomSettings) {
        write_json(
            SETTINGS_KEY,
            &Saved {
                settings: settings.clone(),
                joined: true,
            },
        );
        // Back in the same room, the feed carries on; another room starts a new one.
        if self.settings.with_untracked(|s| s.room != settings.room) {
            self.feed.set(Feed::default());
        }
        self.settings.set(settings);
        self.notice.set(None);
        client::start_over();
        client::connect(self);
    }

    /// Leaves the room. The outbox is kept and goes out when the learner joins again; a
    /// broker that keeps sessions holds what the room sends meanwhile for this tab.
    pub fn leave(self) {
        write_json(
            SETTINGS_KEY,
            &Saved {
                settings: self.settings.get_untracked(),
                joined: false,
            },
        );
        client::disconnect();
        self.status.set(Status::Off);
    }

    /// Tries to connect now instead of waiting for the backoff.
    pub fn retry(self) {
        client::connect(self);
    }

    /// Hands the classroom the event store once it is open: it follows the learner's
    /// appends, to share them, and adds the room's events to the store.
    pub fn attach_store(self, ctx: &StoreContext) {
        STORE.with(|s| *s.borrow_mut() = Some(ctx.clone()));
        ctx.follow(move |appended| self.share_appended(appended));
    }

    /// Shares events the learner just appended on their channels' topics, if this
    /// browser is in a room.
    fn share_appended(self, appended: &Appended) {
        if self.status.get_untracked() == Status::Off {
            return;
        }
        let Some(envelopes) = appended.envelopes() else {
            return;
        };
        let settings = self.settings.get_untracked();
        let mut outbox = read_outbox();
        let mut added = Vec::new();
        for envelope in envelopes {
            let Some(topic) = settings.topic_for(&envelope) else {
                continue;
            };
            let item = Outgoing {
                id: envelope.id.clone(),
                topic,
                payload: envelope.to_cloudevent_json(),
                retain: false,
            };
            if item.payload.len() > dojo_engine::classroom::MAX_MESSAGE_BYTES {
                self.notice.set(Some(format!(
                    "Event {} was not shared: it is {} bytes, and room messages may have at most {} (it is in your event store).",
                    item.id,
                    item.payload.len(),
                    dojo_engine::classroom::MAX_MESSAGE_BYTES
                )));
                continue;
            }
            if let Err(full) = outbox.push(item.clone()) {
                self.notice.set(Some(format!("{}.", full)));
                break;
            }
            added.push(item);
        }
        if added.is_empty() {
            return;
        }
        if !write_json(OUTBOX_KEY, &outbox) {
            self.notice.set(Some(
                "The browser's storage is full, so these events could not be kept for the room; they are in your event store, but were not shared.".into(),
            ));
            return;
        }
        self.outbox.set(outbox.items.len());
        client::send(&added);
    }

    /// Shares a coordination message on `topic` (retained when `retain`): it replaces any
    /// older one for the same topic still waiting in the outbox, since each says all.
    pub fn share(self, topic: String, payload: String, retain: bool) {
        if self.status.get_untracked() == Status::Off {
            return;
        }
        if payload.len() > dojo_engine::classroom::MAX_MESSAGE_BYTES {
            self.notice.set(Some(format!(
                "This was not shared: it is {} bytes, and room messages may have at most {}.",
                payload.len(),
                dojo_engine::classroom::MAX_MESSAGE_BYTES
            )));
            return;
        }
        let item = Outgoing {
            id: format!("{topic}#{}", crate::browser::random_id()),
            topic,
            payload,
            retain,
        };
        let mut outbox = read_outbox();
        outbox.items.retain(|i| i.topic != item.topic);
        if let Err(full) = outbox.push(item.clone()) {
            self.notice.set(Some(format!("{full}.")));
            return;
        }
        if write_json(OUTBOX_KEY, &outbox) {
            self.outbox.set(outbox.items.len());
            client::send(&[item]);
        }
    }

    /// Adds an event from the room to this browser's event store, in the sender's own
    /// stream, unless it is there already (the store holds each source and id once, so
    /// a message the broker sends again is stored once); then calls `done` (which
    /// acknowledges it).
    fn store_received(self, message: RoomMessage, done: impl FnOnce() + 'static) {
        // Another tab of this browser adds the room's events to the (shared) store.
        let Some(ctx) = STORE
            .with(|s| s.borrow().clone())
            .filter(|_| self.storing.get_untracked())
        else {
            done();
            return;
        };
        if !crate::state::writes_allowed() {
            self.notice.set(Some(format!(
                "An event from {} was not added to your event store: it is read-only now (see the banner).",
                message.learner
            )));
            done();
            return;
        }
        let stream = message.local_stream();
        let event = NewEvent::from(message.event);
        spawn_local(async move {
            if let Err(e) = ctx.append_new(vec![(stream, event)]).await {
                self.notice.set(Some(format!(
                    "An event from the room could not be added to your event store: {}",
                    crate::advice::explain(&e)
                )));
            }
            done();
        });
    }
}

/// The classroom from context.
pub fn use_classroom() -> Classroom {
    expect_context::<Classroom>()
}
