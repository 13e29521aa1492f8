// The generated augmentation reaches a TypeScript consumer of dist/: api.tx / query / consts /
// events / call / rpc are typed for Healthchain's pallets, and a wrong call does not compile.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(pkg, 'test', '.typecheck-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const tsconfig = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
    skipLibCheck: true, lib: ['ES2022', 'DOM'],
  },
  include: ['*.ts'],
};

function typecheck(source) {
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  writeFileSync(path.join(dir, 'consumer.ts'), source);
  const r = spawnSync(process.execPath, [path.join(pkg, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

const prelude = `import type { ApiPromise } from '@polkadot/api';
import { consent, send, eventOf, type SendResult } from '${path.join(pkg, 'dist/index.js')}';
`;

test('typed calls, queries, constants, events, runtime APIs and custom RPCs', () => {
  const r = typecheck(`${prelude}
export async function use(api: ApiPromise, who: string): Promise<number> {
  const tx = api.tx.consent.grant(who, 3, 1, null, null);
  const use = await api.query.consent.feelessUsage(who);
  const quota: number = api.consts.consent.feelessQuota.toNumber();
  const refusals = api.consts.consent.feelessRefusals.map(([code]) => code.toNumber());
  const info = await api.call.transactionPaymentCallApi.queryCallInfo(tx, tx.method.encodedLength);
  const verified = await api.rpc.records.verify('0x00', '0x00');
  const r: SendResult = await consent.grant(api, { kind: 'proxy', delegate: null as never, real: who, proxyType: 'Records', address: who }, who, ['Labs'], ['Treatment']);
  const granted = eventOf(r, api.events.consent.ConsentGranted);
  const grantee: string | undefined = granted?.data.grantee.toString();
  const anchored = api.events.records.RecordAnchored;
  const provider = await api.query.providers.providers(who);
  const status: 'Pending' | 'Active' | 'Suspended' | 'Revoked' | undefined = provider.isSome ? provider.unwrap().status.type : undefined;
  void send; void anchored; void refusals; void info.weight.refTime; void verified.toJSON(); void grantee; void status;
  return use.used.toNumber() + quota;
}
`);
  assert.ok(r.ok, r.out);
});

test('a wrong call or a wrong variant does not compile', () => {
  const wrongArity = typecheck(`${prelude}
export function bad(api: ApiPromise) { return api.tx.consent.revoke(); }
`);
  assert.ok(!wrongArity.ok);
  assert.match(wrongArity.out, /TS2554/, wrongArity.out);
  const wrongStatus = typecheck(`${prelude}
export async function bad(api: ApiPromise, who: string) {
  const p = (await api.query.providers.providers(who)).unwrap();
  const s: 'Nope' = p.status.type;
  return s;
}
`);
  assert.ok(!wrongStatus.ok);
  assert.match(wrongStatus.out, /TS2322/, wrongStatus.out);
});
