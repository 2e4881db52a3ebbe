//! App-wide state provided through Leptos context: the app's event store, a revision
//! counter that read models watch to know when to re-read, and the store's health (which
//! switches writing off after a failure that would repeat, such as a full disk).
//!
//! [`StoreContext`] is the one append path: it is an [`EventStore`], and every append
//! through it does all an append entails. It notes the outcome in the store's health,
//! bumps the revision, announces the change on a `BroadcastChannel` (so every open tab of
//! the app re-reads too), and tells the followers (the classroom) what was appended.
//! Appends made elsewhere (in the store worker) report through [`StoreContext::after_write`].
//! Before it writes, it checks each event against the schema registry (kept as the
//! document [`SCHEMAS_DOCUMENT`]): an event that does not fit a type whose validation is
//! `enforce` refuses the whole append, and one under `warn` is written and noted in
//! [`StoreContext::schema_warning`]. It also loads and saves the learner's documents
//! ([`use_document`]).

use crate::storage::{documents, IdbStore};
use dojo_engine::schemas::registry::{Checker, Registries, Validation};
use dojo_engine::{
    Added, AppendResult, EventEnvelope, EventStore, ExpectedVersion, NewEvent, StoreError,
    StoreHealth, StreamAppend,
};
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// The document the schema registry is kept in, in IndexedDB beside the events.
pub const SCHEMAS_DOCUMENT: &str = "event-dojo.schemas";

/// The channel the app's tabs announce appends on.
const CHANNEL_NAME: &str = "event-dojo.store";

/// Hears each append of the learner's own events made through the app's store.
type Follower = Rc<dyn Fn(&Appended)>;

thread_local! {
    static CHANNEL: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
    static HEALTH: Cell<Option<RwSignal<StoreHealth>>> = const { Cell::new(None) };
    static FOLLOWERS: RefCell<Vec<Follower>> = const { RefCell::new(Vec::new()) };
}

/// An append of the learner's own events ([`EventStore::append`] or
/// [`EventStore::append_batch`]) as its followers hear it. Events added only if new
/// (imports, the room's events, saved runs) came from elsewhere and are not told.
pub struct Appended<'a> {
    pub batch: &'a [StreamAppend],
    pub result: &'a AppendResult,
}

impl Appended<'_> {
    /// The events as stored, with their versions and positions. Positions follow from
    /// the result; each stream's versions from its expected version or, for the batch's
    /// last stream, from the result. `None` when another stream was appended at any
    /// version, so its versions are not known here.
    pub fn envelopes(&self) -> Option<Vec<EventEnvelope>> {
        let last_stream = self.batch.last().map(|(s, _, _)| s.as_str());
        let count = |stream: &str| -> u64 {
            self.batch
                .iter()
                .filter(|(s, _, _)| s == stream)
                .map(|(_, _, events)| events.len() as u64)
                .sum()
        };
        let mut versions: std::collections::HashMap<&str, u64> = Default::default();
        let mut position = self.result.first_position;
        let mut out = Vec::new();
        for (stream, expected, events) in self.batch {
            let version = match versions.get_mut(stream.as_str()) {
                Some(v) => v,
                None => {
                    let before = match expected {
                        ExpectedVersion::Exact(n) => *n,
                        ExpectedVersion::NoStream => 0,
                        ExpectedVersion::Any if last_stream == Some(stream.as_str()) => {
                            self.result.stream_version - count(stream)
                        }
                        ExpectedVersion::Any => return None,
                    };
                    versions.entry(stream).or_insert(before)
                }
            };
            for event in events {
                *version += 1;
                out.push(EventEnvelope::recorded(
                    event.clone(),
                    stream,
                    *version,
                    position,
                ));
                position += 1;
            }
        }
        Some(out)
    }
}

/// Whether the app may write now (false while it is read-only). Untracked.
pub fn writes_allowed() -> bool {
    HEALTH
        .with(Cell::get)
        .is_none_or(|h| h.with_untracked(StoreHealth::can_write))
}

/// Takes note of a write's outcome for the whole app: a full store (or a closed
/// connection) makes the app read-only until the learner retries.
fn note_write<T>(result: &Result<T, StoreError>) {
    if let Some(health) = HEALTH.with(Cell::get) {
        let mut next = health.get_untracked();
        next.after_write(result);
        // The banner says what to do about it in this browser, too.
        if let (StoreHealth::ReadOnly { reason }, Err(e)) = (&mut next, result) {
            if e.leaves_store_read_only() {
                *reason = crate::advice::explain(e);
            }
        }
        if next != health.get_untracked() {
            health.set(next);
        }
    }
}

