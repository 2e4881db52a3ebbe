// A classroom under load: simulated learners publish and receive through a real broker
// for a while, and the script reports, per sender, the events lost, received twice and
// received out of order by the others, and the delivery latency. Prints measurements;
// exits 1 when any sender lost, duplicated or reordered an event at any receiver.
//
//   node scripts/classroom-load.mjs [--learners 30] [--minutes 5] [--per-minute 6]
//                                    [--flaky 5] [--broker aedes|rabbitmq]
//
// Each learner is an MQTT 3.1.1 client over WebSocket that behaves as the app's does:
// a persistent session (clean session off), a QoS 1 subscription to the whole room, QoS 1
// publishes of CloudEvents on `dojo/<room>/<team>/<learner>/<channel>/<type>` held until
// their PUBACK and sent again (same packet id, DUP set) after a reconnect, and PUBACKs
// for what it receives. Learners publish at random moments, `--per-minute` events each
// on average (the pace of a workshop), and `--flaky` of them drop their connection now
// and then (about once a minute) and reconnect after 1 to 3 seconds, as a laptop on
// conference Wi-Fi does. Lost and out-of-order are counted per sender over every
// receiver. QoS 1 is at-least-once: around a reconnect the broker may deliver an event
// again, which the app recognises by its id and drops; those repeats are reported on
// their own, and an event received twice is never counted as received twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const LEARNERS = Number(option('learners', '30'));
const MINUTES = Number(option('minutes', '5'));
const PER_MINUTE = Number(option('per-minute', '6'));
const FLAKY = Number(option('flaky', '5'));
process.env.DOJO_BROKER = option('broker', process.env.DOJO_BROKER || 'aedes');
const { brokerUrl, freePort, startBroker, stop } = await import('../e2e/processes.mjs');

const ROOM = 'load';
const TEAMS = ['red', 'blue', 'green', 'amber', 'teal'];
const CHANNELS = [['customer', 'CustomerRegistered'], ['quote', 'QuoteRequested'], ['quote', 'QuoteIssued']];

// MQTT 3.1.1 packets, written and read by hand (the script must not depend on the app).
function packet(first, ...parts) {
  const body = Buffer.concat(parts);
  const length = [];
  let n = body.length;
  do { let d = n % 128; n = Math.floor(n / 128); if (n > 0) d |= 128; length.push(d); } while (n > 0);
  return Buffer.concat([Buffer.from([first, ...length]), body]);
}
const str = (s) => { const b = Buffer.from(s); return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]); };
const u16 = (n) => Buffer.from([n >> 8, n & 255]);

/** Whole packets at the front of `buffer`: [{type, flags, body}], and the bytes left. */
function readPackets(buffer) {
  const out = [];
  let at = 0;
  for (;;) {
    if (buffer.length - at < 2) break;
    let length = 0, shift = 0, i = at + 1, byte;
    do {
      if (i >= buffer.length) return { packets: out, rest: buffer.subarray(at) };
      byte = buffer[i++]; length += (byte & 127) * 2 ** shift; shift += 7;
    } while (byte & 128);
    if (i + length > buffer.length) break;
    out.push({ type: buffer[at] >> 4, flags: buffer[at] & 15, body: buffer.subarray(i, i + length) });
    at = i + length;
  }
  return { packets: out, rest: buffer.subarray(at) };
}

/** What each receiver saw from each sender. */
const seen = new Map(); // receiver -> sender -> { ids: Set, max, repeats, outOfOrder }
const latencies = [];
const sent = new Map(); // sender -> number of events the broker acknowledged
let reconnects = 0;

class Learner {
  constructor(n, url) {
    this.name = `learner${String(n).padStart(2, '0')}`;
    this.team = TEAMS[n % TEAMS.length];
    this.clientId = `dojoload${this.name}`;
    this.url = url;
    this.seq = 0;
    this.nextId = 0;
    this.inflight = new Map(); // packet id -> publish bytes (first sending)
    this.buffer = Buffer.alloc(0);
    this.ready = false;
    this.stopped = false;
    seen.set(this.name, new Map());
    sent.set(this.name, 0);
  }

