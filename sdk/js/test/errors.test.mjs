// decodeError with the chain's metadata, and explain()'s sentences for people.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConnectionError, HealthchainError, TimeoutError, connect, decodeError, explain, feelessRefusal,
  feelessRefusalNames, poolRefusal,
} from '../dist/index.js';
import { constant, metadataRegistry } from './metadata.mjs';

const registry = metadataRegistry();
const api = { registry, consts: { consent: { feelessRefusals: constant(registry, 'Consent', 'FeelessRefusals') } } };
const moduleError = (pallet, name) => {
  const p = registry.metadata.pallets.find((x) => x.name.toString() === pallet);
  const variants = registry.lookup.getSiType(p.errors.unwrap().type).def.asVariant.variants;
  const v = variants.find((x) => x.name.toString() === name);
  return registry.createType('SpRuntimeDispatchError', { Module: { index: p.index, error: [v.index.toNumber(), 0, 0, 0] } });
};

test('module errors decode to pallet, name and docs; explain is the docs as a sentence', () => {
  const e = decodeError(api, moduleError('Consent', 'ConsentMissing'));
  assert.equal(e.section, 'consent');
  assert.equal(e.name, 'ConsentMissing');
  assert.ok(e.docs.length > 0, 'docs from the metadata');
  assert.equal(e.message, `consent.ConsentMissing: ${e.docs}`);
  const s = explain(e);
  assert.match(s, /^[A-Z].*\.$/, s);
  assert.ok(!s.includes('`'), 'no markdown');
  for (const [pallet, name] of [['Claims', 'NoCareRelationship'], ['Records', 'NotRecordAuthor'],
    ['Providers', 'OpenObligations'], ['Consent', 'NotEmergencyProvider'], ['Proxy', 'NotProxy']]) {
    const d = decodeError(api, moduleError(pallet, name));
    assert.equal(d.name, name);
    assert.match(explain(d), /^[A-Z].+[.!?]$/, `${pallet}.${name}: ${explain(d)}`);
  }
});

test('non-module dispatch errors get their kind and a sentence', () => {
  const bad = decodeError(api, registry.createType('SpRuntimeDispatchError', 'BadOrigin'));
  assert.deepEqual(bad, { section: 'system', name: 'BadOrigin', docs: '', message: 'BadOrigin' });
  assert.match(explain(bad), /not allowed to make this call/);
  const token = decodeError(api, registry.createType('SpRuntimeDispatchError', { Token: 'FundsUnavailable' }));
  assert.equal(token.name, 'Token.FundsUnavailable');
  assert.equal(explain(token), 'The account does not have enough free funds.');
  assert.match(explain(decodeError(api, moduleError('System', 'CallFiltered'))), /.+\./);
  assert.equal(explain({ section: 'x', name: 'SomethingOdd', docs: '' }), 'Something odd (x.SomethingOdd).');
});

test('pool refusals are named and explained; the message keeps the node\'s text', () => {
  const text = '1010: Invalid Transaction: Inability to pay some fees , e.g. account balance too low';
  const e = poolRefusal(new Error(text));
  assert.ok(e instanceof HealthchainError);
  assert.equal(e.name, 'Payment');
  assert.equal(e.section, 'pool');
  assert.match(e.message, /Inability to pay some fees/);
  assert.match(explain(e), /^The account cannot pay the transaction fee/);
  assert.match(explain(new Error(text)), /^The account cannot pay the transaction fee/, 'raw RPC errors too');
  assert.equal(poolRefusal(new Error('1010: Invalid Transaction: Transaction has a bad signature')).name, 'BadProof');
  assert.equal(poolRefusal(new Error('1010: Invalid Transaction: Transaction is outdated')).name, 'Stale');
  assert.equal(poolRefusal(new Error('1012: Transaction is temporarily banned')).name, 'TemporarilyBanned');
  assert.equal(poolRefusal(new Error('transaction Dropped')).name, 'Dropped');
});

test('fee-less refusals are named from consent.FeelessRefusals and explained', () => {
  const names = feelessRefusalNames(api);
  assert.deepEqual([...names.entries()], [[1, 'PayloadExpired'], [2, 'PayloadLifetimeTooLong'],
    [3, 'FeelessQuotaExhausted'], [4, 'NothingToWithdraw']]);
  const quota = feelessRefusal(api, Object.assign(new Error('1010: Invalid Transaction'), { data: 'Custom error: 3' }));
  assert.equal(quota.name, 'FeelessQuotaExhausted');
  assert.equal(quota.section, 'feeless');
  assert.match(explain(quota), /used all of its fee-less transactions for the current period/);
  assert.equal(feelessRefusal(api, new Error('1010: Invalid Transaction: Transaction is outdated')).name, 'PayloadNonceUsed');
  assert.equal(feelessRefusal(api, new Error('1010: Invalid Transaction: Transaction has a bad signature')).name, 'BadPayloadSignature');
  assert.match(explain(feelessRefusal(api, new Error('x Custom error: 4'))), /nothing to withdraw/);
  assert.equal(feelessRefusal(api, new Error('Custom error: 99')).name, 'Custom99');
});

test('an unreachable node is a ConnectionError with the sentence', async () => {
  const url = 'ws://127.0.0.1:9';
  const started = Date.now();
  const err = await connect(url, { retry: false, timeoutMs: 10_000 }).then(() => null, (e) => e);
  assert.ok(err instanceof ConnectionError, String(err));
  assert.equal(explain(err), 'The node at ws://127.0.0.1:9 is not reachable.');
  assert.ok(Date.now() - started < 9_000, 'retry: false gives up at once');
  const bounded = await connect(url, { timeoutMs: 1_500 }).then(() => null, (e) => e);
  assert.ok(bounded instanceof ConnectionError, String(bounded));
  assert.match(bounded.message, /^The node at ws:\/\/127\.0\.0\.1:9 is not reachable \(no answer within 1500 ms/);
});

test('timeouts and other errors', () => {
  assert.match(explain(new TimeoutError('extrinsic consent.grant', 120_000)), /^No answer within 120 s \(extrinsic consent.grant\)/);
  assert.equal(explain(new Error('something broke')), 'Something broke.');
  assert.equal(explain('plain text'), 'Plain text.');
  assert.equal(explain(undefined), 'Something went wrong.');
});