/// The message a tab sends when its database upgrade is blocked by older connections.
const UPGRADE: &str = "upgrade";

/// Asks the other tabs to let go of the database so an upgrade can finish.
pub fn announce_upgrade() {
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL_NAME) {
        let _ = channel.post_message(&wasm_bindgen::JsValue::from_str(UPGRADE));
        channel.close();
    }
}

/// The start of the message a tab sends with its schema registry after changing it.
const SCHEMAS: &str = "schemas:";

/// Listens for other tabs: an append bumps `revision`; a changed schema registry
/// replaces `schemas` (so every tab checks appends against the same one); an upgrade
/// waiting in another tab (announced on the channel, or seen as the connection's
/// `versionchange` event) closes this tab's connection and makes `health`
/// [`StoreHealth::Superseded`] for good.
fn listen(
    revision: RwSignal<u64>,
    health: RwSignal<StoreHealth>,
    (schemas, schemas_loaded): (RwSignal<Registries>, RwSignal<bool>),
    store: IdbStore,
) {
    // Writing stops with the connection: every write button disables itself.
    let let_go = move || health.set(StoreHealth::Superseded);
    store.on_closed_for_upgrade(let_go);
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL_NAME) else {
        return;
    };
    let on_message = gloo_events::EventListener::new(&channel, "message", move |event| {
        let data = event
            .dyn_ref::<web_sys::MessageEvent>()
            .and_then(|m| m.data().as_string());
        if data.as_deref() == Some(UPGRADE) {
            if !health.with_untracked(|h| *h == StoreHealth::Superseded) {
                store.clone().close();
                let_go();
            }
        } else if let Some(json) = data.as_deref().and_then(|d| d.strip_prefix(SCHEMAS)) {
            if let Ok(registry) = serde_json::from_str::<Registries>(json) {
                // Newer than anything this tab may still be reading from the store.
                schemas.set(registry);
                schemas_loaded.set(true);
            }
        } else {
            revision.update(|r| *r += 1);
        }
    });
    // The listener lives as long as the page.
    on_message.forget();
    CHANNEL.with(|c| *c.borrow_mut() = Some(channel));
}

/// Tells this tab's read models, and every other tab, that the store changed.
fn store_changed(revision: RwSignal<u64>) {
    revision.update(|r| *r += 1);
    CHANNEL.with(|c| {
        if let Some(channel) = c.borrow().as_ref() {
            let _ = channel.post_message(&wasm_bindgen::JsValue::from_str("appended"));
        }
    });
}

/// The app's event store: the one way the page appends (see the module's docs). Cheap to
/// clone; components get it through [`use_store`].
#[derive(Clone)]
pub struct StoreContext {
    pub store: IdbStore,
    /// Bumped after every successful append so views re-read the store.
    pub revision: RwSignal<u64>,
    /// Whether writing is switched on, and why not (`Superseded` once another tab's
    /// upgrade took this tab's connection).
    pub health: RwSignal<StoreHealth>,
    /// The schema registry, as saved; change it with [`StoreContext::update_schemas`].
    pub schemas: RwSignal<Registries>,
    /// Whether `schemas` has been read from IndexedDB.
    schemas_loaded: RwSignal<bool>,
    /// The last append's events that did not fit a schema under `warn` (written anyway).
    pub schema_warning: RwSignal<Option<String>>,
}

impl StoreContext {
    pub fn new(store: IdbStore) -> Self {
        let revision = RwSignal::new(0);
        let health = RwSignal::new(StoreHealth::default());
        let schemas = RwSignal::new(Registries::default());
        let schemas_loaded = RwSignal::new(false);
        HEALTH.with(|h| h.set(Some(health)));
        // Followers follow one store: a store opened again starts without them.
        FOLLOWERS.with(|f| f.borrow_mut().clear());
        listen(revision, health, (schemas, schemas_loaded), store.clone());
        let ctx = Self {
            store,
            revision,
            health,
            schemas,
            schemas_loaded,
            schema_warning: RwSignal::new(None),
        };
        let loading = ctx.clone();
        leptos::task::spawn_local(async move {
            loading.load_schemas().await;
        });
        ctx
    }

