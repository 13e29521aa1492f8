// A consortium launched from a generated spec (operators' path, docs/operators.md):
//
//   1. four founders generate their own keys (account, Aura, GRANDPA, node key) with
//      `healthchain-node key`;
//   2. `healthchain-node consortium new` builds the raw Live spec from them, with founder 1's
//      node as the bootnode and its own protocol id, and prints the file's hashes;
//   3. each founder inserts its session keys and starts a validator on the spec, reaching the
//      others through the spec's bootnode only: the network produces and finalizes blocks, the
//      session's validators are the four founders, and the chain's properties are Healthchain's;
//   4. the node refuses a Live spec with the well-known dev keys (the consortium template) and
//      `consortium new` refuses a founder using one.
//
// Loopback only; every wait is bounded; all nodes are killed on exit.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, waitFor } from '@healthchain/sdk';
import { freePort, nodeBinary, startNode } from '../src/node.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'healthchain-consortium-'));
const running = [];
const apis = [];

after(async () => {
  for (const a of apis) await a.disconnect().catch(() => {});
  for (const n of running) await n.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

const node = (args) => execFileSync(nodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  .toString();
const generate = (scheme) => JSON.parse(node(['key', 'generate', '--scheme', scheme,
  '--output-type', 'json']));

test('four founders launch a consortium from a generated spec; dev keys are refused',
  { timeout: 8 * 60_000 }, async () => {
    // 1. The founders' own keys.
    const roles = [['Hospital', 'Emergency'], ['Clinic', 'Lab'], ['Insurer'], ['Pharmacy']];
    const founders = roles.map((r, i) => {
      const nodeKeyFile = path.join(dir, `node-key-${i}`);
      node(['key', 'generate-node-key', '--file', nodeKeyFile]);
      const peerId = node(['key', 'inspect-node-key', '--file', nodeKeyFile]).trim();
      return {
        account: generate('sr25519'), aura: generate('sr25519'), grandpa: generate('ed25519'),
        nodeKeyFile, peerId, roles: r,
      };
    });
    const file = path.join(dir, 'founders.json');
    writeFileSync(file, JSON.stringify({
      founders: founders.map((f, i) => ({
        name: `Founder ${i + 1}`,
        account: f.account.ss58Address,
        aura: f.aura.publicKey,
        grandpa: f.grandpa.ss58Address,
        roles: f.roles,
        credential: `0x${randomBytes(32).toString('hex')}`,
        credentialExpiresAt: 10_512_000,
        endowment: '10000',
      })),
    }, null, 2));

    // 2. The raw spec, founder 1's node as bootnode on a port reserved for it.
    const bootPort = await freePort();
    const bootnode = `/ip4/127.0.0.1/tcp/${bootPort}/p2p/${founders[0].peerId}`;
    const specFile = path.join(dir, 'consortium-raw.json');
    const summary = JSON.parse(node(['consortium', 'new', '--founders', file, '--out', specFile,
      '--name', 'Test Consortium', '--id', 'test_consortium', '--protocol-id', 'hctest',
      '--session-length', '20', '--bootnode', bootnode]));
    const raw = readFileSync(specFile);
    assert.equal(summary.sha256, `0x${createHash('sha256').update(raw).digest('hex')}`);
    assert.equal(summary.founders, 4);
    const spec = JSON.parse(raw.toString());
    assert.equal(spec.chainType, 'Live');
    assert.equal(spec.protocolId, 'hctest');
    assert.deepEqual(spec.bootNodes, [bootnode]);
    assert.ok(spec.genesis.raw, 'the spec is raw');
    console.log(`[consortium] spec ${summary.sha256} (${raw.length} bytes)`);

    // 3. Session keys into each founder's keystore; four validators on the spec.
    const t0 = Date.now();
    for (const [i, f] of founders.entries()) {
      const base = path.join(dir, `founder-${i}`);
      node(['key', 'insert', '--chain', specFile, '--base-path', base, '--scheme', 'sr25519',
        '--suri', f.aura.secretPhrase, '--key-type', 'aura']);
      node(['key', 'insert', '--chain', specFile, '--base-path', base, '--scheme', 'ed25519',
        '--suri', f.grandpa.secretPhrase, '--key-type', 'gran']);
      const extra = i === 0 ? ['--listen-addr', `/ip4/127.0.0.1/tcp/${bootPort}`] : [];
      running.push(await startNode(['--chain', specFile, '--validator', '--node-key-file',
        f.nodeKeyFile, ...extra], { name: `founder-${i}`, basePath: base, timeoutMs: 60_000 }));
    }
    const api = await connect(running[3].url);
    apis.push(api);
    await waitFor('finality on the founders\' network', async () => {
      const fin = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
      return fin.number.toNumber() >= 3;
    }, 180_000, 1_000);
    const health = await api.rpc.system.health();
    console.log(`[consortium] finalized #3 ${((Date.now() - t0) / 1000).toFixed(1)} s after the first start; founder 4 has ${health.peers} peers`);
    assert.ok(health.peers.toNumber() >= 1, 'founder 4 found the others through the bootnode');
    assert.equal((await api.rpc.system.chain()).toString(), 'Test Consortium');
    assert.equal((await api.rpc.system.chainType()).toString(), 'Live');
    assert.equal(api.registry.chainSS58, 7373, 'the chain\'s SS58 prefix from its properties');
    assert.equal(api.registry.chainDecimals[0], 12);
    const validators = (await api.query.session.validators()).map((v) => v.toHex()).sort();
    assert.deepEqual(validators, founders.map((f) => f.account.publicKey).sort());
    assert.equal((await api.query.sudo.key()).isNone, true, 'no sudo key');

    // 4. The well-known keys are refused, at launch and at generation.
    const template = spawnSync(nodeBinary(), ['--chain', 'consortium-template', '--tmp',
      '--rpc-port', String(await freePort()), '--no-prometheus', '--no-telemetry'],
    { timeout: 60_000 });
    assert.notEqual(template.status, 0, 'the template (dev keys, Live) must not run');
    assert.match(template.stderr.toString(), /well-known development keys .*Alice/);
    const withAlice = JSON.parse(readFileSync(file));
    withAlice.founders[1].aura = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
    writeFileSync(file, JSON.stringify(withAlice));
    const refused = spawnSync(nodeBinary(), ['consortium', 'new', '--founders', file, '--out',
      path.join(dir, 'bad.json')], { timeout: 60_000 });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr.toString(), /Founder 2.*well-known development key Alice/);
  });
