// Unit tests of the client's pure helpers (no node needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bits, SCOPES, PURPOSES, ROLES, devAccounts } from '../src/index.js';
import { cryptoWaitReady } from '@polkadot/util-crypto';

test('bits builds sets from names and refuses unknown names', () => {
  assert.equal(bits(SCOPES, ['Clinical', 'Labs']), 3);
  assert.equal(bits(PURPOSES, ['Treatment', 'Payment']), 3);
  assert.equal(bits(ROLES, ['Hospital', 'Emergency']), 33);
  assert.equal(bits(SCOPES, []), 0);
  assert.throws(() => bits(SCOPES, ['Xrays']), /unknown name 'Xrays'; valid: Clinical, Labs/);
});

test('dev accounts use the chain prefix 7373', async () => {
  await cryptoWaitReady();
  const dev = devAccounts();
  assert.equal(Object.keys(dev).length, 6);
  assert.notEqual(dev.alice.address, dev.bob.address);
  assert.ok(!dev.alice.address.startsWith('5'), 'not the generic prefix 42');
});
