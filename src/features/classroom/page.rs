//! The classroom page: join a room (broker, room, team, name, role, what to share and
//! what to listen to), see the connection, and watch what arrives. An instructor sees
//! the whole room's traffic live, with counts per team and learner. Everything from the
//! room is shown as text; nothing it contains is run or rendered as markup.

use super::{seconds_left, use_classroom, Status};
use crate::components::PageHeader;
use dojo_engine::classroom::{Listen, Role, RoomMessage, RoomSettings, SettingError, CHANNELS};
use dojo_engine::wording::plural;
use leptos::prelude::*;

#[component]
pub fn ClassroomPage() -> impl IntoView {
    let classroom = use_classroom();
    let draft = RwSignal::new(classroom.settings.get_untracked());
    let problems = RwSignal::new(Vec::<SettingError>::new());
    let joined = move || classroom.status.with(|s| *s != Status::Off);
    let role = move || draft.with(|d| d.role);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let settings = draft.get_untracked();
        let found = settings.problems();
        let ok = found.is_empty();
        problems.set(found);
        if ok {
            classroom.join(settings);
        }
    };
    let error_for = move |field: &'static str| {
        move || {
            problems.with(|p| {
                p.iter()
                    .filter(|e| e.field == field)
                    .map(|e| e.message.clone())
                    .next()
            })
        }
    };
    let text_field = move |label: &'static str,
                           id: &'static str,
                           field: &'static str,
                           get: fn(&RoomSettings) -> &String,
                           set: fn(&mut RoomSettings, String),
                           hint: &'static str| {
        let error_id = format!("{id}-error");
        let described = format!("{id}-hint {error_id}");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type="text" autocomplete="off" spellcheck="false" data-testid=id
                    prop:value=move || draft.with(|d| get(d).clone())
                    on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))
                    aria-invalid=move || error_for(field)().is_some().to_string() aria-describedby=described/>
                <p id=format!("{id}-hint") class="field-hint">{hint}</p>
                <p id=error_id.clone() class="field-error" data-testid=error_id aria-live="polite">{error_for(field)}</p>
            </div>
        }
    };

    view! {
        <PageHeader title="Classroom" intro="Put a whole room on one bus. Every browser connects to the same MQTT broker over WebSocket; the events you publish (on the event store page and through the console's commands) go out on topics dojo/room/team/learner/channel/type, and you receive what your topic filter matches. Delivery is at least once (QoS 1): what you publish while the broker is away waits in an outbox in this browser."/>
        <div class="page classroom-page">
            <section class="panel" aria-labelledby="room-heading">
                <h2 id="room-heading">"Your place in the room"</h2>
                <form on:submit=submit novalidate data-testid="room-form">
                    {text_field("Broker address", "room-broker", "broker", |d| &d.broker, |d, v| d.broker = v,
                        "MQTT over WebSocket: ws://host:port/ on a LAN, wss://… for a hosted broker")}
                    {text_field("Room", "room-name", "room", |d| &d.room, |d, v| d.room = v,
                        "The instructor gives it out; letters, digits, - and _")}
                    {text_field("Your name", "room-learner", "learner", |d| &d.learner, |d, v| d.learner = v,
                        "Shown to the room with everything you share")}
                    <fieldset class="mode-picker role-picker">
                        <legend>"Role"</legend>
                        <label><input type="radio" name="room-role" data-testid="room-role-learner"
                            prop:checked=move || role() == Role::Learner
                            on:change=move |_| draft.update(|d| d.role = Role::Learner)/>" Learner"</label>
                        <label><input type="radio" name="room-role" data-testid="room-role-instructor"
                            prop:checked=move || role() == Role::Instructor
                            on:change=move |_| draft.update(|d| d.role = Role::Instructor)/>" Instructor (sees the whole room, shares nothing)"</label>
                    </fieldset>
                    <Show when=move || role() == Role::Learner>
                        {text_field("Team", "room-team", "team", |d| &d.team, |d, v| d.team = v,
                            "Teammates can listen to the team's events only")}
                        <fieldset class="mode-picker" data-testid="room-share">
                            <legend>"Share these channels"</legend>
                            {CHANNELS.iter().map(|(channel, label)| {
                                let channel = *channel;
                                view! {
                                    <label><input type="checkbox" data-testid=format!("room-share-{channel}")
                                        prop:checked=move || draft.with(|d| d.share.iter().any(|c| c == channel))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            draft.update(|d| {
                                                d.share.retain(|c| c != channel);
                                                if on { d.share.push(channel.to_owned()); }
                                            });
                                        }/>" "{*label}</label>
                                }
                            }).collect_view()}
                        </fieldset>
                        <fieldset class="mode-picker listen-picker">
                            <legend>"Listen to"</legend>
                            <label><input type="radio" name="room-listen" data-testid="room-listen-team"
                                prop:checked=move || draft.with(|d| d.listen == Listen::Team)
                                on:change=move |_| draft.update(|d| d.listen = Listen::Team)/>" My team"</label>
                            <label><input type="radio" name="room-listen" data-testid="room-listen-room"
                                prop:checked=move || draft.with(|d| d.listen == Listen::Room)
                                on:change=move |_| draft.update(|d| d.listen = Listen::Room)/>" The whole room"</label>
                            <label><input type="radio" name="room-listen" data-testid="room-listen-custom"
                                prop:checked=move || draft.with(|d| matches!(d.listen, Listen::Custom(_)))
                                on:change=move |_| draft.update(|d| {
                                    let filter = format!("dojo/{}/+/+/quote/#", d.room);
                                    d.listen = Listen::Custom(filter);
                                })/>" A topic filter"</label>
                        </fieldset>
                        <Show when=move || draft.with(|d| matches!(d.listen, Listen::Custom(_)))>
                            <div class="field">
                                <label for="room-filter">"Topic filter"</label>
                                <input id="room-filter" type="text" autocomplete="off" spellcheck="false" data-testid="room-filter"
                                    prop:value=move || draft.with(|d| match &d.listen { Listen::Custom(f) => f.clone(), _ => String::new() })
                                    on:input=move |ev| draft.update(|d| d.listen = Listen::Custom(event_target_value(&ev)))
                                    aria-describedby="room-filter-hint room-filter-error"/>
                                <p id="room-filter-hint" class="field-hint">"+ matches one level, # the rest; e.g. dojo/room/+/+/quote/# is every quote event"</p>
                                <p id="room-filter-error" class="field-error" data-testid="room-filter-error" aria-live="polite">{error_for("filter")}</p>
                            </div>
                        </Show>
                        <p class="field-error" data-testid="room-share-error" aria-live="polite">{error_for("share")}</p>
                        <div class="field">
                            <label class="check-field"><input type="checkbox" data-testid="room-share-progress"
                                prop:checked=move || draft.with(|d| d.share_progress)
                                on:change=move |ev| draft.update(|d| d.share_progress = event_target_checked(&ev))/>
                                " Share my progress with the instructor"</label>
                            <p class="field-hint">"Off unless you tick it. Per exercise: whether you solved it, how many checks and hints, the time on its page, and the capstone reports you export"</p>
                        </div>
                    </Show>
                    <div class="field">
                        <label class="check-field"><input type="checkbox" data-testid="room-store-received"
                            prop:checked=move || draft.with(|d| d.store_received)
                            on:change=move |ev| draft.update(|d| d.store_received = event_target_checked(&ev))/>
                            " Add the events I receive to my event store"</label>
                        <p class="field-hint">"Each sender's events go into streams of their own (alice@red:customer-42), so the log and the read models follow the room without touching your own aggregates"</p>
                    </div>
                    <details class="broker-login">
                        <summary>"Broker sign-in (if the broker asks for one)"</summary>
                        {text_field("User name", "room-username", "username", |d| &d.username, |d, v| d.username = v,
                            "Sent in MQTT CONNECT")}
                        <div class="field">
                            <label for="room-password">"Password"</label>
                            <input id="room-password" type="password" autocomplete="off" data-testid="room-password"
                                prop:value=move || draft.with(|d| d.password.clone())
                                on:input=move |ev| draft.update(|d| d.password = event_target_value(&ev))/>
                            <p class="field-hint">"Kept in this browser's storage, in the clear: use a room password, not a personal one"</p>
                        </div>
                    </details>
                    <div class="form-actions">
                        <button type="submit" class="primary" data-testid="room-join">
                            {move || if joined() { "Rejoin with these settings" } else { "Join the room" }}
                        </button>
                        <Show when=joined>
                            <button type="button" data-testid="room-leave" on:click=move |_| classroom.leave()>"Leave the room"</button>
                        </Show>
                    </div>
                </form>
            </section>
            <section class="panel" aria-labelledby="connection-heading">
                <h2 id="connection-heading">"Connection"</h2>
                <ConnectionState/>
            </section>
        </div>
        {move || match classroom.settings.with(|s| s.role) {
            Role::Instructor => view! { <super::room_progress::RoomProgressView/><InstructorView/> }.into_any(),
            Role::Learner => view! { <LearnerFeed/> }.into_any(),
        }}
        <Refusals/>
    }
}

