// IndexerClient and GatewayClient against local HTTP servers that behave as the services do
// (the indexer verifies the signature profile with its audience and genesis; errors are the
// indexer's JSON and the gateway's OperationOutcome).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import {
  GatewayClient, IndexerClient, ServiceError, devAccounts, formatAddress, parametersOf, verifyRequest,
} from '../dist/index.js';

const GENESIS = `0x${'07'.repeat(32)}`;
let dev;
let server;
let base;
const seen = [];

function reply(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

before(async () => {
  await cryptoWaitReady();
  dev = devAccounts();
  const audience = formatAddress(7373, dev.alice.address);
  const nonces = new Set();
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : null;
    seen.push({ method: req.method, path: url.pathname, query, headers: req.headers });
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      // ---- indexer ----
      if (url.pathname === '/health') return reply(res, 200, { status: 'ok', audience, genesis: GENESIS, lagBlocks: 0 });
      if (url.pathname === '/providers') return reply(res, 200, { items: [{ who: audience, action: 'registered', roles: ['hospital'] }] });
      if (url.pathname.startsWith('/patients/') || url.pathname.startsWith('/claims') || url.pathname === '/fhir/AuditEvent') {
        let v;
        try {
          v = verifyRequest({ method: req.method, path: url.pathname, query, headers: req.headers, body: '', genesisHash: GENESIS, audience });
        } catch (e) {
          return reply(res, 401, { error: 'login', message: e.message });
        }
        if (nonces.has(v.nonce)) return reply(res, 401, { error: 'login', message: 'replayed' });
        nonces.add(v.nonce);
        const patient = decodeURIComponent(url.pathname.split('/')[2] ?? '');
        if (url.pathname.startsWith('/patients/') && formatAddress(7373, patient) !== formatAddress(7373, v.signer)) {
          return reply(res, 403, { error: 'forbidden', message: `${v.signer} may not see this: only the patient or the patient's guardian, or an auditor of this indexer` });
        }
        if (url.pathname === '/claims/7') return reply(res, 200, { claimId: 7, events: [{ action: 'submitted' }] });
        if (url.pathname === '/fhir/AuditEvent') return reply(res, 400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'limit must be a whole number from 1 to 1000, not "0"' }] }, 'application/fhir+json');
        const after = url.searchParams.get('after');
        return reply(res, 200, after ? { items: [{ n: 2, purpose: v.purpose }] } : { items: [{ n: 1, purpose: v.purpose }], next: '41.2' });
      }
      // ---- gateway ----
      if (req.method === 'POST' && url.pathname === '/fhir/Patient') {
        const r = JSON.parse(body);
        res.writeHead(201, { 'content-type': 'application/fhir+json', etag: 'W/"1"', location: `${base}/fhir/Patient/p1/_history/1` });
        return res.end(JSON.stringify({ ...r, id: 'p1', meta: { versionId: '1' } }));
      }
      if (req.method === 'PUT' && url.pathname === '/fhir/Patient/p1') {
        if (req.headers['if-match'] !== 'W/"1"') return reply(res, 412, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: `If-Match ${req.headers['if-match']} is stale: Patient/p1 is at version 2` }] });
        return reply(res, 200, { ...JSON.parse(body), meta: { versionId: '2' } });
      }
      if (url.pathname === '/fhir/Patient/p1/$anchor') {
        return reply(res, 200, { resourceType: 'Parameters', parameter: [
          { name: 'versionId', valueString: '1' }, { name: 'status', valueCode: 'finalized' },
          { name: 'recordId', valueString: '0xaa' }, { name: 'blockNumber', valueInteger: 12 },
          { name: 'acknowledgedMs', valueInteger64: '1764640000000' }] });
      }
      if (url.pathname === '/fhir/$verify') {
        const p = parametersOf(JSON.parse(body));
        return reply(res, 200, { resourceType: 'Parameters', parameter: [
          { name: 'result', valueCode: p.salt === '0x01' ? 'current' : 'unknown' },
          { name: 'message', valueString: 'As of finalized block 9: ...' }, { name: 'version', valueInteger: 1 }] });
      }
      if (url.pathname === '/fhir/$retrieve') {
        return reply(res, 422, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: 'organisation X is not a configured peer: add its gateway\'s URL under [peers]' }] });
      }
      if (url.pathname === '/fhir/Observation/gone') return reply(res, 410, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'deleted', diagnostics: 'Observation/gone was deleted' }] });
      return reply(res, 404, '', 'text/plain');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server?.close());

