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

/** Starts the broker on `port`, keeping its sessions in `dataDir`; resolves once it listens. */
export async function startBroker(port, dataDir) {
  const broker = spawn('node', ['scripts/broker.mjs', '--port', String(port), '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the broker did not start within 10 s')), 10_000);
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
  child.kill(signal);
  await gone;
}
