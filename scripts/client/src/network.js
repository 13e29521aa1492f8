// A local multi-validator network on loopback: the 4-validator `local` spec (src/spec.js),
// alice first, the others bootstrapped from her with fixed node keys (so a restarted node keeps
// its peer id). Used by the fault test and the throughput harness (scripts/bench).

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startNode } from './node.js';
import { fourValidatorSpec } from './spec.js';

export const VALIDATORS = ['alice', 'bob', 'charlie', 'dave'];

/** Write the 4-validator spec to `dir/spec.json` and return its path. */
export async function fourValidatorSpecFile(dir, binary) {
  const file = path.join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(await fourValidatorSpec(binary)));
  return file;
}

/** The libp2p address of a running node (from its `system_localPeerId`). */
export async function bootnodeOf(node) {
  const res = await fetch(`http://127.0.0.1:${node.rpcPort}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_localPeerId', params: [] }),
    signal: AbortSignal.timeout(10_000),
  });
  const { result } = await res.json();
  return `/ip4/127.0.0.1/tcp/${node.p2pPort}/p2p/${result}`;
}

/** The fixed libp2p node key (hex secret) of validator `name`: 0x00..01 for alice, ... */
export function nodeKeyOf(name) {
  return (VALIDATORS.indexOf(name) + 1).toString(16).padStart(64, '0');
}

/**
 * Start validator `name` (one of VALIDATORS) on `specFile` with its database in `dir/name`.
 * `extraArgs` are appended (e.g. pool limits).
 */
export async function startValidator(name, specFile, dir, { bootnode, extraArgs = [] } = {}) {
  const args = ['--chain', specFile, `--${name}`, '--validator', '--node-key', nodeKeyOf(name),
    ...extraArgs];
  if (bootnode) args.push('--bootnodes', bootnode);
  return startNode(args, { name, basePath: path.join(dir, name), timeoutMs: 60_000 });
}

/** Start all four validators; returns `{ nodes: { alice, ... }, specFile, bootnode }`. */
export async function startFourValidators(dir, { extraArgs = [] } = {}) {
  const specFile = await fourValidatorSpecFile(dir);
  const nodes = {};
  nodes.alice = await startValidator('alice', specFile, dir, { extraArgs });
  const bootnode = await bootnodeOf(nodes.alice);
  for (const n of VALIDATORS.slice(1)) {
    nodes[n] = await startValidator(n, specFile, dir, { bootnode, extraArgs });
  }
  return { nodes, specFile, bootnode };
}