    /// Reads the schema registry once; later calls return at once.
    pub async fn load_schemas(&self) {
        if self.schemas_loaded.get_untracked() {
            return;
        }
        let saved = self.load_document::<Registries>(SCHEMAS_DOCUMENT).await;
        // Another call may have finished first; its registry (and any change since) wins.
        if !self.schemas_loaded.get_untracked() {
            if let Some(saved) = saved {
                self.schemas.set(saved);
            }
            self.schemas_loaded.set(true);
        }
    }

    /// Whether the registry has been read (tracked).
    pub fn schemas_loaded(&self) -> bool {
        self.schemas_loaded.get()
    }

    /// Changes the schema registry, saves it, and hands it to the other tabs.
    pub fn update_schemas(&self, change: impl FnOnce(&mut Registries)) {
        self.schemas.update(change);
        self.schemas.with_untracked(|r| {
            self.save_document(SCHEMAS_DOCUMENT, r);
            let message = format!(
                "{SCHEMAS}{}",
                serde_json::to_string(r).expect("a registry is JSON")
            );
            CHANNEL.with(|c| {
                if let Some(channel) = c.borrow().as_ref() {
                    let _ = channel.post_message(&wasm_bindgen::JsValue::from_str(&message));
                }
            });
        });
    }

    /// Checks events against the registry before they are written: the first that does
    /// not fit an enforced schema refuses them all; those that do not fit under `warn`
    /// are noted in `schema_warning` once the append succeeds.
    async fn check_schemas<'a>(
        &self,
        events: impl Iterator<Item = &'a NewEvent>,
    ) -> Result<Option<String>, StoreError> {
        self.load_schemas().await;
        let checker: Checker = self.schemas.with_untracked(Registries::checker);
        if checker.is_empty() {
            return Ok(None);
        }
        let mut warnings = Vec::new();
        for event in events {
            if let Some(misfit) = checker.check(&event.event_type, event.data.as_ref()) {
                if misfit.validation == Validation::Enforce {
                    return Err(StoreError::Refused {
                        id: event.id.clone(),
                        reason: misfit.to_string(),
                    });
                }
                warnings.push(format!("event \"{}\": {misfit}", event.id));
            }
        }
        Ok(match warnings.len() {
            0 => None,
            1 => warnings.pop(),
            n => Some(format!("{} (and {} more)", warnings[0], n - 1)),
        })
    }

    /// Whether the app may write now (tracked: buttons that write disable themselves).
    pub fn can_write(&self) -> bool {
        self.health.with(StoreHealth::can_write)
    }

    /// Whether another tab's upgrade took this tab's connection (tracked).
    pub fn superseded(&self) -> bool {
        self.health.with(|h| *h == StoreHealth::Superseded)
    }

    /// Tells every read model, in this tab and the others, that the store changed.
    pub fn changed(&self) {
        store_changed(self.revision);
    }

    /// What follows every write: a write that failed in a way that would repeat (a full
    /// disk) makes the app read-only; one that wrote something tells every read model.
    /// Appends made by the store worker report here too.
    pub fn after_write<T>(&self, result: &Result<T, StoreError>, wrote: bool) {
        note_write(result);
        if result.is_ok() && wrote {
            self.changed();
        }
    }

    /// What follows a write the store worker made and reported: `None` when it wrote
    /// events, or the error that stopped it (written nothing).
    pub fn after_worker_write(&self, failure: Option<&StoreError>) {
        match failure {
            None => self.after_write(&Ok::<(), StoreError>(()), true),
            Some(error) => self.after_write(&Err::<(), _>(error.clone()), false),
        }
    }

    /// Adds a follower, which hears every later append of the learner's own events.
    pub fn follow(&self, follower: impl Fn(&Appended) + 'static) {
        FOLLOWERS.with(|f| f.borrow_mut().push(Rc::new(follower)));
    }

    /// The document saved under `name` (see [`documents::load`]).
    pub async fn load_document<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        documents::load(&self.store, name).await
    }

    /// Saves `value` under `name` in the background (see [`documents::save`]); while the
    /// app is read-only it waits in localStorage.
    pub fn save_document<T: Serialize>(&self, name: &'static str, value: &T) {
        documents::save(&self.store, name, value, writes_allowed(), |r| {
            note_write(r)
        });
    }
}

