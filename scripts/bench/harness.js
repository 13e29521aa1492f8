// Healthchain throughput harness (run it with scripts/bench/run; see docs/performance.md).
//
// In one run, against a dev node it starts (or --url):
//   1. pre-funds `--senders` accounts and makes them active providers (one council motion);
//   2. pre-signs every extrinsic (immortal era, explicit nonces), then for each kind in turn —
//      system.remark (32 bytes), balances.transferKeepAlive, records.anchor, records.anchorMany
//      (maxAnchorsPerCall = 200 fresh anchors each) — submits enough to keep `--blocks` blocks
//      full, and sweeps the finalized blocks: per-block counts, normal-class weight used / max,
//      per-kind rate over the saturated blocks (extrinsics/s, and anchors/s for the two anchor
//      kinds: anchorMany ops/s ÷ anchor/s is the batching gain), submit→finalized percentiles,
//      and every anchor's event (`RecordAnchored`, or `AnchorOpFailed`: counted, must be 0);
//   3. batch anchoring: `healthchain-digest bench-batch` builds Merkle trees over precomputed
//      record digests (natively, timed), the roots go on chain with records.anchorBatch; records/s
//      = leaves / (tree build + submit→finalized); per-proof generation time; latency of
//      `records_verifyInclusion` for sample proofs (and a tampered one must be false);
//   4. the fee-less flood: records.anchor by the providers alone, then the same again while
//      `--flood` fee-less consent grants from as many fresh zero-balance accounts are submitted at
//      once; the providers' anchors/s in both (the ratio, same run) and the fee-less calls
//      admitted per block;
//   5. on the 4-validator local network it starts: submit→finalized at light load.
// Then prints one table (and writes JSON with --json FILE).
//
// Loopback only; every wait is bounded; nodes it started are stopped on exit.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  account, bits, connect, council, devAccounts, patient, PURPOSES, ROLES, rpc, SCOPES, send, waitFor,
} from '../../sdk/js/dist/index.js';
import { startNode } from '../client/src/node.js';
import { startFourValidators } from '../client/src/network.js';

// ---- options ----

const SMOKE = {
  senders: 2, blocks: 0, perKind: 30, batchLeaves: 4096, batches: 2, samples: 20,
  latencyTxs: 4, latencyGapMs: 500, local4: false, poolCap: 6000, flood: 60, many: 2,
};
const FULL = {
  senders: 16, blocks: 5, perKind: 0, batchLeaves: 1 << 22, batches: 4, samples: 200,
  latencyTxs: 30, latencyGapMs: 1500, local4: true, poolCap: 6000, flood: 3000, many: 0,
};

