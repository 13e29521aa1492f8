// Unit tests of the SDK's pure helpers as the client uses them (no node needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bits, SCOPES, PURPOSES, ROLES, devAccounts, recordIdOf, scopeName, treasuryAddress }
  from '@healthchain/sdk';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';

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
  assert.equal(Object.keys(dev).length, 12, 'the 12 accounts the dev preset funds');
  assert.notEqual(dev.alice.address, dev.bob.address);
  assert.ok(!dev.alice.address.startsWith('5'), 'not the generic prefix 42');
});

test('recordIdOf derives the record id from the author as the runtime does', async () => {
  await cryptoWaitReady();
  const dev = devAccounts();
  const local = `0x${'42'.repeat(32)}`;
  // blake2-256("healthchain/record" ++ Alice's account ++ 0x42 x 32); the node's records test
  // checks the runtime's record_id_of against the same value.
  const expected = '0x66b59d0a01856e5556ca3205740814c56261a8b9a06f3ad53c39aa006bc32aa2';
  assert.equal(recordIdOf(dev.alice.address, local), expected);
  assert.equal(recordIdOf(dev.alice.publicKey, new Uint8Array(32).fill(0x42)), expected);
  assert.notEqual(recordIdOf(dev.bob.address, local), expected, 'bound to the author');
  assert.throws(() => recordIdOf(dev.alice.address, '0x42'), /localId must be 32 bytes/);
});

test('scope names are checked; the treasury account is modl ++ hc/trsry', async () => {
  await cryptoWaitReady();
  assert.equal(scopeName('MentalHealth'), 'MentalHealth');
  assert.throws(() => scopeName('Xrays'), /unknown scope 'Xrays'; valid: Clinical, Labs/);
  assert.throws(() => scopeName(undefined), /unknown scope/);
  assert.equal(u8aToHex(decodeAddress(treasuryAddress())),
    `0x${Buffer.from('modlhc/trsry').toString('hex')}${'00'.repeat(20)}`);
});
