#!/usr/bin/env node
// Generate src/interfaces/ (the @polkadot/api augmentation for Healthchain) with
// @polkadot/typegen from the chain's metadata, the same file the Rust services are built
// against: services/chain/metadata/healthchain.scale (raw SCALE metadata, "meta" + V16).
//
//   node scripts/generate.mjs            regenerate src/interfaces/
//   node scripts/generate.mjs --check    regenerate into a temporary directory and fail (exit 1)
//                                        when it differs from the committed src/interfaces/
//   node scripts/generate.mjs --out DIR  write somewhere else
//
// What is generated (all of it; nothing in src/interfaces/ is edited by hand):
//   lookup.ts, types-lookup.ts, registry.ts   every named type of the metadata (PalletConsentEvent, ...)
//   augment-api-{consts,errors,events,query,tx,runtime,rpc}.ts, augment-api.ts
//                                             api.consts / errors / events / query / tx / call / rpc
//   augment-types.ts                          the registry's type names
//   index.ts, types.ts                        re-exports
// The custom RPCs (records_*, consent_*, claims_*) come from src/rpc-definitions.ts, transpiled
// here with the TypeScript compiler (typegen's own CLIs import .ts files, which Node 20 cannot).
//
// The typegen CLIs (polkadot-types-from-defs / -from-chain) take a JSON file with the hex of a
// `state_getMetadata` answer; this script calls the same generator functions directly with that
// hex, so no node and no intermediate file are needed.

import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { u8aToHex, u8aToString } from '@polkadot/util';
import * as substrateDefs from '@polkadot/types/interfaces/definitions';
import {
  generateDefaultConsts, generateDefaultErrors, generateDefaultEvents, generateDefaultLookup,
  generateDefaultQuery, generateDefaultRpc, generateDefaultRuntime, generateDefaultTx,
} from '@polkadot/typegen/generate';
import { generateInterfaceTypes } from '@polkadot/typegen/generate/interfaceRegistry';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const METADATA = path.resolve(ROOT, '../../services/chain/metadata/healthchain.scale');
const TARGET = path.join(ROOT, 'src', 'interfaces');
/** The package path the custom RPC sections are registered under (appears in no import). */
const PKG = '@healthchain/sdk/interfaces';

/** The metadata as the 0x-hex typegen wants, checked to be raw V14+ metadata. */
function metadataHex() {
  const bytes = readFileSync(METADATA);
  if (u8aToString(bytes.subarray(0, 4)) !== 'meta') {
    throw new Error(`${METADATA} does not start with "meta": not raw SCALE metadata`);
  }
  if (bytes[4] < 14) throw new Error(`${METADATA} is metadata V${bytes[4]}; typegen needs V14 or later`);
  return u8aToHex(bytes);
}

/** Import a TypeScript module that has no runtime imports, by transpiling it. */
async function importTs(file) {
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: file,
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
}

/** Silence typegen's per-file progress lines (it logs every file it writes). */
async function quietly(fn) {
  const log = console.log;
  console.log = () => {};
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}

/** Generate everything into `out`. */
async function generate(out) {
  const metaHex = metadataHex();
  const { rpcDefinitions } = await importTs(path.join(ROOT, 'src', 'rpc-definitions.ts'));
  const healthchain = Object.fromEntries(Object.entries(rpcDefinitions)
    .map(([section, rpc]) => [section, { rpc, types: {} }]));
  const extraTypes = { [PKG]: healthchain };
  mkdirSync(out, { recursive: true });
  await quietly(async () => {
    // Named types of the metadata: lookup.ts (definitions), types-lookup.ts (interfaces that
    // augment '@polkadot/types/lookup'), registry.ts (their names in the registry).
    generateDefaultLookup(out, metaHex);
    const lookup = (await importTs(path.join(out, 'lookup.ts'))).default;
    const custom = { rpc: {}, types: lookup };
    generateDefaultConsts(path.join(out, 'augment-api-consts.ts'), metaHex, extraTypes, false, custom);
    generateDefaultErrors(path.join(out, 'augment-api-errors.ts'), metaHex, extraTypes, false);
    generateDefaultEvents(path.join(out, 'augment-api-events.ts'), metaHex, extraTypes, false, custom);
    generateDefaultQuery(path.join(out, 'augment-api-query.ts'), metaHex, extraTypes, false, custom);
    generateDefaultRpc(path.join(out, 'augment-api-rpc.ts'), extraTypes);
    generateDefaultRuntime(path.join(out, 'augment-api-runtime.ts'), metaHex, extraTypes, false, custom);
    generateDefaultTx(path.join(out, 'augment-api-tx.ts'), metaHex, extraTypes, false, custom);
    generateInterfaceTypes({ '@polkadot/types/interfaces': substrateDefs, ...extraTypes },
      path.join(out, 'augment-types.ts'));
  });
  writeFileSync(path.join(out, 'augment-api.ts'), [
    '// Auto-generated by scripts/generate.mjs, do not edit',
    '/* eslint-disable */',
    '',
    ...['consts', 'errors', 'events', 'query', 'tx', 'rpc', 'runtime']
      .map((k) => `import './augment-api-${k}.js';`),
    '',
  ].join('\n'));
  writeFileSync(path.join(out, 'index.ts'), [
    '// Auto-generated by scripts/generate.mjs, do not edit',
    '/* eslint-disable */',
    '',
    "// The Healthchain augmentation of @polkadot/api: importing this module types api.tx, api.query,",
    "// api.consts, api.events, api.errors, api.call and the custom api.rpc sections.",
    "import './augment-api.js';",
    "import './augment-types.js';",
    "import './types-lookup.js';",
    "import './registry.js';",
    '',
    "export * from './types.js';",
    '',
  ].join('\n'));
  writeFileSync(path.join(out, 'types.ts'), [
    '// Auto-generated by scripts/generate.mjs, do not edit',
    '/* eslint-disable */',
    '',
    '// The named types of the Healthchain metadata, as registered in @polkadot/types/lookup.',
    "export type * from '@polkadot/types/lookup';",
    '',
  ].join('\n'));
  for (const file of walk(out)) fixImports(file);
  fixRuntimeCall(path.join(out, 'augment-api-runtime.ts'), path.join(out, 'types-lookup.ts'));
}

