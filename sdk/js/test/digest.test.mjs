// The SDK's record digest against the Rust tool `healthchain-digest` (tools/digest): for every
// fixture of tools/digest/tests/fixtures, every file of ../shared/fhir-examples (when present)
// and hand-written edge cases, the JavaScript digest equals the one the CLI prints for the same
// salt, and JSON the CLI refuses is refused here too (DigestError 'BadJson').
//
// The CLI: $HEALTHCHAIN_DIGEST_BIN, else ~/.cache/healthchain/digest-target/release/healthchain-digest.
// Without it the comparisons are skipped, unless HEALTHCHAIN_REQUIRE_CLI=1 (CI), where they fail.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  canonicalize,
  canonicalizeValue,
  canonicalBytes,
  contentOf,
  DigestError,
  fileDigest,
  leafSalt,
  MIN_SALT_LEN,
  parseHex32,
  parseSalt,
  randomSalt,
  recordDigest,
  recordDigestJson,
  recordDigestRaw,
  toHex,
} from '../dist/digest.js';
import { CLI, requireCli, withCli } from './digest-cli.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const FIXTURES = path.join(repo, 'tools/digest/tests/fixtures');
const SHARED = path.resolve(repo, '../shared/fhir-examples');

const SALTS = [
  '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', // the Rust tests' salt
  '0xff0102030405060708090a0b0c0d0e0f', // exactly MIN_SALT_LEN, with 0x
  'A0B1C2D3E4F5061728394A5B6C7D8E9FA0B1C2D3', // upper case, 20 bytes
];

/** `healthchain-digest digest FILE --salt SALT`: `{ ok, digest, stderr }`. */
function cliDigest(file, salt) {
  const r = spawnSync(CLI, ['digest', file, '--salt', salt], { encoding: 'utf8' });
  return { ok: r.status === 0, digest: r.stdout.trim(), stderr: r.stderr.trim(), status: r.status };
}

/** The JS digest of a file by the CLI's rule, or the DigestError it throws. */
function jsDigest(file, salt) {
  try {
    return { ok: true, digest: fileDigest(path.basename(file), readFileSync(file), salt) };
  } catch (e) {
    if (!(e instanceof DigestError)) throw e;
    return { ok: false, error: e };
  }
}

let compared = 0;

/** Compare JS and CLI on one file for every salt; returns the number of comparisons. */
function compareFile(file, { expectJsonError = false } = {}) {
  for (const salt of SALTS) {
    const rust = cliDigest(file, salt);
    const js = jsDigest(file, salt);
    const label = `${path.basename(file)} (salt ${salt.slice(0, 10)}…)`;
    if (rust.ok) {
      assert.ok(js.ok, `${label}: the CLI digests it (${rust.digest}) but JS throws ${js.error?.message}`);
      assert.equal(js.digest, rust.digest, `${label}: JS and CLI digests differ`);
    } else {
      assert.equal(rust.status, 1, `${label}: CLI failed unexpectedly: ${rust.stderr}`);
      assert.ok(!js.ok, `${label}: the CLI refuses it (${rust.stderr}) but JS digests it: ${js.digest}`);
      if (/not valid JSON/.test(rust.stderr)) assert.equal(js.error.kind, 'BadJson', label);
    }
    if (expectJsonError) {
      assert.ok(!rust.ok && /not valid JSON/.test(rust.stderr), `${label}: expected the CLI to refuse it`);
    }
    compared += 1;
  }
}

function tempDir() {
  return mkdtempSync(path.join(os.tmpdir(), 'hc-digest-test-'));
}

// ---------------------------------------------------------------------------------------------
// Edge cases: JSON documents (written to NAME.json) and raw files.
// ---------------------------------------------------------------------------------------------

const utf8 = (s) => new TextEncoder().encode(s);

