// Fault test on a 4-validator local network this harness launches itself (zombienet's native
// provider cannot stop and restart nodes). GRANDPA needs 3 of 4 votes to finalize.
//
//   1. all four up: blocks and finality advance; submit a first batch of transfers;
//   2. kill dave (SIGKILL): blocks and finality continue (3 of 4); submit more;
//   3. kill charlie too: blocks continue (2 of 4 Aura slots), finality stalls; submit more;
//   4. restart both on their databases: finality resumes and catches up with the best block;
//   5. every extrinsic submitted before and during the fault is in a finalized block (counted).
//
// Loopback only; every wait is bounded; all nodes are killed on exit.
// Reports: time to finality with 4 nodes, and recovery time after the restart.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Keyring } from '@polkadot/api';
import { connect, waitFor } from '@healthchain/sdk';
import { VALIDATORS as NAMES, bootnodeOf, fourValidatorSpecFile, startValidator }
  from '../src/network.js';

const PER_PHASE = 20; // transfers submitted in each phase
const dir = mkdtempSync(path.join(os.tmpdir(), 'healthchain-fault-'));
const nodes = {};
const apis = [];

after(async () => {
  for (const a of apis) await a.disconnect().catch(() => {});
  for (const n of Object.values(nodes)) await n.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

async function start(name, specFile, bootnode) {
  nodes[name] = await startValidator(name, specFile, dir, { bootnode });
  return nodes[name];
}

const heads = async (api) => {
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const fin = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  return { best, fin };
};

/** Submit `n` transfers from `signer` (explicit nonces), returning their hashes. */
async function submitBatch(api, signer, to, n) {
  let nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
  const hashes = [];
  for (let i = 0; i < n; i++) {
    const tx = await api.tx.balances.transferKeepAlive(to, 1_000_000_000n)
      .signAsync(signer, { nonce: nonce++ });
    hashes.push((await api.rpc.author.submitExtrinsic(tx)).toHex());
  }
  return hashes;
}

test('4 validators: one down keeps finality, two down stall it, restart recovers, nothing lost',
  { timeout: 15 * 60_000 }, async () => {
    const specFile = await fourValidatorSpecFile(dir);
    const alice = await start('alice', specFile);
    const boot = await bootnodeOf(alice);
    for (const n of NAMES.slice(1)) await start(n, specFile, boot);
    const api = await connect(alice.url);
    apis.push(api);
    const keyring = new Keyring({ type: 'sr25519' });
    const ferdie = keyring.addFromUri('//Ferdie');
    const eve = keyring.addFromUri('//Eve');

    // 1. Healthy: measure time to finality of a transfer.
    await waitFor('finality with 4 validators', async () => (await heads(api)).fin >= 2, 180_000);
    const t0 = Date.now();
    const probe = await new Promise((resolve, reject) => {
      api.tx.balances.transferKeepAlive(eve.address, 1n).signAndSend(ferdie, { nonce: -1 },
        ({ status }) => { if (status.isFinalized) resolve(Date.now() - t0); }).catch(reject);
    });
    console.log(`[fault] submit -> finalized with 4 validators: ${(probe / 1000).toFixed(1)} s`);
    const submitted = await submitBatch(api, ferdie, eve.address, PER_PHASE);

    // 2. Dave down: blocks and finality continue.
    nodes.dave.child.kill('SIGKILL');
    const h1 = await heads(api);
    submitted.push(...await submitBatch(api, ferdie, eve.address, PER_PHASE));
    await waitFor('finality advances with 3 of 4', async () => (await heads(api)).fin >= h1.best + 3, 120_000);
    console.log('[fault] dave killed: finality continued');

    // 3. Charlie down too: blocks continue, finality stalls.
    nodes.charlie.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 6_000)); // let in-flight votes settle
    const h2 = await heads(api);
    submitted.push(...await submitBatch(api, ferdie, eve.address, PER_PHASE));
    await waitFor('blocks advance with 2 of 4', async () => (await heads(api)).best >= h2.best + 4, 120_000);
    const h3 = await heads(api);
    assert.ok(h3.fin <= h2.fin + 1, `finality stalled (finalized ${h2.fin} -> ${h3.fin})`);
    console.log(`[fault] charlie killed too: best ${h2.best} -> ${h3.best}, finalized stuck at ${h3.fin}`);

    // 4. Restart both on their databases: finality resumes and catches up.
    const tRestart = Date.now();
    await start('charlie', specFile, boot);
    await start('dave', specFile, boot);
    const target = (await heads(api)).best;
    await waitFor('finality catches up', async () => (await heads(api)).fin >= target, 300_000);
    const recovery = (Date.now() - tRestart) / 1000;
    console.log(`[fault] restarted: finality caught up with block ${target} in ${recovery.toFixed(1)} s`);

    // 5. Every submitted extrinsic is in a finalized block.
    const { fin } = await heads(api);
    const wanted = new Set(submitted);
    let found = 0;
    for (let n = 1; n <= fin && found < wanted.size; n++) {
      const block = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(n));
      for (const xt of block.block.extrinsics) if (wanted.has(xt.hash.toHex())) found++;
    }
    console.log(`[fault] ${found}/${submitted.length} submitted transfers found in finalized blocks`);
    assert.equal(found, submitted.length);
  });
