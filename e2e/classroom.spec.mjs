// Classroom mode against a real MQTT broker, which this spec starts on 127.0.0.1, kills
// in the middle, starts again, and stops: aedes over WebSocket (scripts/broker.mjs), or
// with DOJO_BROKER=rabbitmq, RabbitMQ's Web MQTT plugin (scripts/rabbitmq.mjs).
// Four browser contexts are four browsers in a room: two learners of team red, one of
// team blue, and the instructor.
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { axeViolations } from './axe.mjs';
import { brokerKind, brokerPort, brokerUrl, freePort, signalAll, startBroker, stop } from './processes.mjs';

let port;
let dataDir;
let broker;

test.beforeAll(async () => {
  port = await brokerPort();
  dataDir = mkdtempSync(join(tmpdir(), 'dojo-broker-'));
  broker = await startBroker(port, dataDir);
});

test.afterAll(async () => {
  await stop(broker);
  rmSync(dataDir, { recursive: true, force: true });
});

async function join_(page, { room, learner, team, role = 'learner', listen = 'team', store = false, url = brokerUrl(port) }) {
  await page.goto('/classroom');
  await page.getByTestId('room-broker').fill(url);
  await page.getByTestId('room-name').fill(room);
  await page.getByTestId('room-learner').fill(learner);
  await page.getByTestId(`room-role-${role}`).check();
  if (role === 'learner') {
    await page.getByTestId('room-team').fill(team);
    await page.getByTestId(`room-listen-${listen}`).check();
  }
  if (store) await page.getByTestId('room-store-received').check();
  await page.getByTestId('room-join').click();
  await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
}

/** Publishes on the event store page, reached through the navigation (no reload). */
async function publish(page, stream, type) {
  await page.getByRole('link', { name: 'Event store' }).click();
  await page.getByTestId('publish-stream').fill(stream);
  await page.getByTestId('publish-type').fill(type);
  await page.getByTestId('publish-submit').click();
  await expect(page.getByTestId('publish-status')).toContainText(`Appended to ${stream}`);
}

/** The header's status dot colour, and the theme colours it should take. */
async function dot(page) {
  return page.evaluate(() => {
    const colour = (name) => {
      const probe = document.createElement('i');
      probe.style.background = `var(${name})`;
      document.body.append(probe);
      const c = getComputedStyle(probe).backgroundColor;
      probe.remove();
      return c;
    };
    const now = getComputedStyle(document.querySelector('.room-dot')).backgroundColor;
    return { now, ok: colour('--ok'), danger: colour('--danger'), border: colour('--border') };
  });
}

/** The stream ids in a page's room feed, in the order shown. */
async function feedStreams(page) {
  return page.getByTestId('room-feed').locator('.event-stream').allTextContents();
}

