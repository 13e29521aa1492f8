// Start and stop healthchain-node processes for tests: free loopback ports, a temp base path,
// logs to a file, bounded waits, and cleanup when the process exits.

import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const running = new Set();
for (const sig of ['exit', 'SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const child of running) {
      try { child.kill('SIGKILL'); } catch { /* already gone */ }
    }
    if (sig !== 'exit') process.exit(130);
  });
}

/** The node binary: $HEALTHCHAIN_NODE, else the shared cargo target dir's release build. */
export function nodeBinary() {
  if (process.env.HEALTHCHAIN_NODE) return process.env.HEALTHCHAIN_NODE;
  const target = process.env.CARGO_TARGET_DIR
    ?? path.join(os.homedir(), '.cache', 'healthchain', 'target');
  return path.join(target, 'release', 'healthchain-node');
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start a node with `args` (e.g. ['--dev']) on free ports. Returns
 * `{ url, rpcPort, p2pPort, child, log, stop() }` once its RPC answers (at most `timeoutMs`).
 */
export async function startNode(args, { name = 'node', timeoutMs = 60_000, basePath } = {}) {
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), `healthchain-${name}-`));
  const log = path.join(dir, `${name}.log`);
  const fd = openSync(log, 'w');
  const full = [...args, '--rpc-port', String(rpcPort), '--listen-addr',
    `/ip4/127.0.0.1/tcp/${p2pPort}`, '--no-mdns', '--no-telemetry', '--no-prometheus',
    '--base-path', basePath ?? path.join(dir, 'db')];
  const child = spawn(nodeBinary(), full, { stdio: ['ignore', fd, fd] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const url = `ws://127.0.0.1:${rpcPort}`;
  const node = {
    url, rpcPort, p2pPort, child, log, dir,
    logTail: (n = 40) => {
      try { return readFileSync(log, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await Promise.race([
          new Promise((r) => child.once('exit', r)),
          new Promise((r) => setTimeout(r, 30_000)),
        ]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      running.delete(child);
      if (!basePath) rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with ${child.exitCode}:\n${node.logTail()}`);
    }
    if (await rpcUp(rpcPort)) return node;
    if (Date.now() > deadline) {
      await node.stop();
      throw new Error(`${name}: RPC not up within ${timeoutMs} ms:\n${node.logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Whether a JSON-RPC server answers `system_health` on 127.0.0.1:`port`. */
async function rpcUp(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_health', params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}