  connect() {
    return new Promise((resolve) => {
      const socket = new WebSocket(this.url, 'mqtt');
      this.socket = socket;
      this.buffer = Buffer.alloc(0);
      this.onReady = resolve;
      socket.on('open', () => socket.send(packet(0x10, str('MQTT'), Buffer.from([4, 0x00, 0, 30]), str(this.clientId))));
      socket.on('message', (data) => this.receive(Buffer.from(data)));
      socket.on('close', () => { this.ready = false; });
      socket.on('error', () => {});
    });
  }

  receive(data) {
    const { packets, rest } = readPackets(Buffer.concat([this.buffer, data]));
    this.buffer = Buffer.from(rest);
    for (const { type, flags, body } of packets) {
      if (type === 2) {
        // CONNACK: subscribe to the room, then send again what is unacknowledged.
        this.socket.send(packet(0x82, u16(this.takeId()), str(`dojo/${ROOM}/#`), Buffer.from([1])));
        for (const bytes of this.inflight.values()) {
          const again = Buffer.from(bytes);
          again[0] |= 0x08; // DUP
          this.socket.send(again);
        }
      } else if (type === 9) {
        this.ready = true;
        this.onReady?.();
        this.onReady = null;
      } else if (type === 4) {
        const id = body.readUInt16BE(0);
        if (this.inflight.delete(id)) sent.set(this.name, sent.get(this.name) + 1);
      } else if (type === 3) {
        const topicLength = body.readUInt16BE(0);
        const qos = (flags >> 1) & 3;
        const payloadAt = 2 + topicLength + (qos ? 2 : 0);
        if (qos) this.socket.send(packet(0x40, body.subarray(2 + topicLength, 4 + topicLength)));
        this.note(JSON.parse(body.subarray(payloadAt).toString()));
      }
    }
  }

  /** A message from the room: was it new, in order, and how long did it take? */
  note(event) {
    const from = event.data.learner;
    if (from === this.name) return;
    const bySender = seen.get(this.name);
    const s = bySender.get(from) ?? { ids: new Set(), max: 0, repeats: 0, outOfOrder: 0 };
    bySender.set(from, s);
    if (s.ids.has(event.data.seq)) { s.repeats += 1; return; }
    s.ids.add(event.data.seq);
    if (event.data.seq < s.max) s.outOfOrder += 1;
    s.max = Math.max(s.max, event.data.seq);
    latencies.push(Date.now() - event.data.sentAt);
  }

  takeId() {
    do { this.nextId = (this.nextId % 65535) + 1; } while (this.inflight.has(this.nextId));
    return this.nextId;
  }

  publish() {
    this.seq += 1;
    const [channel, type] = CHANNELS[this.seq % CHANNELS.length];
    const stream = `${channel}-${this.name}-${this.seq}`;
    const event = {
      specversion: '1.0', id: `${this.name}-${this.seq}`, source: 'dojo.load', type, subject: stream,
      time: new Date().toISOString(), datacontenttype: 'application/json',
      data: { learner: this.name, seq: this.seq, sentAt: Date.now(), note: 'x'.repeat(300) },
      streamid: stream, streamversion: 1, globalposition: this.seq,
    };
    const id = this.takeId();
    const bytes = packet(0x32, str(`dojo/${ROOM}/${this.team}/${this.name}/${channel}/${type}`), u16(id), Buffer.from(JSON.stringify(event)));
    this.inflight.set(id, bytes);
    if (this.ready) this.socket.send(bytes);
  }

  drop() {
    reconnects += 1;
    this.ready = false;
    this.socket.terminate();
    setTimeout(() => { if (!this.stopped) this.connect(); }, 1000 + Math.random() * 2000);
  }