/**
 * typegen names the runtime's call enum `<Runtime>RuntimeRuntimeCall` in the runtime-API
 * augmentation (TransactionPaymentCallApi's `call` argument), while the lookup registers that
 * type as `Call` (polkadot-js' fixed name for the outer call): use `Call` so the file compiles.
 */
function fixRuntimeCall(file, lookupFile) {
  const text = readFileSync(file, 'utf8');
  const lookup = readFileSync(lookupFile, 'utf8');
  const names = [...new Set(text.match(/\b\w+RuntimeRuntimeCall\b/g) ?? [])]
    .filter((n) => !new RegExp(`interface ${n}\\b`).test(lookup));
  if (!names.length) return;
  let fixed = text;
  for (const n of names) fixed = fixed.replace(new RegExp(`\\b${n}\\b`, 'g'), 'Call');
  fixed = fixed.replace(/^(import type [^\n]+ from '@polkadot\/types\/interfaces\/runtime';)$/m,
    "$1\nimport type { Call } from '@polkadot/types/interfaces/runtime';");
  if (!fixed.includes("import type { Call } from '@polkadot/types/interfaces/runtime';")) {
    throw new Error(`${file}: cannot add the import of Call`);
  }
  writeFileSync(file, fixed);
}

/** Every file under `dir`, relative paths, sorted. */
function walk(dir, base = dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, base) : [full];
  });
}

/**
 * NodeNext resolution needs explicit `.js` extensions on relative imports; typegen writes
 * them without in a few places. Also drop the generator's absolute paths from comments.
 */
function fixImports(file) {
  const text = readFileSync(file, 'utf8');
  const fixed = text
    .replace(/(from\s+'|import\s+')(\.{1,2}\/[^']*?)(?<!\.js)'/g, "$1$2.js'")
    .replace(/\r\n/g, '\n')
    .replace(/^\/\/ Auto-generated via `yarn polkadot-types-from-(chain|defs)`, do not edit$/m,
      '// Auto-generated by scripts/generate.mjs (@polkadot/typegen), do not edit');
  if (fixed !== text) writeFileSync(file, fixed);
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--check')) {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'healthchain-sdk-interfaces-'));
    try {
      await generate(tmp);
      const rel = (d) => walk(d).map((f) => path.relative(d, f));
      const want = rel(tmp);
      const have = rel(TARGET);
      const differ = [
        ...want.filter((f) => !have.includes(f)).map((f) => `missing: src/interfaces/${f}`),
        ...have.filter((f) => !want.includes(f)).map((f) => `not generated: src/interfaces/${f}`),
        ...want.filter((f) => have.includes(f)
          && readFileSync(path.join(tmp, f), 'utf8') !== readFileSync(path.join(TARGET, f), 'utf8'))
          .map((f) => `differs: src/interfaces/${f}`),
      ];
      if (differ.length) {
        console.error(`src/interfaces/ is not what the metadata and src/rpc-definitions.ts generate:\n  ${
          differ.join('\n  ')}\nrun \`npm run generate\` in sdk/js and commit the result`);
        process.exit(1);
      }
      console.log(`src/interfaces/ is up to date (${want.length} files, from ${path.relative(process.cwd(), METADATA)})`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return;
  }
  const i = args.indexOf('--out');
  const out = i >= 0 ? path.resolve(args[i + 1]) : TARGET;
  if (out === TARGET) rmSync(TARGET, { recursive: true, force: true });
  await generate(out);
  console.log(`generated ${walk(out).length} files in ${path.relative(process.cwd(), out) || '.'}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
