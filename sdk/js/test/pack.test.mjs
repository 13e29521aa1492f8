// "A new project can install the SDK": `npm pack` this package, install the tarball into a
// fresh project (type: module) and use it there as a user would:
//
// 1. the tarball holds dist/*.js with their *.d.ts, and no src/ or test/;
// 2. with only the tarball installed (no @polkadot/api: peers omitted), '@healthchain/sdk/digest'
//    imports and digests a FHIR record exactly as this checkout's dist does;
// 3. with @polkadot/api 16.5.6 added, '@healthchain/sdk' imports, a TypeScript consumer
//    type-checks against the shipped declarations, and, when a dev node binary is available
//    ($HEALTHCHAIN_NODE, else ~/.cache/healthchain/target/release/healthchain-node), the
//    consumer anchors a record as //Alice for patient //Dave, //Dave grants //Bob consent, and
//    records.verify says the record's digest is valid.
//
// Installs come from the npm cache (--offline, then --prefer-offline).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fileDigest } from '../dist/digest.js';
import { nodeBinary, startNode } from '../../../scripts/client/src/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.resolve(here, '..');
const repo = path.resolve(pkgDir, '../..');
const FIXTURE = path.join(repo, 'tools/digest/tests/fixtures/observation.json');
const SALT = '0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const TSC = path.join(pkgDir, 'node_modules/typescript/bin/tsc');
const POLKADOT_API = '@polkadot/api@16.5.6';

let work;
let tarball;
let project;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** `npm install` from the npm cache, reaching the registry only for what the cache lacks. */
function npmInstall(dir, args) {
  const common = ['install', '--no-audit', '--no-fund', ...args];
  const offline = spawnSync('npm', [...common, '--offline'], { cwd: dir, encoding: 'utf8' });
  if (offline.status === 0) return;
  run('npm', [...common, '--prefer-offline'], { cwd: dir });
}

/** Run `code` as an ES module in the consumer project; returns its stdout parsed as JSON. */
function consume(name, code, env = {}) {
  const file = path.join(project, name);
  writeFileSync(file, code);
  const out = run(process.execPath, [file], { cwd: project, env: { ...process.env, ...env }, timeout: 300_000 });
  const last = out.trim().split('\n').pop();
  return JSON.parse(last);
}

before(() => {
  assert.ok(existsSync(path.join(pkgDir, 'dist/index.js')), 'dist/ is built (npm run build)');
  work = mkdtempSync(path.join(os.tmpdir(), 'hc-sdk-pack-'));
  project = path.join(work, 'consumer');
  run('mkdir', ['-p', project]);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('npm pack: dist/*.js with their .d.ts, package.json, no sources or tests', (t) => {
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: pkgDir }));
  tarball = path.join(work, info.filename);
  assert.ok(existsSync(tarball), `${tarball} written`);
  const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n')
    .map((p) => p.replace(/^package\//, ''));
  const has = (p) => listed.includes(p);
  for (const f of ['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/digest.js', 'dist/digest.d.ts',
    'dist/merkle.js', 'dist/merkle.d.ts']) {
    assert.ok(has(f), `the tarball holds ${f}`);
  }
  const js = listed.filter((p) => /^dist\/.*\.js$/.test(p));
  for (const f of js) assert.ok(has(f.replace(/\.js$/, '.d.ts')), `${f} has its declarations`);
  assert.deepEqual(listed.filter((p) => /^(src|test)\//.test(p) || /\.test\.m?js$/.test(p)), [],
    'no src/ or test/ in the tarball');
  assert.deepEqual(listed.filter((p) => /(^|\/)node_modules\//.test(p)), []);
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  assert.equal(manifest.name, '@healthchain/sdk');
  assert.ok(manifest.exports['./digest'], 'the ./digest entry is exported');
  t.diagnostic(`${info.filename}: ${listed.length} files, ${js.length} JavaScript modules, ${info.size} bytes`);
});

test('a fresh project without @polkadot/api imports @healthchain/sdk/digest and digests a record', () => {
  assert.ok(tarball, 'the tarball was packed');
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({
    name: 'hc-sdk-consumer', version: '1.0.0', private: true, type: 'module',
  }, null, 2));
  npmInstall(project, [tarball, '--omit=peer']);
  assert.ok(!existsSync(path.join(project, 'node_modules/@polkadot/api')), '@polkadot/api is not installed yet');
  const out = consume('digest-only.mjs', `
    import { readFileSync } from 'node:fs';
    import { recordDigest, fileDigest, canonicalize, randomSalt, MIN_SALT_LEN, DigestError } from '@healthchain/sdk/digest';
    const bytes = readFileSync(${JSON.stringify(FIXTURE)});
    const salt = ${JSON.stringify(SALT)};
    let refused = null;
    try { recordDigest('{"a":1}', '00ff'); } catch (e) { refused = e instanceof DigestError ? e.kind : String(e); }
    console.log(JSON.stringify({
      file: fileDigest('observation.json', bytes, salt),
      value: recordDigest(JSON.parse(bytes.toString('utf8')), salt),
      canonical: canonicalize('{"b":1,"a":[1E2]}'),
      salt: randomSalt().length,
      min: MIN_SALT_LEN,
      refused,
    }));
  `);
  const expected = fileDigest('observation.json', readFileSync(FIXTURE), SALT);
  assert.deepEqual(out, {
    file: expected, value: expected, canonical: '{"a":[100],"b":1}', salt: 66, min: 16, refused: 'BadSalt',
  });
});

test('with @polkadot/api 16.5.6 the whole SDK imports and a TypeScript consumer type-checks', () => {
  assert.ok(existsSync(path.join(project, 'node_modules/@healthchain/sdk')), 'the SDK was installed');
  npmInstall(project, [POLKADOT_API]);
  const installed = JSON.parse(readFileSync(path.join(project, 'node_modules/@polkadot/api/package.json'), 'utf8'));
  assert.equal(installed.version, '16.5.6');

  // The shipped declarations type-check a TypeScript consumer (strict, NodeNext).
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true,
      noEmit: true, skipLibCheck: true, lib: ['ES2022', 'DOM'],
    },
    files: ['consumer.ts'],
  }));
  writeFileSync(path.join(project, 'consumer.ts'), `
    import { connect, records, consent } from '@healthchain/sdk';
    import { recordDigest, randomSalt, type HexString } from '@healthchain/sdk/digest';
    export async function anchorAndVerify(url: string): Promise<unknown> {
      const digest: HexString = recordDigest({ resourceType: 'Observation', status: 'final' }, randomSalt());
      const api = await connect(url, { timeoutMs: 30_000 });
      void consent;
      return records.verify(api, digest, digest);
    }
  `);
  run(process.execPath, [TSC, '-p', project], { cwd: project });

  const smoke = consume('import-all.mjs', `
    import * as sdk from '@healthchain/sdk';
    import * as digest from '@healthchain/sdk/digest';
    console.log(JSON.stringify({
      sameDigest: sdk.recordDigest === digest.recordDigest,
      has: ['connect', 'records', 'consent', 'devAccounts', 'merkleRoot', 'verifyMerkleProof', 'canonicalize']
        .filter((k) => sdk[k] === undefined),
    }));
  `);
  assert.deepEqual(smoke, { sameDigest: true, has: [] }, 'index re-exports the digest and Merkle helpers');

});

