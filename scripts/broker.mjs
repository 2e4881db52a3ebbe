// The classroom's MQTT broker: aedes (npm) serving MQTT 3.1.1 over WebSocket.
//
//   node scripts/broker.mjs [--host 127.0.0.1] [--port 8883] [--data DIR] [--session-expiry HOURS]
//
// With --data, the broker keeps its sessions in a LevelDB directory: subscriptions,
// and the QoS 1 messages waiting for a learner who is offline, survive a restart of the
// broker. Without it, everything lives in memory. It listens on loopback unless --host
// says otherwise (use --host 0.0.0.0 for a room on a LAN). SIGINT or SIGTERM stops it
// cleanly. It prints one line when it is ready: `broker listening on ws://HOST:PORT/`,
// then `client connected ID` for each MQTT connection (with `(clean session)` when the
// client asked the broker to discard what it kept for that id).
import { createServer } from 'node:http';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const host = option('host', '127.0.0.1');
const port = Number(option('port', '8883'));
const data = option('data', '');
// The largest MQTT packet a client may send: a 256 KiB event plus its topic and header.
const MAX_FRAME = 260 * 1024;

let db;
let persistence;
if (data) {
  const { Level } = await import('level');
  const { default: levelPersistence } = await import('aedes-persistence-level');
  db = new Level(data);
  persistence = levelPersistence(db);
}
const broker = await Aedes.createBroker({ persistence, maxTopicLevels: 16 });

const server = createServer((req, res) => {
  res.writeHead(426, { 'content-type': 'text/plain' });
  res.end('This is an MQTT broker: connect with MQTT over WebSocket (subprotocol "mqtt").\n');
});
const sockets = new WebSocketServer({
  server,
  maxPayload: MAX_FRAME,
  handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
});
sockets.on('connection', (socket, req) => broker.handle(createWebSocketStream(socket), req));
broker.on('clientError', (client, err) => console.error(`client ${client?.id}: ${err.message}`));
// One line per connection, so an instructor (and the tests) can see who is in the room.
broker.on('client', (client) => console.log(`client connected ${client.id}${client.clean ? ' (clean session)' : ''}`));

// Sessions nobody comes back to are discarded, so the broker does not keep queueing for
// them: a kept session (clean session off) whose client has been away longer than
// --session-expiry hours (default 24) loses its subscriptions and waiting messages.
// Away times are counted in memory, from the disconnect this broker saw.
const expiryMs = Number(option('session-expiry', '24')) * 3600 * 1000;
const away = new Map();
broker.on('clientDisconnect', (client) => { if (!client.clean) away.set(client.id, Date.now()); });
broker.on('client', (client) => away.delete(client.id));
async function discard(id) {
  const client = { id };
  await broker.persistence.cleanSubscriptions(client);
  for await (const packet of broker.persistence.outgoingStream(client)) {
    await broker.persistence.outgoingClearMessageId(client, packet);
  }
}
setInterval(async () => {
  for (const [id, since] of away) {
    if (Date.now() - since < expiryMs) continue;
    away.delete(id);
    await discard(id).catch((e) => console.error(`could not discard the session of ${id}: ${e.message}`));
    console.log(`session expired ${id}`);
  }
}, Math.max(250, Math.min(expiryMs / 4, 60_000))).unref();

server.listen(port, host, () => console.log(`broker listening on ws://${host}:${port}/`));

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  for (const socket of sockets.clients) socket.terminate();
  server.close();
  broker.close(async () => {
    if (db) await db.close();
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
