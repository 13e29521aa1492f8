// The docs check (scripts/check-docs): runs every shell and JavaScript snippet of README.md and
// docs/**/*.md against dev nodes it starts itself, so the docs cannot drift from the code.
//
// Which blocks: fenced blocks whose info string is js, javascript, mjs, ts, typescript, sh, bash,
// shell or console. Each is RUN unless the line before its fence (blank lines allowed between)
// is one of
//   <!-- docs-check: skip: <reason> -->   not run; the reason is printed (needs root, a
//                                          multi-hour build, a long-running server, ...)
//   <!-- docs-check: output -->           output only (a console transcript, a result)
// and a hidden js block inside a comment,
//   <!-- docs-check: setup
//   ```js
//   ...
//   ```
//   -->
// is prepended to each later js snippet of the doc (the names the doc's prose says the snippets
// share, e.g. `api`, `hospital`); it must only declare names, not change chain state.
//
// How they run: the snippets of one doc run in order against one fresh dev node (started with
// startNode(['--dev']) from src/node.js, on free ports), like a reader following the doc: a
// later snippet may rely on an earlier one's chain state. The docs' endpoints are rewritten to
// the ones actually started: ws://127.0.0.1:9944 and http://127.0.0.1:9944 (also `localhost`)
// become the doc's node; http://127.0.0.1:8080 its gateway and :8090 its indexer, which are
// started (--dev, SQLite in the doc's work dir) only for docs whose runnable snippets use them.
//   - js/mjs (and ts, which must be JavaScript-compatible): written to
//     scripts/client/.docs-check/ as an ES module, so `@healthchain/sdk` and `@polkadot/*`
//     resolve from scripts/client/node_modules, and run with node in the doc's work dir (below),
//     so files its shell snippets write are there; the process is ended after
//     the snippet's top-level code finishes (open API connections do not keep it alive).
//   - sh/bash/shell: `bash -euo pipefail` in the doc's work dir, one session per doc (the shell
//     variables a snippet sets, like `GW=...`, are there for the doc's later snippets), a temp dir with links to the
//     repository's top-level entries (so `scripts/...`, `sdk/...` work and files a snippet writes
//     stay out of the clone), `target` linked to $CARGO_TARGET_DIR, and `healthchain-node`,
//     `healthchain-gateway`, `healthchain-indexer`, `healthchain-digest` on PATH (when built).
//   - console: the lines starting with `$ ` are run as a shell snippet; the rest is output.
// Each snippet has a timeout (SNIPPET_TIMEOUT_S, default 90 s); a non-zero exit is a failure,
// printed with its file, line and output. Docs run in parallel (DOCS_CHECK_JOBS, default 4).
//
//   node docs-check.mjs [--list] [file.md ...]    (--list: only show what would run / skip)

import { spawn } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, nodeBinary, startNode } from './src/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const JS = new Set(['js', 'javascript', 'mjs', 'ts', 'typescript']);
const SH = new Set(['sh', 'bash', 'shell']);
const CONSOLE = new Set(['console']);
const TIMEOUT_MS = Number(process.env.SNIPPET_TIMEOUT_S ?? 90) * 1000;
const JOBS = Number(process.env.DOCS_CHECK_JOBS ?? 4);

// ---- extraction -------------------------------------------------------------------------------

function docFiles() {
  const out = [path.join(root, 'README.md')];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.md')) out.push(p);
    }
  };
  walk(path.join(root, 'docs'));
  return out;
}