/// The connection in words, what waits in the outbox, and the latest notice.
#[component]
fn ConnectionState() -> impl IntoView {
    let classroom = use_classroom();
    let describe = move || {
        let settings = classroom.settings.get();
        match classroom.status.get() {
            Status::Off => {
                "Not in a room. Fill in the form and join; nothing is shared until you do."
                    .to_owned()
            }
            Status::Connecting { attempt } => format!(
                "Connecting to {} (attempt {attempt})…",
                settings.broker.trim()
            ),
            Status::Connected => format!(
                "Connected to {} as {} in room {}, listening to {}.",
                settings.broker.trim(),
                settings.learner,
                settings.room,
                settings.filters().join(", ")
            ),
            Status::Waiting { reason, .. } => reason,
        }
    };
    // Not a live region: it ticks every second.
    let countdown = move || match classroom.status.get() {
        Status::Waiting { attempt, at_ms, .. } => Some(format!(
            "Trying again in {} s (attempt {}).",
            seconds_left(at_ms, classroom.now_ms.get()),
            attempt + 1
        )),
        _ => None,
    };
    let waiting = move || matches!(classroom.status.get(), Status::Waiting { .. });
    view! {
        <p data-testid="room-connection" role="status"
            data-state=move || match classroom.status.get() {
                Status::Off => "off", Status::Connecting { .. } => "connecting",
                Status::Connected => "connected", Status::Waiting { .. } => "waiting",
            }>{describe}</p>
        <Show when=waiting>
            <p data-testid="room-retry-in">{countdown}</p>
            <button type="button" data-testid="room-retry" on:click=move |_| classroom.retry()>"Try now"</button>
        </Show>
        <p data-testid="room-outbox">{move || match classroom.outbox.get() {
            0 => "Outbox: empty; the broker has everything you shared.".to_owned(),
            1 => "Outbox: 1 event waiting for the broker.".to_owned(),
            n => format!("Outbox: {n} events waiting for the broker."),
        }}</p>
        {move || classroom.settings.with(|s| s.store_received).then(|| view! {
            <p data-testid="room-storing">{move || if classroom.storing.get() {
                "This tab adds the room's events to your event store."
            } else {
                "Another tab of this browser adds the room's events to your event store."
            }}</p>
        })}
        {move || classroom.notice.get().map(|n| view! {
            <p class="field-error" role="alert" data-testid="room-notice">{n}</p>
        })}
    }
}

