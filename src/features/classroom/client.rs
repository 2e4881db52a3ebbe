//! The connection to the broker: a browser WebSocket (subprotocol `mqtt`) carrying the
//! engine's MQTT packets, driven by the engine's `Session`. One connection per tab. A
//! lost connection is retried with backoff; a silent broker is noticed by keep-alive
//! pings. Signals are set only after the connection's state is put back, so effects they
//! start may call in here again.

use super::{read_json, read_outbox, tab_id, write_json, Classroom, Status, TAB_IDS_KEY};
use dojo_engine::classroom::{
    backoff_ms, Outgoing, Output, Phase, RoomMessage, Session, KEEP_ALIVE_S, MAX_PACKET_BYTES,
};
use dojo_engine::mqtt_wire::{decode, encode, Packet};
use gloo_events::EventListener;
use leptos::prelude::*;
use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

/// How often the client checks the line and pings when idle.
const PING_EVERY_MS: f64 = (KEEP_ALIVE_S as f64) * 1000.0 * 2.0 / 3.0;
/// Silence after which the broker is taken to be gone.
const SILENCE_MS: f64 = (KEEP_ALIVE_S as f64) * 1000.0 * 1.5;

/// The socket's event handlers, kept alive while the socket may call them.
struct Handlers {
    _open: EventListener,
    _message: EventListener,
    _close: EventListener,
}

struct Connection {
    socket: WebSocket,
    buffer: Vec<u8>,
    opened: bool,
    last_heard: f64,
    last_sent: f64,
}

#[derive(Default)]
struct Client {
    /// Bumped by every connect and disconnect; a callback of an older socket is ignored.
    generation: u64,
    connection: Option<Connection>,
    /// The MQTT session, kept across reconnects of the same client id to the same room:
    /// what it has in flight goes again on the next connection.
    session: Option<Session>,
    /// The current socket's handlers and those of closed ones, dropped at the next
    /// connect (never from inside one of their own calls).
    handlers: Vec<Handlers>,
    failures: u32,
    /// Why the connection was closed from this side, for the status.
    closing_reason: Option<String>,
    retry: Option<TimeoutHandle>,
    keepalive: Option<IntervalHandle>,
}

thread_local! {
    static CLIENT: RefCell<Client> = RefCell::new(Client::default());
}

/// What to tell the page once the client's state is put back.
enum Ui {
    Status(Status),
    Outbox(usize),
    /// The broker has this event: out of the outbox with it.
    Acked(String),
    /// A message, its packet id when it came at QoS 1, and the connection it came on.
    Deliver(Box<RoomMessage>, Option<u16>, u64),
    Coordinate(
        Box<dojo_engine::classroom::coordination::CoordinationMessage>,
        Option<u16>,
        u64,
    ),
    Refused(String, dojo_engine::classroom::Refusal),
    Notice(String),
}