test('a room shares events through the broker, by team, and loses none across a broker restart or while a learner is away', async ({ browser }) => {
  test.setTimeout(240_000);
  const contexts = await Promise.all([0, 1, 2, 3].map(() => browser.newContext()));
  const [alice, bob, carol, teacher] = await Promise.all(contexts.map((c) => c.newPage()));
  try {
    await join_(teacher, { room: 'monday', learner: 'teacher', role: 'instructor' });
    await join_(bob, { room: 'monday', learner: 'bob', team: 'red', store: true });
    await join_(carol, { room: 'monday', learner: 'carol', team: 'blue' });
    await join_(alice, { room: 'monday', learner: 'alice', team: 'red' });
    await expect(bob.getByTestId('room-connection')).toContainText('listening to dojo/monday/red/#');
    await expect(bob.getByTestId('room-storing')).toHaveText("This tab adds the room's events to your event store.");
    const connected = await dot(bob);
    expect(connected.now).toBe(connected.ok);

    await publish(alice, 'customer-a1', 'CustomerRegistered');
    await publish(carol, 'customer-c1', 'CustomerRegistered');
    // Bob listens to team red: Alice's event arrives, Carol's (team blue) does not.
    await expect(bob.getByTestId('room-message')).toHaveCount(1);
    expect(await feedStreams(bob)).toEqual(['customer-a1']);
    await expect(bob.getByTestId('room-message').first()).toContainText('red / alice');
    // The instructor sees the whole room, counted per team and learner.
    await expect(teacher.getByTestId('room-count')).toHaveCount(2);
    await expect(teacher.getByTestId('room-traffic-summary')).toHaveText('2 events from 2 learners in 2 teams.');
    await expect(teacher.getByTestId('room-feed')).toContainText('dojo/monday/blue/carol/customer/CustomerRegistered');
    expect(await axeViolations(teacher)).toEqual([]);
    expect(await axeViolations(bob)).toEqual([]);

    // Bob steps away: he leaves the room, and the broker keeps his session (his
    // subscription, and what arrives for it) until he is back.
    await bob.getByTestId('room-leave').click();
    await expect(bob.getByTestId('room-status')).toHaveAttribute('data-state', 'off');

    // The broker dies. Alice keeps publishing; her events wait in the outbox.
    await stop(broker, 'SIGKILL');
    await expect(alice.getByTestId('room-status')).toHaveAttribute('data-state', 'waiting');
    await expect(alice.getByTestId('room-status')).toContainText('Offline: retry in');
    const waiting = await dot(alice);
    expect(waiting.now).toBe(waiting.danger);
    for (const n of [2, 3, 4]) await publish(alice, `quote-a${n}`, 'QuoteRequested');
    await expect(alice.getByTestId('room-status-outbox')).toHaveText('3 waiting');
    // At 1280 px the header stays one row with the longer status: every link and the
    // status sit on one line.
    expect(alice.viewportSize().width).toBe(1280);
    const spread = await alice.locator('.app-header').evaluate((h) => {
      const middles = [...h.querySelectorAll('.brand, nav a, .room-status')].map((e) => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; });
      return Math.max(...middles) - Math.min(...middles);
    });
    expect(spread).toBeLessThan(8);
    // The outbox outlives the page: reload, and the tab rejoins the room by itself.
    await alice.reload();
    await expect(alice.getByTestId('room-status-outbox')).toHaveText('3 waiting');
    await expect(alice.getByTestId('room-status')).toHaveAttribute('data-state', /waiting|connecting/);
    await alice.getByRole('link', { name: 'Classroom', exact: true }).click();
    await expect(alice.getByTestId('room-connection')).toContainText(`Could not reach the broker at ${brokerUrl(port)}`);
    await expect(alice.getByTestId('room-outbox')).toHaveText('Outbox: 3 events waiting for the broker.');
    await expect(alice.getByTestId('room-retry-in')).toHaveText(/^Trying again in \d+ s \(attempt \d+\)\.$/);
    expect(await axeViolations(alice)).toEqual([]);

    broker = await startBroker(port, dataDir);
    await expect(alice.getByTestId('room-status')).toHaveAttribute('data-state', 'connected', { timeout: brokerKind === 'rabbitmq' ? 60_000 : 40_000 });
    await expect(alice.getByTestId('room-status-outbox')).toHaveCount(0);
    await alice.goto('/classroom');
    await expect(alice.getByTestId('room-outbox')).toHaveText('Outbox: empty; the broker has everything you shared.');

    // A command in the console is shared as well.
    await alice.getByRole('link', { name: 'Event console' }).click();
    await alice.getByTestId('cmd-customer_id').fill('a5');
    await alice.getByTestId('command-submit').click();
    await expect(alice.getByTestId('command-result')).toContainText('appended to customer-a5');

    // Bob comes back after all of that was sent (and after the broker's restart): the
    // broker kept it for him. Everything Alice published reached him, each event once,
    // and nothing of Carol's.
    await bob.getByTestId('room-join').click();
    await expect(bob.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
    await expect(bob.getByTestId('room-message')).toHaveCount(5, { timeout: 20_000 });
    expect((await feedStreams(bob)).sort()).toEqual(['customer-a1', 'customer-a5', 'quote-a2', 'quote-a3', 'quote-a4']);
    const ids = await bob.getByTestId('room-message').evaluateAll((rows) => rows.map((r) => r.dataset.eventId));
    expect(new Set(ids).size).toBe(5);
    await expect(teacher.getByTestId('room-traffic-summary')).toHaveText('6 events from 2 learners in 2 teams.', { timeout: 20_000 });
    // Per learner: how many events, and the latest one's type.
    await expect(teacher.getByTestId('room-count').filter({ hasText: 'alice' })).toHaveText('redalice5CustomerRegistered');
    // Bob asked for the room's events in his event store: each once, in Alice's streams.
    await bob.getByRole('link', { name: 'Event store' }).click();
    await expect(bob.getByTestId('log-summary')).toHaveText('5 events in the store, newest first.');
    for (const stream of ['alice@red:customer-a1', 'alice@red:quote-a4', 'alice@red:customer-a5']) {
      await expect(bob.getByText(stream, { exact: false }).first()).toBeVisible();
    }
    await carol.getByRole('link', { name: 'Classroom', exact: true }).click();
    await expect(carol.getByTestId('room-feed-summary')).toHaveText('1 event received.');

    // A second tab of Bob's browser joins by itself (the room is remembered). Both tabs
    // receive Alice's next event, and only one of them adds it to the store they share.
    const bob2 = await contexts[1].newPage();
    await bob2.goto('/classroom');
    await expect(bob2.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
    await expect(bob2.getByTestId('room-storing')).toHaveText("Another tab of this browser adds the room's events to your event store.");
    await publish(alice, 'customer-a6', 'CustomerRegistered');
    await expect(bob2.getByTestId('room-message')).toHaveCount(1);
    await expect(bob.getByTestId('log-summary')).toHaveText('6 events in the store, newest first.');
    await bob2.waitForTimeout(500);
    await bob2.getByRole('link', { name: 'Event store' }).click();
    await expect(bob2.getByTestId('log-summary')).toHaveText('6 events in the store, newest first.');
    await expect(bob.getByTestId('log-summary')).toHaveText('6 events in the store, newest first.');
    // When the storing tab closes, the other one takes over.
    await bob.close();
    await bob2.getByRole('link', { name: 'Classroom', exact: true }).click();
    await expect(bob2.getByTestId('room-storing')).toHaveText("This tab adds the room's events to your event store.");
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});

/** MQTT 3.1.1 bytes written by hand: an intruder that publishes whatever it likes. */
function mqtt(type, ...parts) {
  const body = Buffer.concat(parts);
  const length = [];
  let n = body.length;
  do { let d = n % 128; n = Math.floor(n / 128); if (n > 0) d |= 128; length.push(d); } while (n > 0);
  return Buffer.concat([Buffer.from([type, ...length]), body]);
}
const str = (s) => { const b = Buffer.from(s); return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]); };

