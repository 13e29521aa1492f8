// Peer-level permissioning on a live 5-node network this harness launches (issue 13, finding 4):
// alice, bob, charlie and dave validate (each its own organisation); eve is a full node no
// organisation lists.
//
//   1. each validator organisation lists its node with a proof signed by the node key; the peer
//      ids the proofs carry are the nodes' own (`system_localPeerId`);
//   2. a council motion switching permissioning on fails with `ValidatorWithoutNode` while one
//      validator (dave) has no node listed;
//   3. once dave lists his, the motion passes; then every validator's offchain worker makes
//      the listed nodes its only peers: eve is disconnected (no peers left), while blocks
//      keep being produced and finalized by the four validators.
//
// Loopback only; every wait is bounded; all nodes are killed on exit.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, council, devAccounts, providers, rpc, send, waitFor } from '@healthchain/sdk';
import { VALIDATORS, nodeKeyOf, startFourValidators } from '../src/network.js';
import { startNode } from '../src/node.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'healthchain-permissioning-'));
const running = [];
const apis = [];

after(async () => {
  for (const a of apis) await a.disconnect().catch(() => {});
  for (const n of running) await n.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

const heads = async (api) => {
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const fin = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  return { best, fin };
};
const peersOf = async (api) => (await api.rpc.system.health()).peers.toNumber();

test('permissioned network: validators keep finalizing, an unlisted node is disconnected',
  { timeout: 12 * 60_000 }, async () => {
    const { nodes, specFile, bootnode } = await startFourValidators(dir);
    running.push(...Object.values(nodes));
    const eveKey = '05'.padStart(64, '0');
    const eve = await startNode(['--chain', specFile, '--node-key', eveKey, '--bootnodes', bootnode],
      { name: 'eve', basePath: path.join(dir, 'eve'), timeoutMs: 60_000 });
    running.push(eve);
    const api = await connect(nodes.alice.url);
    const eveApi = await connect(eve.url);
    apis.push(api, eveApi);
    const dev = devAccounts();
    const orgs = { alice: dev.alice, bob: dev.bob, charlie: dev.charlie, dave: dev.dave };

    await waitFor('finality with 4 validators', async () => (await heads(api)).fin >= 2, 180_000);
    await waitFor('eve connected', async () => (await peersOf(eveApi)) >= 1, 120_000);
    const eveBefore = (await heads(eveApi)).best;
    console.log(`[permissioning] eve synced to #${eveBefore} with ${await peersOf(eveApi)} peers`);

    // 1. Proofs signed by the node keys; the peer ids are the nodes' own.
    const genesis = api.genesisHash.toHex();
    const proofs = {};
    for (const name of VALIDATORS) {
      proofs[name] = providers.nodeProof(nodeKeyOf(name), orgs[name].address, genesis);
      const own = await rpc(await connect(nodes[name].url).then((a) => { apis.push(a); return a; }),
        'system_localPeerId');
      assert.equal(proofs[name].peerIdBase58, own, `${name}'s peer id`);
    }
    // A proof made out to another organisation is refused.
    const stolen = await providers.setNodes(api, orgs.bob, [proofs.alice]);
    assert.equal(stolen.error?.name, 'InvalidNodeProof');
    const listed = await Promise.all(['alice', 'bob', 'charlie']
      .map((n) => providers.setNodes(api, orgs[n], [proofs[n]])));
    for (const r of listed) assert.ok(r.ok, r.error?.name);

    // 2. Not while a validator has no node listed.
    const motion = (enabled) => council.motion(api, api.tx.providers.setNetworkPermissioned(enabled),
      { proposer: dev.alice, ayes: [dev.alice, dev.bob], closer: dev.charlie });
    const early = await motion(true);
    assert.equal(early.error?.name, 'ValidatorWithoutNode');
    assert.equal((await api.query.providers.networkPermissioned()).isTrue, false);

    // 3. Dave lists his node; permissioning goes on.
    const dave = await providers.setNodes(api, orgs.dave, [proofs.dave]);
    assert.ok(dave.ok, dave.error?.name);
    const on = await motion(true);
    assert.ok(on.ok, on.error?.name);
    const onAt = await heads(api);
    console.log(`[permissioning] switched on at #${onAt.best} (finalized #${onAt.fin})`);

    // Eve, listed by no organisation, loses every peer.
    const t0 = Date.now();
    await waitFor('eve disconnected', async () => (await peersOf(eveApi)) === 0, 120_000, 1_000);
    console.log(`[permissioning] eve disconnected ${((Date.now() - t0) / 1000).toFixed(1)} s after the switch`);
    const validatorPeers = await peersOf(api);
    // The validators stay connected to each other and keep finalizing.
    assert.ok(validatorPeers >= 3, `alice has ${validatorPeers} peers`);
    await waitFor('finality advances with permissioning on',
      async () => (await heads(api)).fin >= onAt.best + 3, 180_000);
    const later = await heads(api);
    const eveNow = (await heads(eveApi)).best;
    console.log(`[permissioning] validators at #${later.best} (finalized #${later.fin}); eve stuck at #${eveNow}`);
    assert.ok(eveNow < later.best, 'eve must no longer follow the chain');
  });
