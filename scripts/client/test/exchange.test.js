// Unit tests of the exchange request signer (@healthchain/sdk's exchange.ts; no node needed): the signature base
// is the gateway's (services/gateway/src/signature.rs), and the committed vector
// services/httpsig/tests/fixtures/js-signed-request.json is checked by the gateway's Rust tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Keyring } from '@polkadot/keyring';
import { hexToU8a, u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import {
  chainTag, contentDigest, signatureBase, signatureParams, signRequest, signRequestWithExtension,
  verifyRequest,
} from '@healthchain/sdk';

const GENESIS = `0x${'07'.repeat(32)}`;
const NOW = 1_764_640_000;
const VECTOR = new URL('../../../services/httpsig/tests/fixtures/js-signed-request.json', import.meta.url);

async function keys() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  return { alice: keyring.addFromUri('//Alice'), bob: keyring.addFromUri('//Bob'), eve: keyring.addFromUri('//Eve') };
}

const request = (audience, over = {}) => ({
  audience, genesisHash: GENESIS, method: 'POST', path: '/exchange/fhir/Bundle', query: 'a=1',
  body: '{"resourceType":"Bundle"}', purpose: 'treatment', created: NOW, nonce: '0123456789abcdef', ...over,
});

const check = (req, headers, over = {}) => verifyRequest({
  method: req.method, path: req.path, query: req.query, body: req.body, headers,
  genesisHash: GENESIS, audience: req.audience, now: NOW, ...over,
});