async function intrude(messages, url = brokerUrl(port), qos = 0) {
  const socket = new WebSocket(url, 'mqtt');
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  const connack = new Promise((resolve) => socket.once('message', resolve));
  socket.send(mqtt(0x10, str('MQTT'), Buffer.from([4, 0x02, 0, 30]), str('intruder')));
  await connack;
  messages.forEach(([topic, payload], i) => socket.send(qos
    ? mqtt(0x32, str(topic), Buffer.from([0, i + 1]), Buffer.from(payload))
    : mqtt(0x30, str(topic), Buffer.from(payload))));
  await new Promise((r) => setTimeout(r, 300));
  socket.close();
}

test("the room's events go through the receiver's schema validation: an enforced misfit is named and not stored", async ({ browser }) => {
  test.setTimeout(120_000);
  const contexts = await Promise.all([0, 1].map(() => browser.newContext()));
  const [alice, bob] = await Promise.all(contexts.map((c) => c.newPage()));
  try {
    // Bob's registry refuses a CustomerRegistered without a loyalty tier.
    await bob.goto('/schemas');
    await bob.getByTestId('new-schema').locator('summary').click();
    await bob.getByTestId('new-schema-name').fill('CustomerRegistered');
    await bob.getByTestId('new-schema-text').fill(JSON.stringify({
      type: 'object', properties: { tier: { type: 'string' } }, required: ['tier'],
    }));
    await bob.getByTestId('new-schema-register').click();
    await expect(bob.getByTestId('new-schema-status')).toHaveText('Registered CustomerRegistered v1 in my-schemas.');
    await bob.getByTestId('schema-validation').selectOption('enforce');
    await join_(bob, { room: 'schemas', learner: 'bob', team: 'red', store: true });
    await join_(alice, { room: 'schemas', learner: 'alice', team: 'red' });
    await publish(alice, 'customer-a1', 'CustomerRegistered');
    await expect(bob.getByTestId('room-message')).toHaveCount(1);
    await expect(bob.getByTestId('room-notice')).toContainText('An event from the room could not be added to your event store: event');
    await expect(bob.getByTestId('room-notice')).toContainText('CustomerRegistered does not fit schema CustomerRegistered v1 in my-schemas: field `tier` is required and missing (rule: required)');
    await bob.getByRole('link', { name: 'Event store' }).click();
    await expect(bob.getByTestId('log-empty')).toBeVisible();
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
});

test('messages from the room are checked, capped, and shown only as text', async ({ page }) => {
  const pwned = [];
  await page.exposeFunction('reportPwned', (what) => pwned.push(what));
  await join_(page, { room: 'tuesday', learner: 'dana', team: 'red', listen: 'room' });
  const markup = {
    specversion: '1.0', id: 'evil-1', source: 'intruder', type: '<img src=x onerror="reportPwned(1)">',
    streamid: 'quote-x', streamversion: 1, globalposition: 1,
    data: { note: '<script>reportPwned(2)</script><b>bold</b>' },
  };
  await intrude([
    ['dojo/tuesday/red/mallory/quote/QuoteRequested', JSON.stringify(markup)],
    ['dojo/tuesday/red/mallory/quote/QuoteRequested', '<script>reportPwned(3)</script>'],
    ['dojo/tuesday/red/mallory/quote/QuoteRequested', JSON.stringify({ ...markup, id: 'big', data: { pad: 'x'.repeat(70_000) } })],
    ['dojo/tuesday/not-a-room-topic', JSON.stringify({ ...markup, id: 'evil-2' })],
  ]);
  await expect(page.getByTestId('room-message')).toHaveCount(1);
  const row = page.getByTestId('room-message');
  await expect(row.locator('.event-type')).toHaveText('<img src=x onerror="reportPwned(1)">');
  await row.locator('summary').click();
  await expect(row.locator('pre')).toContainText('<script>reportPwned(2)</script><b>bold</b>');
  await expect(row.locator('img, script, b')).toHaveCount(0);

  await expect(page.getByTestId('room-refused-summary')).toHaveText('3 messages refused: not events this app accepts, so they were dropped. The latest:');
  const refused = page.getByTestId('room-refused');
  await expect(refused).toContainText('not a CloudEvent: (line): not JSON');
  await expect(refused).toContainText('more than the 65536 a room message may have');
  await expect(refused).toContainText('dojo/tuesday/not-a-room-topic: the topic is not dojo/<room>/<team>/<learner>/<channel>/<type> of this room');
  expect(pwned).toEqual([]);
  expect(await axeViolations(page)).toEqual([]);
});

test('settings that cannot work are refused field by field, and change nothing', async ({ page }) => {
  await page.goto('/classroom');
  await page.getByTestId('room-broker').fill('http://127.0.0.1:1/');
  await page.getByTestId('room-name').fill('wed nesday');
  await page.getByTestId('room-learner').fill('erin');
  await page.getByTestId('room-team').fill('red');
  await page.getByTestId('room-listen-custom').check();
  await page.getByTestId('room-filter').fill('dojo/other/#');
  await page.getByTestId('room-join').click();
  await expect(page.getByTestId('room-broker-error')).toHaveText('must be a WebSocket address starting with ws:// or wss://, e.g. ws://127.0.0.1:8883/');
  await expect(page.getByTestId('room-name-error')).toHaveText("may only use letters, digits, '-' and '_', not ' '");
  await expect(page.getByTestId('room-filter-error')).toContainText('must stay inside the room');
  await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'off');
  const off = await dot(page);
  expect(off.now).toBe(off.border);
  await page.reload();
  await expect(page.getByTestId('room-name')).toHaveValue('');
});

