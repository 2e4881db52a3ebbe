// The classroom's MQTT broker: aedes (npm) serving MQTT 3.1.1 over WebSocket.
//
//   node scripts/broker.mjs [--host 127.0.0.1] [--port 8883] [--data DIR]
//
// With --data, the broker keeps its sessions in a LevelDB directory: subscriptions,
// and the QoS 1 messages waiting for a learner who is offline, survive a restart of the
// broker. Without it, everything lives in memory. It listens on loopback unless --host
// says otherwise (use --host 0.0.0.0 for a room on a LAN). SIGINT or SIGTERM stops it
// cleanly. It prints one line when it is ready: `broker listening on ws://HOST:PORT/`.
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