/** The checked blocks of `file`: { line, lang, kind, code, action: run|skip|output, reason }. */
export function extract(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const start = i;
    const body = [];
    for (i++; i < lines.length; i++) {
      const l = lines[i];
      const t = l.trim();
      if (t.startsWith(fence[0].repeat(fence.length)) && /^(`+|~+)$/.test(t)) break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
    }
    const lang = info.toLowerCase().split(/[{,]/)[0];
    const kind = JS.has(lang) ? 'js' : SH.has(lang) ? 'sh' : CONSOLE.has(lang) ? 'console' : null;
    if (!kind) continue;
    let j = start - 1;
    while (j >= 0 && lines[j].trim() === '') j--;
    const prev = j >= 0 ? lines[j].trim() : '';
    let action = 'run';
    let reason = '';
    const m = /^<!--\s*docs-check:\s*(skip|output)\s*(?::\s*(.*?))?\s*-->$/.exec(prev);
    if (/^<!--\s*docs-check:\s*setup\s*$/.test(prev)) {
      action = 'setup';
      reason = 'hidden setup, run before each later js snippet of the doc';
    } else if (m) {
      action = m[1];
      reason = m[1] === 'output' ? 'output only' : (m[2] || '');
      if (action === 'skip' && !reason) throw new Error(`${rel(file)}:${start + 1}: skip without a reason`);
    } else if (/docs-check/.test(prev)) {
      throw new Error(`${rel(file)}:${start + 1}: unknown docs-check marker: ${prev}`);
    }
    let code = body.join('\n') + '\n';
    if (kind === 'console') {
      code = body.filter((l) => l.startsWith('$ ')).map((l) => l.slice(2)).join('\n') + '\n';
    }
    blocks.push({ file, line: start + 1, lang, kind, code, action, reason });
  }
  return blocks;
}

const rel = (f) => path.relative(root, f);

// ---- running ------------------------------------------------------------------------------------

const usesGateway = (code) => /(127\.0\.0\.1|localhost):8080\b|HC_GATEWAY_URL/.test(code);
const usesIndexer = (code) => /(127\.0\.0\.1|localhost):8090\b|HC_INDEXER_URL/.test(code);

function rewrite(code, ports) {
  let c = code.replace(/(ws|http)s?:\/\/(127\.0\.0\.1|localhost):9944\b/g,
    (_, scheme) => `${scheme}://127.0.0.1:${ports.rpc}`);
  c = c.replace(/(127\.0\.0\.1|localhost):9944\b/g, `127.0.0.1:${ports.rpc}`);
  if (ports.gateway) c = c.replace(/(127\.0\.0\.1|localhost):8080\b/g, `127.0.0.1:${ports.gateway}`);
  if (ports.indexer) c = c.replace(/(127\.0\.0\.1|localhost):8090\b/g, `127.0.0.1:${ports.indexer}`);
  return c;
}

function run(cmd, args, { cwd, env, timeoutMs = TIMEOUT_MS, input } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    if (input) child.stdin.end(input);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // A snippet's background processes (if any) end with it.
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      resolve({ code: timedOut ? 'timeout' : (code ?? signal), out });
    });
  });
}

