// Healthchain gateway benchmark (run it with scripts/bench/run, after the throughput harness;
// see docs/performance.md).
//
// In one run, one configuration after another, side by side:
//   SQLite + anchorMany, SQLite + single (one records.anchor per version), PostgreSQL + anchorMany.
// For each: a dev node of its own (or one shared node with --same-node), a fresh database, a
// healthchain-gateway signing as //Alice; a few Patients (waited to finality, untimed), then
// `--resources` Observations POSTed with `--concurrency` in flight:
//   - write latency p50/p99 (request sent → 201 read; the gateway acknowledges only durable
//     writes) and acknowledged writes/s;
//   - after /health reports an empty outbox (bounded wait): every Observation's `$anchor`
//     (status, acknowledgedMs, finalizedMs, both on the gateway's clock): resources ingested/s
//     to finalized anchors = count ÷ (last finalizedMs − first acknowledgedMs), and
//     acknowledged → finalized p50/p99;
//   - reads: GET of a random sample of the stored Observations, one at a time, p50/p99.
// Then one table with the ratios (anchorMany ÷ single ingest rate; PostgreSQL ÷ SQLite read p50),
// and JSON with --json FILE. Numbers are printed, never asserted; it exits non-zero only when a
// write is not acknowledged with 201 or a version is not finalized.
//
// Node built-ins and fetch only. Loopback only; every wait is bounded; the nodes, gateways and
// the PostgreSQL server it starts are stopped on exit, errors and signals included.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort, nodeBinary, startNode } from '../client/src/node.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---- options ----

const CONFIGS = {
  'sqlite-many': { label: 'SQLite + anchorMany', db: 'sqlite', mode: 'many' },
  'sqlite-single': { label: 'SQLite + single anchor', db: 'sqlite', mode: 'single' },
  'postgres-many': { label: 'PostgreSQL + anchorMany', db: 'postgres', mode: 'many' },
};
const SMOKE = { resources: 40, concurrency: 16, reads: 20, patients: 4, anchorSample: 0 };
const FULL = { resources: 2000, concurrency: 16, reads: 500, patients: 16, anchorSample: 0 };

function parseArgs(argv) {
  const o = { smoke: false, json: null, sameNode: false, keep: false, configs: Object.keys(CONFIGS) };
  const rest = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--smoke') o.smoke = true;
    else if (a === '--json') o.json = next();
    else if (a === '--same-node') o.sameNode = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--configs') o.configs = next().split(',').filter(Boolean);
    else if (a === '--resources') rest.resources = Number(next());
    else if (a === '--concurrency') rest.concurrency = Number(next());
    else if (a === '--reads') rest.reads = Number(next());
    else if (a === '--patients') rest.patients = Number(next());
    else if (a === '--anchor-sample') rest.anchorSample = Number(next());
    else if (a === '--help' || a === '-h') { usage(); process.exit(0); }
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  for (const c of o.configs) {
    if (!(c in CONFIGS)) throw new Error(`unknown configuration ${c}; valid: ${Object.keys(CONFIGS).join(', ')}`);
  }
  for (const [k, v] of Object.entries(rest)) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${k} must be a non-negative integer`);
  }
  const r = { ...o, ...(o.smoke ? SMOKE : FULL), ...rest };
  if (r.resources < 1 || r.concurrency < 1 || r.patients < 1) {
    throw new Error('--resources, --concurrency and --patients must be at least 1');
  }
  return r;
}

function usage() {
  console.log(`usage: node scripts/bench/gateway.js [--smoke] [--resources N] [--concurrency C]
       [--reads N] [--patients N] [--anchor-sample N] [--configs LIST] [--same-node] [--keep]
       [--json FILE]
  --smoke          40 Observations per configuration (full: 2000)
  --resources N    Observations POSTed per configuration
  --concurrency C  requests in flight while writing (default 16)
  --reads N        GETs of random stored Observations, one at a time (smoke 20, full 500)
  --patients N     Patients the Observations refer to (created first, untimed)
  --anchor-sample N  read $anchor of N random Observations instead of all (0 = all)
  --configs LIST   comma-separated, default sqlite-many,sqlite-single,postgres-many
  --same-node      one dev node for every configuration (default: a fresh one each)
  --keep           keep the gateways' logs and SQLite databases (always kept after a failure)
The gateway binary is $HEALTHCHAIN_GATEWAY (else the services target dir's release build); the
node $HEALTHCHAIN_NODE. PostgreSQL comes from scripts/postgres-throwaway.`);
}

// ---- small helpers ----

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

const f = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '—' : Number(x).toLocaleString('en-US',
  { minimumFractionDigits: d, maximumFractionDigits: d }));

/** Poll `fn` until truthy (returned) or throw after `timeoutMs` naming `what`. */
async function waitFor(what, fn, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s: ${what}`);
    await sleep(intervalMs);
  }
}

