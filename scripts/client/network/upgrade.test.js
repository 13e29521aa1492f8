// A forkless runtime upgrade on a live 4-validator network, by council motion, through real
// storage migrations (docs/operators.md, "Runtime upgrades"):
//
//   1. four validators start on the runtime of commit fb510ca, the last one before the security
//      hardening (spec_version 100; records, providers and claims at storage version 1);
//   2. state in every pallet: a pending provider application, records of three kinds, a consent
//      grant, two open claims, the four validators' session;
//   3. try-runtime: a snapshot of that state, then `healthchain-node try-runtime
//      on-runtime-upgrade --checks all` with this commit's runtime built with
//      `--features try-runtime` (every migration's pre/post checks, every pallet's try_state,
//      one block's weight, idempotency);
//   4. the upgrade to this commit's runtime (the node's own wasm): a 2/3 council motion
//      `councilRoot.dispatchAsRoot(system.authorizeUpgrade(hash))` (Alice proposes, Alice and Bob
//      vote, Charlie closes), then anyone (Dave) `system.applyAuthorizedUpgrade(code)`, while four
//      accounts keep sending remarks;
//   5. then: spec_version is this runtime's, blocks and finality go on (gaps measured), every
//      remark is in a finalized block (re-signed by the SDK when the upgrade made its signature
//      stale), the migrated state reads correctly through the runtime APIs (records' scopes,
//      consent decisions, claim counters) and storage versions are 2, and `try-runtime
//      execute-block` re-executes a block after the upgrade with try_state.
//
// Needs two wasm files (scripts/upgrade-runtimes builds or finds them):
// HEALTHCHAIN_UPGRADE_FROM_WASM (the old runtime) and HEALTHCHAIN_TRY_RUNTIME_WASM (this
// commit's try-runtime build). Without them the test is skipped, or fails under
// HEALTHCHAIN_REQUIRE_UPGRADE=1 (the README test command).
//
// Loopback only; every wait is bounded; all nodes are killed on exit.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Keyring } from '@polkadot/api';
import { blake2AsHex } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { connect, council, send, waitFor } from '@healthchain/sdk';
import { nodeBinary } from '../src/node.js';
import { bootnodeOf, startValidator, VALIDATORS } from '../src/network.js';
import { fourValidatorSpec } from '../src/spec.js';

const run = promisify(execFile);
const FROM = process.env.HEALTHCHAIN_UPGRADE_FROM_WASM;
const TRY = process.env.HEALTHCHAIN_TRY_RUNTIME_WASM;
const ready = FROM && TRY && existsSync(FROM) && existsSync(TRY);
if (!ready && process.env.HEALTHCHAIN_REQUIRE_UPGRADE === '1') {
  throw new Error('HEALTHCHAIN_REQUIRE_UPGRADE=1 but HEALTHCHAIN_UPGRADE_FROM_WASM / '
    + 'HEALTHCHAIN_TRY_RUNTIME_WASM are not wasm files: run scripts/upgrade-runtimes');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'healthchain-upgrade-'));