impl EventStore for StoreContext {
    async fn append_batch(&self, batch: Vec<StreamAppend>) -> Result<AppendResult, StoreError> {
        let warning = self
            .check_schemas(batch.iter().flat_map(|(_, _, events)| events))
            .await?;
        // A follower may add followers; it does so for later appends.
        let followers = FOLLOWERS.with(|f| f.borrow().clone());
        // The batch is kept for the followers only when there are any.
        let kept = (!followers.is_empty()).then(|| batch.clone());
        let result = self.store.append_batch(batch).await;
        self.after_write(&result, true);
        if result.is_ok() {
            self.schema_warning.set(warning);
        }
        if let (Ok(result), Some(batch)) = (&result, &kept) {
            let appended = Appended { batch, result };
            for follower in followers {
                follower(&appended);
            }
        }
        result
    }

    async fn append_new(&self, events: Vec<(String, NewEvent)>) -> Result<Added, StoreError> {
        let warning = self.check_schemas(events.iter().map(|(_, e)| e)).await?;
        let result = self.store.append_new(events).await;
        let added = result.as_ref().is_ok_and(|a| a.added > 0);
        self.after_write(&result, added);
        if result.is_ok() {
            self.schema_warning.set(warning);
        }
        result
    }

    async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        self.store.read_stream(stream, from_version).await
    }

    async fn read_all(
        &self,
        from_position: u64,
        max: usize,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        self.store.read_all(from_position, max).await
    }
}

/// A page's saved document as a signal: read from IndexedDB once, then saved on every
/// change. Until it is read, `loaded` is false and nothing is saved, so an early edit
/// cannot overwrite it; pages keep their controls inert until then.
pub fn use_document<T>(name: &'static str) -> (RwSignal<T>, RwSignal<bool>)
where
    T: Default + Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    let ctx = use_store();
    let value = RwSignal::new(T::default());
    let loaded = RwSignal::new(false);
    {
        let ctx = ctx.clone();
        leptos::task::spawn_local(async move {
            if let Some(saved) = ctx.load_document::<T>(name).await {
                value.set(saved);
            }
            loaded.set(true);
        });
    }
    Effect::new(move |_| {
        let current = value.get();
        if loaded.get_untracked() {
            ctx.save_document(name, &current);
        }
    });
    (value, loaded)
}

/// The store context; panics only if a component is used outside the app shell.
pub fn use_store() -> StoreContext {
    use_context::<StoreContext>().expect("StoreContext is provided by App before any page renders")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> NewEvent {
        NewEvent::new(id, "s", "Happened", "dojo.test")
    }

    fn stamps(appended: &Appended) -> Option<Vec<(String, u64, u64)>> {
        appended.envelopes().map(|all| {
            all.into_iter()
                .map(|e| (e.stream_id, e.stream_version, e.position))
                .collect()
        })
    }

    fn owned(stamps: &[(&str, u64, u64)]) -> Option<Vec<(String, u64, u64)>> {
        Some(
            stamps
                .iter()
                .map(|(s, v, p)| ((*s).to_owned(), *v, *p))
                .collect(),
        )
    }

    #[test]
    fn followers_hear_each_event_with_its_version_and_position() {
        // customer-1 was at version 3, and the log at position 10.
        let any = [(
            "customer-1".to_owned(),
            ExpectedVersion::Any,
            vec![event("a"), event("b")],
        )];
        let result = AppendResult {
            first_position: 11,
            last_position: 12,
            stream_version: 5,
        };
        let appended = Appended {
            batch: &any,
            result: &result,
        };
        assert_eq!(
            stamps(&appended),
            owned(&[("customer-1", 4, 11), ("customer-1", 5, 12)])
        );

        let across = [
            (
                "quote-1".to_owned(),
                ExpectedVersion::NoStream,
                vec![event("c")],
            ),
            (
                "customer-1".to_owned(),
                ExpectedVersion::Exact(5),
                vec![event("d")],
            ),
            (
                "quote-1".to_owned(),
                ExpectedVersion::Exact(1),
                vec![event("e")],
            ),
        ];
        let result = AppendResult {
            first_position: 13,
            last_position: 15,
            stream_version: 2,
        };
        let appended = Appended {
            batch: &across,
            result: &result,
        };
        assert_eq!(
            stamps(&appended),
            owned(&[
                ("quote-1", 1, 13),
                ("customer-1", 6, 14),
                ("quote-1", 2, 15)
            ])
        );

        // Only the last stream's version is reported: another at any version is unknown.
        let unknown = [
            ("quote-1".to_owned(), ExpectedVersion::Any, vec![event("f")]),
            (
                "customer-1".to_owned(),
                ExpectedVersion::Any,
                vec![event("g")],
            ),
        ];
        let appended = Appended {
            batch: &unknown,
            result: &result,
        };
        assert_eq!(stamps(&appended), None);
    }
}