/** Documents the CLI must accept; JS must give the same digest. */
const JSON_CASES = {
  'whitespace-and-order': ' { "b" : 2 ,\n\t"a" : [ 1.0E2 , "\\u00e9" , true , null ] , "c" : { "z" : 0.5 , "y" : -0 } }\r\n',
  unicode: '{"name":"Ærøskøbing Ωμέγα 中文 😀 \u{10FFFF}","pair":"\\ud83d\\ude00","bmp":"\\uffff\\ufffe\\u2028\\u2029"}',
  escapes: '["\\"\\\\\\/\\b\\f\\n\\r\\t","\\u0000\\u0001\\u001f\\u007f\\u0080\\u00ff","<\\/script>","\\u000B","\\u00e9 vs e\\u0301"]',
  'numbers-ecmascript': '[1e21,1e20,100000000000000000000,1e-6,1e-7,0.000001,0.0000001,-0,-0.0,0.0,0.1,0.2,0.30000000000000004,5e-324,4.9e-324,2.2250738585072014e-308,1.7976931348623157e308,123e-20,1.5e300,4.35,-3.14,1E+2,1e0,12345678901234567890e-30]',
  'integers-beyond-2^53': '[9007199254740991,9007199254740992,9007199254740993,9007199254740995,18446744073709551615,18446744073709551616,18446744073709551617,-9223372036854775808,-9223372036854775809,123456789012345678901234567890,-123456789012345678901234567890]',
  'numbers-long-mantissas-and-ties': `[0.1000000000000000055511151231257827021181583404541015625,1.00000000000000011102230246251565404236316680908203125,1.0000000000000001110223024625156540423631668090820312500001,2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324,${'1'.repeat(300)},0.${'0'.repeat(300)}1e300,${'9'.repeat(30)}.${'9'.repeat(30)}e-30]`,
  'number-underflow': '[1e-400,-1e-400,0e999999,-0e-5]',
  'key-order-utf16': '{"\\u20ac":"euro","\\r":"cr","\\ud83d\\ude00":"smile","\\ue000":"private use","aa":1,"a":2,"":3,"1":4,"10":5,"2":6,"B":7,"b":8,"\\u00e9":9,"e\\u0301":10,"__proto__":{"x":1},"toJSON":"not a function","constructor":null}',
  'rfc8785-sorting': '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
  'rfc8785-example': '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
  'duplicate-keys': '{"a":1,"b":{"x":1,"x":[2]},"a":"last wins"}',
  'nested-arrays': '[[[],[[]],[[[1,[2,[3,{"a":[[],{}]}]]]]]],{},[{}],[[{"k":[[[[null]]]]}]]]',
  'depth-127': `${'['.repeat(126)}{"x":1}${']'.repeat(126)}`,
  'empty-object': '{}',
  'empty-array': '[]',
  'top-level-string': '"just a string"',
  'top-level-number': '  42  ',
  'top-level-null': 'null',
  'top-level-false': 'false',
};

/** Documents the CLI refuses (not valid JSON); JS must throw DigestError 'BadJson'. */
const BAD_JSON_CASES = {
  'lone-high-surrogate': '"\\ud800"',
  'lone-low-surrogate': '"\\udc00"',
  'high-then-letter': '"\\ud800\\u0041"',
  'two-highs': '["\\ud83d\\ud83d"]',
  'lone-surrogate-key': '{"\\udfff":1}',
  'number-overflow': '[1e400]',
  'negative-overflow': '[-1e400]',
  'long-integer-overflow': `[${'9'.repeat(400)}]`,
  'depth-128': `${'['.repeat(128)}${']'.repeat(128)}`,
  'depth-128-objects': `${'{"a":'.repeat(128)}1${'}'.repeat(128)}`,
  'trailing-comma': '[1,2,]',
  'trailing-garbage': '{} x',
  'two-documents': '{}{}',
  'single-quotes': "{'a':1}",
  comment: '{"a":1 /* no */}',
  'leading-zero': '[01]',
  'leading-plus': '[+1]',
  'bare-dot': '[.5]',
  'nan-literal': '[NaN]',
  'infinity-literal': '[Infinity]',
  'raw-control-char': '["a\tb"]',
  'raw-newline': '["a\nb"]',
  'bad-escape': '["\\x41"]',
  'short-unicode-escape': '["\\u12"]',
  'unquoted-key': '{a:1}',
  empty: '',
  'only-whitespace': ' \n ',
  'vertical-tab-whitespace': '\u000b[]',
  'nbsp-whitespace': '\u00a0[]',
};