function parseArgs(argv) {
  const o = { smoke: false, url: null, json: null, only: null };
  const rest = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--smoke') o.smoke = true;
    else if (a === '--url') o.url = next();
    else if (a === '--json') o.json = next();
    else if (a === '--only') o.only = next();
    else if (a === '--senders') rest.senders = Number(next());
    else if (a === '--blocks') rest.blocks = Number(next());
    else if (a === '--per-kind') rest.perKind = Number(next());
    else if (a === '--batch-leaves') rest.batchLeaves = Number(next());
    else if (a === '--batches') rest.batches = Number(next());
    else if (a === '--samples') rest.samples = Number(next());
    else if (a === '--latency-txs') rest.latencyTxs = Number(next());
    else if (a === '--flood') rest.flood = Number(next());
    else if (a === '--flood-anchors') rest.floodAnchors = Number(next());
    else if (a === '--many') rest.many = Number(next());
    else if (a === '--help' || a === '-h') { usage(); process.exit(0); }
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (o.only && !['dev', 'local4'].includes(o.only)) throw new Error('--only takes dev or local4');
  for (const [k, v] of Object.entries(rest)) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${k} must be a non-negative integer`);
  }
  const base = o.smoke ? SMOKE : FULL;
  return { ...o, ...base, ...rest, local4: o.url ? false : (o.only ? o.only === 'local4' : base.local4) };
}

function usage() {
  console.log(`usage: scripts/bench/run [--smoke] [--url ws://HOST:PORT] [--only dev|local4]
       [--senders N] [--blocks N | --per-kind N] [--batch-leaves N] [--batches K]
       [--samples N] [--latency-txs N] [--flood N] [--flood-anchors N] [--many N] [--json FILE]
  --smoke        a few seconds of each measurement (what scripts/test runs); exits non-zero
                 when anything is not included, fails, or a proof does not verify
  --url          use a running node (it must have the dev accounts: Alice funded, Alice and Bob
                 on the council) instead of starting a dev node; skips the local network
  --flood        fee-less grants from fresh accounts submitted at once during the flood phase
                 (0 skips the phase; smoke 60, full 3000)
  --flood-anchors anchors in each half of the flood phase (default: as many as the anchor phase)
  --only         run only the dev-node measurements or only the 4-validator latency
  --blocks N     saturate N blocks per kind (default 5); --per-kind N submits exactly N instead
                 (records.anchorMany: N anchors, i.e. N / 200 extrinsics)
  --many N       exactly N records.anchorMany extrinsics of maxAnchorsPerCall (200) anchors each
                 (smoke 2; default: as many as keep --blocks blocks full)`);
}

// ---- small helpers ----

const UNIT = 10n ** 12n;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

function pct(values, p) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
}

function summary(values) {
  return {
    n: values.length, p50: pct(values, 0.5), p90: pct(values, 0.9), p99: pct(values, 0.99),
    max: values.length ? Math.max(...values) : null,
  };
}

function digestBinary() {
  if (process.env.HEALTHCHAIN_DIGEST) return process.env.HEALTHCHAIN_DIGEST;
  const target = process.env.HEALTHCHAIN_DIGEST_TARGET
    ?? path.join(os.homedir(), '.cache', 'healthchain', 'digest-target');
  return path.join(target, 'release', 'healthchain-digest');
}

const h256 = () => `0x${randomBytes(32).toString('hex')}`;

/** Options to sign offline (no RPC per signature): immortal era, explicit nonce. */
function signOpts(api, nonce) {
  return {
    nonce, blockHash: api.genesisHash, genesisHash: api.genesisHash,
    runtimeVersion: api.runtimeVersion, signedExtensions: api.registry.signedExtensions,
  };
}

// ---- chain observation ----

/** Wall-clock times at which each block number was first seen best and finalized. */
class Heads {
  constructor(api) {
    this.api = api;
    this.bestAt = new Map();
    this.finalAt = new Map();
    this.final = 0;
    this.best = 0;
  }

  async start() {
    this.unsubs = [
      await this.api.rpc.chain.subscribeNewHeads((h) => {
        const n = h.number.toNumber();
        const t = now();
        for (let k = this.best + 1; k <= n; k++) if (!this.bestAt.has(k)) this.bestAt.set(k, t);
        this.best = Math.max(this.best, n);
      }),
      await this.api.rpc.chain.subscribeFinalizedHeads((h) => {
        const n = h.number.toNumber();
        const t = now();
        for (let k = this.final + 1; k <= n; k++) if (!this.finalAt.has(k)) this.finalAt.set(k, t);
        this.final = Math.max(this.final, n);
      }),
    ];
    const fin = await this.api.rpc.chain.getHeader(await this.api.rpc.chain.getFinalizedHead());
    this.final = Math.max(this.final, fin.number.toNumber());
    this.best = Math.max(this.best, (await this.api.rpc.chain.getHeader()).number.toNumber());
  }

  stop() { for (const u of this.unsubs ?? []) u(); }
}

/**
 * Sweep finalized blocks `from..=to`: per block its number, timestamp, normal-class weight,
 * and which of `wanted` (extrinsic hash → index) it includes, plus failed extrinsics among them
 * and their `records.RecordAnchored` / `records.AnchorOpFailed` events (a few of the latter
 * are kept in `opFailedSample`).
 */
async function sweep(api, from, to, wanted, opFailedSample = []) {
  const blocks = [];
  for (let n = from; n <= to; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const [block, at] = await Promise.all([api.rpc.chain.getBlock(hash), api.at(hash)]);
    const [weight, ts, events] = await Promise.all([
      at.query.system.blockWeight(), at.query.timestamp.now(), at.query.system.events(),
    ]);
    const ours = [];
    block.block.extrinsics.forEach((xt, i) => {
      const idx = wanted.get(xt.hash.toHex());
      if (idx !== undefined) ours.push([i, idx]);
    });
    const failedAt = new Set();
    // Per extrinsic index: records anchored, and anchorMany operations refused.
    const anchoredAt = new Map();
    const opFailedAt = new Map();
    const bump = (m, i) => m.set(i, (m.get(i) ?? 0) + 1);
    for (const { phase, event } of events) {
      if (!phase.isApplyExtrinsic) continue;
      const i = phase.asApplyExtrinsic.toNumber();
      if (event.section === 'system' && event.method === 'ExtrinsicFailed') failedAt.add(i);
      else if (event.section === 'records' && event.method === 'RecordAnchored') bump(anchoredAt, i);
      else if (event.section === 'records' && event.method === 'AnchorOpFailed') {
        bump(opFailedAt, i);
        if (opFailedSample.length < 3) opFailedSample.push(`block ${n}: ${event.data.toString()}`);
      }
    }
    blocks.push({
      number: n,
      timestamp: ts.toNumber(),
      normalRefTime: weight.normal.refTime.toBigInt(),
      extrinsics: block.block.extrinsics.length,
      included: ours.map(([, idx]) => idx),
      failed: ours.filter(([i]) => failedAt.has(i)).length,
      anchored: ours.reduce((a, [i]) => a + (anchoredAt.get(i) ?? 0), 0),
      opFailed: ours.reduce((a, [i]) => a + (opFailedAt.get(i) ?? 0), 0),
    });
  }
  return blocks;
}

// ---- setup ----

/** Fund `senders` from Alice and make them active Hospital providers through one motion. */
async function prepareSenders(api, dev, senders) {
  const fund = api.tx.utility.batchAll(
    senders.map((s) => api.tx.balances.transferKeepAlive(s.address, 10_000n * UNIT)));
  const funded = await send(api, fund, dev.alice);
  if (!funded.ok) throw new Error(`funding failed: ${funded.error.message}`);

  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const pending = [];
  for (const [i, s] of senders.entries()) {
    const p = await api.query.providers.providers(s.address);
    if (p.isSome && p.unwrap().status.type === 'Active') continue;
    if (p.isNone) {
      pending.push(send(api, api.tx.providers.register(bits(ROLES, ['Hospital']), h256(),
        best + 200_000 + i), s));
    }
  }
  for (const r of await Promise.all(pending)) {
    if (!r.ok) throw new Error(`providers.register failed: ${r.error.message}`);
  }
  const toApprove = [];
  for (const s of senders) {
    const p = await api.query.providers.providers(s.address);
    if (p.isSome && p.unwrap().status.type === 'Pending') toApprove.push(s.address);
  }
  if (toApprove.length) {
    const call = api.tx.utility.batchAll(toApprove.map((a) => api.tx.providers.approve(a)));
    const m = await council.motion(api, call,
      { proposer: dev.alice, ayes: [dev.alice, dev.bob], threshold: 2 });
    if (!m.ok) throw new Error(`approval motion failed: ${m.error.message}`);
  }
  for (const s of senders) {
    const p = await api.query.providers.providers(s.address);
    if (!(p.isSome && p.unwrap().status.type === 'Active')) {
      throw new Error(`sender ${s.address} is not an active provider`);
    }
  }
}

// ---- single-extrinsic throughput ----

const KINDS = {
  remark: {
    label: 'system.remark (32 B)',
    make: (api) => api.tx.system.remark(h256()),
  },
  transfer: {
    label: 'balances.transferKeepAlive',
    make: (api, senders, i) => api.tx.balances.transferKeepAlive(
      senders[(i + 1) % senders.length].address, UNIT),
  },
  anchor: {
    // A fresh local id each time (the record id is derived from it and the sender), a random
    // subject and digest, kind 1, one scope.
    label: 'records.anchor',
    make: (api) => api.tx.records.anchor(h256(), h256(), h256(), 1, 'Labs'),
    ops: () => 1,
  },
  anchorMany: {
    // maxAnchorsPerCall (200) first versions in one extrinsic, each as fresh as a single anchor.
    label: 'records.anchorMany',
    make: (api) => api.tx.records.anchorMany(Array.from({ length: manyOps(api) }, () => ({
      Anchor: { localId: h256(), subject: h256(), digest: h256(), kind: 1, scope: 'Labs' },
    }))),
    ops: (api) => manyOps(api),
  },
};

/** Operations per records.anchorMany extrinsic: the runtime's maximum. */
function manyOps(api) {
  return api.consts.records.maxAnchorsPerCall.toNumber();
}

/** Block weight an extrinsic of this kind takes: its dispatch info plus the base extrinsic. */
async function weightOf(api, tx, signer) {
  const info = await tx.paymentInfo(signer);
  const dispatch = info.weight.refTime.toBigInt();
  const base = api.consts.system.blockWeights.perClass.normal.baseExtrinsic.refTime.toBigInt();
  return { dispatch, base, total: dispatch + base };
}

/** Nonces of `senders` at the best block, or at block `hash`. */
async function noncesOf(api, senders, hash) {
  const q = hash ? await api.at(hash) : api;
  const infos = await q.query.system.account.multi(senders.map((s) => s.address));
  return infos.map((i) => i.nonce.toNumber());
}

/** Submit pre-signed `txs` ({ hex, hash }) keeping at most `cap` waiting in the pool. */
async function submitAll(api, txs, counter, cap) {
  const submittedAt = new Array(txs.length);
  const errors = [];
  let inflight = 0;
  for (let i = 0; i < txs.length; i++) {
    // Keep the pool below `cap` pending (the node's default ready limit is 8,192).
    const deadline = Date.now() + 120_000;
    while (i - counter.included >= cap || inflight >= 512) {
      if (Date.now() > deadline || errors.length > 100) {
        throw new Error(`the pool stopped taking extrinsics (${i} submitted, ${counter.included} included, ${errors.length} refused, e.g. ${errors.slice(0, 3).join('; ')})`);
      }
      await sleep(20);
    }
    inflight++;
    submittedAt[i] = now();
    api.rpc.author.submitExtrinsic(txs[i].hex)
      .catch((e) => errors.push(`${i}: ${e.message}`))
      .finally(() => { inflight--; });
  }
  await waitFor('submissions answered', () => inflight === 0, 120_000, 200);
  return { submittedAt, errors };
}

/**
 * Run one kind's phase: `txs` were signed by `senders` with nonces [ranges[s][0], ranges[s][1]).
 * Inclusion is followed through the senders' nonces (cheap, so the client keeps submitting);
 * the blocks are swept once everything is final.
 */
async function throughputPhase(api, heads, kind, txs, senders, ranges, opts, { maxNormal, blockMs }) {
  const wanted = new Map(txs.map((t, i) => [t.hash, i]));
  const counter = { included: 0 };
  const startBest = heads.best;
  const progress = (nonces) => nonces.reduce((a, n, s) => a + Math.max(0, Math.min(n, ranges[s][1]) - ranges[s][0]), 0);
  let stop = false;
  const pacer = (async () => {
    while (!stop) {
      try { counter.included = progress(await noncesOf(api, senders)); } catch { /* retry */ }
      await sleep(250);
    }
  })();
  const t0 = now();
  const { submittedAt, errors } = await submitAll(api, txs, counter, opts.poolCap);
  const submitSecs = (now() - t0) / 1000;
  if (errors.length) {
    stop = true;
    await pacer;
    throw new Error(`${kind}: ${errors.length} submissions refused, e.g. ${errors.slice(0, 3).join('; ')}`);
  }
  // Wait until every extrinsic is in a finalized block (bounded by the work left).
  const budget = 120_000 + Math.ceil(txs.length / 500) * blockMs * 2;
  let finalHash;
  await waitFor(`${kind}: all ${txs.length} finalized`, async () => {
    finalHash = await api.rpc.chain.getFinalizedHead();
    return progress(await noncesOf(api, senders, finalHash)) === txs.length;
  }, budget, 200);
  stop = true;
  await pacer;
  const finalNumber = (await api.rpc.chain.getHeader(finalHash)).number.toNumber();
  await waitFor('finality notifications', () => heads.final >= finalNumber, 30_000, 200);
  const opFailedSample = [];
  let blocks = await sweep(api, startBest + 1, finalNumber, wanted, opFailedSample);
  const found = blocks.reduce((a, b) => a + b.included.length, 0);
  if (found !== txs.length) throw new Error(`${kind}: ${found}/${txs.length} found in finalized blocks`);
  blocks = blocks.filter((b) => b.included.length > 0);
  const failed = blocks.reduce((a, b) => a + b.failed, 0);
  const anchored = blocks.reduce((a, b) => a + b.anchored, 0);
  const opFailed = blocks.reduce((a, b) => a + b.opFailed, 0);
  // Records anchored per extrinsic of this kind (1 for records.anchor, 200 for anchorMany).
  const ops = KINDS[kind]?.ops?.(api) ?? 0;

  // Saturated blocks: those between the first and the last including block (both partial).
  const sat = blocks.length >= 3 ? blocks.slice(1, -1) : [];
  const counts = blocks.map((b) => b.included.length);
  let perSec = null;
  let fullness = null;
  if (sat.length) {
    const n = sat.reduce((a, b) => a + b.included.length, 0);
    const span = (sat[sat.length - 1].timestamp - blocks[0].timestamp) / 1000;
    perSec = n / span;
    fullness = sat.map((b) => Number(b.normalRefTime) / Number(maxNormal));
  }
  const latency = [];
  const inclusion = [];
  for (const b of blocks) {
    for (const idx of b.included) {
      latency.push((heads.finalAt.get(b.number) - submittedAt[idx]) / 1000);
      if (heads.bestAt.has(b.number)) inclusion.push((heads.bestAt.get(b.number) - submittedAt[idx]) / 1000);
    }
  }
  return {
    kind, count: txs.length, failed, submitSecs, submitRate: txs.length / submitSecs,
    ops, anchored, expectedAnchors: ops * txs.length, opFailed, opFailedSample,
    opsPerSec: ops && perSec !== null ? perSec * ops : null,
    perBlock: counts, saturatedBlocks: sat.length, perSec,
    fullness: fullness && { min: Math.min(...fullness), mean: fullness.reduce((a, b) => a + b, 0) / fullness.length },
    latency: summary(latency), inclusion: summary(inclusion),
  };
}

// ---- the fee-less flood ----

/** `count` records.anchor by `senders`, pre-signed from their next nonces. */
async function signAnchors(api, senders, count, from = null) {
  const nonces = from ? [...from] : await Promise.all(senders.map(async (s) =>
    (await api.rpc.system.accountNextIndex(s.address)).toNumber()));
  const ranges = nonces.map((n) => [n, n]);
  const txs = [];
  for (let i = 0; i < count; i++) {
    const s = i % senders.length;
    const tx = KINDS.anchor.make(api).sign(senders[s], signOpts(api, nonces[s]++));
    ranges[s][1] = nonces[s];
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    txs.push({ hex: tx.toHex(), hash: tx.hash.toHex() });
  }
  return { txs, ranges, next: nonces };
}

/** Fee-less patient calls executed per block in `from..=to`: `[[number, count], ...]`. */
async function feelessPerBlock(api, from, to) {
  const out = [];
  for (let n = from; n <= to; n++) {
    const at = await api.at(await api.rpc.chain.getBlockHash(n));
    const events = await at.query.system.events();
    const c = events.filter(({ event }) => api.events.consent.PatientCallExecuted.is(event)
      && event.data.relayer.isNone).length;
    out.push([n, c]);
  }
  return out;
}

/**
 * The providers anchor `count` records alone (baseline), then `count` more while `flood` fee-less
 * grants from fresh accounts (no balance, no account) are submitted at once. Same node, same
 * senders, back to back: the ratio of the two anchor rates is what the flood costs providers.
 */
async function floodPhase(api, heads, senders, count, opts, ctx) {
  console.log(`[bench] flood: pre-signing 2 × ${count} anchors and ${opts.flood} fee-less grants`);
  const baseline = await signAnchors(api, senders, count);
  const during = await signAnchors(api, senders, count, baseline.next);
  const validUntil = heads.best + 1_000;
  const grantee = senders[0].address;
  const feeless = [];
  for (let i = 0; i < opts.flood; i++) {
    const who = account(`//Flood/${process.pid}/${i}`);
    const payload = { signer: who.address, nonce: 0, validUntil, action: { Grant: {
      grantee, scopes: bits(SCOPES, ['Clinical']), purposes: bits(PURPOSES, ['Treatment']),
      expiresAt: null, consentDigest: null } } };
    const signature = { Sr25519: who.sign(await patient.message(api, payload)) };
    feeless.push(patient.feelessExtrinsic(api, { payload, signature }));
    if (i % 100 === 99) await new Promise((r) => setImmediate(r));
  }

  console.log(`[bench] flood: baseline, ${count} anchors alone`);
  const alone = await throughputPhase(api, heads, 'anchor', baseline.txs, senders, baseline.ranges,
    opts, ctx);
  console.log(`[bench]   ${f(alone.perSec)} anchors/s`);

  console.log(`[bench] flood: ${count} anchors while ${opts.flood} fee-less grants arrive at once`);
  const startBest = heads.best;
  const provider = api._rpcCore.provider;
  const refused = [];
  let inflight = 0;
  const t0 = now();
  const submitting = (async () => {
    for (const hex of feeless) {
      while (inflight >= 256) await sleep(5);
      inflight++;
      provider.send('author_submitExtrinsic', [hex])
        .catch((e) => refused.push(e.message))
        .finally(() => { inflight--; });
    }
    await waitFor('fee-less submissions answered', () => inflight === 0, 120_000, 100);
  })();
  const withFlood = await throughputPhase(api, heads, 'anchor', during.txs, senders, during.ranges,
    opts, ctx);
  await submitting;
  const feelessSubmitSecs = (now() - t0) / 1000;
  console.log(`[bench]   ${f(withFlood.perSec)} anchors/s; waiting for the fee-less calls to drain`);
  // Until every accepted one is in a block, or 10 blocks pass without a new one (the pool may
  // drop the lowest-priority transactions when it is full: clients resubmit those).
  const target = opts.flood - refused.length;
  const budget = 120_000 + Math.ceil(opts.flood / 100) * ctx.blockMs * 2;
  const counts = [];
  let scanned = startBest;
  let total = 0;
  let lastProgress = heads.best;
  await waitFor(`fee-less: ${target} included`, async () => {
    const best = heads.best;
    if (best > scanned) {
      const more = await feelessPerBlock(api, scanned + 1, best);
      scanned = best;
      counts.push(...more);
      const added = more.reduce((a, [, c]) => a + c, 0);
      total += added;
      if (added) lastProgress = best;
    }
    return total >= target || best - lastProgress >= 10;
  }, budget, 1_000);
  const drainSecs = (now() - t0) / 1000;
  const perBlock = counts.filter(([, c]) => c > 0);
  return {
    anchors: count, flood: opts.flood, refused: refused.length, refusedSample: refused.slice(0, 3),
    alone: { perSec: alone.perSec, perBlock: alone.perBlock, failed: alone.failed },
    withFlood: { perSec: withFlood.perSec, perBlock: withFlood.perBlock, failed: withFlood.failed },
    ratio: alone.perSec && withFlood.perSec ? withFlood.perSec / alone.perSec : null,
    feeless: { included: total, blocks: perBlock.length, perBlock: perBlock.map(([, c]) => c),
      maxPerBlock: Math.max(0, ...perBlock.map(([, c]) => c)), submitSecs: feelessSubmitSecs,
      drainSecs, cap: api.consts.consent.maxFeelessPerBlock.toNumber() },
  };
}

