// End-to-end test of the portal in a real browser (Debian's Chromium through playwright-core):
// a dev node, hospital Alice's and clinic Bob's FHIR gateways, the indexer and the built portal
// (web/dist, served here) on free loopback ports; everything below is done through the UI, as a
// person would, except one account's providers.register (test setup, through the SDK).
//
//   npm test            (builds, then runs this file)
//
// Binaries: $HEALTHCHAIN_NODE, $HEALTHCHAIN_GATEWAY, $HEALTHCHAIN_INDEXER (default: the shared
// cargo target dirs), $CHROMIUM (default /usr/bin/chromium). A missing one skips the test, or
// fails it when HEALTHCHAIN_REQUIRE_BROWSER=1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.resolve(HERE, '..');
const REPO = path.resolve(WEB, '..');
const DIST = path.join(WEB, 'dist');
const SHOTS = path.join(REPO, 'docs', 'portal');
const HOME = os.homedir();
const BIN = {
  node: process.env.HEALTHCHAIN_NODE
    ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(HOME, '.cache/healthchain/target'), 'release/healthchain-node'),
  gateway: process.env.HEALTHCHAIN_GATEWAY ?? path.join(HOME, '.cache/healthchain/services-target/release/healthchain-gateway'),
  indexer: process.env.HEALTHCHAIN_INDEXER ?? path.join(HOME, '.cache/healthchain/services-target/release/healthchain-indexer'),
  chromium: process.env.CHROMIUM ?? '/usr/bin/chromium',
};
const missing = Object.entries(BIN).filter(([, p]) => !existsSync(p)).map(([k, p]) => `${k} (${p})`);
if (!existsSync(path.join(DIST, 'index.html'))) missing.push(`the built portal (${DIST}: run npm run build)`);
const REQUIRE = process.env.HEALTHCHAIN_REQUIRE_BROWSER === '1';

// ---- processes ----