/** Run `fn(i)` for i in 0..n with at most `concurrency` at once. */
async function pool(n, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
}

/** One HTTP exchange: `{ status, json, text, ms }` (ms: request sent → body read). */
async function http(method, url, body, timeoutMs = 30_000) {
  const headers = { accept: 'application/fhir+json' };
  if (body !== undefined) headers['content-type'] = 'application/fhir+json';
  const t0 = now();
  const res = await fetch(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const ms = now() - t0;
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, ms };
}

/** A JSON-RPC call over the node's HTTP endpoint. */
async function nodeRpc(rpcPort, method, params = []) {
  const res = await fetch(`http://127.0.0.1:${rpcPort}`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(5_000),
  });
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

async function finalizedNumber(rpcPort) {
  const hash = await nodeRpc(rpcPort, 'chain_getFinalizedHead');
  const header = await nodeRpc(rpcPort, 'chain_getHeader', [hash]);
  return parseInt(header.number, 16);
}

function gatewayBinary() {
  if (process.env.HEALTHCHAIN_GATEWAY) return process.env.HEALTHCHAIN_GATEWAY;
  const target = process.env.HEALTHCHAIN_SERVICES_TARGET
    ?? path.join(os.homedir(), '.cache', 'healthchain', 'services-target');
  return path.join(target, 'release', 'healthchain-gateway');
}

// ---- processes this run started (stopped on exit, whatever the reason) ----

const gateways = new Set();
let pgDir = null;

function stopPostgresSync() {
  if (!pgDir) return;
  const dir = pgDir;
  pgDir = null;
  spawnSync('bash', [path.join(REPO, 'scripts', 'postgres-throwaway'), 'stop', dir],
    { stdio: 'ignore', timeout: 60_000 });
}

process.on('exit', () => {
  for (const child of gateways) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  stopPostgresSync();
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  // (../client/src/node.js kills its nodes and exits on these too; 'exit' above then runs.)
  process.on(sig, () => process.exit(130));
}

function startPostgres() {
  const out = execFileSync('bash', [path.join(REPO, 'scripts', 'postgres-throwaway'), 'start'],
    { encoding: 'utf8', timeout: 120_000 });
  const env = {};
  for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]] = m[2];
  if (!env.HC_PG_DIR || !env.HC_TEST_POSTGRES_URL) throw new Error(`postgres-throwaway printed no URL: ${out}`);
  pgDir = env.HC_PG_DIR;
  return env.HC_TEST_POSTGRES_URL;
}

