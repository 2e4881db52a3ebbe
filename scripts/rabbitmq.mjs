// A second classroom broker: Debian's RabbitMQ (`rabbitmq-server`) with its Web MQTT
// plugin, run as an ordinary process with everything of its own under one directory.
//
//   node scripts/rabbitmq.mjs [--host 127.0.0.1] [--port 15675] [--data DIR] [--session-expiry HOURS]
//
// Learners connect to ws://HOST:PORT/ws. RabbitMQ keeps each persistent MQTT session
// (clean session off) as a durable queue in DIR, so subscriptions and the QoS 1 messages
// waiting for an offline learner survive a restart; a session nobody has used for
// --session-expiry hours (default 24) is deleted (`mqtt.subscription_ttl`). Every port it opens (AMQP, MQTT, Web MQTT, Erlang
// distribution and epmd) is on HOST. It prints `broker listening on ws://HOST:PORT/ws`
// when it is ready, then `client connected ID` for each MQTT connection, like
// scripts/broker.mjs. SIGINT or SIGTERM stops it and its epmd.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const host = option('host', '127.0.0.1');
const port = Number(option('port', '15675'));
const data = resolve(option('data', '.rabbitmq-data'));
const expiryHours = Number(option('session-expiry', '24'));
const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
if (!existsSync(SERVER)) {
  console.error('RabbitMQ is not installed: apt-get install rabbitmq-server (scripts/setup.sh test does it).');
  process.exit(2);
}

// Its other ports sit next to the WebSocket one, so two of these never collide.
const ports = { amqp: port + 1, mqtt: port + 2, dist: port + 3, epmd: port + 4 };
const node = `dojo${port}@localhost`;
mkdirSync(join(data, 'log'), { recursive: true });
writeFileSync(join(data, 'rabbitmq.conf'), [
  `listeners.tcp.default = ${host}:${ports.amqp}`,
  `mqtt.listeners.tcp.default = ${host}:${ports.mqtt}`,
  `web_mqtt.tcp.ip = ${host}`,
  `web_mqtt.tcp.port = ${port}`,
  'mqtt.allow_anonymous = true',
  `mqtt.subscription_ttl = ${Math.round(expiryHours * 3600 * 1000)}`,
  'loopback_users = none',
  'log.console = true',
  'log.console.level = debug',
  'log.file = false',
  '',
].join('\n'));
writeFileSync(join(data, 'enabled_plugins'), '[rabbitmq_web_mqtt].\n');

const env = {
  ...process.env,
  HOME: data, // its Erlang cookie
  RABBITMQ_NODENAME: node,
  RABBITMQ_CONFIG_FILE: join(data, 'rabbitmq'),
  RABBITMQ_ENABLED_PLUGINS_FILE: join(data, 'enabled_plugins'),
  RABBITMQ_MNESIA_BASE: join(data, 'mnesia'),
  RABBITMQ_LOG_BASE: join(data, 'log'),
  RABBITMQ_DIST_PORT: String(ports.dist),
  ERL_EPMD_ADDRESS: host === '0.0.0.0' ? '' : host,
  ERL_EPMD_PORT: String(ports.epmd),
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: host === '0.0.0.0' ? '' : `-kernel inet_dist_use_interface {${host.split('.').join(',')}}`,
};
const server = spawn(SERVER, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let ready = false;
const seen = (line) => {
  if (!ready && line.includes('Server startup complete')) {
    ready = true;
    console.log(`broker listening on ws://${host}:${port}/ws`);
  }
  // The MQTT plugin logs each CONNECT at debug level, with the client id.
  const connect = line.match(/Received a CONNECT, client ID: "([^"]*)".*clean session: (true|false)/);
  if (connect) console.log(`client connected ${connect[1]}${connect[2] === 'true' ? ' (clean session)' : ''}`);
  if ((!stopping && /\[(error|critical)\]/.test(line)) || process.env.RABBITMQ_VERBOSE) console.error(line);
};
for (const stream of [server.stdout, server.stderr]) {
  let rest = '';
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    lines.forEach(seen);
  });
}
server.on('exit', (code, signal) => {
  if (!stopping) console.error(`rabbitmq-server exited (${signal ?? code})`);
  stopEpmd();
  process.exit(stopping ? 0 : 1);
});

function stopEpmd() {
  try {
    execFileSync('epmd', ['-kill'], { env, stdio: 'ignore' });
  } catch {
    // No epmd of ours is running.
  }
}

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