test('a duplicated tab gets its own client id and does not push the original off the broker', async ({ context }) => {
  const original = await context.newPage();
  await join_(original, { room: 'duplicates', learner: 'gwen', team: 'red' });
  const copied = await original.evaluate(() => JSON.stringify(sessionStorage));
  const before = broker.clients.length;
  // Duplicating a tab gives the copy the original's sessionStorage: the same tab id. The
  // room settings (localStorage) say "joined", so the copy rejoins as it starts.
  const duplicate = await context.newPage();
  await duplicate.addInitScript((saved) => {
    if (!sessionStorage.length) for (const [k, v] of Object.entries(JSON.parse(saved))) sessionStorage.setItem(k, v);
  }, copied);
  await duplicate.goto('/classroom');
  await expect(duplicate.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
  const tabId = (page) => page.evaluate(() => sessionStorage.getItem('event-dojo.classroom.tab'));
  expect(await tabId(duplicate)).not.toBe(await tabId(original));
  // Both stay connected: with one client id, each connection would push the other off.
  await original.waitForTimeout(2000);
  for (const page of [original, duplicate]) await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
  const since = broker.clients.slice(before);
  expect(since).toHaveLength(1);
  expect(since[0]).toContain(await tabId(duplicate));
  // A reload keeps the tab's id (the lock is let go and taken again).
  const id = await tabId(duplicate);
  await duplicate.reload();
  await expect(duplicate.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
  expect(await tabId(duplicate)).toBe(id);
  await original.getByTestId('room-leave').click();
  await duplicate.getByTestId('room-leave').click();
});

test('a broker that refuses the sign-in is named with its reason, and retried', async ({ page }) => {
  // A stand-in broker that answers every CONNECT with return code 4 (bad user name or password).
  const refuserPort = await freePort();
  const refuser = new WebSocketServer({ host: '127.0.0.1', port: refuserPort, handleProtocols: () => 'mqtt' });
  let connects = 0;
  refuser.on('connection', (socket) => socket.on('message', () => { connects += 1; socket.send(Buffer.from([0x20, 2, 0, 4])); }));
  try {
    await page.goto('/classroom');
    await page.getByTestId('room-broker').fill(`ws://127.0.0.1:${refuserPort}/`);
    await page.getByTestId('room-name').fill('thursday');
    await page.getByTestId('room-learner').fill('frank');
    await page.getByTestId('room-team').fill('red');
    await page.getByTestId('room-join').click();
    await expect(page.getByTestId('room-connection')).toHaveText('The broker refused the connection: the user name or password is wrong.');
    await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'waiting');
    const before = connects;
    await page.getByTestId('room-retry').click();
    await expect.poll(() => connects).toBeGreaterThan(before);
    await expect(page.getByTestId('room-retry-in')).toContainText('(attempt');
    await page.getByTestId('room-leave').click();
    await expect(page.getByTestId('room-status')).toHaveText('Classroom: off');
  } finally {
    await new Promise((r) => refuser.close(r));
  }
});

/** The MQTT packets in one WebSocket message: each its type, flags and body. */
function packets(data) {
  const out = [];
  let at = 0;
  while (at < data.length) {
    const first = data[at];
    let length = 0, shift = 0, i = at + 1, byte;
    do { byte = data[i++]; length += (byte & 127) * 2 ** shift; shift += 7; } while (byte & 128);
    out.push({ type: first >> 4, flags: first & 15, body: data.subarray(i, i + length) });
    at = i + length;
  }
  return out;
}

test('an unacknowledged publish goes again after a reconnect, with the same packet id and DUP set', async ({ page }) => {
  // A stand-in broker that takes the first connection's publish without acknowledging it
  // and drops the line; on the next connection it acknowledges everything.
  const standInPort = await freePort();
  const standIn = new WebSocketServer({ host: '127.0.0.1', port: standInPort, handleProtocols: () => 'mqtt' });
  const publishes = [];
  let connections = 0;
  standIn.on('connection', (socket) => {
    const connection = ++connections;
    socket.on('message', (data) => {
      for (const { type, flags, body } of packets(data)) {
        if (type === 1) socket.send(Buffer.from([0x20, 2, connection > 1 ? 1 : 0, 0]));
        if (type === 8) {
          let n = 0;
          for (let i = 2; i < body.length; i += 2 + body.readUInt16BE(i) + 1) n += 1;
          socket.send(Buffer.from([0x90, 2 + n, body[0], body[1], ...Array(n).fill(1)]));
        }
        if (type === 3) {
          const topicLength = body.readUInt16BE(0);
          const packetId = body.readUInt16BE(2 + topicLength);
          publishes.push({ connection, dup: Boolean(flags & 8), qos: (flags >> 1) & 3, packetId });
          if (connection === 1) socket.terminate();
          else socket.send(Buffer.from([0x40, 2, packetId >> 8, packetId & 255]));
        }
        if (type === 12) socket.send(Buffer.from([0xd0, 0]));
      }
    });
  });
  try {
    await page.goto('/classroom');
    await page.getByTestId('room-broker').fill(`ws://127.0.0.1:${standInPort}/`);
    await page.getByTestId('room-name').fill('friday');
    await page.getByTestId('room-learner').fill('hana');
    await page.getByTestId('room-team').fill('red');
    await page.getByTestId('room-join').click();
    await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
    await publish(page, 'quote-h1', 'QuoteRequested');
    // The line drops; the client reconnects (after its backoff) and sends it again.
    await expect.poll(() => publishes.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const [first, again] = publishes;
    expect(first).toMatchObject({ connection: 1, dup: false, qos: 1 });
    expect(again).toEqual({ connection: 2, dup: true, qos: 1, packetId: first.packetId });
    await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
    await expect(page.getByTestId('room-status-outbox')).toHaveCount(0);
    // Acknowledged: it is not sent a third time.
    await page.waitForTimeout(500);
    expect(publishes).toHaveLength(2);
    await page.getByRole('link', { name: 'Classroom', exact: true }).click();
    await page.getByTestId('room-leave').click();
  } finally {
    await new Promise((r) => standIn.close(r));
  }
});

test('a broker that goes silent is noticed by keep-alive, and the room is rejoined when it answers again', async ({ page }) => {
  await page.clock.install();
  await join_(page, { room: 'silence', learner: 'ines', team: 'blue' });
  signalAll(broker, 'SIGSTOP');
  try {
    // No answer to anything: after one and a half keep-alive periods (45 s) the client
    // gives up on the line and tries again later.
    await page.clock.fastForward('00:50');
    await expect(page.getByTestId('room-connection')).toHaveText('The broker did not answer for 45 seconds.');
    await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', /waiting|connecting/);
  } finally {
    signalAll(broker, 'SIGCONT');
  }
  await page.clock.fastForward('00:20');
  await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
  await page.getByTestId('room-leave').click();
});

test('a broker session is not left behind: a closed tab\'s is taken over, and one made for another room is discarded', async ({ context }) => {
  const tabId = (page) => page.evaluate(() => sessionStorage.getItem('event-dojo.classroom.tab'));
  const first = await context.newPage();
  await join_(first, { room: 'tuesday', learner: 'jun', team: 'red' });
  const id = await tabId(first);
  const clientId = broker.clients.at(-1);
  expect(clientId).toContain(id);
  await first.close();
  // A new tab (the room is remembered, so it joins by itself) takes the closed tab's id,
  // and with it the broker session: no second session for this browser.
  const second = await context.newPage();
  await second.goto('/classroom');
  await expect(second.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
  expect(await tabId(second)).toBe(id);
  expect(broker.clients.at(-1)).toBe(clientId);
  expect(broker.cleanStarts).not.toContain(clientId);
  // Joining another room: the old session's subscriptions would go on filling it, so the
  // broker is asked to start this client afresh, once.
  await second.getByTestId('room-leave').click();
  await second.getByTestId('room-name').fill('wednesday');
  await second.getByTestId('room-join').click();
  await expect(second.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
  const cleanStarts = () => broker.cleanStarts.filter((c) => c === clientId).length;
  expect(cleanStarts()).toBe(1);
  await second.reload();
  await expect(second.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
  expect(broker.clients.at(-1)).toBe(clientId);
  expect(cleanStarts()).toBe(1);
  // Another name is another client id: the old id's session is discarded by a short
  // connection of its own.
  await second.getByTestId('room-leave').click();
  await second.getByTestId('room-learner').fill('junko');
  await second.getByTestId('room-join').click();
  await expect(second.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
  await expect.poll(cleanStarts).toBe(2);
  await second.getByTestId('room-leave').click();
});

test('a session nobody comes back to expires on the broker', async ({ page }) => {
  test.setTimeout(120_000);
  // A broker of its own whose sessions expire after 3.6 seconds away.
  const shortPort = await brokerPort();
  const shortDir = mkdtempSync(join(tmpdir(), 'dojo-broker-'));
  const short = await startBroker(shortPort, shortDir, ['--session-expiry', '0.001']);
  const url = brokerUrl(shortPort);
  const event = (id) => JSON.stringify({ specversion: '1.0', id, source: 'dojo.test', type: 'QuoteRequested',
    subject: 'quote-1', time: '2026-01-01T00:00:00Z', datacontenttype: 'application/json', data: {},
    streamid: 'quote-1', streamversion: 1, globalposition: 1 });
  const topic = 'dojo/expiry/red/mallory/quote/QuoteRequested';
  try {
    await join_(page, { room: 'expiry', learner: 'kim', team: 'red', url });
    await page.getByTestId('room-leave').click();
    // Away briefly: the session is kept, and what the room sends waits for Kim.
    await intrude([[topic, event('while-away-briefly')]], url, 1);
    await page.getByTestId('room-join').click();
    await expect(page.getByTestId('room-message')).toHaveCount(1);
    await page.getByTestId('room-leave').click();
    // Away for longer than the expiry: the broker discards the session, so nothing
    // published meanwhile is kept for Kim.
    await page.waitForTimeout(8000);
    await intrude([[topic, event('after-expiry')]], url, 1);
    await page.getByTestId('room-join').click();
    await expect(page.getByTestId('room-status')).toHaveAttribute('data-state', 'connected');
    await page.waitForTimeout(1500);
    await expect(page.getByTestId('room-message')).toHaveCount(1);
    await page.getByTestId('room-leave').click();
  } finally {
    await stop(short);
    rmSync(shortDir, { recursive: true, force: true });
  }
});