fn apply(classroom: Classroom, ui: Vec<Ui>) {
    for change in ui {
        match change {
            Ui::Status(s) => classroom.status.set(s),
            Ui::Outbox(n) => classroom.outbox.set(n),
            Ui::Acked(id) => super::forget_acknowledged(classroom, id),
            Ui::Deliver(message, packet_id, generation) => {
                let done = move || {
                    if let Some(packet_id) = packet_id {
                        handled(generation, packet_id);
                    }
                };
                let new = classroom
                    .feed
                    .try_update(|f| f.add((*message).clone()))
                    .unwrap_or(false);
                let keep = classroom
                    .settings
                    .with_untracked(|s| s.store_received && !message.is_from(s));
                if new && keep {
                    classroom.store_received(*message, done);
                } else {
                    done();
                }
            }
            Ui::Coordinate(message, packet_id, generation) => {
                let me = classroom.settings.get_untracked();
                classroom.coordination.update(|c| c.add(*message, &me));
                if let Some(packet_id) = packet_id {
                    handled(generation, packet_id);
                }
            }
            Ui::Refused(topic, refusal) => classroom.feed.update(|f| f.refuse(&topic, &refusal)),
            Ui::Notice(n) => classroom.notice.set(Some(n)),
        }
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn send_packet(connection: &mut Connection, packet: &Packet) {
    let bytes = encode(packet);
    if connection.socket.send_with_u8_array(&bytes).is_ok() {
        connection.last_sent = now();
    }
}

/// Sends what the outbox holds (each item that is not already in flight).
fn flush(session: &mut Session, connection: &mut Connection, items: &[Outgoing]) {
    for item in items {
        if let Some(packet) = session.publish(item) {
            send_packet(connection, &packet);
        }
    }
}

/// Sends events that were just put in the outbox, if the room is joined and subscribed.
pub fn send(items: &[Outgoing]) {
    CLIENT.with(|c| {
        let client = &mut *c.borrow_mut();
        if let (Some(connection), Some(session)) =
            (client.connection.as_mut(), client.session.as_mut())
        {
            flush(session, connection, items);
        }
    });
}

/// A delivered message was dealt with: send the PUBACKs now due, if the connection it
/// came on is still the current one (else the broker sends it again after reconnecting,
/// and the repeat is recognised).
fn handled(generation: u64, packet_id: u16) {
    with_live(generation, |connection, session| {
        for packet in session.handled(packet_id) {
            send_packet(connection, &packet);
        }
    });
}

/// Runs `f` on the connection and its session, if the socket of `generation` is still
/// the current one and both are there.
fn with_live<T>(generation: u64, f: impl FnOnce(&mut Connection, &mut Session) -> T) -> Option<T> {
    CLIENT.with(|c| {
        let client = &mut *c.borrow_mut();
        if client.generation != generation {
            return None;
        }
        match (client.connection.as_mut(), client.session.as_mut()) {
            (Some(connection), Some(session)) => Some(f(connection, session)),
            _ => None,
        }
    })
}

/// Closes the socket and forgets it, keeping its handlers until it is safe to drop them.
fn close(client: &mut Client, say_goodbye: bool) {
    client.generation += 1;
    if let Some(retry) = client.retry.take() {
        retry.clear();
    }
    if let Some(keepalive) = client.keepalive.take() {
        keepalive.clear();
    }
    if let Some(session) = client.session.as_mut() {
        session.closed();
    }
    if let Some(mut connection) = client.connection.take() {
        if say_goodbye && connection.opened {
            send_packet(&mut connection, &Packet::Disconnect);
        }
        // Its handlers stay until the next connect; the new generation makes them ignore
        // what the closing socket still says.
        let _ = connection.socket.close();
    }
}

/// A fresh start (joining with new settings): the backoff begins again from its shortest wait.
pub fn start_over() {
    CLIENT.with(|c| c.borrow_mut().failures = 0);
}

/// Leaves the room: DISCONNECT, and no more retries. The broker keeps the session, so
/// what the room sends meanwhile waits for this tab's return.
pub fn disconnect() {
    CLIENT.with(|c| close(&mut c.borrow_mut(), true));
}

/// What a tab's broker session was made with: a session is only carried on with the
/// same broker, client id and filters.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct BrokerSession {
    broker: String,
    client_id: String,
    filters: Vec<String>,
}

/// Where each tab id's broker session is described (localStorage, by tab id: a tab id
/// is taken over with its session when its tab has closed).
const SESSIONS_KEY: &str = "event-dojo.classroom.sessions";

/// Notes the session this tab connects with, and returns the one it had before when
/// that was made with other settings (another broker, name, room, team or listening
/// choice): its subscriptions would go on filling it, so it is to be discarded.
fn replace_broker_session(tab: &str, now: BrokerSession) -> Option<BrokerSession> {
    let mut sessions: std::collections::BTreeMap<String, BrokerSession> = read_json(SESSIONS_KEY);
    let before = sessions.insert(tab.to_owned(), now.clone());
    // Only the tab ids this browser still lists keep their record.
    let known: Vec<String> = read_json(TAB_IDS_KEY);
    sessions.retain(|id, _| id == tab || known.contains(id));
    write_json(SESSIONS_KEY, &sessions);
    before.filter(|b| *b != now)
}

/// The farewell connection and its two listeners (dropping them takes them off).
type Farewell = (WebSocket, [EventListener; 2]);

thread_local! {
    /// The short connection that discards an old client id's session, with its two
    /// listeners, while it is open, with a number so its timer closes only that one.
    static FAREWELL: RefCell<(u64, Option<Farewell>)> = const { RefCell::new((0, None)) };
}

/// How long the farewell connection may take before it is closed anyway.
const FAREWELL_MS: u64 = 5_000;

/// Sends `connect` (clean session on) on a new socket, then DISCONNECT once the broker
/// answers, and closes: the broker discards that client id's session. Best effort: a
/// broker that is away keeps the session until it expires it (see the README).
fn say_farewell(url: &str, connect: Packet) {
    let Ok(socket) = WebSocket::new_with_str(url, "mqtt") else {
        return;
    };
    socket.set_binary_type(BinaryType::Arraybuffer);
    let on_open = {
        let socket = socket.clone();
        EventListener::once(&socket.clone(), "open", move |_| {
            let _ = socket.send_with_u8_array(&encode(&connect));
        })
    };
    let on_answer = {
        let socket = socket.clone();
        EventListener::once(&socket.clone(), "message", move |_| {
            let _ = socket.send_with_u8_array(&encode(&Packet::Disconnect));
            let _ = socket.close();
        })
    };
    end_farewell();
    let number = FAREWELL.with(|f| {
        let mut farewell = f.borrow_mut();
        farewell.0 += 1;
        farewell.1 = Some((socket, [on_open, on_answer]));
        farewell.0
    });
    set_timeout(
        move || {
            if FAREWELL.with(|f| f.borrow().0) == number {
                end_farewell();
            }
        },
        Duration::from_millis(FAREWELL_MS),
    );
}

/// Closes the farewell connection if it is still open.
fn end_farewell() {
    // Dropping its listeners takes them off the socket.
    if let Some((socket, _listeners)) = FAREWELL.with(|f| f.borrow_mut().1.take()) {
        let _ = socket.close();
    }
}

/// Opens a new connection with the classroom's settings (closing any before it).
pub fn connect(classroom: Classroom) {
    let settings = classroom.settings.get_untracked();
    let url = settings.broker.trim().to_owned();
    let tab = tab_id();
    let client_id = settings.client_id(&tab);
    end_farewell();
    let stale = replace_broker_session(
        &tab,
        BrokerSession {
            broker: url.clone(),
            client_id: client_id.clone(),
            filters: settings.filters(),
        },
    );
    if let Some(old) = stale
        .as_ref()
        .filter(|old| old.broker != url || old.client_id != client_id)
    {
        say_farewell(
            &old.broker,
            Session::new(settings.clone(), old.client_id.clone()).discard(),
        );
    }
    let outcome = CLIENT.with(|c| {
        let mut client = c.borrow_mut();
        close(&mut client, true);
        if !client
            .session
            .as_ref()
            .is_some_and(|s| s.is_for(&settings, &client_id))
        {
            client.session = Some(Session::new(settings, client_id));
        }
        if stale.is_some() {
            if let Some(session) = client.session.as_mut() {
                session.start_clean();
            }
        }
        client.handlers.clear();
        client.closing_reason = None;
        let generation = client.generation;
        let socket = WebSocket::new_with_str(&url, "mqtt").map_err(|e| {
            let why = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default();
            format!("The browser would not open a WebSocket to {url}: {why}")
        })?;
        socket.set_binary_type(BinaryType::Arraybuffer);
        let open = EventListener::new(&socket, "open", move |_| on_open(generation));
        let message = EventListener::new(&socket, "message", move |e| {
            if let Some(e) = e.dyn_ref::<MessageEvent>() {
                on_message(classroom, generation, e.clone());
            }
        });
        let close = EventListener::new(&socket, "close", move |e| {
            if let Some(e) = e.dyn_ref::<CloseEvent>() {
                on_close(classroom, generation, e.clone());
            }
        });
        client.handlers.push(Handlers {
            _open: open,
            _message: message,
            _close: close,
        });
        client.connection = Some(Connection {
            socket,
            buffer: Vec::new(),
            opened: false,
            last_heard: now(),
            last_sent: now(),
        });
        client.keepalive = set_interval_with_handle(
            move || keep_alive(classroom, generation),
            Duration::from_millis(PING_EVERY_MS as u64 / 2),
        )
        .ok();
        Ok::<u32, String>(client.failures + 1)
    });
    match outcome {
        Ok(attempt) => classroom.status.set(Status::Connecting { attempt }),
        Err(reason) => retry_later(classroom, reason),
    }
}

/// Schedules the next attempt with backoff and says so.
fn retry_later(classroom: Classroom, reason: String) {
    let status = CLIENT.with(|c| {
        let mut client = c.borrow_mut();
        let attempt = client.failures + 1;
        let in_ms = backoff_ms(client.failures, js_sys::Math::random());
        client.failures += 1;
        client.retry =
            set_timeout_with_handle(move || connect(classroom), Duration::from_millis(in_ms)).ok();
        Status::Waiting {
            reason,
            attempt,
            at_ms: now() + in_ms as f64,
        }
    });
    classroom.now_ms.set(now());
    classroom.status.set(status);
}

fn on_open(generation: u64) {
    with_live(generation, |connection, session| {
        connection.opened = true;
        connection.last_heard = now();
        send_packet(connection, &session.opened());
    });
}

fn on_message(classroom: Classroom, generation: u64, event: MessageEvent) {
    let mut ui = Vec::new();
    CLIENT.with(|c| {
        let client = &mut *c.borrow_mut();
        if client.generation != generation {
            return;
        }
        let (Some(connection), Some(session)) =
            (client.connection.as_mut(), client.session.as_mut())
        else {
            return;
        };
        let failed = match event.data().dyn_into::<js_sys::ArrayBuffer>() {
            Ok(buffer) => {
                connection
                    .buffer
                    .extend(js_sys::Uint8Array::new(&buffer).to_vec());
                connection.last_heard = now();
                read_packets(connection, session, generation, &mut ui)
            }
            Err(_) => Some(
                "The broker sent text instead of MQTT packets; is this address an MQTT broker?"
                    .to_owned(),
            ),
        };
        if session.phase() == Phase::Ready {
            client.failures = 0;
        }
        if let Some(reason) = failed {
            let _ = connection.socket.close_with_code(4000);
            client.closing_reason = Some(reason);
        }
    });
    apply(classroom, ui);
}

/// Decodes and handles every whole packet in the buffer. `Some(reason)` when the
/// connection must close.
fn read_packets(
    connection: &mut Connection,
    session: &mut Session,
    generation: u64,
    ui: &mut Vec<Ui>,
) -> Option<String> {
    loop {
        let (packet, used) = match decode(&connection.buffer, MAX_PACKET_BYTES) {
            Ok(Some(decoded)) => decoded,
            Ok(None) => return None,
            Err(e) => {
                return Some(format!(
                    "The broker sent a packet this client cannot read: {e}"
                ))
            }
        };
        connection.buffer.drain(..used);
        let was_ready = session.phase() == Phase::Ready;
        let outputs = match session.receive(packet) {
            Ok(outputs) => outputs,
            Err(e) => return Some(sentence(&e.to_string())),
        };
        for output in outputs {
            match output {
                Output::Send(packet) => send_packet(connection, &packet),
                Output::Flush => flush(session, connection, &read_outbox().items),
                Output::Acked(id) => ui.push(Ui::Acked(id)),
                Output::Deliver(message, packet_id) => {
                    ui.push(Ui::Deliver(message, packet_id, generation))
                }
                Output::Coordinate(message, packet_id) => {
                    ui.push(Ui::Coordinate(message, packet_id, generation))
                }
                Output::Refused { topic, refusal } => ui.push(Ui::Refused(topic, refusal)),
                Output::FilterRefused(filter) => ui.push(Ui::Notice(format!(
                    "The broker refused the subscription to \"{filter}\"; nothing on it will arrive. Its access rules may not allow this filter."
                ))),
            }
        }
        if !was_ready && session.phase() == Phase::Ready {
            ui.push(Ui::Status(Status::Connected));
            ui.push(Ui::Outbox(read_outbox().items.len()));
        }
    }
}

/// An error message as a sentence: a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    format!("{first}{}.", chars.as_str())
}