/** Byte-level cases written as files (name -> bytes). */
const BYTE_CASES = {
  'bom.json': new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{"a":1}')]), // refused: a BOM is not JSON
  'invalid-utf8.json': new Uint8Array([...utf8('["'), 0xff, 0xfe, ...utf8('"]')]),
  'overlong-utf8.json': new Uint8Array([...utf8('["'), 0xc0, 0xaf, ...utf8('"]')]),
  'cesu-surrogate.json': new Uint8Array([...utf8('["'), 0xed, 0xa0, 0x80, ...utf8('"]')]),
  'upper-case.JSON': utf8('{ "b": 1, "a": 2 }'), // JSON by name, any case
  'double.ext.Json': utf8('[1.0, 2.50]'),
  '.json': utf8('{ "b": 1, "a": 2 }'), // a dot file named .json: raw bytes, as Rust's Path::extension
  'notes.json.txt': utf8('{ "b": 1, "a": 2 }'), // raw
  'scan.pdf': new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a, 0x00, 0xff, 0x80, 0xc3, 0x28, 0xe2, 0x82]),
  'empty.bin': new Uint8Array(0),
  'no-extension': utf8('{"not":"hashed as json"}'),
  'trailing-dot.': utf8('[1]'),
  'all-bytes.dat': Uint8Array.from({ length: 256 }, (_, i) => i),
};