/// One received event, shown as text.
/// At most `max` characters of untrusted text, marked when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

/// The feed's messages, newest first, each rendered once (keyed by sender and id).
fn feed_rows(show_topic: bool) -> impl IntoView {
    let classroom = use_classroom();
    view! {
        <For each=move || classroom.feed.with(|f| f.messages.iter().cloned().collect::<Vec<_>>())
            key=|m| (m.event.source.clone(), m.event.id.clone())
            children=move |m| message_row(&m, show_topic)/>
    }
}

fn message_row(message: &RoomMessage, show_topic: bool) -> impl IntoView {
    let data = message
        .event
        .data
        .as_ref()
        .map(|d| serde_json::to_string_pretty(d).unwrap_or_default());
    let time = shorten(message.event.time.as_deref().unwrap_or_default(), 40);
    view! {
        <li class="event-row room-message" data-testid="room-message" data-event-id=message.event.id.clone()>
            <div class="event-head">
                <span class="badge">{format!("{} / {}", message.team, message.learner)}</span>
                <span class="event-type">{shorten(&message.event.event_type, 120)}</span>
                <span class="event-stream">{shorten(&message.event.stream_id, 120)}</span>
            </div>
            <dl class="event-meta">
                <div><dt>"channel"</dt><dd>{message.channel.clone()}</dd></div>
                <div><dt>"time"</dt><dd class="mono">{time}</dd></div>
                <div><dt>"size"</dt><dd>{format!("{} B", message.bytes)}</dd></div>
                {show_topic.then(|| view! { <div><dt>"topic"</dt><dd class="mono">{shorten(&message.topic, 200)}</dd></div> })}
            </dl>
            {data.map(|d| view! {
                <details class="event-data"><summary>"Data"</summary><pre class="json">{d}</pre></details>
            })}
        </li>
    }
}