const running = [];
const apis = [];
let stopped = false; // the remark streams end when the test ends, passed or failed
after(async () => {
  stopped = true;
  for (const a of apis) await a.disconnect().catch(() => {});
  for (const n of running) await n.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

const tryRuntime = async (args) => {
  const { stdout, stderr } = await run(nodeBinary(), ['try-runtime', ...args],
    { maxBuffer: 64 << 20, timeout: 300_000 });
  return { stdout, stderr };
};

const storageKey = async (pallet, item) => {
  const { xxhashAsU8a } = await import('@polkadot/util-crypto');
  return u8aToHex(new Uint8Array([...xxhashAsU8a(pallet, 128), ...xxhashAsU8a(item, 128)]));
};

// The storage version of a pallet: twox128(pallet) ++ twox128(":__STORAGE_VERSION__:").
const storageVersion = async (api, pallet) => {
  const key = await storageKey(pallet, ':__STORAGE_VERSION__:');
  const raw = await api.rpc.state.getStorage(key);
  return raw.isSome ? raw.unwrap().toU8a(true)[0] : 0;
};

test('a live 4-validator network upgrades by council motion through the v1 -> v2 migrations',
  { skip: !ready && 'no old/try-runtime wasm (scripts/upgrade-runtimes)', timeout: 15 * 60_000 },
  async () => {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 7373 });
    const [alice, bob, charlie, dave, eve, ferdie] = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve',
      'Ferdie'].map((n) => keyring.addFromUri(`//${n}`));

    // 1. The 4-validator spec, genesis built by the OLD runtime.
    const spec = await fourValidatorSpec();
    const newCode = spec.genesis.runtimeGenesis.code;
    spec.genesis.runtimeGenesis.code = u8aToHex(readFileSync(FROM));
    spec.id = 'healthchain_upgrade';
    const specFile = path.join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify(spec));
    const nodes = {};
    nodes.alice = await startValidator('alice', specFile, dir);
    running.push(nodes.alice);
    const bootnode = await bootnodeOf(nodes.alice);
    for (const n of VALIDATORS.slice(1)) {
      nodes[n] = await startValidator(n, specFile, dir, { bootnode });
      running.push(nodes[n]);
    }
    const api = await connect(nodes.dave.url);
    apis.push(api);
    await waitFor('finality on the old runtime', async () =>
      (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber() >= 2,
    120_000, 1_000);
    const fromVersion = api.runtimeVersion.specVersion.toNumber();
    assert.equal(fromVersion, 100, 'the network runs the pre-hardening runtime');
    for (const p of ['Records', 'Providers', 'Claims']) {
      assert.equal(await storageVersion(api, p), 1, `${p} at storage version 1`);
    }

    // 2. State in every pallet, with the old runtime's calls.
    const ok = async (what, tx, who) => {
      const r = await send(api, tx, who, { timeoutMs: 60_000 });
      assert.ok(r.ok, `${what}: ${r.error?.message}`);
      return r;
    };
    await ok('eve applies', api.tx.providers.register(4 /* Lab */, `0x${'e5'.repeat(32)}`,
      10_000_000), eve);
    const rec = { labs: `0x${'a1'.repeat(32)}`, imaging: `0x${'a2'.repeat(32)}`,
      clinical: `0x${'a3'.repeat(32)}` };
    const kinds = { labs: 2 /* Observation */, imaging: 7 /* ImagingStudy */,
      clinical: 4 /* a kind that says nothing of the data: Clinical */ };
    for (const [k, id] of Object.entries(rec)) {
      await ok(`anchor ${k}`, api.tx.records.anchor(id, ferdie.address,
        blake2AsHex(`content ${k}`), kinds[k]), alice);
    }
    await ok('ferdie grants bob labs for treatment', api.tx.consent.grant(bob.address,
      2 /* Labs */, 1 /* Treatment */, null, null), ferdie);
    await ok('ferdie grants charlie billing for payment', api.tx.consent.grant(charlie.address,
      64 /* Billing */, 2 /* Payment */, null, null), ferdie);
    await ok('claim 1', api.tx.claims.submit(charlie.address, ferdie.address,
      blake2AsHex('claim 1'), 150_000_000_000_000n, [rec.labs]), alice);
    const last = await ok('claim 2', api.tx.claims.submit(charlie.address, ferdie.address,
      blake2AsHex('claim 2'), 70_000_000_000_000n, [rec.imaging]), alice);
    const claimIds = (await api.query.claims.claims.keys()).map((k) => k.args[0].toNumber());
    assert.equal(claimIds.length, 2);
    assert.equal((await api.query.session.validators()).length, 4);

    // 3. try-runtime on a snapshot of this state, with this commit's migrations.
    const snap = path.join(dir, 'v1.snap');
    const t3 = Date.now();
    // From the node that reported the block (the others may not have imported it yet).
    await tryRuntime(['create-snapshot', '--uri', nodes.dave.url, '--at', last.blockHash,
      '--out', snap]);
    const dry = await tryRuntime(['on-runtime-upgrade', '--runtime', TRY, '--snapshot', snap,
      '--checks', 'all']);
    console.log(`[upgrade] try-runtime: ${dry.stdout.trim()} (${((Date.now() - t3) / 1000).toFixed(1)} s with the snapshot)`);
    assert.match(dry.stdout, /on-runtime-upgrade: OK .* 100 -> \d+, checks All/);
    assert.match(dry.stderr, /records v1 -> v2: 3 records given a scope/);
    assert.match(dry.stderr, /claims v1 -> v2: 2 claims indexed/);
    // A runtime whose spec_version does not go up is refused (nodes would not migrate).
    await assert.rejects(tryRuntime(['on-runtime-upgrade', '--runtime', FROM, '--snapshot', snap]),
      /spec_version 100 does not go up from the chain's 100/);

    // 4. Remarks from four senders around the upgrade, then the motion and the upgrade.
    const senders = [eve, ferdie, keyring.addFromUri('//Alice//stash'),
      keyring.addFromUri('//Bob//stash')];
    let streaming = true;
    const sent = [];
    const streams = senders.map(async (who, s) => {
      for (let i = 0; streaming && !stopped; i += 1) {
        const text = `upgrade-test ${s}/${i}`;
        const entry = { text, t: Date.now() };
        sent.push(entry);
        entry.result = await send(api, api.tx.system.remarkWithEvent(text), who,
          { finalized: true, timeoutMs: 120_000 }).catch((e) => ({ ok: false, error: e }));
        await new Promise((r) => setTimeout(r, 700));
      }
    });
    await new Promise((r) => setTimeout(r, 9_000));

    const code = newCode;
    const codeHash = blake2AsHex(code, 256);
    const t4 = Date.now();
    const motion = await council.motion(api,
      api.tx.councilRoot.dispatchAsRoot(api.tx.system.authorizeUpgrade(codeHash)),
      { proposer: alice, ayes: [alice, bob], closer: charlie, threshold: 2 });
    assert.ok(motion.ok, `the motion: ${motion.error?.message}`);
    assert.equal((await api.query.system.authorizedUpgrade()).unwrap().codeHash.toHex(), codeHash);
    const applied = await send(api, api.tx.system.applyAuthorizedUpgrade(code), dave,
      { timeoutMs: 120_000, resubmitOnUpgrade: false });
    assert.ok(applied.ok, `applyAuthorizedUpgrade: ${applied.error?.message}`);
    // The code in the block's state (its events may not decode: the client may already read
    // that block with the new runtime's metadata, while the old runtime wrote them).
    const stored = (await api.rpc.state.getStorage('0x3a636f6465', applied.blockHash)).unwrap();
    assert.equal(blake2AsHex(stored.toU8a(true), 256), codeHash, ':code is the authorized code');
    const upgradeBlock = applied.blockNumber;
    console.log(`[upgrade] motion + applyAuthorizedUpgrade in ${((Date.now() - t4) / 1000).toFixed(1)} s; code set in #${upgradeBlock}`);
    await waitFor('the client on the new runtime', () =>
      api.runtimeVersion.specVersion.toNumber() > fromVersion, 60_000, 250);
    const toVersion = api.runtimeVersion.specVersion.toNumber();
    await new Promise((r) => setTimeout(r, 12_000));
    streaming = false;
    await Promise.all(streams);

    // 5a. Blocks and finality went on: slot gaps from 10 blocks before to 10 after.
    await waitFor('finality past the upgrade', async () =>
      (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber()
        >= upgradeBlock + 10, 120_000, 1_000);
    const times = [];
    const timestampKey = await storageKey('Timestamp', 'Now');
    for (let n = upgradeBlock - 10; n <= upgradeBlock + 10; n += 1) {
      const at = await api.rpc.chain.getBlockHash(n);
      // Raw storage: `api.at` on blocks of the old runtime mixes the two metadata's types.
      const raw = (await api.rpc.state.getStorage(timestampKey, at)).unwrap().toU8a(true);
      times.push(Number(new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true)));
    }
    const gaps = times.slice(1).map((t, i) => Math.round((t - times[i]) / 3000) - 1);
    const missed = gaps.reduce((a, b) => a + b, 0);
    console.log(`[upgrade] spec ${fromVersion} -> ${toVersion}; slots missed from #${upgradeBlock - 10} to #${upgradeBlock + 10}: ${missed} (per block: ${gaps.join(',')})`);
    assert.ok(missed <= 2, `at most 2 missed slots around the upgrade, got ${missed}`);
    assert.equal((await api.rpc.state.getRuntimeVersion()).specVersion.toNumber(), toVersion);
    for (const n of Object.values(nodes)) {
      const a = await connect(n.url);
      apis.push(a);
      assert.equal(a.runtimeVersion.specVersion.toNumber(), toVersion, `${n.url} upgraded`);
    }

    // 5b. No remark lost: each is in a finalized block (some re-signed after the upgrade).
    const failed = sent.filter((e) => !e.result?.ok);
    const resigned = sent.filter((e) => e.result?.resubmittedAfterUpgrade);
    console.log(`[upgrade] remarks: ${sent.length} sent around the upgrade, ${resigned.length} re-signed after it, ${failed.length} lost`);
    assert.deepEqual(failed.map((e) => `${e.text}: ${e.result?.error?.message}`), []);
    assert.ok(sent.some((e) => e.result.blockNumber < upgradeBlock)
      && sent.some((e) => e.result.blockNumber > upgradeBlock + 1), 'remarks on both sides');

    // 5c. The migrated state, through the runtime APIs (records_*, consent_*) and storage.
    for (const p of ['Records', 'Providers', 'Claims']) {
      assert.equal(await storageVersion(api, p), 2, `${p} migrated to storage version 2`);
    }
    const scopes = {};
    for (const [k, id] of Object.entries(rec)) {
      scopes[k] = (await api.rpc.records.get(id)).unwrap().toJSON().scope;
    }
    assert.deepEqual(scopes, { labs: 'labs', imaging: 'imaging', clinical: 'clinical' });
    const access = async (id) => (await api.rpc.consent.recordAccess(bob.address, id, 'treatment')).toJSON();
    assert.equal((await access(rec.labs)).allowed, true, 'the labs grant covers the labs record');
    assert.equal((await access(rec.clinical)).allowed, false, 'not the clinical one');
    assert.equal((await api.query.claims.openClaims(charlie.address)).toNumber(), 2);
    assert.equal((await api.query.claims.openClaims(alice.address)).toNumber(), 2);
    assert.equal((await api.query.claims.recordBilled(rec.labs)).toBigInt(), 150_000_000_000_000n);
    assert.equal((await api.query.claims.recordBilled(rec.imaging)).toBigInt(), 70_000_000_000_000n);
    const claim = (await api.rpc.claims.get(claimIds[0])).unwrap().toJSON();
    assert.equal(claim.status.state, 'submitted');
    assert.equal((await api.query.providers.providers(eve.address)).unwrap().status.toString(),
      'Pending');
    assert.equal((await api.query.session.validators()).length, 4);

    // 5d. try-runtime execute-block on a block after the upgrade (remarks in it).
    const after = sent.find((e) => e.result.blockNumber > upgradeBlock + 1).result.blockHash;
    const exec = await tryRuntime(['execute-block', '--runtime', TRY, '--uri', nodes.bob.url,
      '--at', after]);
    console.log(`[upgrade] ${exec.stdout.trim()}`);
    assert.match(exec.stdout, new RegExp(`execute-block: OK .*spec_version ${toVersion} on chain, ${toVersion} tried.*try_state of every pallet`));
  });