/** Deterministic pseudo-random doubles (every exponent range), as JSON text. */
function randomNumbers(count, seed) {
  let x = BigInt(seed);
  const next = () => {
    // xorshift64*
    x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n;
    return (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
  const view = new DataView(new ArrayBuffer(8));
  const out = [];
  while (out.length < count) {
    view.setBigUint64(0, next());
    const d = view.getFloat64(0);
    if (Number.isFinite(d)) out.push(d);
  }
  // Write each with a different spelling the parser must round the same way.
  return out.map((d, i) => (i % 3 === 0 ? d.toExponential(20) : i % 3 === 1 ? String(d) : d.toPrecision(17)));
}

// ---------------------------------------------------------------------------------------------
// Tests against the CLI
// ---------------------------------------------------------------------------------------------

test('every fixture of tools/digest/tests/fixtures digests as the CLI does', withCli, (t) => {
  requireCli();
  const files = readdirSync(FIXTURES).map((f) => path.join(FIXTURES, f)).filter((f) => statSync(f).isFile());
  assert.ok(files.length >= 4, 'the fixtures folder has files');
  for (const f of files) compareFile(f);
  // Key order and whitespace never change the digest.
  const d = (name) => fileDigest(name, readFileSync(path.join(FIXTURES, name)), SALTS[0]);
  assert.equal(d('patient.json'), d('patient-reordered.json'));
  assert.equal(d('observation.json'), d('observation-reordered.json'));
  t.diagnostic(`${files.length} fixtures x ${SALTS.length} salts compared with the CLI`);
});

test('every file of ../shared/fhir-examples digests as the CLI does (when present)', withCli, (t) => {
  if (!existsSync(SHARED)) {
    t.skip(`${SHARED} not present`);
    return;
  }
  requireCli();
  const files = readdirSync(SHARED).map((f) => path.join(SHARED, f)).filter((f) => statSync(f).isFile());
  assert.ok(files.length > 0);
  for (const f of files) {
    compareFile(f);
    if (contentOf(f) === 'json') {
      // As objects and re-serialized with other whitespace and key order: the same digest.
      const text = readFileSync(f, 'utf8');
      const value = JSON.parse(text);
      const expected = fileDigest(path.basename(f), readFileSync(f), SALTS[0]);
      assert.equal(recordDigest(value, SALTS[0]), expected, f);
      assert.equal(recordDigest(JSON.stringify(value, null, 3), SALTS[0]), expected, f);
      assert.equal(recordDigest(text, SALTS[0]), expected, f);
    }
  }
  t.diagnostic(`${files.length} shared FHIR examples x ${SALTS.length} salts compared with the CLI`);
});

test('hand-written JSON edge cases (unicode, escapes, numbers, key order, nesting) digest as the CLI does', withCli, (t) => {
  requireCli();
  const dir = tempDir();
  try {
    for (const [name, text] of Object.entries(JSON_CASES)) {
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, text);
      compareFile(file);
      const rust = cliDigest(file, SALTS[0]);
      assert.ok(rust.ok, `${name}: the CLI accepts it: ${rust.stderr}`);
      // The same JSON given as text, as bytes and (where JSON.parse keeps every value) as an object.
      assert.equal(recordDigest(text, SALTS[0]), rust.digest, `${name} as text`);
      assert.equal(recordDigestJson(utf8(text), SALTS[0]), rust.digest, `${name} as bytes`);
      const value = JSON.parse(text);
      if (typeof value !== 'string') {
        assert.equal(recordDigest(value, SALTS[0]), rust.digest, `${name} as a value`);
      }
      assert.equal(recordDigest(canonicalizeValue(value), SALTS[0]), rust.digest, `${name} via canonicalizeValue`);
    }
    t.diagnostic(`${Object.keys(JSON_CASES).length} JSON edge cases compared with the CLI`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('JSON the CLI refuses (lone surrogates, 1e400, depth 128, syntax) is refused with BadJson', withCli, (t) => {
  requireCli();
  const dir = tempDir();
  try {
    for (const [name, text] of Object.entries(BAD_JSON_CASES)) {
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, text);
      compareFile(file, { expectJsonError: true });
      assert.throws(() => recordDigest(text, SALTS[0]), (e) => e instanceof DigestError && e.kind === 'BadJson', name);
    }
    t.diagnostic(`${Object.keys(BAD_JSON_CASES).length} refused JSON cases compared with the CLI`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('byte-level cases (BOM, bad UTF-8, file-name rule, non-JSON bytes) digest or fail as the CLI does', withCli, (t) => {
  requireCli();
  const dir = tempDir();
  try {
    for (const [name, bytes] of Object.entries(BYTE_CASES)) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      compareFile(file);
    }
    // The CLI's verdicts on the interesting ones.
    assert.ok(!cliDigest(path.join(dir, 'bom.json'), SALTS[0]).ok, 'a BOM is refused');
    assert.ok(!cliDigest(path.join(dir, 'invalid-utf8.json'), SALTS[0]).ok, 'invalid UTF-8 is refused');
    assert.equal(cliDigest(path.join(dir, 'scan.pdf'), SALTS[0]).digest,
      recordDigestRaw(BYTE_CASES['scan.pdf'], SALTS[0]), 'raw bytes are hashed as they are');
    assert.equal(cliDigest(path.join(dir, 'upper-case.JSON'), SALTS[0]).digest,
      recordDigest('{"a":2,"b":1}', SALTS[0]), '.JSON is JSON');
    assert.equal(cliDigest(path.join(dir, '.json'), SALTS[0]).digest,
      recordDigest(BYTE_CASES['.json'], SALTS[0]), '".json" alone is raw');
    t.diagnostic(`${Object.keys(BYTE_CASES).length} byte-level cases compared with the CLI`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('3,000 pseudo-random doubles (all exponents, three spellings) format as the CLI formats them', withCli, () => {
  requireCli();
  const dir = tempDir();
  try {
    const numbers = randomNumbers(3000, 0x5eed);
    // Integers: around 2^53, 2^63, 2^64, and small ones.
    for (let i = 0; i < 300; i++) {
      const base = [2n ** 53n, 2n ** 63n, 2n ** 64n, 10n ** 21n, 1000n][i % 5];
      numbers.push(String((i % 2 ? -1n : 1n) * (base + BigInt(i * 7919 - 1000))));
    }
    const text = `[${numbers.join(',')}]`;
    const file = path.join(dir, 'numbers.json');
    writeFileSync(file, text);
    const rust = cliDigest(file, SALTS[0]);
    assert.ok(rust.ok, rust.stderr);
    const js = recordDigest(text, SALTS[0]);
    if (js !== rust.digest) {
      // Find the numbers that differ, one file each.
      const bad = [];
      for (const n of numbers) {
        const f = path.join(dir, 'one.json');
        writeFileSync(f, `[${n}]`);
        if (cliDigest(f, SALTS[0]).digest !== recordDigest(`[${n}]`, SALTS[0])) bad.push(`${n} -> ${canonicalize(`[${n}]`)}`);
        if (bad.length >= 10) break;
      }
      assert.fail(`number formatting differs from the CLI for: ${bad.join('; ')}`);
    }
    compared += 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('salts: the CLI and JS accept and refuse the same salts', withCli, () => {
  requireCli();
  const file = path.join(FIXTURES, 'patient.json');
  const good = ['0x' + '00'.repeat(16), '00'.repeat(16), '0x0x' + 'ab'.repeat(16), 'AB'.repeat(64)];
  const bad = ['', '00ff', '00'.repeat(15), '0x' + '0'.repeat(31), 'zz'.repeat(16), '0X' + '00'.repeat(16), ' ' + '00'.repeat(16)];
  for (const s of good) {
    const rust = cliDigest(file, s);
    assert.ok(rust.ok, `CLI accepts ${s}: ${rust.stderr}`);
    assert.equal(fileDigest('patient.json', readFileSync(file), s), rust.digest, s);
  }
  for (const s of bad) {
    const rust = cliDigest(file, s);
    assert.ok(!rust.ok && /bad --salt/.test(rust.stderr), `CLI refuses ${JSON.stringify(s)}`);
    assert.throws(() => fileDigest('patient.json', readFileSync(file), s),
      (e) => e instanceof DigestError && e.kind === 'BadSalt', s);
  }
});

test('the CLI-comparison count is reported', withCli, (t) => {
  t.diagnostic(`${compared} JS/CLI digest comparisons in total`);
});

// ---------------------------------------------------------------------------------------------
// Tests of the JS alone (no CLI needed)
// ---------------------------------------------------------------------------------------------

test('canonical form follows RFC 8785 (the Rust unit test, and the RFC examples)', () => {
  assert.equal(
    canonicalize('{ "b": 2, "a": [1.0E2, "\\u00e9", true, null], "c": {"z": 0.5, "y": -0} }'),
    '{"a":[100,"é",true,null],"b":2,"c":{"y":0,"z":0.5}}',
  );
  assert.equal(
    canonicalize(JSON_CASES['rfc8785-example']),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
      + '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );
  assert.equal(
    canonicalize(JSON_CASES['rfc8785-sorting']),
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",'
      + '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
  assert.equal(canonicalize('[1e21, 1e20, -0, 5e-324, 0.1, 9007199254740993, 18446744073709551616]'),
    '[1e+21,100000000000000000000,0,5e-324,0.1,9007199254740992,18446744073709552000]');
  assert.equal(canonicalize('"\\u0000\\u001f\\u007f\\/"'), '"\\u0000\\u001f\u007f/"');
  assert.equal(canonicalize(utf8('{"b":[],"a":{}}')), '{"a":{},"b":[]}');
  assert.deepEqual(canonicalBytes('{"é":1}'), utf8('{"é":1}'));
});

test('values follow JSON.stringify (toJSON, undefined members) but refuse what JSON cannot hold', () => {
  const when = new Date(Date.UTC(2024, 0, 2));
  assert.equal(canonicalize({ b: undefined, a: when, f: () => 1, n: [undefined, null] }),
    '{"a":"2024-01-02T00:00:00.000Z","n":[null,null]}');
  assert.equal(canonicalize({ big: 2n ** 64n + 1n }), '{"big":18446744073709552000}');
  assert.equal(canonicalizeValue('a "string"'), '"a \\"string\\""');
  assert.equal(canonicalize(JSON.parse('{"__proto__":{"x":1},"a":1}')), '{"__proto__":{"x":1},"a":1}');
  const isBadJson = (e) => e instanceof DigestError && e.kind === 'BadJson' && /\.$/.test(e.message);
  assert.throws(() => canonicalize({ n: NaN }), isBadJson);
  assert.throws(() => canonicalize([Infinity]), isBadJson);
  assert.throws(() => canonicalize({ s: 'lone \ud800' }), isBadJson);
  assert.throws(() => canonicalize({ ['\udc00']: 1 }), isBadJson);
  const cyclic = { a: [] }; cyclic.a.push(cyclic);
  assert.throws(() => canonicalize(cyclic), isBadJson);
  assert.throws(() => canonicalize(undefined), isBadJson);
  let deep = 1; for (let i = 0; i < 127; i++) deep = [deep];
  assert.equal(canonicalize(deep).length, 127 * 2 + 1);
  assert.throws(() => canonicalize([deep]), isBadJson);
  // Shared references that are not cycles are fine.
  const shared = { x: 1 };
  assert.equal(canonicalize([shared, shared]), '[{"x":1},{"x":1}]');
});

test('recordDigest is blake2-256(salt || body), JSON canonicalized, bytes as they are', async () => {
  const { blake2AsU8a } = await import('@polkadot/util-crypto');
  const salt = parseSalt(SALTS[0]);
  const body = utf8('%PDF-1.7 example');
  assert.equal(recordDigestRaw(body, salt), toHex(blake2AsU8a(new Uint8Array([...salt, ...body]), 256)));
  assert.equal(recordDigest(body, SALTS[0]), recordDigestRaw(body, salt), 'bytes default to raw');
  assert.equal(recordDigest('%PDF-1.7 example', salt, 'raw'), recordDigestRaw(body, salt), 'a string as raw: its UTF-8');
  const canonical = utf8('{"a":[100,"é"]}');
  const expected = toHex(blake2AsU8a(new Uint8Array([...salt, ...canonical]), 256));
  assert.equal(recordDigest('{ "a" : [ 1E2, "\\u00e9" ] }', salt), expected);
  assert.equal(recordDigest({ a: [100, 'é'] }, salt), expected);
  assert.equal(recordDigest(utf8('{"a":[1e2,"é"]}'), salt, 'json'), expected);
  assert.equal(fileDigest('x.json', utf8('{"a":[1e2,"é"]}'), salt), expected);
  assert.equal(fileDigest('x.txt', canonical, salt), expected, 'canonical bytes as raw: the same digest');
  assert.match(recordDigest({}, salt), /^0x[0-9a-f]{64}$/);
  assert.notEqual(recordDigest({ a: 1 }, salt), recordDigest({ a: 1 }, 'ff0102030405060708090a0b0c0d0e0f'));
  // Leaf salts of a batch: blake2-256(batch salt || name).
  assert.equal(toHex(leafSalt(salt, 'a.json')), toHex(blake2AsU8a(new Uint8Array([...salt, ...utf8('a.json')]), 256)));
});

test('contentOf follows the CLI rule: *.json in any case is JSON, everything else raw', () => {
  assert.equal(contentOf('patient.json'), 'json');
  assert.equal(contentOf('dir/x.JSON'), 'json');
  assert.equal(contentOf('a.b.Json'), 'json');
  assert.equal(contentOf('.json'), 'raw');
  assert.equal(contentOf('x.json.gz'), 'raw');
  assert.equal(contentOf('json'), 'raw');
  assert.equal(contentOf('x.'), 'raw');
  assert.equal(contentOf('scan.pdf'), 'raw');
});

test('salts and 32-byte values: typed errors with sentences', () => {
  assert.equal(MIN_SALT_LEN, 16);
  const isKind = (kind) => (e) => e instanceof DigestError && e instanceof Error && e.kind === kind
    && e.name === 'DigestError' && /^[A-Z0-9].*\.$/.test(e.message);
  assert.throws(() => parseSalt('00ff'), isKind('BadSalt'));
  assert.throws(() => parseSalt('zz'), isKind('BadSalt'));
  assert.throws(() => parseSalt('abc'), isKind('BadSalt'));
  assert.throws(() => parseSalt(new Uint8Array(15)), isKind('BadSalt'));
  assert.equal(parseSalt(new Uint8Array(16)).length, 16);
  assert.equal(parseSalt('0x0x' + '11'.repeat(16)).length, 16, 'every leading 0x is stripped, as Rust trim_start_matches');
  assert.throws(() => parseHex32('0x1234'), isKind('BadHex32'));
  assert.throws(() => canonicalize('{not json'), isKind('BadJson'));
  assert.equal(toHex(parseHex32('0x' + 'AB'.repeat(32))), '0x' + 'ab'.repeat(32));
  assert.throws(() => randomSalt(8), isKind('BadSalt'));
});

test('randomSalt gives fresh 32-byte hex salts that recordDigest accepts', () => {
  const a = randomSalt();
  const b = randomSalt();
  assert.match(a, /^0x[0-9a-f]{64}$/);
  assert.notEqual(a, b);
  assert.match(randomSalt(16), /^0x[0-9a-f]{32}$/);
  assert.match(recordDigest({ resourceType: 'Patient' }, a), /^0x[0-9a-f]{64}$/);
});

test('the digest module is browser-safe: no Node built-ins, no @polkadot/api', () => {
  const src = readFileSync(path.join(here, '../dist/digest.js'), 'utf8');
  const imports = [...src.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  assert.deepEqual(imports, ['@polkadot/util-crypto/blake2']);
  const merkle = readFileSync(path.join(here, '../dist/merkle.js'), 'utf8');
  const mImports = [...merkle.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  assert.deepEqual(mImports, ['./digest.js']);
});