// ---- batch anchoring ----

async function batchPhase(api, heads, signer, opts) {
  const args = ['bench-batch', '--leaves', String(opts.batchLeaves), '--batches',
    String(opts.batches), '--samples', String(opts.samples), '--seed', String(Date.now())];
  const out = JSON.parse(execFileSync(digestBinary(), args, { maxBuffer: 256 << 20 }).toString());
  const buildSecs = out.buildMs / 1000;

  let nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
  const txs = out.batches.map((b) => api.tx.records.anchorBatch(b.root, b.leafCount)
    .sign(signer, signOpts(api, nonce++)));
  const wanted = new Map(txs.map((t, i) => [t.hash.toHex(), i]));
  const startBest = heads.best;
  const t0 = now();
  for (const t of txs) await api.rpc.author.submitExtrinsic(t.toHex());
  let swept = startBest;
  const found = [];
  await waitFor('anchorBatch finalized', async () => {
    if (heads.final > swept) {
      const more = await sweep(api, swept + 1, heads.final, wanted);
      swept = heads.final;
      for (const b of more) for (const idx of b.included) found.push({ idx, block: b });
    }
    return found.length === txs.length;
  }, 180_000, 200);
  const chainSecs = (now() - t0) / 1000;
  if (found.some((f) => f.block.failed)) throw new Error('an anchorBatch extrinsic failed');

  // Batch ids from the BatchAnchored events.
  const idByRoot = new Map();
  for (const number of new Set(found.map((f) => f.block.number))) {
    const at = await api.at(await api.rpc.chain.getBlockHash(number));
    for (const { event } of await at.query.system.events()) {
      if (event.section === 'records' && event.method === 'BatchAnchored') {
        idByRoot.set(event.data[1].toHex(), event.data[0].toNumber());
      }
    }
  }
  // records_verifyInclusion latency (sequential calls), then a tampered proof.
  await rpc(api, 'system_health'); // warm the connection
  const rtt = [];
  for (let i = 0; i < Math.min(out.samples.length, 50); i++) {
    const t = now();
    await rpc(api, 'system_health');
    rtt.push(now() - t);
  }
  const verifyMs = [];
  let verified = 0;
  for (const s of out.samples) {
    const id = idByRoot.get(s.root);
    if (id === undefined) throw new Error(`batch root ${s.root} not anchored`);
    const t = now();
    const ok = await rpc(api, 'records_verifyInclusion', [id, s.leaf, s.leafIndex, s.proof]);
    verifyMs.push(now() - t);
    if (ok === true) verified++;
  }
  const s0 = out.samples[0];
  const tampered = `0x${(BigInt(s0.leaf) ^ 1n).toString(16).padStart(64, '0')}`;
  const rejects = await rpc(api, 'records_verifyInclusion',
    [idByRoot.get(s0.root), tampered, s0.leafIndex, s0.proof]);
  const records = opts.batchLeaves * opts.batches;
  return {
    batches: opts.batches, leavesPerBatch: opts.batchLeaves, records, threads: out.threads,
    buildSecs, treeLeavesPerSec: out.leavesPerSec, chainSecs,
    recordsPerSec: records / (buildSecs + chainSecs),
    proofGen: out.proofGen,
    verify: { ...summary(verifyMs), verified, of: out.samples.length, tamperedRejected: rejects === false },
    rpcRoundTrip: summary(rtt),
  };
}