test('indexer: signed GETs name the audience and genesis from /health; pages follow next', async () => {
  const ix = new IndexerClient(base, { signer: dev.ferdie });
  const health = await ix.health();
  assert.equal(health.genesis, GENESIS);
  const page = await ix.accesses(dev.ferdie.address, { limit: 10, scope: 'labs' });
  assert.deepEqual(page, { items: [{ n: 1, purpose: 'audit' }], next: '41.2' });
  const req = seen.findLast((r) => r.path.endsWith('/accesses'));
  assert.equal(req.query, 'limit=10&scope=labs');
  assert.equal(req.headers['healthchain-audience'], formatAddress(7373, dev.alice.address));
  assert.equal(req.headers['healthchain-organisation'], dev.ferdie.address);
  const all = await ix.all((after) => ix.consents(dev.ferdie.address, { after }));
  assert.deepEqual(all.map((x) => x.n), [1, 2], 'two pages, each a new signature');
  assert.equal((await ix.claim(7)).events[0].action, 'submitted');
  assert.equal((await ix.providers()).items[0].action, 'registered');
  assert.equal(seen.findLast((r) => r.path === '/providers').headers.signature, undefined, 'public routes are not signed');
});

test('indexer: errors are ServiceErrors with the sentence and status', async () => {
  const ix = new IndexerClient(base, { signer: dev.ferdie });
  const forbidden = await ix.accesses(dev.dave.address).then(() => null, (e) => e);
  assert.ok(forbidden instanceof ServiceError);
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.code, 'forbidden');
  assert.match(forbidden.message, /may not see this: only the patient/);
  const fhir = await ix.auditEvents(dev.ferdie.address, { limit: 0 }).then(() => null, (e) => e);
  assert.equal(fhir.status, 400);
  assert.equal(fhir.message, 'limit must be a whole number from 1 to 1000, not "0"');
  const wrongChain = new IndexerClient(base, { signer: dev.ferdie, genesisHash: `0x${'08'.repeat(32)}` });
  const unauthorized = await wrongChain.records(dev.ferdie.address).then(() => null, (e) => e);
  assert.equal(unauthorized.status, 401);
  assert.match(unauthorized.message, /for another chain/);
  const unsigned = await new IndexerClient(base).claims({ insurer: dev.charlie.address }).then(() => null, (e) => e);
  assert.equal(unsigned.status, 401);
  const down = await new IndexerClient('http://127.0.0.1:9').health().then(() => null, (e) => e);
  assert.equal(down.status, 0);
  assert.match(down.message, /^The indexer at http:\/\/127\.0\.0\.1:9 is not reachable/);
});

test('indexer: an extension account signs through signRaw', async () => {
  const signRaw = async ({ data }) => ({ signature: `0x01${Buffer.from(dev.ferdie.sign(Buffer.from(`<Bytes>${Buffer.from(data.slice(2), 'hex').toString()}</Bytes>`))).toString('hex')}` });
  const ix = new IndexerClient(base, { signer: { address: dev.ferdie.address, signRaw } });
  assert.equal((await ix.breakGlass(dev.ferdie.address, { state: 'open' })).items.length, 1);
});

test('gateway: create, update with If-Match, anchor status, verify; errors carry the OperationOutcome text', async () => {
  const gw = new GatewayClient(`${base}/fhir`);
  const created = await gw.create({ resourceType: 'Patient', identifier: [{ system: 'urn:healthchain:account', value: dev.dave.address }] });
  assert.equal(created.status, 201);
  assert.equal(created.etag, 'W/"1"');
  assert.equal(created.resource.id, 'p1');
  const updated = await gw.update({ ...created.resource, active: true }, { ifMatch: 1 });
  assert.equal(updated.resource.meta.versionId, '2');
  const stale = await gw.update(created.resource, { ifMatch: 'W/"0"' }).then(() => null, (e) => e);
  assert.equal(stale.status, 412);
  assert.equal(stale.code, 'conflict');
  assert.equal(stale.message, 'If-Match W/"0" is stale: Patient/p1 is at version 2');
  assert.deepEqual(await gw.anchorStatus('Patient', 'p1'), {
    versionId: '1', status: 'finalized', recordId: '0xaa', blockNumber: 12, acknowledgedMs: 1764640000000 });
  const v = await gw.verify(created.resource, '0x01');
  assert.equal(v.result, 'current');
  assert.equal(v.version, 1);
  const retrieve = await gw.retrieve({ custodian: dev.bob.address, resource: 'Observation/1' }).then(() => null, (e) => e);
  assert.equal(retrieve.status, 422);
  assert.match(retrieve.message, /not a configured peer/);
  const gone = await gw.read('Observation', 'gone').then(() => null, (e) => e);
  assert.equal(gone.status, 410);
  assert.equal(gone.message, 'Observation/gone was deleted');
  const missing = await gw.read('Observation', 'x').then(() => null, (e) => e);
  assert.equal(missing.status, 404);
  assert.equal(missing.message, 'HTTP 404');
});