fn on_close(classroom: Classroom, generation: u64, event: CloseEvent) {
    let reason = CLIENT.with(|c| {
        let mut client = c.borrow_mut();
        if client.generation != generation {
            return None;
        }
        let connection = client.connection.take()?;
        if let Some(keepalive) = client.keepalive.take() {
            keepalive.clear();
        }
        let session = client.session.as_mut()?;
        session.closed();
        let url = session.settings().broker.trim().to_owned();
        let said = event.reason();
        Some(client.closing_reason.take().unwrap_or_else(|| {
            if !connection.opened {
                format!(
                    "Could not reach the broker at {url}. Is it running, and does it serve MQTT over WebSocket there? (A site's Content-Security-Policy can also block it; see the README.)"
                )
            } else if said.is_empty() {
                format!("The connection to {url} was lost (code {}).", event.code())
            } else {
                format!("The broker closed the connection: {said}")
            }
        }))
    });
    if let Some(reason) = reason {
        retry_later(classroom, reason);
    }
}

/// Pings an idle line. A silent one is dropped at once and retried: the browser would
/// otherwise wait up to a minute for a paused broker to answer the WebSocket close.
fn keep_alive(classroom: Classroom, generation: u64) {
    let silent = CLIENT.with(|c| {
        let mut client = c.borrow_mut();
        if client.generation != generation {
            return false;
        }
        let client = &mut *client;
        let (Some(connection), Some(session)) =
            (client.connection.as_mut(), client.session.as_ref())
        else {
            return false;
        };
        let t = now();
        if t - connection.last_heard > SILENCE_MS {
            close(client, false);
            return true;
        }
        if session.phase() == Phase::Ready && t - connection.last_sent > PING_EVERY_MS {
            send_packet(connection, &Packet::PingReq);
        }
        false
    });
    if silent {
        retry_later(
            classroom,
            format!(
                "The broker did not answer for {} seconds.",
                (SILENCE_MS / 1000.0) as u64
            ),
        );
    }
}