const NODE_BIN = nodeBinary();
const withNode = existsSync(NODE_BIN) || process.env.HEALTHCHAIN_REQUIRE_NODE === '1'
  ? {}
  : { skip: `no node binary at ${NODE_BIN} (set HEALTHCHAIN_NODE; HEALTHCHAIN_REQUIRE_NODE=1 makes this a failure)` };

test('the installed SDK against a dev node: //Alice anchors for //Dave, //Dave grants //Bob, records.verify says valid', withNode, async () => {
  assert.ok(existsSync(NODE_BIN), `no node binary at ${NODE_BIN}`);
  assert.ok(existsSync(path.join(project, 'node_modules/@polkadot/api')), 'the consumer project is installed');
  const node = await startNode(['--dev'], { name: 'sdk-pack' });
  try {
    const out = consume('anchor.mjs', `
      import { readFileSync } from 'node:fs';
      import { connect, devAccounts, records, consent } from '@healthchain/sdk';
      import { recordDigest, randomSalt } from '@healthchain/sdk/digest';
      const FIN = { finalized: true };
      const api = await connect(process.env.WS_URL, { timeoutMs: 60_000 });
      try {
        const dev = devAccounts();
        const fhir = readFileSync(${JSON.stringify(FIXTURE)}, 'utf8');
        const salt = randomSalt();
        const digest = recordDigest(fhir, salt);
        const localId = randomSalt(32);
        const a = await records.anchor(api, dev.alice, localId, dev.dave.address, digest, 2, 'Labs', FIN);
        if (!a.ok) throw new Error('anchor failed: ' + (a.error?.message ?? JSON.stringify(a.error)));
        const g = await consent.grant(api, dev.dave, dev.bob.address, ['Labs'], ['Treatment'], null, null, FIN);
        if (!g.ok) throw new Error('grant failed: ' + (g.error?.message ?? JSON.stringify(g.error)));
        const bobAccess = await consent.recordAccess(api, dev.bob.address, a.recordId, 'Treatment');
        const charlieAccess = await consent.recordAccess(api, dev.charlie.address, a.recordId, 'Treatment');
        const valid = await records.verify(api, a.recordId, digest);
        const otherSalt = await records.verify(api, a.recordId, recordDigest(fhir, randomSalt()));
        const edited = await records.verify(api, a.recordId, recordDigest(fhir.replace('final', 'amended'), salt));
        console.log(JSON.stringify({ recordId: a.recordId, salt, digest, valid, otherSalt, edited, bobAccess, charlieAccess }));
      } finally {
        await api.disconnect();
      }
    `, { WS_URL: node.url });
    assert.match(out.recordId, /^0x[0-9a-f]{64}$/);
    assert.equal(out.digest, fileDigest('observation.json', readFileSync(FIXTURE), out.salt),
      'the installed SDK digests as this checkout does');
    assert.deepEqual(out.valid, { status: 'valid', version: 1 }, 'the anchored digest verifies');
    assert.equal(out.otherSalt.status, 'unknown', 'the same record under another salt is not the anchored one');
    assert.equal(out.edited.status, 'unknown', 'an edited record is not the anchored one');
    assert.equal(out.bobAccess.allowed, true, `Dave's grant lets Bob read the Labs record: ${JSON.stringify(out.bobAccess)}`);
    assert.equal(out.bobAccess.basis, 'consent');
    assert.equal(out.charlieAccess.allowed, false, 'Charlie has no grant');
  } catch (e) {
    throw new Error(`${e.message}\n--- node log ---\n${node.logTail(60)}`);
  } finally {
    await node.stop();
  }
});