test('content digest, chain tag, params and base are the gateway profile', () => {
  assert.equal(contentDigest(''), 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
  assert.equal(contentDigest(new Uint8Array()), contentDigest(''));
  assert.equal(contentDigest('{}'), contentDigest(new Uint8Array([0x7b, 0x7d])));
  assert.equal(chainTag(`0x${'AB'.repeat(32)}`), `healthchain:0x${'ab'.repeat(32)}`);
  assert.equal(chainTag('07'.repeat(32)), `healthchain:0x${'07'.repeat(32)}`);
  assert.throws(() => chainTag('0x07'), /32 bytes of hex/);
  const params = signatureParams({ created: 5, keyid: 'K', nonce: 'N', tag: 'T' });
  assert.equal(params, '("@method" "@path" "@query" "content-digest" "healthchain-organisation" '
    + '"healthchain-audience" "healthchain-purpose");created=5;keyid="K";nonce="N";alg="sr25519";tag="T"');
  const covered = {
    method: 'get', path: '/p', contentDigest: 'D', organisation: 'O', audience: 'A', purpose: 'treatment',
  };
  const base = signatureBase({ ...covered, query: 'x=1' }, params);
  assert.equal(base, [
    '"@method": GET', '"@path": /p', '"@query": ?x=1', '"content-digest": D',
    '"healthchain-organisation": O', '"healthchain-audience": A', '"healthchain-purpose": treatment',
    `"@signature-params": ${params}`,
  ].join('\n'));
  assert.ok(!base.endsWith('\n'));
  for (const query of [undefined, null, '']) {
    assert.match(signatureBase({ ...covered, query }, params), /\n"@query": \?\n/);
  }
});

test('a signed request verifies and names its signer and organisation', async () => {
  const { alice, bob } = await keys();
  const req = request(alice.address);
  const headers = signRequest({ pair: bob, ...req });
  assert.deepEqual(Object.keys(headers), [
    'content-digest', 'healthchain-organisation', 'healthchain-audience', 'healthchain-purpose',
    'signature-input', 'signature',
  ]);
  assert.equal(headers['healthchain-organisation'], bob.address);
  assert.equal(headers['signature-input'], `hc=${signatureParams({
    created: NOW, keyid: bob.address, nonce: '0123456789abcdef', tag: chainTag(GENESIS),
  })}`);
  assert.match(headers.signature, /^hc=:[A-Za-z0-9+/]{86}==:$/);
  assert.deepEqual(check(req, headers), {
    signer: bob.address, organisation: bob.address, purpose: 'treatment', nonce: '0123456789abcdef', created: NOW,
  });
  // Any header case, or a fetch Headers object.
  const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
  assert.equal(check(req, upper).signer, bob.address);
  assert.equal(check(req, new Headers(headers)).signer, bob.address);
  // The audience may be given as a public key; a proxy signs for its organisation.
  assert.equal(check(req, headers, { audience: u8aToHex(alice.publicKey) }).signer, bob.address);
  const proxied = signRequest({ pair: bob, ...req, organisation: alice.address });
  assert.equal(check(req, proxied).organisation, alice.address);
});

test('defaults: created is now, the nonce 32 random hex digits, the body empty', async () => {
  const { alice, bob } = await keys();
  const req = { audience: alice.address, genesisHash: GENESIS, method: 'GET', path: '/p', purpose: 'treatment' };
  const before = Math.floor(Date.now() / 1000);
  const a = signRequest({ pair: bob, ...req });
  const b = signRequest({ pair: bob, ...req });
  const created = Number(/;created=(\d+);/.exec(a['signature-input'])[1]);
  assert.ok(created >= before && created <= Math.floor(Date.now() / 1000));
  assert.match(a['signature-input'], /;nonce="[0-9a-f]{32}";/);
  assert.notEqual(a['signature-input'], b['signature-input'], 'a fresh nonce each time');
  assert.equal(a['content-digest'], contentDigest(''));
  const v = verifyRequest({ ...req, headers: a });
  assert.equal(v.created, created);
  assert.throws(() => signRequest({ pair: bob, ...req, purpose: undefined }), /purpose is required/);
});

test('every covered part is bound by the signature', async () => {
  const { alice, bob, eve } = await keys();
  const req = request(alice.address);
  const headers = signRequest({ pair: bob, ...req });
  assert.ok(check(req, headers));
  const bad = /the signature does not verify with the key 5FHneW46/;
  assert.throws(() => check({ ...req, method: 'PUT' }, headers), bad);
  assert.throws(() => check({ ...req, path: '/exchange/fhir/Bundle2' }, headers), bad);
  assert.throws(() => check({ ...req, query: 'a=2' }, headers), bad);
  assert.throws(() => check({ ...req, query: undefined }, headers), bad);
  assert.throws(() => check({ ...req, body: '{"resourceType":"Bundle" }' }, headers),
    /Content-Digest does not match the body/);
  // A new digest for the new body does not help: the digest is signed.
  assert.throws(() => check({ ...req, body: '{}' }, { ...headers, 'content-digest': contentDigest('{}') }), bad);
  assert.throws(() => check(req, { ...headers, 'healthchain-purpose': 'research' }), bad);
  assert.throws(() => check(req, { ...headers, 'healthchain-organisation': eve.address }), bad);
  // Another audience: refused as addressed elsewhere; re-addressing the headers breaks the signature.
  assert.throws(() => check(req, headers, { audience: eve.address }),
    /addressed to 5GrwvaEF.*not to this organisation/);
  assert.throws(() => check({ ...req, audience: eve.address },
    { ...headers, 'healthchain-audience': eve.address }), bad);
  // The signature of another key under Bob's keyid.
  const forged = signRequest({ pair: eve, ...req });
  assert.throws(() => check(req, { ...headers, signature: forged.signature }), bad);
});

test('stale, foreign-chain and malformed requests are refused with a sentence', async () => {
  const { alice, bob } = await keys();
  const req = request(alice.address);
  const stale = signRequest({ pair: bob, ...req, created: NOW - 61 });
  assert.throws(() => check(req, stale), /created at 1764639939 \(Unix seconds\), 61 s away .* at most 60 s/);
  assert.ok(check(req, signRequest({ pair: bob, ...req, created: NOW - 60 })));
  assert.throws(() => check(req, signRequest({ pair: bob, ...req, created: NOW + 61 })), /-61 s away/);
  const otherChain = signRequest({ pair: bob, ...req, genesisHash: `0x${'08'.repeat(32)}` });
  assert.throws(() => check(req, otherChain), /for another chain \(tag "healthchain:0x0808/);
  const headers = signRequest({ pair: bob, ...req });
  const wrongTag = {
    ...headers, 'signature-input': headers['signature-input'].replace(/tag="[^"]*"/, 'tag="healthchain:0x00"'),
  };
  assert.throws(() => check(req, wrongTag), /for another chain/);
  assert.throws(() => check(req, signRequest({ pair: bob, ...req, nonce: 'abc' })), /the nonce must be 16 to 64/);
  const { signature, ...unsigned } = headers;
  assert.ok(signature);
  assert.throws(() => check(req, unsigned), /not signed: header signature is missing/);
  const fewer = { ...headers, 'signature-input': headers['signature-input'].replace(' "healthchain-purpose"', '') };
  assert.throws(() => check(req, fewer), /must cover exactly/);
  const label = { ...headers, 'signature-input': headers['signature-input'].replace(/^hc=/, 'sig1=') };
  assert.throws(() => check(req, label), /under the label hc/);
  const alg = { ...headers, 'signature-input': headers['signature-input'].replace('alg="sr25519"', 'alg="ed25519"') };
  assert.throws(() => check(req, alg), /algorithm must be sr25519, not "ed25519"/);
  const twice = { ...headers, 'signature-input': `${headers['signature-input']};nonce="0123456789abcdef"` };
  assert.throws(() => check(req, twice), /parameter "nonce" given twice/);
  const extra = { ...headers, 'signature-input': `${headers['signature-input']};expires=1` };
  assert.throws(() => check(req, extra), /unknown parameter "expires"/);
  assert.throws(() => check(req, { ...headers, signature: 'hc=:AAAA:' }), /not 64 bytes of base64/);
  assert.throws(() => check(req, { ...headers, signature: headers.signature.slice(3) }), /expected hc=:<base64>:/);
});

test('an extension signature over <Bytes>base</Bytes> verifies', async () => {
  const { alice, bob } = await keys();
  const req = request(alice.address);
  const seen = [];
  // What @polkadot/extension's signRaw does: sign the wrapped bytes, answer the hex signature.
  const signRaw = async ({ address, data, type }) => {
    seen.push({ address, type });
    return { signature: u8aToHex(bob.sign(u8aWrapBytes(hexToU8a(data)))) };
  };
  const headers = await signRequestWithExtension({ signRaw, address: bob.address, ...req });
  assert.deepEqual(seen, [{ address: bob.address, type: 'bytes' }]);
  assert.deepEqual(check(req, headers), {
    signer: bob.address, organisation: bob.address, purpose: 'treatment', nonce: '0123456789abcdef', created: NOW,
  });
  assert.throws(() => check({ ...req, path: '/other' }, headers), /does not verify/);
  // The same parts give the same Signature-Input as the keyring signer (only the signature differs).
  assert.equal(headers['signature-input'], signRequest({ pair: bob, ...req })['signature-input']);
  // A MultiSignature-encoded answer (0x01 ++ signature) is accepted too.
  const multi = async ({ data }) => ({ signature: `0x01${u8aToHex(bob.sign(u8aWrapBytes(hexToU8a(data)))).slice(2)}` });
  assert.ok(check(req, await signRequestWithExtension({ signRaw: multi, address: bob.address, ...req })));
});

test('the committed vector for the gateway verifies', async () => {
  const { alice, bob } = await keys();
  const v = JSON.parse(readFileSync(VECTOR, 'utf8'));
  assert.equal(v.genesis, GENESIS);
  assert.equal(v.audience, alice.address);
  assert.equal(v.audience, '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
  assert.equal(v.headers['healthchain-organisation'], bob.address);
  assert.match(v.headers['signature-input'], /;nonce="js0123456789abcdef";/);
  const verified = verifyRequest({
    method: v.method, path: v.path, query: v.query, headers: v.headers, body: v.body,
    genesisHash: v.genesis, audience: v.audience, now: v.created,
  });
  assert.deepEqual(verified, {
    signer: bob.address, organisation: bob.address, purpose: 'treatment', nonce: 'js0123456789abcdef',
    created: v.created,
  });
  // Re-signing the vector's parts gives the same headers except the (randomized) signature.
  const again = signRequest({
    pair: bob, audience: v.audience, genesisHash: v.genesis, method: v.method, path: v.path, query: v.query,
    body: v.body, purpose: 'treatment', created: v.created, nonce: 'js0123456789abcdef',
  });
  assert.deepEqual({ ...again, signature: undefined }, { ...v.headers, signature: undefined });
  assert.throws(() => verifyRequest({
    method: v.method, path: v.path, query: v.query, headers: v.headers, body: v.body,
    genesisHash: v.genesis, audience: v.audience, now: v.created + 61,
  }), /at most 60 s/);
});