// ---- light-load latency ----

async function latencyPhase(api, signer, to, n, gapMs) {
  let nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
  const inBlock = [];
  const finalized = [];
  const waits = [];
  for (let i = 0; i < n; i++) {
    const tx = api.tx.balances.transferKeepAlive(to, UNIT).sign(signer, signOpts(api, nonce++));
    const t0 = now();
    waits.push(new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not finalized within 120 s')), 120_000);
      api.rpc.author.submitAndWatchExtrinsic(tx, (status) => {
        if (status.isInBlock) inBlock.push((now() - t0) / 1000);
        if (status.isFinalized) { clearTimeout(timer); finalized.push((now() - t0) / 1000); resolve(); }
        if (status.isInvalid || status.isDropped || status.isUsurped) {
          clearTimeout(timer); reject(new Error(`transfer ${status.type}`));
        }
      }).catch(reject);
    }));
    // Spread submissions over the slot: a random gap around `gapMs`.
    await sleep(gapMs * (0.5 + Math.random()));
  }
  await Promise.all(waits);
  return { inBlock: summary(inBlock), finalized: summary(finalized) };
}

// ---- report ----

const f = (x, d = 0) => (x === null || x === undefined ? '—' : Number(x).toLocaleString('en-US',
  { minimumFractionDigits: d, maximumFractionDigits: d }));

