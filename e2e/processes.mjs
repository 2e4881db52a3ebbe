// Servers a test starts and stops itself, all on 127.0.0.1: a free port, and the
// classroom's MQTT broker (scripts/broker.mjs), which a test may kill and start again.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Whether `port` can be listened on at 127.0.0.1 now. */
function isFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port for a broker: free, and so are the four after it, which RabbitMQ takes for
 * AMQP, MQTT, Erlang distribution and epmd (scripts/rabbitmq.mjs). */
export async function brokerPort() {
  for (;;) {
    const port = await freePort();
    if (port + 4 > 65535) continue;
    let all = true;
    for (let k = 1; k <= 4 && all; k++) all = await isFree(port + k);
    if (all) return port;
  }
}

/** Which broker the classroom journeys run against: `DOJO_BROKER=aedes` (the default,
 * scripts/broker.mjs) or `DOJO_BROKER=rabbitmq` (Debian's RabbitMQ with Web MQTT,
 * scripts/rabbitmq.mjs). */
export const brokerKind = process.env.DOJO_BROKER || 'aedes';
const BROKERS = {
  aedes: { script: 'scripts/broker.mjs', path: '/', startS: 10 },
  rabbitmq: { script: 'scripts/rabbitmq.mjs', path: '/ws', startS: 90 },
};

/** The address learners connect to for a broker on `port`. */
export function brokerUrl(port) {
  return `ws://127.0.0.1:${port}${BROKERS[brokerKind].path}`;
}

/** Starts the broker on `port`, keeping its sessions in `dataDir`; resolves once it
 * listens. It runs in a process group of its own, so signals reach the whole broker. */
export async function startBroker(port, dataDir, extra = []) {
  const { script, startS } = BROKERS[brokerKind];
  const broker = spawn('node', [script, '--port', String(port), '--data', dataDir, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  broker.group = true;
  // Every MQTT client id that connected, in order (one `client connected ID` line each),
  // and those that connected with clean session on.
  broker.clients = [];
  broker.cleanStarts = [];
  broker.stdout.on('data', (chunk) => {
    for (const m of String(chunk).matchAll(/client connected (\S+)( \(clean session\))?/g)) {
      broker.clients.push(m[1]);
      if (m[2]) broker.cleanStarts.push(m[1]);
    }
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the broker did not start within ${startS} s`)), startS * 1000);
    broker.stdout.on('data', (chunk) => {
      if (String(chunk).includes('broker listening')) { clearTimeout(timer); resolve(); }
    });
    broker.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the broker exited with ${code}`)); });
  });
  return broker;
}

/** Stops a process started here and waits until it has gone. */
export async function stop(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  signalAll(child, signal);
  await gone;
}

/** Sends `signal` to a process started here, and to its group when it has one (SIGSTOP
 * and SIGCONT pause and resume a whole broker). */
export function signalAll(child, signal) {
  if (child.group) process.kill(-child.pid, signal);
  else child.kill(signal);
}

/** A broker for a whole spec: started before its tests on a free port with a data
 * directory of its own, stopped and cleaned up after them. `url()` is its address. */
export function brokerForSpec(test, name) {
  const state = {};
  test.beforeAll(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    state.port = await brokerPort();
    state.dataDir = mkdtempSync(join(tmpdir(), `dojo-${name}-broker-`));
    state.broker = await startBroker(state.port, state.dataDir);
  });
  test.afterAll(async () => {
    const { rmSync } = await import('node:fs');
    await stop(state.broker);
    if (state.dataDir) rmSync(state.dataDir, { recursive: true, force: true });
  });
  return { url: () => brokerUrl(state.port) };
}