function createDatabase(adminUrl, name) {
  execFileSync('psql', [adminUrl, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}

async function startGateway({ dir, name, databaseUrl, chainUrl, mode }) {
  const port = await freePort();
  const log = path.join(dir, `${name}.log`);
  const fd = openSync(log, 'w');
  const env = {
    ...process.env,
    HC_GATEWAY_LISTEN: `127.0.0.1:${port}`,
    HC_GATEWAY_DATABASE_URL: databaseUrl,
    HC_GATEWAY_CHAIN_URL: chainUrl,
    HC_GATEWAY_SIGNER: '//Alice',
    HC_GATEWAY_ANCHOR_MODE: mode,
    NO_COLOR: '1',
    RUST_LOG: process.env.RUST_LOG ?? 'info',
  };
  const child = spawn(gatewayBinary(), [], { env, stdio: ['ignore', fd, fd] });
  gateways.add(child);
  child.on('exit', () => gateways.delete(child));
  const base = `http://127.0.0.1:${port}`;
  const gw = {
    base, log, child,
    logText: () => { try { return readFileSync(log, 'utf8').replace(/\x1b\[[0-9;]*m/g, ''); } catch { return ''; } },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), sleep(15_000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      gateways.delete(child);
    },
  };
  try {
    await waitFor(`gateway ${name} up and connected to the node`, async () => {
      if (child.exitCode !== null) {
        throw new Error(`gateway ${name} exited with ${child.exitCode}:\n${gw.logText().split('\n').slice(-20).join('\n')}`);
      }
      try {
        const h = await http('GET', `${base}/health`, undefined, 2_000);
        return h.status === 200 && h.json?.chain?.connected === true;
      } catch { return false; }
    }, 60_000, 250);
  } catch (e) {
    await gw.stop();
    throw e;
  }
  return gw;
}

async function health(gw) {
  const h = await http('GET', `${gw.base}/health`, undefined, 10_000);
  if (h.status !== 200 || !h.json?.outbox) throw new Error(`/health answered ${h.status}: ${h.text.slice(0, 200)}`);
  return h.json;
}

/** Wait until the outbox is empty; returns the client time (Date.now()) it was first seen so. */
async function drained(gw, what, timeoutMs) {
  let last = null;
  try {
    await waitFor(what, async () => {
      last = await health(gw);
      return last.outbox.depth === 0;
    }, timeoutMs, 100);
  } catch (e) {
    throw new Error(`${e.message} (outbox ${JSON.stringify(last?.outbox)}, chain ${JSON.stringify(last?.chain)})`);
  }
  return { at: Date.now(), health: last };
}

/** FHIR Parameters → { name: value } (the first value[x] of each). */
function params(json) {
  const out = {};
  for (const p of json?.parameter ?? []) {
    const k = Object.keys(p).find((x) => x.startsWith('value'));
    if (k) out[p.name] = p[k];
  }
  return out;
}

function sampleOf(values, n) {
  return Array.from({ length: n }, () => values[Math.floor(Math.random() * values.length)]);
}

// ---- one configuration ----

async function runConfig(key, opts, ctx) {
  const cfg = CONFIGS[key];
  const cleanups = [];
  const result = { key, label: cfg.label, db: cfg.db, mode: cfg.mode };
  try {
    // The chain.
    let node = ctx.sharedNode;
    if (!node) {
      node = await startNode(['--dev'], { name: `gwbench-${key}` });
      cleanups.push(() => node.stop());
      console.log(`[gateway-bench] ${cfg.label}: dev node ${node.url} (log ${node.log})`);
    }
    await waitFor('the dev node finalizing', async () => {
      try { return (await finalizedNumber(node.rpcPort)) >= 1; } catch { return false; }
    }, 60_000, 250);
    result.startBlock = await finalizedNumber(node.rpcPort);

    // A fresh database.
    const dbName = `gw_bench_${key.replace(/-/g, '_')}_${process.pid}`;
    const databaseUrl = cfg.db === 'sqlite'
      ? `sqlite://${path.join(ctx.dir, `${dbName}.db`)}?mode=rwc`
      : createDatabase(ctx.postgresUrl(), dbName);

    const gw = await startGateway({ dir: ctx.dir, name: `gateway-${key}`, databaseUrl, chainUrl: node.url, mode: cfg.mode });
    cleanups.push(() => gw.stop());
    result.log = gw.log;
    console.log(`[gateway-bench] ${cfg.label}: gateway ${gw.base} (log ${gw.log})`);

    // Patients first (untimed), waited to finality so the Observations' anchoring starts clean.
    const patients = [];
    for (let i = 0; i < opts.patients; i++) {
      const r = await http('POST', `${gw.base}/fhir/Patient`, {
        resourceType: 'Patient',
        identifier: [{ system: 'urn:healthchain:account', value: `0x${randomBytes(32).toString('hex')}` }],
      });
      if (r.status !== 201 || !r.json?.id) throw new Error(`POST Patient answered ${r.status}: ${r.text.slice(0, 300)}`);
      patients.push(r.json.id);
    }
    await drained(gw, `${cfg.label}: the ${patients.length} Patients finalized`, 120_000);

    // Writes.
    const n = opts.resources;
    const ids = new Array(n);
    const ackClient = new Array(n);
    const writeMs = [];
    const refused = [];
    console.log(`[gateway-bench] ${cfg.label}: POST ${n} Observations, ${opts.concurrency} in flight`);
    const t0 = now();
    await pool(n, opts.concurrency, async (i) => {
      const body = {
        resourceType: 'Observation', status: 'final',
        category: [{ coding: [{ code: 'laboratory' }] }],
        code: { text: 'glucose' },
        subject: { reference: `Patient/${patients[i % patients.length]}` },
        valueQuantity: { value: Math.round((3.5 + Math.random() * 4) * 10) / 10 },
      };
      let r;
      try {
        r = await http('POST', `${gw.base}/fhir/Observation`, body);
      } catch (e) {
        refused.push(`#${i}: ${e.message}`);
        return;
      }
      if (r.status !== 201 || !r.json?.id) {
        refused.push(`#${i}: ${r.status} ${r.text.slice(0, 200)}`);
        return;
      }
      ids[i] = r.json.id;
      ackClient[i] = Date.now();
      writeMs.push(r.ms);
    });
    const writeSecs = (now() - t0) / 1000;
    if (refused.length) {
      throw new Error(`${cfg.label}: ${refused.length} of ${n} Observations were not acknowledged with 201 (e.g. ${refused.slice(0, 3).join('; ')})`);
    }
    result.write = { ...summary(writeMs), perSec: n / writeSecs, secs: writeSecs };
    console.log(`[gateway-bench]   acknowledged ${n} in ${f(writeSecs, 1)} s (${f(n / writeSecs)}/s), p50 ${f(result.write.p50, 1)} ms, p99 ${f(result.write.p99, 1)} ms`);

    // Drain to finality (bounded by the work: single mode is the slow one).
    const budget = 180_000 + n * 250;
    const drain = await drained(gw, `${cfg.label}: all ${n} Observations finalized on chain`, budget);
    result.drainClientSecs = (drain.at - Math.min(...ackClient)) / 1000;
    result.outbox = drain.health.outbox;

    // $anchor of every Observation (or a sample): status and the gateway's timestamps.
    const which = opts.anchorSample && opts.anchorSample < n
      ? sampleOf([...ids.keys()], opts.anchorSample) : [...ids.keys()];
    const anchors = [];
    const notFinal = [];
    await pool(which.length, opts.concurrency, async (j) => {
      const i = which[j];
      const r = await http('GET', `${gw.base}/fhir/Observation/${ids[i]}/$anchor`);
      const p = params(r.json);
      if (r.status !== 200 || p.status !== 'finalized') {
        notFinal.push(`Observation/${ids[i]}: ${r.status} ${p.status ?? r.text.slice(0, 120)}${p.error ? ` (${p.error})` : ''}`);
        return;
      }
      anchors.push({
        i, block: Number(p.blockNumber),
        ack: p.acknowledgedMs === undefined ? null : Number(p.acknowledgedMs),
        fin: p.finalizedMs === undefined ? null : Number(p.finalizedMs),
      });
    });
    if (notFinal.length) {
      throw new Error(`${cfg.label}: ${notFinal.length} of ${which.length} Observations are not finalized on chain although the outbox is empty (e.g. ${notFinal.slice(0, 3).join('; ')})`);
    }
    const blocks = anchors.map((a) => a.block);
    result.blocks = { first: Math.min(...blocks), last: Math.max(...blocks), distinct: new Set(blocks).size };
    const timed = anchors.filter((a) => a.ack !== null && a.fin !== null);
    if (timed.length === anchors.length && timed.length > 0) {
      // Rate: over every resource when all were read, else from the client's clock span.
      const firstAck = Math.min(...timed.map((a) => a.ack));
      const lastFin = Math.max(...timed.map((a) => a.fin));
      result.timing = 'gateway';
      result.ingestPerSec = which.length === n ? n / ((lastFin - firstAck) / 1000) : n / result.drainClientSecs;
      result.ingestSecs = which.length === n ? (lastFin - firstAck) / 1000 : result.drainClientSecs;
      result.ackToFinal = summary(timed.map((a) => (a.fin - a.ack) / 1000));
    } else {
      // A gateway build without acknowledgedMs / finalizedMs: the client's clock, first 201 to
      // the first /health with an empty outbox (polled every 100 ms); no per-resource latency.
      result.timing = 'client (the gateway reports no acknowledgedMs/finalizedMs)';
      result.ingestPerSec = n / result.drainClientSecs;
      result.ingestSecs = result.drainClientSecs;
      result.ackToFinal = null;
    }
    console.log(`[gateway-bench]   finalized: ${f(result.ingestPerSec)} resources/s over ${f(result.ingestSecs, 1)} s in ${result.blocks.distinct} blocks (#${result.blocks.first}–#${result.blocks.last}); ack→finalized p50 ${f(result.ackToFinal?.p50, 2)} s, p99 ${f(result.ackToFinal?.p99, 2)} s`);

    // Reads, one at a time (a few warm-up reads first, not counted).
    const stored = ids.filter(Boolean);
    for (const id of sampleOf(stored, Math.min(5, opts.reads))) await http('GET', `${gw.base}/fhir/Observation/${id}`);
    const readMs = [];
    for (const id of sampleOf(stored, opts.reads)) {
      const r = await http('GET', `${gw.base}/fhir/Observation/${id}`);
      if (r.status !== 200 || r.json?.id !== id) throw new Error(`${cfg.label}: GET Observation/${id} answered ${r.status}: ${r.text.slice(0, 200)}`);
      readMs.push(r.ms);
    }
    result.read = summary(readMs);
    console.log(`[gateway-bench]   reads: p50 ${f(result.read.p50, 2)} ms, p99 ${f(result.read.p99, 2)} ms (n=${readMs.length})`);

    // Extrinsics the gateway submitted (its anchor_submitted counter; Patients included).
    try {
      const m = await fetch(`${gw.base}/metrics`, { signal: AbortSignal.timeout(10_000) });
      const hit = /^(?:healthchain_gateway_)?anchor_submitted_total (\d+)/m.exec(await m.text());
      result.extrinsics = hit ? Number(hit[1]) : null;
    } catch { result.extrinsics = null; }

    // The gateway's own complaints.
    const bad = gw.logText().split('\n').filter((l) => /\b(WARN|ERROR)\b/.test(l));
    result.logWarnings = bad.filter((l) => /\bWARN\b/.test(l)).length;
    result.logErrors = bad.filter((l) => /\bERROR\b/.test(l)).length;
    result.logSample = bad.slice(0, 5);
  } finally {
    while (cleanups.length) {
      try { await cleanups.pop()(); } catch { /* best effort */ }
    }
  }
  return result;
}

// ---- report ----

function report(r) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  p(`Healthchain gateway benchmark — ${r.when} — ${r.machine}`);
  p(`${f(r.options.resources)} Observations per configuration, ${r.options.concurrency} in flight; ${r.chain}`);
  p(`gateway ${r.gateway.path} (built ${r.gateway.mtime}); node ${r.node}`);
  p('');
  p('configuration            | write p50 / p99 ms | acked writes/s | ingested→finalized /s | ack→finalized p50 / p99 s | read p50 / p99 ms | extrinsics | log warn/error');
  for (const c of r.configs) {
    p(`${c.label.padEnd(24)} | ${`${f(c.write?.p50, 1)} / ${f(c.write?.p99, 1)}`.padStart(18)} | ${f(c.write?.perSec).padStart(14)} | ${f(c.ingestPerSec, 1).padStart(21)} | ${`${f(c.ackToFinal?.p50, 2)} / ${f(c.ackToFinal?.p99, 2)}`.padStart(25)} | ${`${f(c.read?.p50, 2)} / ${f(c.read?.p99, 2)}`.padStart(17)} | ${f(c.extrinsics).padStart(10)} | ${c.logWarnings ?? '—'} / ${c.logErrors ?? '—'}`);
  }
  p('(extrinsics: the anchoring transactions each gateway submitted, its Patients\' included)');
  p('');
  p(`anchorMany ÷ single, resources ingested/s to finalized anchors (SQLite): ${r.ratios.manyVsSingle === null ? '—' : `${f(r.ratios.manyVsSingle, 2)}×`}`);
  p(`PostgreSQL ÷ SQLite, read p50 (anchorMany configurations): ${r.ratios.postgresVsSqliteRead === null ? '—' : `${f(r.ratios.postgresVsSqliteRead, 2)}×`}`);
  for (const c of r.configs) {
    if (c.mode === 'single' && c.extrinsics !== null && c.extrinsics < r.options.resources / 2) {
      p(`WARNING ${c.label}: only ${c.extrinsics} extrinsics for ${r.options.resources} Observations — this gateway build seems to ignore HC_GATEWAY_ANCHOR_MODE=single`);
    }
    if (c.timing !== 'gateway') p(`${c.label}: timing from the ${c.timing}`);
    if (c.logSample?.length) p(`${c.label} log: ${c.logSample.slice(0, 2).join(' | ').slice(0, 300)}`);
  }
  return lines.join('\n');
}

// ---- main ----

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const bin = gatewayBinary();
  if (!existsSync(bin)) throw new Error(`no gateway binary at ${bin}: build it (scripts/bench/run does) or set HEALTHCHAIN_GATEWAY`);
  if (!existsSync(nodeBinary())) throw new Error(`no node binary at ${nodeBinary()}: set HEALTHCHAIN_NODE`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'healthchain-gateway-bench-'));
  const result = {
    when: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    options: opts,
    gateway: { path: bin, mtime: statSync(bin).mtime.toISOString() },
    node: nodeBinary(),
    chain: opts.sameNode ? 'one dev node (--dev, one validator) for every configuration, one after another'
      : 'a fresh dev node (--dev, one validator) per configuration',
    configs: [],
  };
  let sharedNode = null;
  let postgresUrl = null;
  const ctx = {
    dir,
    get sharedNode() { return sharedNode; },
    postgresUrl: () => {
      if (!postgresUrl) {
        console.log('[gateway-bench] starting a throwaway PostgreSQL (scripts/postgres-throwaway)');
        postgresUrl = startPostgres();
      }
      return postgresUrl;
    },
  };
  let failure = null;
  try {
    if (opts.sameNode) sharedNode = await startNode(['--dev'], { name: 'gwbench-shared' });
    for (const key of opts.configs) result.configs.push(await runConfig(key, opts, ctx));
  } catch (e) {
    failure = e;
  } finally {
    if (sharedNode) await sharedNode.stop().catch(() => {});
    stopPostgresSync();
  }
  if (failure) {
    console.error(`[gateway-bench] FAILED: ${failure.message ?? failure}\n[gateway-bench] logs kept in ${dir}`);
    process.exit(1);
  }
  const by = Object.fromEntries(result.configs.map((c) => [c.key, c]));
  result.ratios = {
    manyVsSingle: by['sqlite-many']?.ingestPerSec && by['sqlite-single']?.ingestPerSec
      ? by['sqlite-many'].ingestPerSec / by['sqlite-single'].ingestPerSec : null,
    postgresVsSqliteRead: by['postgres-many']?.read?.p50 && by['sqlite-many']?.read?.p50
      ? by['postgres-many'].read.p50 / by['sqlite-many'].read.p50 : null,
  };
  console.log(`\n${report(result)}`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 2));
  if (opts.keep) console.log(`[gateway-bench] gateway logs and databases kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

main().catch((e) => {
  console.error(`[gateway-bench] FAILED: ${e.message ?? e}`);
  process.exit(1);
});