/// What this learner's filter brought in, newest first.
#[component]
fn LearnerFeed() -> impl IntoView {
    let classroom = use_classroom();
    view! {
        <section class="panel room-feed" aria-labelledby="feed-heading">
            <h2 id="feed-heading">"From the room"</h2>
            <p class="muted" data-testid="room-feed-summary">{move || classroom.feed.with(|f| format!(
                "{} received{}.",
                plural(f.received, "event"),
                if f.duplicates > 0 { format!(", {} repeats dropped (QoS 1 may deliver twice)", f.duplicates) } else { String::new() }
            ))}</p>
            <ul class="event-list" data-testid="room-feed">
                {feed_rows(false)}
            </ul>
        </section>
    }
}

/// The whole room live: counts per team and learner, and every event with its topic.
#[component]
fn InstructorView() -> impl IntoView {
    let classroom = use_classroom();
    view! {
        <section class="panel room-traffic" aria-labelledby="traffic-heading">
            <h2 id="traffic-heading">"Room traffic"</h2>
            <p class="muted" data-testid="room-traffic-summary">{move || classroom.feed.with(|f| {
                let teams: std::collections::BTreeSet<_> = f.counts.keys().map(|(t, _)| t).collect();
                format!("{} from {} in {}.", plural(f.received, "event"), plural(f.counts.len(), "learner"), plural(teams.len(), "team"))
            })}</p>
            <table class="room-counts" data-testid="room-counts">
                <thead><tr><th scope="col">"Team"</th><th scope="col">"Learner"</th><th scope="col">"Events"</th><th scope="col">"Latest"</th></tr></thead>
                <tbody>
                    {move || classroom.feed.with(|f| f.counts.iter().map(|((team, learner), (n, latest))| view! {
                        <tr data-testid="room-count"><td>{team.clone()}</td><td>{learner.clone()}</td><td>{*n}</td><td>{shorten(latest, 60)}</td></tr>
                    }).collect_view())}
                </tbody>
            </table>
            <ul class="event-list" data-testid="room-feed">
                {feed_rows(true)}
            </ul>
        </section>
    }
}

/// Messages the room sent that did not pass the checks.
#[component]
fn Refusals() -> impl IntoView {
    let classroom = use_classroom();
    view! {
        <Show when=move || classroom.feed.with(|f| f.refused_count > 0)>
            <section class="panel" aria-labelledby="refused-heading">
                <h2 id="refused-heading">"Refused messages"</h2>
                <p class="muted" data-testid="room-refused-summary">{move || classroom.feed.with(|f| format!(
                    "{} refused: not events this app accepts, so they were dropped. The latest:",
                    plural(f.refused_count, "message")
                ))}</p>
                <ul class="refused-list" data-testid="room-refused">
                    {move || classroom.feed.with(|f| f.refused.iter().map(|(topic, why)| view! {
                        <li><span class="mono">{topic.clone()}</span>": "{why.clone()}</li>
                    }).collect_view())}
                </ul>
            </section>
        </Show>
    }
}