function report(r) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  p(`Healthchain throughput harness — ${r.when} — ${r.machine}`);
  if (r.dev) {
    const d = r.dev;
    p(`node: ${d.node}; block time ${d.blockMs / 1000} s; normal-class max ${f(d.maxNormalMs, 1)} ms of weight`);
    p('');
    p('kind                        | weight µs | txs    | per block (saturated)        | tx/s   | anchors/s | vs transfer | fullness | submit→final p50/p90 s');
    for (const k of Object.keys(KINDS)) {
      const m = d.kinds[k];
      if (!m) continue;
      const t = d.kinds.transfer?.perSec;
      const sat = m.perBlock.slice(1, -1);
      const label = m.ops > 1 ? `${KINDS[k].label} (${m.ops})` : KINDS[k].label;
      p(`${label.padEnd(27)} | ${f(Number(d.weights[k].total) / 1e6, 1).padStart(9)} | ${String(m.count).padEnd(6)} | ${(sat.length ? sat.join(', ') : m.perBlock.join(', ')).slice(0, 28).padEnd(28)} | ${f(m.perSec).padStart(6)} | ${(m.ops ? f(m.opsPerSec) : '').padStart(9)} | ${(m.perSec && t ? `${f(m.perSec / t, 2)}×` : '—').padStart(11)} | ${(m.fullness ? `${f(m.fullness.mean * 100, 1)} %` : '—').padStart(8)} | ${f(m.latency.p50, 1)} / ${f(m.latency.p90, 1)}`);
    }
    const am = d.kinds.anchorMany;
    if (am) {
      const a = d.kinds.anchor;
      const t = d.kinds.transfer;
      p(`anchorMany (${am.ops} anchors per extrinsic): ${f(am.opsPerSec)} anchors/s vs records.anchor ${f(a?.perSec)} anchors/s => ${d.manyVsAnchor === null ? '—' : `${f(d.manyVsAnchor, 2)}×`}${am.opsPerSec && t?.perSec ? `; ${f(am.opsPerSec / t.perSec, 2)}× the transfers/s` : ''}; ${f(am.anchored)}/${f(am.expectedAnchors)} RecordAnchored, AnchorOpFailed ${am.opFailed}${am.opFailedSample.length ? ` (e.g. ${am.opFailedSample.join('; ')})` : ''}`);
    }
    if (d.flood) {
      const fl = d.flood;
      p('');
      p(`fee-less flood: providers' records.anchor ${f(fl.alone.perSec)}/s alone, ${f(fl.withFlood.perSec)}/s while ${f(fl.flood)} fee-less grants from fresh zero-balance accounts arrived at once => ratio ${fl.ratio === null ? '—' : f(fl.ratio, 2)}`);
      p(`  fee-less admitted: ${f(fl.feeless.included)} in ${fl.feeless.blocks} blocks, per block ${fl.feeless.perBlock.join(' ').slice(0, 80)} (max ${fl.feeless.maxPerBlock}, cap ${fl.feeless.cap}); refused at submission ${fl.refused}; all in ${f(fl.feeless.drainSecs, 1)} s`);
    }
    if (d.batch) {
      const b = d.batch;
      p('');
      p(`batch anchoring: ${b.batches} × ${f(b.leavesPerBatch)} records = ${f(b.records)}; trees ${f(b.buildSecs, 2)} s (${f(b.treeLeavesPerSec)} leaves/s, ${b.threads} threads) + anchorBatch submit→finalized ${f(b.chainSecs, 2)} s`);
      p(`  => ${f(b.recordsPerSec)} records/s from precomputed digests to finality`);
      p(`  proof generation: mean ${f(b.proofGen.meanNs / 1000, 2)} µs (over ${f(b.proofGen.meanOver)}), p50 ${f(b.proofGen.p50Ns / 1000, 2)} µs`);
      p(`  records_verifyInclusion over WebSocket: p50 ${f(b.verify.p50, 3)} ms, p90 ${f(b.verify.p90, 3)} ms, p99 ${f(b.verify.p99, 3)} ms (${b.verify.verified}/${b.verify.of} true; tampered leaf rejected: ${b.verify.tamperedRejected}); system_health round trip p50 ${f(b.rpcRoundTrip.p50, 3)} ms`);
    }
    if (d.latency) {
      p(`dev node, light load: submit→in block p50 ${f(d.latency.inBlock.p50, 2)} s; submit→finalized p50 ${f(d.latency.finalized.p50, 2)} s, p90 ${f(d.latency.finalized.p90, 2)} s (n=${d.latency.finalized.n})`);
    }
  }
  if (r.local4) {
    const l = r.local4;
    p('');
    p(`4-validator local network (${l.node}; block time ${l.blockMs / 1000} s), light load: submit→in block p50 ${f(l.latency.inBlock.p50, 2)} s; submit→finalized p50 ${f(l.latency.finalized.p50, 2)} s, p90 ${f(l.latency.finalized.p90, 2)} s, max ${f(l.latency.finalized.max, 2)} s (n=${l.latency.finalized.n})`);
  }
  return lines.join('\n');
}