const children = [];
const TMP = mkdtempSync(path.join(os.tmpdir(), 'healthchain-portal-e2e-'));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function start(name, bin, args, env = {}) {
  const log = path.join(TMP, `${name}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd], env: { ...process.env, RUST_LOG: 'info', ...env } });
  const entry = { name, child, log, tail: (n = 30) => { try { return readFileSync(log, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; } } };
  children.push(entry);
  return entry;
}

async function stopAll() {
  await Promise.all(children.map(({ child }) => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
    const t = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } resolve(); }, 5_000);
    child.once('exit', () => { clearTimeout(t); resolve(); });
    try { child.kill('SIGTERM'); } catch { resolve(); }
  })));
}
process.on('exit', () => { for (const { child } of children) { try { child.kill('SIGKILL'); } catch { /* gone */ } } });

async function waitHttp(what, url, proc, timeoutMs = 60_000, ok = (r) => r.ok) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.child.exitCode !== null) throw new Error(`${what} exited with ${proc.child.exitCode}:\n${proc.tail()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (await ok(r)) return;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`${what} did not answer at ${url} within ${timeoutMs} ms:\n${proc?.tail() ?? ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function rpcUp(port) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_health', params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    return r.ok;
  } catch { return false; }
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.wasm': 'application/wasm' };

/** A tiny static server for web/dist (what `npm run preview` serves). */
function serveDist(port) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file = path.join(DIST, decodeURIComponent(url.pathname));
    if (!file.startsWith(DIST)) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

// ---- the test ----

if (missing.length) {
  const why = `missing: ${missing.join(', ')}`;
  if (REQUIRE) {
    test('portal end to end in Chromium', () => { assert.fail(`HEALTHCHAIN_REQUIRE_BROWSER=1 but ${why}`); });
  } else {
    test('portal end to end in Chromium', { skip: why }, () => {});
  }
} else {
  test('portal end to end in Chromium', { timeout: 420_000 }, async (t) => {
    const t0 = Date.now();
    const step = (what) => t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
    const { chromium } = await import('playwright-core');
    const sdk = await import('@healthchain/sdk');
    mkdirSync(SHOTS, { recursive: true });

    const [rpc, p2p, gwA, gwB, ix, portal, deadPort] = await Promise.all(Array.from({ length: 7 }, freePort));
    const origin = `http://127.0.0.1:${portal}`;
    const server = await serveDist(portal);
    after(() => server.close());

    // The chain and the services (they retry until the node answers).
    const node = start('node', BIN.node, ['--dev', '--tmp', '--rpc-port', String(rpc), '--no-prometheus',
      '--listen-addr', `/ip4/127.0.0.1/tcp/${p2p}`, '--no-mdns', '--no-telemetry']);
    const chainUrl = `ws://127.0.0.1:${rpc}`;
    const dev = sdk.devAccounts();
    const gatewayA = start('gateway-alice', BIN.gateway, ['--dev'], {
      HC_GATEWAY_LISTEN: `127.0.0.1:${gwA}`, HC_GATEWAY_CHAIN_URL: chainUrl,
      HC_GATEWAY_DATABASE_URL: `sqlite://${TMP}/gw-alice.db?mode=rwc`, HC_GATEWAY_CORS_ORIGINS: origin,
      HC_GATEWAY_ANCHOR_POLL_MS: '200',
    });
    const gatewayB = start('gateway-bob', BIN.gateway, ['--dev'], {
      HC_GATEWAY_LISTEN: `127.0.0.1:${gwB}`, HC_GATEWAY_CHAIN_URL: chainUrl, HC_GATEWAY_SIGNER: '//Bob',
      HC_GATEWAY_DATABASE_URL: `sqlite://${TMP}/gw-bob.db?mode=rwc`, HC_GATEWAY_CORS_ORIGINS: origin,
      HC_GATEWAY_PEERS: `${dev.alice.address}=http://127.0.0.1:${gwA}`,
    });
    const indexer = start('indexer', BIN.indexer, ['--dev'], {
      HC_INDEXER_LISTEN: `127.0.0.1:${ix}`, HC_INDEXER_CHAIN_URL: chainUrl,
      HC_INDEXER_DATABASE_URL: `sqlite://${TMP}/ix.db?mode=rwc`, HC_INDEXER_CORS_ORIGINS: origin,
      HC_INDEXER_POLL_MS: '200',
    });
    after(async () => {
      await stopAll();
      if (!process.env.KEEP_LOGS) rmSync(TMP, { recursive: true, force: true });
      else console.log(`logs kept in ${TMP}`);
    });

    const userData = mkdtempSync(path.join(os.tmpdir(), 'healthchain-portal-chromium-'));
    after(() => rmSync(userData, { recursive: true, force: true }));
    const context = await chromium.launchPersistentContext(userData, {
      executablePath: BIN.chromium, headless: false, viewport: { width: 1360, height: 1000 },
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    after(() => context.close());
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(30_000);
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const shot = (name) => page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
    // Accessibility: axe-core's WCAG 2.1 A/AA rules on every view as it is shown.
    const { createRequire } = await import('node:module');
    const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    const a11yProblems = [];
    const a11y = async (where) => {
      if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: axePath });
      const r = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
      for (const v of r.violations) {
        a11yProblems.push(`${where}: ${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n').slice(1, 2).join('') ?? ''}`).join('; ')}`);
      }
    };

    // 1. A node that is down: a clear message, nothing can be sent.
    await page.goto(`${origin}/?node=ws://127.0.0.1:${deadPort}&dev=1#/patient`);
    await page.getByTestId('node-down').waitFor();
    assert.match(await page.getByTestId('node-down').innerText(), /Cannot reach the node at ws:\/\/127\.0\.0\.1:\d+.*Nothing can be sent/);
    assert.equal(await page.locator('#grant-form').count(), 0, 'no grant form while the node is down');
    await shot('error-node-down.png'); await a11y('node down');
    step('node-down message shown');

    // Wait for the chain and the services.
    const deadline = Date.now() + 90_000;
    while (!(await rpcUp(rpc))) {
      if (node.child.exitCode !== null) throw new Error(`node exited:\n${node.tail()}`);
      if (Date.now() > deadline) throw new Error(`node RPC not up:\n${node.tail()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const healthy = async (r) => r.ok && (await r.json()).chain?.connected === true;
    await Promise.all([
      waitHttp('gateway A', `http://127.0.0.1:${gwA}/health`, gatewayA, 60_000, healthy),
      waitHttp('gateway B', `http://127.0.0.1:${gwB}/health`, gatewayB, 60_000, healthy),
      waitHttp('indexer', `http://127.0.0.1:${ix}/health`, indexer, 60_000, async (r) => r.ok && !!(await r.json()).genesis),
    ]);
    step('node, gateways and indexer up');

    // Setup through the SDK: Dave applies as a clinic (the council approves him through the UI).
    const api = await sdk.connect(chainUrl, { timeoutMs: 30_000 });
    after(() => api.disconnect());
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const registered = sdk.providers.register(api, dev.dave, ['Clinic'], `0x${'11'.repeat(32)}`, best + 1_000_000);
    // ... and emergency provider Alice breaks the glass on the patient (the patient closes it in the UI).
    const uri = `//Patient/${Date.now()}`;
    const me = sdk.account(uri);
    const glass = sdk.consent.breakGlass(api, dev.alice, me.address, 'LifeThreatening');

    // 2. The portal against the live chain, development accounts on.
    await page.goto(`${origin}/?node=${encodeURIComponent(chainUrl)}&gateway=${encodeURIComponent(`http://127.0.0.1:${gwA}`)}&indexer=${encodeURIComponent(`http://127.0.0.1:${ix}`)}&dev=1#/patient`);
    await page.locator('[data-testid=connection][data-status=connected]').waitFor({ timeout: 30_000 });

    /** Click, then wait until the submission it starts is finalized (or failed: throws its sentence). */
    async function submit(what, click, { expectFail = false } = {}) {
      const before = await page.evaluate(() => Number(document.querySelector('[data-testid=activity] li')?.dataset.id ?? 0));
      await click();
      await page.waitForFunction((b) => {
        const li = document.querySelector('[data-testid=activity] li');
        return li && Number(li.dataset.id) > b && ['finalized', 'failed'].includes(li.dataset.step);
      }, before, { timeout: 90_000 });
      const li = page.locator('[data-testid=activity] li').first();
      const stepName = await li.getAttribute('data-step');
      const text = await li.innerText();
      if (!expectFail && stepName !== 'finalized') throw new Error(`${what} failed: ${text}`);
      step(`${what}: ${stepName}`);
      return text;
    }
    const selectAccount = (address) => page.selectOption('#account-select', address);
    const go = async (view) => { await page.evaluate((v) => { location.hash = `#/${v}`; }, view); await page.locator('h1').first().waitFor(); };

    // 3. Patient: a fresh account with zero balance (fee-less calls only).
    await page.getByLabel('Account from a secret URI').fill(uri);
    await page.getByRole('button', { name: 'Add and sign as it' }).click();
    await page.locator(`[data-testid=selected-address]:has-text("${me.address}")`).waitFor();
    await page.getByTestId('patient-balance').filter({ hasText: /^0 HLTH$/ }).waitFor();
    assert.equal((await sdk.balance(api, me.address)).free, 0n, 'the patient holds no HLTH');

    const grantForm = page.locator('#grant-form');
    const setChecks = async (legend, names) => {
      const group = grantForm.locator('fieldset', { has: page.locator('legend', { hasText: legend }) });
      for (const box of await group.getByRole('checkbox').all()) {
        const name = (await box.locator('xpath=..').innerText()).trim();
        if (names.includes(name) !== (await box.isChecked())) await box.click();
      }
    };
    const isoDay = (days) => { const d = new Date(Date.now() + days * 86_400_000); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; };

    // Bad input: an invalid address, then a past date; nothing is sent.
    await grantForm.getByLabel("Provider's account").fill('5NotAnAddress');
    await grantForm.getByRole('button', { name: 'Grant access' }).click();
    await grantForm.locator('.tx-refused').filter({ hasText: '"5NotAnAddress" is not a valid account address.' }).waitFor();
    assert.match(await grantForm.locator('.tx-refused').innerText(), /Nothing was sent/);
    await grantForm.getByLabel("Provider's account").fill(dev.alice.address);
    await grantForm.getByLabel('Until (last day of access)').fill(isoDay(-2));
    await grantForm.getByRole('button', { name: 'Grant access' }).click();
    await grantForm.locator('.tx-refused').filter({ hasText: 'is in the past' }).waitFor();
    await shot('error-past-date.png');
    assert.equal((await api.query.consent.patientNonces(me.address)).toNumber(), 0, 'nothing was sent');
    step('bad grant inputs refused in the UI');

    const grant = async (grantee, name, scopes, purposes, days) => {
      await grantForm.getByLabel("Provider's account").fill(grantee);
      await setChecks('Which records', scopes);
      await setChecks('For what', purposes);
      await grantForm.getByLabel('Until (last day of access)').fill(isoDay(days));
      await submit(`grant ${name}`, () => grantForm.getByRole('button', { name: 'Grant access' }).click());
      await page.locator(`li.consent[data-grantee="${grantee}"]`).waitFor();
    };
    await grant(dev.alice.address, 'Alice', ['Clinical notes', 'Laboratory results'], ['Treatment'], 30);
    const aliceConsent = await page.locator(`li.consent[data-grantee="${dev.alice.address}"]`).innerText();
    assert.match(aliceConsent, /Alice \(Hospital, Emergency care\) may see your Clinical notes and Laboratory results records for treatment until \d+ \w+ \d{4}/);
    await grant(dev.bob.address, 'Bob', ['Laboratory results'], ['Treatment'], 7);
    await grant(dev.charlie.address, 'Charlie', ['Billing and claims'], ['Payment for care'], 60);
    assert.equal((await sdk.balance(api, me.address)).free, 0n, 'still no HLTH: the grants were fee-less');

    // The emergency window Alice opened: the patient sees it and closes it (fee-less too).
    const opened = await glass;
    assert.ok(opened.ok, `break-glass failed: ${sdk.explain(opened.error)}`);
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    const windowItem = page.getByTestId('open-windows').locator('li').filter({ hasText: 'Alice' });
    const wait = Date.now() + 30_000;
    while (!(await windowItem.count())) {
      if (Date.now() > wait) throw new Error('the open emergency window never showed');
      await page.evaluate(() => { location.hash = '#/provider'; });
      await page.evaluate(() => { location.hash = '#/patient'; });
      await page.waitForTimeout(1_000);
    }
    assert.match(await windowItem.innerText(), /Alice \(Hospital, Emergency care\) has emergency access \(#0\).*reason: life-threatening; review: awaiting review/s);
    await submit('close the emergency window', () => page.getByRole('button', { name: "Close now Alice's emergency access" }).click());
    await page.getByTestId('open-windows').waitFor({ state: 'detached' });
    assert.equal((await sdk.consent.openWindows(api, me.address)).length, 0);

    // 4. Provider Alice: upload a Patient and a lab Observation through her gateway; both anchor.
    await selectAccount(dev.alice.address);
    await go('provider');
    await page.getByTestId('gateway-health').filter({ hasText: 'anchors for Alice' }).waitFor();
    await page.getByLabel('Template').selectOption('patient');
    await page.getByLabel("Patient's chain account").fill(me.address);
    await page.getByRole('button', { name: 'Fill in the template' }).click();
    // Bad input: not JSON; nothing is sent.
    const resourceBox = page.getByLabel('FHIR resource (JSON)');
    const patientJson = await resourceBox.inputValue();
    await resourceBox.fill('{"resourceType": "Patient",');
    await page.getByRole('button', { name: 'Upload to the gateway' }).click();
    await page.locator('.field-error').filter({ hasText: 'This is not JSON' }).waitFor();
    await resourceBox.fill(patientJson);
    await page.getByRole('button', { name: 'Upload to the gateway' }).click();
    const patientRow = page.locator('[data-testid=uploads] tr[data-resource^="Patient/"]');
    await patientRow.waitFor();
    await page.getByLabel('Template').selectOption('lab');
    await page.getByRole('button', { name: 'Fill in the template' }).click();
    assert.match(await resourceBox.inputValue(), /"reference": "Patient\/[0-9a-f-]{36}"/);
    await page.getByRole('button', { name: 'Upload to the gateway' }).click();
    const obsRow = page.locator('[data-testid=uploads] tr[data-resource^="Observation/"]');
    await obsRow.waitFor();
    await page.locator('[data-testid=uploads] tr[data-resource^="Observation/"][data-anchor=finalized]').waitFor({ timeout: 90_000 });
    await page.getByTestId('upload-status').filter({ hasText: /anchored in finalized block/ }).waitFor();
    const obsId = (await obsRow.getAttribute('data-resource')).split('/')[1];
    step(`Observation/${obsId} anchored and finalized`);

    // Verify the served copy in the browser: dropped on the drop zone (drag and drop), then a
    // tampered copy through the file input.
    const href = await obsRow.getByRole('link').getAttribute('href');
    const served = decodeURIComponent(href.replace(/^data:[^,]*,/, ''));
    const dataTransfer = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'observation.json', { type: 'application/json' }));
      return dt;
    }, served);
    await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer });
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByTestId('verify-result').filter({ hasText: 'Matches its anchor: observation.json is version 1' }).waitFor();
    await shot('provider.png'); await a11y('provider');
    const tampered = JSON.parse(served);
    tampered.valueQuantity.value = 250;
    await page.locator('#verify-file').setInputFiles({ name: 'tampered.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(tampered)) });
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByTestId('verify-result').filter({ hasText: 'tampered.json does not match its anchor' }).waitFor();
    await page.getByTestId('verify-result').scrollIntoViewIfNeeded();
    await shot('error-file-mismatch.png');
    step('verified in the browser: the copy matches, the tampered one does not');

    // 5. Clinic Bob reads it through the gateways: Bob's gateway retrieves it from Alice's.
    await selectAccount(dev.bob.address);
    // Health data goes only to the signed-in organisation's own gateway: Bob on Alice's is refused.
    await page.getByTestId('gateway-health').filter({ hasText: "It is not the signed-in organisation's gateway" }).waitFor();
    const rowsBefore = await page.locator('[data-testid=uploads] tbody tr').count();
    await resourceBox.fill('{"resourceType": "Observation", "status": "final"}');
    await page.getByRole('button', { name: 'Upload to the gateway' }).click();
    await page.locator('.field-error').filter({ hasText: "uploaded only to your organisation's own gateway. Nothing was sent." }).waitFor();
    assert.equal(await page.locator('[data-testid=uploads] tbody tr').count(), rowsBefore, 'nothing was uploaded');
    const gwField = page.getByLabel('Gateway URL');
    await gwField.fill(`http://127.0.0.1:${gwB}`);
    await page.getByRole('button', { name: 'Use this gateway' }).click();
    await page.getByTestId('gateway-health').filter({ hasText: 'anchors for Bob' }).waitFor();
    await page.getByLabel("Custodian organisation's account").fill(dev.alice.address);
    await page.getByLabel('Resource (Type/id)').fill(`Observation/${obsId}`);
    await page.getByLabel("Patient's account (optional)").fill(me.address);
    await page.getByRole('button', { name: 'Request the record' }).click();
    await page.getByTestId('retrieve-result').filter({ hasText: `Received Observation/${obsId} from Alice` }).waitFor({ timeout: 60_000 });
    assert.match(await page.getByTestId('retrieve-result').innerText(), /verified against the chain at block \d+; released on the basis of the patient's consent/);
    await shot('provider-retrieve.png');
    await gwField.fill(`http://127.0.0.1:${gwA}`);
    await page.getByRole('button', { name: 'Use this gateway' }).click();
    step('Bob retrieved the record through the gateways');

    // 6. The patient sees the access (the indexer) and revokes Bob.
    await selectAccount(me.address);
    await go('patient');
    const accesses = page.getByTestId('accesses');
    const until = Date.now() + 60_000;
    while (!(await accesses.count()) || !(await accesses.innerText()).includes('received it from Alice')) {
      if (Date.now() > until) throw new Error(`the access never appeared in the patient's history:\n${indexer.tail()}\n${gatewayA.tail()}`);
      await page.waitForTimeout(1_500);
      await page.getByRole('button', { name: 'Refresh' }).first().click();
    }
    const row = accesses.locator('tbody tr').filter({ hasText: 'received it from Alice' });
    assert.match(await row.innerText(), /Bob \(Clinic, Laboratory\).*received it from Alice.*Laboratory results record.*Treatment.*your consent/s);
    await shot('patient.png'); await a11y('patient');
    await submit('revoke Bob', () => page.getByRole('button', { name: "Revoke Bob's access" }).click());
    await page.locator(`li.consent[data-grantee="${dev.bob.address}"]`).waitFor({ state: 'detached' });
    assert.equal((await sdk.consent.grantsOf(api, me.address)).filter((g) => g.live).length, 2);
    step('the patient saw the access and revoked Bob');

    // 7. Alice submits a claim backed by the record; a bad amount first (13 decimals).
    await selectAccount(dev.alice.address);
    await go('provider');
    const amount = page.locator('input[name=claim-amount]');
    await page.locator('input[name=claim-patient]').fill(me.address);
    await amount.fill('12.0000000000001');
    await page.getByRole('button', { name: 'Submit the claim' }).click();
    await page.locator('.tx-refused').filter({ hasText: 'HLTH has 12 decimals' }).waitFor();
    await page.locator('.tx-refused').scrollIntoViewIfNeeded();
    await shot('error-decimals.png');
    await amount.fill('150.5');
    const claimText = await submit('submit claim', () => page.getByRole('button', { name: 'Submit the claim' }).click());
    const claimId = Number(/Claim #(\d+) submitted/.exec(claimText)?.[1]);
    assert.ok(Number.isInteger(claimId), claimText);

    // 8. Insurer Charlie adjudicates and settles, balances shown.
    const charlieBefore = (await sdk.balance(api, dev.charlie.address)).free;
    const heldBefore = (await sdk.balance(api, dev.charlie.address)).reserved;
    await selectAccount(dev.charlie.address);
    await go('insurer');
    const claim = page.locator(`li.claim[data-claim="${claimId}"]`);
    await claim.waitFor({ timeout: 30_000 });
    assert.match(await claim.innerText(), /150\.5 HLTH from Alice/);
    assert.match(await claim.innerText(), /Decide by \d+ \w+ \d{4}/);
    await page.getByTestId('insurer-free').waitFor();
    await claim.getByLabel('Deny').check();
    await claim.getByLabel('Denial reason code').fill('fifty');
    await claim.getByRole('button', { name: 'Record the decision' }).click();
    await claim.locator('.tx-refused').filter({ hasText: 'numeric code' }).waitFor();
    await claim.getByLabel(/Approve in full/).check();
    await submit('approve claim', () => claim.getByRole('button', { name: 'Record the decision' }).click());
    await page.locator(`li.claim[data-claim="${claimId}"][data-state=approved]`).waitFor();
    const held = (await sdk.balance(api, dev.charlie.address)).reserved;
    assert.equal(held - heldBefore, 150_500_000_000_000n, 'the approved amount is held in escrow');
    await page.getByTestId('insurer-reserved').filter({ hasText: /150\.5/ }).waitFor();
    await shot('insurer.png'); await a11y('insurer');
    await submit('settle claim', () => page.locator(`li.claim[data-claim="${claimId}"]`).getByRole('button', { name: /^Settle/ }).click());
    await page.locator(`[data-testid=claims-done] tr[data-claim="${claimId}"]`).filter({ hasText: 'Settled: 150.5 HLTH paid' }).waitFor();
    const charlieAfter = (await sdk.balance(api, dev.charlie.address)).free;
    assert.ok(charlieBefore - charlieAfter >= 150_500_000_000_000n, 'the insurer paid the claim');
    assert.match(await page.getByTestId('insurer-balance').innerText(), /Alice \(Hospital, Emergency care\) \(provider\), free/);

    // 9. Council: a motion approves Dave (registered in setup).
    const reg = await registered;
    assert.ok(reg.ok, `Dave's registration failed: ${sdk.explain(reg.error)}`);
    await go('council');
    const application = page.locator(`[data-applicant="${dev.dave.address}"]`);
    await application.waitFor();
    assert.match(await application.innerText(), /Dave.*applies as Clinic/s);
    await submit('propose approval', () => application.getByRole('button', { name: 'Propose approval of Dave' }).click());
    const motion = page.locator('li.motion[data-call="providers.approve"]');
    await motion.waitFor();
    assert.match(await motion.innerText(), /Approve provider Dave/);
    await application.filter({ hasText: /Motion #\d+ is open \(Approve provider Dave\)/ }).waitFor();
    assert.ok(await application.getByRole('button', { name: 'Propose approval of Dave' }).isDisabled(), 'no second motion for the same application');
    await selectAccount(dev.alice.address);
    await submit('Alice votes aye', () => motion.getByRole('button', { name: /^Vote aye/ }).click());
    await selectAccount(dev.bob.address);
    await motion.getByRole('button', { name: /^Vote aye/ }).waitFor();
    await submit('Bob votes aye', () => motion.getByRole('button', { name: /^Vote aye/ }).click());
    await motion.filter({ hasText: 'Ayes (2 of 2 needed): Alice, Bob' }).waitFor();
    await shot('council.png'); await a11y('council');
    await submit('close the motion', () => motion.getByRole('button', { name: /^Close/ }).click());
    assert.equal(await sdk.providers.status(api, dev.dave.address), 'Active');
    await page.getByTestId('no-motions').waitFor();
    step('the council approved Dave');

    // 10. The browser-extension path: a wallet injected as window.injectedWeb3['polkadot-js']
    // (here a stand-in whose keys stay in this test process, like an extension's stay outside
    // the page). Its zero-balance account grants fee-less (signRaw of the patient payload) and
    // reads its own audit trail (signRaw of the RFC 9421 base).
    const wallet = sdk.account(`//Wallet/${Date.now()}`);
    const { hexToU8a, u8aToHex, u8aWrapBytes } = await import('@polkadot/util');
    await context.exposeFunction('__hcSignRaw', (address, data) => {
      assert.equal(address, wallet.address);
      return u8aToHex(wallet.sign(u8aWrapBytes(hexToU8a(data))));
    });
    await context.exposeFunction('__hcSignPayload', (payload) =>
      api.registry.createType('ExtrinsicPayload', payload, { version: payload.version }).sign(wallet).signature);
    await context.addInitScript(({ address }) => {
      let id = 0;
      window.injectedWeb3 = { 'polkadot-js': { version: 'test', enable: async () => ({
        accounts: { get: async () => [{ address, name: 'Test wallet', type: 'sr25519' }], subscribe: () => () => {} },
        signer: {
          signRaw: async (p) => ({ id: ++id, signature: await window.__hcSignRaw(p.address, p.data) }),
          signPayload: async (p) => ({ id: ++id, signature: await window.__hcSignPayload(p) }),
        },
      }) } };
    }, { address: wallet.address });
    await page.reload();
    await page.locator('[data-testid=connection][data-status=connected]').waitFor({ timeout: 30_000 });
    await go('patient');
    await page.getByRole('button', { name: 'Connect the browser extension' }).click();
    await page.locator('#account-select option', { hasText: 'Test wallet (extension)' }).waitFor({ state: 'attached' });
    await selectAccount(wallet.address);
    await page.getByTestId('no-accesses').waitFor();
    await grantForm.getByLabel("Provider's account").fill(dev.alice.address);
    await setChecks('Which records', ['Imaging']);
    await setChecks('For what', ['Treatment']);
    await grantForm.getByLabel('Until (last day of access)').fill('');
    await submit('grant from the extension', () => grantForm.getByRole('button', { name: 'Grant access' }).click());
    await page.locator(`li.consent[data-grantee="${dev.alice.address}"]`).filter({ hasText: 'Imaging' }).waitFor();
    assert.equal((await sdk.balance(api, wallet.address)).free, 0n);
    step('the extension account granted fee-less and read its audit trail');

    // No uncaught page errors anywhere, no WCAG A/AA violation found by axe-core.
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(a11yProblems, []);
    step(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
}