/** A long-running service (gateway, indexer) in `cwd`, up once `probe` answers. */
async function startService(bin, args, env, cwd, probe, name) {
  const log = path.join(cwd, `${name}.log`);
  const child = spawn('bash', ['-c', `exec "$0" "$@" >>"${log}" 2>&1`, bin, ...args],
    { cwd, env: { ...process.env, ...env }, stdio: 'ignore' });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited:\n${readFileSync(log, 'utf8').slice(-3000)}`);
    try {
      const r = await fetch(probe, { signal: AbortSignal.timeout(2000) });
      if (r.status < 500) return child;
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not up within 60 s:\n${readFileSync(log, 'utf8').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

const services = process.env.HEALTHCHAIN_SERVICES_TARGET
  ?? path.join(path.dirname(process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache', 'healthchain', 'target')), 'services-target');
const gatewayBin = process.env.HEALTHCHAIN_GATEWAY ?? path.join(services, 'release', 'healthchain-gateway');
const indexerBin = process.env.HEALTHCHAIN_INDEXER ?? path.join(services, 'release', 'healthchain-indexer');
const digestBin = process.env.HEALTHCHAIN_DIGEST_BIN ?? path.join(path.dirname(path.dirname(path.dirname(nodeBinary()))), 'digest-target', 'release', 'healthchain-digest');

/** The doc's work dir: links to the repository's top-level entries, `target`, and a bin/ shim dir. */
function workDir(tag) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `docs-check-${tag}-`));
  for (const e of readdirSync(root)) {
    if (e === '.git' || e === 'target') continue;
    symlinkSync(path.join(root, e), path.join(dir, e));
  }
  symlinkSync(path.dirname(path.dirname(nodeBinary())), path.join(dir, 'target'));
  const bin = path.join(dir, '.bin');
  mkdirSync(bin);
  const shims = { 'healthchain-node': nodeBinary(), 'healthchain-gateway': gatewayBin,
    'healthchain-indexer': indexerBin, 'healthchain-digest': digestBin };
  for (const [name, target] of Object.entries(shims)) {
    if (existsSync(target)) symlinkSync(target, path.join(bin, name));
  }
  return { dir, bin };
}

async function checkDoc(file, blocks, jsDir) {
  const runnable = blocks.filter((b) => b.action === 'run' && b.code.trim());
  const result = { file, blocks, failures: [], ran: 0, log: [] };
  if (!runnable.length) return result;
  const tag = path.basename(file, '.md');
  const { dir, bin } = workDir(tag);
  const procs = [];
  let node;
  try {
    node = await startNode(['--dev'], { name: `docs-${tag}` });
    const ports = { rpc: node.rpcPort };
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HEALTHCHAIN_NODE: nodeBinary() };
    if (runnable.some((b) => usesGateway(b.code))) {
      if (!existsSync(gatewayBin)) throw new Error(`needs the gateway: ${gatewayBin} is not built`);
      ports.gateway = await freePort();
      procs.push(await startService(gatewayBin, ['--dev'], {
        HC_GATEWAY_LISTEN: `127.0.0.1:${ports.gateway}`, HC_GATEWAY_CHAIN_URL: node.url,
      }, dir, `http://127.0.0.1:${ports.gateway}/fhir/metadata`, 'gateway'));
    }
    if (runnable.some((b) => usesIndexer(b.code))) {
      if (!existsSync(indexerBin)) throw new Error(`needs the indexer: ${indexerBin} is not built`);
      ports.indexer = await freePort();
      procs.push(await startService(indexerBin, ['--dev'], {
        HC_INDEXER_LISTEN: `127.0.0.1:${ports.indexer}`, HC_INDEXER_CHAIN_URL: node.url,
      }, dir, `http://127.0.0.1:${ports.indexer}/health`, 'indexer'));
    }
    const state = path.join(dir, '.shell-state');
    let setup = '';
    for (const b of blocks) {
      if (b.action === 'setup') { setup += b.code; continue; }
      if (b.action !== 'run' || !b.code.trim()) continue;
      const code = rewrite(b.code, ports);
      const t0 = Date.now();
      let r;
      if (b.kind === 'js') {
        const f = path.join(jsDir, `${tag}-${b.line}.mjs`);
        // End the process once the snippet's top-level code is done: connections it leaves open
        // (as a short example does) must not hang the check.
        writeFileSync(f, `${rewrite(setup, ports)}\n${code}\n;process.exit(0);\n`);
        // In the doc's work dir, like its shell snippets: a file one writes (observation.json),
        // the next can read. Imports still resolve from the module's own location.
        r = await run(process.execPath, [f], { cwd: dir, env });
      } else {
        // The doc's shell session: load the variables earlier snippets set, save them at the end.
        const session = [
          `__pre=" $(compgen -v | tr '\\n' ' ') "`,
          `[ -f ${state} ] && . ${state}`,
          `trap '__rc=$?; for __v in $(compgen -v); do case "$__pre" in *" $__v "*) ;; *) [[ $__v == __* ]] || declare -p "$__v" ;; esac; done > ${state}; exit $__rc' EXIT`,
          '',
        ].join('\n');
        r = await run('bash', ['-euo', 'pipefail', '-c', session + code], { cwd: dir, env });
      }
      result.ran++;
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (r.code !== 0) {
        result.failures.push({ ...b, exit: r.code, out: r.out, secs });
      } else {
        result.log.push(`  ok   ${rel(file)}:${b.line} (${b.lang}, ${secs} s)`);
      }
    }
  } catch (e) {
    result.failures.push({ file, line: 0, lang: '-', exit: 'setup', out: String(e?.stack ?? e), secs: '-' });
  } finally {
    for (const p of procs) { try { p.kill('SIGINT'); } catch { /* gone */ } }
    await new Promise((r) => setTimeout(r, procs.length ? 500 : 0));
    for (const p of procs) { try { p.kill('SIGKILL'); } catch { /* gone */ } }
    if (node) await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

async function main() {
  const args = process.argv.slice(2);
  const list = args.includes('--list');
  const only = args.filter((a) => !a.startsWith('--')).map((a) => path.resolve(a));
  const files = docFiles().filter((f) => !only.length || only.includes(f));
  const docs = files.map((f) => ({ file: f, blocks: extract(f) }));

  if (list) {
    for (const { file, blocks } of docs) {
      for (const b of blocks) {
        console.log(`${rel(file)}:${b.line} ${b.lang} ${b.action}${b.reason ? `: ${b.reason}` : ''}`);
      }
    }
    return;
  }

  const t0 = Date.now();
  const jsDir = path.join(here, '.docs-check');
  rmSync(jsDir, { recursive: true, force: true });
  mkdirSync(jsDir, { recursive: true });
  const queue = [...docs];
  const results = [];
  await Promise.all(Array.from({ length: Math.max(1, JOBS) }, async () => {
    while (queue.length) {
      const d = queue.shift();
      results.push(await checkDoc(d.file, d.blocks, jsDir));
    }
  }));
  results.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file));

  let ran = 0; let skipped = 0; let failed = 0;
  for (const r of results) {
    const skips = r.blocks.filter((b) => b.action === 'skip' || b.action === 'output');
    const empty = r.blocks.filter((b) => b.action === 'run' && !b.code.trim());
    if (!r.blocks.length) continue;
    console.log(`${rel(r.file)}: ${r.ran} run, ${skips.length} skipped${r.failures.length ? `, ${r.failures.length} FAILED` : ''}`);
    for (const l of r.log) console.log(l);
    for (const b of skips) console.log(`  skip ${rel(r.file)}:${b.line} (${b.lang}): ${b.reason}`);
    for (const b of empty) console.log(`  none ${rel(r.file)}:${b.line} (${b.lang}): no command in the block`);
    for (const f of r.failures) {
      console.log(`  FAIL ${rel(f.file)}:${f.line} (${f.lang}, exit ${f.exit}, ${f.secs} s); output:`);
      console.log(f.out.trimEnd().split('\n').slice(-60).map((l) => `       | ${l}`).join('\n'));
    }
    ran += r.ran; skipped += skips.length; failed += r.failures.length;
  }
  rmSync(jsDir, { recursive: true, force: true });
  console.log(`docs check: ${ran} snippets run, ${skipped} skipped, ${failed} failed `
    + `(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