// ---- main ----

async function runDev(opts, cleanups) {
  let url = opts.url;
  let nodeName = url;
  if (!url) {
    // HEALTHCHAIN_BENCH_KEEP=DIR keeps the node's database and log in DIR (for a post-mortem).
    const keep = process.env.HEALTHCHAIN_BENCH_KEEP;
    const extra = (process.env.HEALTHCHAIN_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    // A pool large enough for the flood phase's 3,000 fee-less calls on top of 6,000 pending
    // anchors (the default ready limit is 8,192 transactions).
    const node = await startNode(['--dev', '--pool-limit', '16384', ...extra],
      { name: 'bench-dev', basePath: keep || undefined });
    console.log(`[bench] dev node log: ${node.log}`);
    cleanups.push(() => node.stop());
    url = node.url;
    nodeName = 'dev node started by the harness';
  }
  const api = await connect(url);
  cleanups.push(() => api.disconnect());
  const dev = devAccounts();
  const heads = new Heads(api);
  await heads.start();
  cleanups.push(() => heads.stop());
  await waitFor('first finalized block', () => heads.final >= 1, 60_000, 200);

  const senders = Array.from({ length: Math.max(1, opts.senders) }, (_, i) => account(`//Bench/${i}`));
  console.log(`[bench] preparing ${senders.length} senders (fund, register, approve by motion)`);
  await prepareSenders(api, dev, senders);

  const bw = api.consts.system.blockWeights;
  const maxNormal = bw.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
  const blockMs = Number((await api.call.auraApi.slotDuration()).toBigInt());
  const weights = {};
  for (const k of Object.keys(KINDS)) {
    weights[k] = await weightOf(api, KINDS[k].make(api, senders, 0), senders[0]);
  }

  // Pre-sign everything before the first submission.
  const nonces = await Promise.all(senders.map(async (s) =>
    (await api.rpc.system.accountNextIndex(s.address)).toNumber()));
  const plan = {};
  for (const k of Object.keys(KINDS)) {
    const perBlock = Number(maxNormal / weights[k].total);
    plan[k] = opts.perKind || Math.ceil(perBlock * (opts.blocks + 1.5));
  }
  // anchorMany: --many N extrinsics, else --per-kind N anchors' worth, else --blocks full blocks.
  const opsPerMany = manyOps(api);
  if (opts.many) plan.anchorMany = opts.many;
  else if (opts.perKind) plan.anchorMany = Math.max(1, Math.ceil(opts.perKind / opsPerMany));
  console.log(`[bench] pre-signing ${Object.entries(plan).map(([k, n]) => `${n} ${k}`).join(', ')}`);
  const tSign = now();
  const signed = {};
  const ranges = {};
  for (const k of Object.keys(KINDS)) {
    signed[k] = [];
    ranges[k] = nonces.map((n) => [n, n]);
    for (let i = 0; i < plan[k]; i++) {
      const s = i % senders.length;
      const tx = KINDS[k].make(api, senders, s).sign(senders[s], signOpts(api, nonces[s]++));
      ranges[k][s][1] = nonces[s];
      // Yield now and then: a long synchronous stretch starves the WebSocket (keep-alive pings
      // go unanswered and the node drops the connection).
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
      signed[k].push({ hex: tx.toHex(), hash: tx.hash.toHex() });
    }
  }
  const signSecs = (now() - tSign) / 1000;
  console.log(`[bench] signed in ${signSecs.toFixed(1)} s`);

  const kinds = {};
  for (const k of Object.keys(KINDS)) {
    console.log(`[bench] ${KINDS[k].label}: submitting ${plan[k]}`);
    kinds[k] = await throughputPhase(api, heads, k, signed[k], senders, ranges[k], opts,
      { maxNormal, blockMs });
    const m = kinds[k];
    console.log(`[bench]   ${f(m.perSec)} /s${m.opsPerSec !== null && m.ops > 1 ? ` = ${f(m.opsPerSec)} anchors/s` : ''}, per block ${m.perBlock.join(' ')}${m.ops ? `; ${m.anchored}/${m.expectedAnchors} RecordAnchored, ${m.opFailed} AnchorOpFailed` : ''}`);
  }

  const flood = opts.flood ? await floodPhase(api, heads, senders, opts.floodAnchors || plan.anchor, opts,
    { maxNormal, blockMs }) : null;

  console.log(`[bench] batch anchoring: ${opts.batches} × ${opts.batchLeaves} leaves`);
  const batch = await batchPhase(api, heads, senders[0], opts);
  console.log('[bench] light-load latency on this node');
  const latency = await latencyPhase(api, senders[0], senders[senders.length - 1].address,
    opts.latencyTxs, opts.latencyGapMs);
  return {
    node: nodeName, blockMs, maxNormalMs: Number(maxNormal) / 1e9, senders: senders.length,
    signSecs, weights, kinds, opsPerMany, flood, batch, latency,
    manyVsAnchor: kinds.anchorMany?.opsPerSec && kinds.anchor?.perSec
      ? kinds.anchorMany.opsPerSec / kinds.anchor.perSec : null,
  };
}

async function runLocal4(opts, cleanups) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'healthchain-bench-net-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  console.log('[bench] starting the 4-validator local network');
  const { nodes } = await startFourValidators(dir);
  for (const n of Object.values(nodes)) cleanups.push(() => n.stop());
  const api = await connect(nodes.alice.url);
  cleanups.push(() => api.disconnect());
  const dev = devAccounts();
  const heads = new Heads(api);
  await heads.start();
  cleanups.push(() => heads.stop());
  await waitFor('finality on the 4-validator network', () => heads.final >= 2, 180_000, 200);
  const blockMs = Number((await api.call.auraApi.slotDuration()).toBigInt());
  console.log(`[bench] light-load latency: ${opts.latencyTxs} transfers`);
  const latency = await latencyPhase(api, dev.ferdie, dev.eve.address, opts.latencyTxs,
    opts.latencyGapMs);
  return { node: '4 validators (alice, bob, charlie, dave) on loopback', blockMs, latency };
}