  close() {
    this.stopped = true;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(Buffer.from([0xe0, 0]));
    this.socket.close();
  }
}

const port = await freePort();
const dataDir = mkdtempSync(join(tmpdir(), 'dojo-load-'));
const broker = await startBroker(port, dataDir);
const learners = Array.from({ length: LEARNERS }, (_, i) => new Learner(i + 1, brokerUrl(port)));
await Promise.all(learners.map((l) => l.connect()));
console.log(`${LEARNERS} learners in the room on ${process.env.DOJO_BROKER}; publishing for ${MINUTES} min, ${PER_MINUTE} events a minute each, ${FLAKY} of them on flaky Wi-Fi`);

const started = Date.now();
const end = started + MINUTES * 60_000;
const timers = [];
for (const [i, learner] of learners.entries()) {
  // Publishes at random moments: the gaps are exponential with the given mean.
  const next = () => {
    const wait = -Math.log(1 - Math.random()) * 60_000 / PER_MINUTE;
    timers.push(setTimeout(() => {
      if (Date.now() >= end) return;
      learner.publish();
      next();
    }, wait));
  };
  next();
  if (i < FLAKY) {
    const flake = () => timers.push(setTimeout(() => {
      if (Date.now() >= end) return;
      learner.drop();
      flake();
    }, 20_000 + Math.random() * 60_000));
    flake();
  }
}
const progress = setInterval(() => {
  const published = learners.reduce((n, l) => n + l.seq, 0);
  console.log(`  ${Math.round((Date.now() - started) / 1000)} s: ${published} published, ${latencies.length} deliveries, ${reconnects} reconnects`);
}, 30_000);
await new Promise((r) => setTimeout(r, end - Date.now()));
// Publishing has stopped: let what is in flight arrive (reconnecting learners included).
const settle = Date.now();
while (Date.now() - settle < 30_000) {
  const waiting = learners.some((l) => l.inflight.size > 0 || !l.ready);
  const complete = learners.every((r) => learners.every((s) => s === r || (seen.get(r.name).get(s.name)?.ids.size ?? 0) === s.seq));
  if (!waiting && complete) break;
  await new Promise((r) => setTimeout(r, 250));
}
clearInterval(progress);
timers.forEach(clearTimeout);

// Per sender: deliveries lost, repeated and out of order, over every other learner.
let failures = 0;
const rows = [];
for (const s of learners) {
  let lost = 0, repeats = 0, outOfOrder = 0;
  for (const r of learners) {
    if (r === s) continue;
    const v = seen.get(r.name).get(s.name) ?? { ids: new Set(), repeats: 0, outOfOrder: 0 };
    lost += s.seq - v.ids.size;
    repeats += v.repeats;
    outOfOrder += v.outOfOrder;
  }
  if (lost || outOfOrder) failures += 1;
  rows.push({ sender: s.name, published: s.seq, acknowledged: sent.get(s.name), lost, repeats, outOfOrder });
}
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const total = rows.reduce((n, r) => n + r.published, 0);
console.log(`\n${total} events published in ${MINUTES} min by ${LEARNERS} learners; ${latencies.length} deliveries (each event to ${LEARNERS - 1} others); ${reconnects} reconnects`);
console.table(rows);
console.log(`lost: ${rows.reduce((n, r) => n + r.lost, 0)}, out of order: ${rows.reduce((n, r) => n + r.outOfOrder, 0)}, delivered again (QoS 1 repeats, dropped by id in the app): ${rows.reduce((n, r) => n + r.repeats, 0)}`);
console.log(`delivery latency (publish to receipt): p50 ${pct(50)} ms, p90 ${pct(90)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)} ms`);
learners.forEach((l) => l.close());
await new Promise((r) => setTimeout(r, 500));
await stop(broker);
rmSync(dataDir, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
