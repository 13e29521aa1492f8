// Pure helpers (no node needed): ids, accounts, addresses, proofs, the fee-less extrinsic's shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, decodeAddress, ed25519Verify } from '@polkadot/util-crypto';
import {
  DEV_NAMES, SS58_PREFIX, account, devAccounts, devUri, extensionSigner, formatAddress,
  isValidAddress, providers, proxySigner, recordIdOf, ss58Prefix, treasuryAddress, NODE_PROOF_CONTEXT,
} from '../dist/index.js';

test('the 12 funded dev accounts use the chain prefix 7373', async () => {
  await cryptoWaitReady();
  const dev = devAccounts();
  assert.equal(Object.keys(dev).length, 12);
  assert.deepEqual(Object.keys(dev), [...DEV_NAMES]);
  assert.equal(devUri('alice'), '//Alice');
  assert.equal(devUri('ferdieStash'), '//Ferdie//stash');
  assert.notEqual(dev.alice.address, dev.bob.address);
  assert.ok(!dev.alice.address.startsWith('5'), 'not the generic prefix 42');
  // //Alice in the generic format is the well-known 5GrwvaEF...
  assert.equal(formatAddress(42, dev.alice.address), '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
  assert.equal(formatAddress(42, dev.aliceStash.address), '5GNJqTPyNqANBkUVMN1LPPrxXnFouWXoe2wNSmmEoLctxiZY');
  assert.equal(dev.alice.address, 'sonRQdR7xsrVpu8SAAbYrQkHoNNJQm45B6XoUQsHRDaRyN5dx', 'docs/indexer.md');
  assert.equal(account('//Alice').address, dev.alice.address);
});

test('addresses: prefix, formatting, validity', async () => {
  await cryptoWaitReady();
  assert.equal(SS58_PREFIX, 7373);
  assert.equal(ss58Prefix({ registry: { chainSS58: 42 } }), 42);
  assert.equal(ss58Prefix({ registry: { chainSS58: undefined } }), 7373);
  const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
  assert.equal(formatAddress(7373, alice), 'sonRQdR7xsrVpu8SAAbYrQkHoNNJQm45B6XoUQsHRDaRyN5dx');
  assert.equal(formatAddress({ registry: { chainSS58: 7373 } }, u8aToHex(decodeAddress(alice))), 'sonRQdR7xsrVpu8SAAbYrQkHoNNJQm45B6XoUQsHRDaRyN5dx');
  assert.ok(isValidAddress(alice));
  assert.ok(isValidAddress('sonRQdR7xsrVpu8SAAbYrQkHoNNJQm45B6XoUQsHRDaRyN5dx'));
  assert.ok(isValidAddress(`0x${'11'.repeat(32)}`));
  assert.ok(!isValidAddress('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQX'), 'bad checksum');
  assert.ok(!isValidAddress('0x1234'));
  assert.ok(!isValidAddress(''));
  assert.ok(!isValidAddress(undefined));
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

test('the treasury account is modl ++ hc/trsry', async () => {
  await cryptoWaitReady();
  assert.equal(u8aToHex(decodeAddress(treasuryAddress())),
    `0x${Buffer.from('modlhc/trsry').toString('hex')}${'00'.repeat(20)}`);
  assert.equal(treasuryAddress(42), formatAddress(42, treasuryAddress()));
});

test('a node-ownership proof verifies as the runtime checks it', async () => {
  await cryptoWaitReady();
  const dev = devAccounts();
  const genesis = `0x${'07'.repeat(32)}`;
  const p = providers.nodeProof('01'.repeat(32), dev.alice.address, genesis);
  assert.match(p.peerIdBase58, /^12D3KooW/);
  assert.equal(p.peerId.length, 2 + 2 * 38);
  const message = new Uint8Array([...Buffer.from(NODE_PROOF_CONTEXT), ...Buffer.from('07'.repeat(32), 'hex'), ...decodeAddress(dev.alice.address)]);
  assert.ok(ed25519Verify(message, p.signature, Buffer.from(p.peerId.slice(2 + 12), 'hex')));
  assert.deepEqual(providers.nodeProof('01'.repeat(32), dev.alice.address, genesis), p, 'deterministic');
});

test('signer constructors', async () => {
  await cryptoWaitReady();
  const dev = devAccounts();
  const seen = [];
  const injected = { signRaw: async (payload) => { seen.push(payload); return { id: 1, signature: '0x01' }; } };
  const ext = extensionSigner(dev.bob.address, injected);
  assert.equal(ext.kind, 'extension');
  assert.deepEqual(await ext.signRaw({ address: dev.bob.address, data: '0x00', type: 'bytes' }), { signature: '0x01' });
  assert.equal(seen.length, 1);
  const px = proxySigner(dev.bob, dev.alice.address, 'Records');
  assert.deepEqual({ kind: px.kind, real: px.real, proxyType: px.proxyType, address: px.address },
    { kind: 'proxy', real: dev.alice.address, proxyType: 'Records', address: dev.alice.address });
  assert.throws(() => proxySigner(px, dev.alice.address), /cannot delegate to another proxy signer/);
});