/** Run and forget the cleanups, newest first. */
async function drain(cleanups) {
  while (cleanups.length) {
    try { await cleanups.pop()(); } catch { /* best effort */ }
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const cleanups = [];
  const result = { when: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, options: opts };
  let failure = null;
  try {
    if (opts.only !== 'local4') {
      result.dev = await runDev(opts, cleanups);
      await drain(cleanups);
    }
    if (opts.local4) result.local4 = await runLocal4(opts, cleanups);
  } catch (e) {
    failure = e;
  } finally {
    await drain(cleanups);
  }
  if (failure) {
    console.error(`[bench] FAILED: ${failure.stack ?? failure}`);
    process.exit(1);
  }
  const text = report(result);
  console.log(`\n${text}`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(result, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2));

  // The smoke run checks that every measurement worked; numbers are not asserted.
  const problems = [];
  for (const [k, m] of Object.entries(result.dev?.kinds ?? {})) {
    if (m.failed) problems.push(`${m.failed} ${k} extrinsics failed`);
    if (m.opFailed) problems.push(`${m.opFailed} AnchorOpFailed events in the ${k} phase (${m.opFailedSample.join('; ')})`);
    if (m.ops && m.anchored !== m.expectedAnchors) problems.push(`${k}: ${m.anchored} RecordAnchored events for ${m.expectedAnchors} anchors`);
  }
  const fl = result.dev?.flood;
  if (fl && (fl.refused || fl.feeless.included !== fl.flood)) {
    problems.push(`fee-less flood: ${fl.feeless.included}/${fl.flood} included, ${fl.refused} refused (${fl.refusedSample.join('; ')})`);
  }
  if (fl && fl.feeless.maxPerBlock > fl.feeless.cap) problems.push('more fee-less calls in a block than the cap');
  if (fl && (fl.alone.failed || fl.withFlood.failed)) problems.push('anchors failed in the flood phase');
  const b = result.dev?.batch;
  if (b && (b.verify.verified !== b.verify.of || !b.verify.tamperedRejected)) {
    problems.push('a batch inclusion proof did not verify as expected');
  }
  if (problems.length) {
    console.error(`[bench] FAILED: ${problems.join('; ')}`);
    process.exit(1);
  }
  process.exit(0);
}

main();
