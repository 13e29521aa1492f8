// The provider's view: upload FHIR resources through the organisation's gateway and follow their
// anchors, verify any file against the chain in the browser, retrieve a record from another
// organisation ($retrieve), submit and follow claims.
import { useEffect, useRef, useState } from 'preact/hooks';
import { canonical, nameOf } from '../accounts';
import type { PortalSigner } from '../accounts';
import { requireApi } from '../chain';
import { loadSettings } from '../config';
import { Addr, Field, KnownAccounts, Notice, Section, Select, TextArea, TxStatus } from '../components';
import { amountInput, formatAmount, num, parseAmount, shortHex } from '../format';
import { providerOf, refreshRegistry, useAccount, useAsync, useChain, useRegistry, who } from '../hooks';
import { anchorExtension, gateway, service, withoutAnchorExtension, type AnchorStatus } from '../services';
import { balance, claims, isValidAddress, label, randomSalt, recordDigest, records } from '../sdk';
import { Store, useStore } from '../store';
import { useTx } from '../tx';

export interface Uploaded {
  type: string;
  id: string;
  version: string;
  patientAccount?: string;
  anchor: AnchorStatus;
  resource: any;
  gateway: string;
}

/** What this browser uploaded in this session (newest first). */
export const uploads = new Store<Uploaded[]>([]);

const GW_KEY = 'healthchain-portal-provider-gateway';

const TEMPLATES: Record<string, (patient: string, patientId: string) => any> = {
  patient: (account) => ({
    resourceType: 'Patient',
    identifier: [{ system: 'urn:healthchain:account', value: account || '<the patient\'s chain account>' }],
    name: [{ family: 'Example', given: ['Test'] }],
    birthDate: '1970-01-01',
  }),
  lab: (_a, patientId) => ({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '2339-0', display: 'Glucose' }] },
    subject: { reference: `Patient/${patientId || '<id of the Patient on this gateway>'}` },
    valueQuantity: { value: 95, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
  }),
};

export function ProviderView() {
  const c = useChain();
  const me = useAccount();
  useRegistry();
  const [gw, setGw] = useState(() => localStorage.getItem(GW_KEY) || loadSettings().gateway);
  useEffect(() => { localStorage.setItem(GW_KEY, gw); }, [gw]);
  if (!me) return <Notice kind="info">Choose your organisation's account above.</Notice>;
  const connected = c.status === 'connected';
  return (
    <div class="view">
      <h1>Provider: {me.name}</h1>
      <p class="lead">Your organisation's records live in its FHIR gateway, which anchors a salted digest of every version on chain. Verify any copy here: the digest is computed in your browser.</p>
      {!connected && <Notice kind="info">Your organisation's status and claims are read from the chain: they appear once the node answers. Uploads to the gateway do not need the node.</Notice>}
      {connected && <OrgStatus address={me.address} />}
      <GatewayBox url={gw} setUrl={setGw} me={me.address} />
      <Upload url={gw} me={me.address} />
      <Verify url={gw} />
      <Retrieve url={gw} />
      {connected && <ClaimSubmit signer={me.signer} me={me.address} />}
      {connected && <MyClaims signer={me.signer} me={me.address} />}
    </div>
  );
}

function OrgStatus(p: { address: string }) {
  const c = useChain();
  const info = c.info!;
  const { data } = useAsync(async () => {
    const { api } = requireApi();
    await refreshRegistry(api);
    return balance(api, p.address);
  }, [p.address, c.api]);
  const prov = providerOf(p.address);
  return (
    <p class="summary" data-testid="org-status">
      {prov
        ? <>Organisation: {prov.roles.map((r) => label('role', r)).join(', ')}; {label('providerStatus', prov.status).toLowerCase()}.</>
        : <>This account is not a registered organisation: the chain refuses its anchors and claims.</>}
      {' '}Balance: <strong>{data ? formatAmount(data.free, info.decimals, info.symbol) : '…'}</strong>.
    </p>
  );
}

function GatewayBox(p: { url: string; setUrl: (u: string) => void; me: string }) {
  const [draft, setDraft] = useState(p.url);
  const health = useAsync<any>(() => service('Reading the gateway\'s health', () => gateway(p.url).health()), [p.url]);
  const org = health.data?.organisation as string | undefined;
  return (
    <Section title="Your organisation's gateway">
      <form class="form inline" onSubmit={(e) => { e.preventDefault(); p.setUrl(draft.trim().replace(/\/+$/, '')); }}>
        <Field label="Gateway URL" value={draft} onInput={setDraft} name="gateway-url" mono />
        <button type="submit">Use this gateway</button>
      </form>
      {health.error && <Notice kind="error">{health.error}</Notice>}
      {health.data && (
        <p data-testid="gateway-health">
          The gateway at {p.url} anchors for <strong>{who(org)}</strong>; node {health.data.chain?.connected ? `connected (finalized block ${num(health.data.chain.finalizedBlock ?? 0)})` : 'not connected'}; {health.data.outbox?.depth ?? 0} version(s) waiting to be anchored.
          {org && canonical(org) !== canonical(p.me) && <strong class="warn-text"> It is not the signed-in organisation's gateway.</strong>}
        </p>
      )}
    </Section>
  );
}

function Upload(p: { url: string; me: string }) {
  const list = useStore(uploads);
  const [text, setText] = useState('');
  const [template, setTemplate] = useState('patient');
  const [patientAccount, setPatientAccount] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string>('');
  const shown = list.filter((u) => u.gateway === p.url);
  const lastPatient = shown.find((u) => u.type === 'Patient');

  function fill() {
    const acct = patientAccount.trim();
    if (template === 'patient' && acct && !isValidAddress(acct)) {
      setError(`"${acct}" is not a valid account address.`);
      return;
    }
    setError(null);
    setText(JSON.stringify(TEMPLATES[template]!(acct, lastPatient?.id ?? ''), null, 2));
  }

  async function onFile(e: Event) {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) setText(await f.text());
  }

  async function upload(e: Event) {
    e.preventDefault();
    let resource: any;
    try { resource = JSON.parse(text); } catch (err) {
      setError(`This is not JSON: ${(err as Error).message}. Nothing was sent.`);
      return;
    }
    if (!resource || typeof resource !== 'object' || Array.isArray(resource) || typeof resource.resourceType !== 'string') {
      setError('A FHIR resource is a JSON object with a "resourceType" (e.g. "Observation"). Nothing was sent.');
      return;
    }
    if (!/^[A-Z][A-Za-z]+$/.test(resource.resourceType)) {
      setError(`"${resource.resourceType}" is not a FHIR resource type. Nothing was sent.`);
      return;
    }
    setError(null);
    setBusy(true);
    setStatus(`Uploading the ${resource.resourceType} to ${p.url}…`);
    try {
      // A FHIR resource is health data: it goes only to the signed-in organisation's own gateway.
      const health = await service('Checking the gateway before the upload', () => gateway(p.url).health())
        .catch((err: Error) => { throw new Error(`${err.message} Nothing was sent.`); });
      const org = typeof health.organisation === 'string' ? health.organisation : '';
      if (!org || canonical(org) !== canonical(p.me)) {
        throw new Error(`The gateway at ${p.url} ${org ? `anchors for ${who(org)}` : 'does not name its organisation'}, not for ${who(p.me)}: records are uploaded only to your organisation's own gateway. Nothing was sent.`);
      }
      const stored: any = (await service(`Uploading the ${resource.resourceType}`, () => gateway(p.url).create(resource))).resource;
      const ext = anchorExtension(stored) ?? {};
      const entry: Uploaded = {
        type: stored.resourceType, id: stored.id, version: stored.meta?.versionId ?? '1', gateway: p.url,
        patientAccount: stored.resourceType === 'Patient'
          ? stored.identifier?.find((i: any) => i.system === 'urn:healthchain:account')?.value : undefined,
        anchor: { versionId: stored.meta?.versionId ?? '1', status: ext.status ?? 'pending', recordId: ext.recordId, digest: ext.digest }, resource: stored,
      };
      uploads.update((l) => [entry, ...l]);
      setStatus(`Stored as ${entry.type}/${entry.id} (version ${entry.version}); anchoring…`);
      follow(entry);
    } catch (err) {
      setError((err as Error).message);
      setStatus('');
    } finally {
      setBusy(false);
    }
  }

  async function follow(entry: Uploaded) {
    const deadline = Date.now() + 180_000;
    for (;;) {
      try {
        const a = await gateway(entry.gateway).anchorStatus(entry.type, entry.id, { version: Number(entry.version) });
        uploads.update((l) => l.map((u) => (u === entry || (u.type === entry.type && u.id === entry.id && u.version === entry.version) ? { ...u, anchor: a } : u)));
        if (a.status === 'finalized' || a.status === 'failed') {
          setStatus(a.status === 'finalized'
            ? `${entry.type}/${entry.id} version ${entry.version} is anchored in finalized block ${num(a.blockNumber ?? 0)}.`
            : `Anchoring ${entry.type}/${entry.id} failed: ${a.error ?? 'see the gateway log'}.`);
          return;
        }
      } catch { /* retry */ }
      if (Date.now() > deadline) { setStatus(`${entry.type}/${entry.id}: not finalized after 3 minutes; the gateway keeps trying.`); return; }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  return (
    <Section title="Upload a FHIR resource" intro="The gateway stores it, and anchors its salted digest on chain (records.anchorMany). A resource about a patient points at a Patient on this gateway, which carries the patient's chain account.">
      <div class="form inline">
        <Select label="Template" value={template} onChange={setTemplate} options={[['patient', 'Patient (with a chain account)'], ['lab', 'Lab result (Observation)']]} />
        {template === 'patient' && <Field label="Patient's chain account" value={patientAccount} onInput={setPatientAccount} list="known-accounts" mono name="template-patient" />}
        <button type="button" onClick={fill}>Fill in the template</button>
      </div>
      <KnownAccounts id="known-accounts" />
      <form class="form" onSubmit={upload} noValidate>
        <TextArea label="FHIR resource (JSON)" value={text} onInput={setText} rows={12} error={error} name="resource" />
        <div class="field">
          <label for="resource-file">…or load a JSON file</label>
          <input id="resource-file" type="file" accept=".json,application/json,application/fhir+json" onChange={onFile} />
        </div>
        <button type="submit" class="primary" disabled={busy}>Upload to the gateway</button>
      </form>
      <p role="status" data-testid="upload-status">{status}</p>
      {shown.length > 0 && (
        <table data-testid="uploads">
          <caption>Uploaded to this gateway from this browser</caption>
          <thead><tr><th scope="col">Resource</th><th scope="col">Record on chain</th><th scope="col">Anchor</th><th scope="col">Copy</th></tr></thead>
          <tbody>
            {shown.map((u) => (
              <tr key={`${u.type}/${u.id}/${u.version}`} data-resource={`${u.type}/${u.id}`} data-anchor={u.anchor.status ?? 'pending'}>
                <td>{u.type}/{u.id} <span class="muted">v{u.version}</span></td>
                <td class="mono">{u.anchor.recordId ? shortHex(u.anchor.recordId) : '…'}</td>
                <td>{anchorWords(u.anchor)}</td>
                <td><a href={`data:application/fhir+json;charset=utf-8,${encodeURIComponent(JSON.stringify(u.resource, null, 2))}`} download={`${u.type}-${u.id}-v${u.version}.json`}>Download<span class="sr-only"> {u.type}/{u.id}</span></a></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function anchorWords(a: AnchorStatus): string {
  switch (a.status) {
    case 'finalized': return `Finalized (block ${num(a.blockNumber ?? 0)})`;
    case 'in_block': return `In block ${num(a.blockNumber ?? 0)}`;
    case 'failed': return `Failed: ${a.error ?? ''}`;
    default: return 'Pending';
  }
}

interface VerifyResult { kind: 'ok' | 'warn' | 'error'; text: string; digest?: string }

function Verify(p: { url: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [salt, setSalt] = useState('');
  const [recordId, setRecordId] = useState('');
  const [result, setResult] = useState<VerifyResult | null>(null);
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  function take(f: File | undefined | null) { if (f) { setFile(f); setResult(null); } }

  async function verify(e: Event) {
    e.preventDefault();
    if (!file) { setResult({ kind: 'error', text: 'Choose or drop a file first. Nothing was checked.' }); return; }
    setBusy(true);
    setResult(null);
    try {
      const { api } = requireApi();
      const text = await file.text();
      let json: any;
      try { json = JSON.parse(text); } catch (err) {
        throw new Error(`${file.name} is not JSON (${(err as Error).message}): only FHIR JSON resources can be checked here.`);
      }
      const ext = anchorExtension(json);
      let rid = recordId.trim() || ext?.recordId || '';
      let s = salt.trim();
      if ((!s || !rid) && json?.resourceType && json?.id) {
        const version = /^\d+$/.test(String(json.meta?.versionId ?? '')) ? Number(json.meta.versionId) : undefined;
        try {
          const a = await service('Reading the salt from the gateway', () => gateway(p.url).anchorStatus(json.resourceType, json.id, { version }));
          if (!s && a.salt) s = a.salt;
          if (!rid && a.recordId) rid = a.recordId;
        } catch (err) {
          if (!s) throw new Error(`No salt: ${(err as Error).message}. Enter the salt of this version.`);
        }
      }
      if (!rid) throw new Error('No record id: the file carries no anchor extension and the gateway does not know it. Enter the record id.');
      if (!/^0x[0-9a-fA-F]{64}$/.test(rid)) throw new Error(`"${rid}" is not a record id (0x and 64 hex digits).`);
      if (!s) throw new Error('No salt for this version: enter it (the gateway keeps it in the record\'s metadata, $anchor).');
      let digest: string;
      try { digest = recordDigest(withoutAnchorExtension(json), s); } catch (err) {
        throw new Error(`Cannot compute the digest: ${(err as Error).message}`);
      }
      const v: any = await records.verify(api, rid, digest);
      switch (v.status) {
        case 'valid':
          setResult({ kind: 'ok', digest, text: `Matches its anchor: ${file.name} is version ${v.version} of record ${shortHex(rid)}, its current version, on the finalized chain.` });
          break;
        case 'superseded':
          setResult({ kind: 'warn', digest, text: `Matches an older version: ${file.name} is version ${v.version} of record ${shortHex(rid)}; the latest is version ${v.latest}.` });
          break;
        case 'retracted':
          setResult({ kind: 'warn', digest, text: `Record ${shortHex(rid)} was retracted (deleted at the patient's or the author's request): this copy is no longer valid.` });
          break;
        default:
          setResult({ kind: 'error', digest, text: `${file.name} does not match its anchor: no version of record ${shortHex(rid)} has the digest ${shortHex(digest)}. The file was altered, or the salt is not this version's.` });
      }
    } catch (err) {
      setResult({ kind: 'error', text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Verify a file against the chain" intro="Drop a FHIR JSON file (as the gateway served it). Its digest is computed in this browser (RFC 8785 + blake2-256 with the version's salt) and checked with records_verify.">
      <form class="form" onSubmit={verify} noValidate>
        <div class={`dropzone${over ? ' over' : ''}`} data-testid="dropzone"
          onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)}
          onDrop={(e) => { e.preventDefault(); setOver(false); take(e.dataTransfer?.files?.[0]); }}>
          <p>{file ? <>File: <strong>{file.name}</strong> ({num(file.size)} bytes)</> : 'Drop a file here, or choose one:'}</p>
          <label for="verify-file">File to verify</label>
          <input id="verify-file" ref={input} type="file" accept=".json,application/json,application/fhir+json" onChange={(e) => take((e.target as HTMLInputElement).files?.[0])} />
        </div>
        <Field label="Salt (hex)" value={salt} onInput={setSalt} mono name="salt" hint="Leave empty to read it from the gateway's record metadata ($anchor of the file's version)." />
        <Field label="Record id" value={recordId} onInput={setRecordId} mono name="record-id" hint="Leave empty to use the one in the file's anchor extension." />
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Checking…' : 'Verify'}</button>
      </form>
      <div aria-live="polite" data-testid="verify-result">
        {result && <Notice kind={result.kind === 'ok' ? 'ok' : result.kind === 'warn' ? 'warn' : 'error'}>
          {result.text}{result.digest && <><br /><span class="muted">Digest computed here: <span class="mono">{result.digest}</span></span></>}
        </Notice>}
      </div>
    </Section>
  );
}

function Retrieve(p: { url: string }) {
  const [custodian, setCustodian] = useState('');
  const [resource, setResource] = useState('');
  const [purpose, setPurpose] = useState('treatment');
  const [patientAcct, setPatientAcct] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const cu = custodian.trim();
    if (!isValidAddress(cu)) errs.custodian = cu ? `"${cu}" is not a valid account address.` : 'Enter the custodian organisation\'s account.';
    if (!/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(resource.trim())) errs.resource = 'Name the resource as Type/id, e.g. Observation/0b6c….';
    const pa = patientAcct.trim();
    if (pa && !isValidAddress(pa)) errs.patient = `"${pa}" is not a valid account address.`;
    setErrors(errs);
    if (Object.keys(errs).length) { setResult({ kind: 'error', text: `${Object.values(errs).join(' ')} Nothing was sent.` }); return; }
    setBusy(true);
    setResult(null);
    try {
      const out = await service('Retrieving the record', () => gateway(p.url).retrieve({
        custodian: cu, resource: resource.trim(), purpose, ...(pa ? { patient: pa } : {}) }));
      setResult({ kind: 'ok', text: `Received ${resource.trim()} from ${who(cu)}: version ${out.version}, ${out.verification === 'current' ? 'the current version' : 'an older version'} of record ${shortHex(out.recordId ?? '')}, verified against the chain at block ${num(out.verifiedAtBlock ?? 0)}; released on the basis of ${String(out.basis ?? 'consent').startsWith('break') ? 'emergency access' : "the patient's consent"}. The release is recorded on chain by the custodian.` });
    } catch (err) {
      setResult({ kind: 'error', text: (err as Error).message });
    } finally { setBusy(false); }
  }

  return (
    <Section title="Request a record from another organisation" intro="Your gateway signs the request with your organisation's key; the custodian releases it only if the patient's consent covers you, and records the disclosure on chain.">
      <form class="form" onSubmit={submit} noValidate>
        <Field label="Custodian organisation's account" value={custodian} onInput={setCustodian} list="known-accounts" mono error={errors.custodian} name="custodian" />
        <Field label="Resource (Type/id)" value={resource} onInput={setResource} mono error={errors.resource} name="retrieve-resource" />
        <Select label="Purpose" value={purpose} onChange={setPurpose} options={[['treatment', 'Treatment'], ['payment', 'Payment for care'], ['operations', 'Health-care operations'], ['research', 'Research']]} />
        <Field label="Patient's account (optional)" value={patientAcct} onInput={setPatientAcct} list="known-accounts" mono error={errors.patient} name="retrieve-patient" />
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Requesting…' : 'Request the record'}</button>
      </form>
      <div aria-live="polite" data-testid="retrieve-result">{result && <Notice kind={result.kind}>{result.text}</Notice>}</div>
    </Section>
  );
}

function ClaimSubmit(p: { signer: PortalSigner; me: string }) {
  const c = useChain();
  const info = c.info!;
  const reg = useRegistry();
  const list = useStore(uploads);
  const insurers = reg.filter((x) => x.roles.includes('Insurer' as any) && x.status === 'Active');
  const [insurer, setInsurer] = useState('');
  const [patientAcct, setPatientAcct] = useState('');
  const [amount, setAmount] = useState('');
  const [recordIds, setRecordIds] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const tx = useTx();
  const anchored = list.filter((u) => u.anchor.recordId && u.type !== 'Patient');
  const defaultPatient = list.find((u) => u.patientAccount)?.patientAccount ?? '';

  async function submit(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const ins = (insurer || insurers[0]?.account || '').trim();
    const pa = (patientAcct || defaultPatient).trim();
    if (!isValidAddress(ins)) errs.insurer = ins ? `"${ins}" is not a valid account address.` : 'Choose the insurer.';
    if (!isValidAddress(pa)) errs.patient = pa ? `"${pa}" is not a valid account address.` : 'Enter the patient\'s account.';
    let units = 0n;
    try { units = parseAmount(amount, info.decimals, info.symbol); } catch (err) { errs.amount = (err as Error).message; }
    const ids = (recordIds || anchored.map((u) => u.anchor.recordId).join('\n')).split(/[\s,]+/).filter(Boolean);
    if (!ids.length) errs.records = 'Name at least one anchored record the claim is for.';
    const bad = ids.find((x) => !/^0x[0-9a-fA-F]{64}$/.test(x));
    if (bad) errs.records = `"${bad}" is not a record id (0x and 64 hex digits).`;
    setErrors(errs);
    if (Object.keys(errs).length) { tx.refuse('Submit a claim', Object.values(errs).join(' ')); return; }
    // The FHIR Claim stays off chain; its salted digest is anchored with the claim.
    const claimDoc = { resourceType: 'Claim', status: 'active', use: 'claim', created: new Date().toISOString(),
      provider: { identifier: { system: 'urn:healthchain:account', value: p.me } },
      insurer: { identifier: { system: 'urn:healthchain:account', value: ins } },
      patient: { identifier: { system: 'urn:healthchain:account', value: pa } },
      total: { value: Number(amountInput(units, info.decimals)), currency: info.symbol },
      supportingInfo: ids.map((id, i) => ({ sequence: i + 1, category: { text: 'record' }, valueString: id })) };
    const digest = recordDigest(claimDoc, randomSalt());
    await tx.run(`Submit a claim of ${formatAmount(units, info.decimals, info.symbol)} to ${nameOf(canonical(ins))}`, (onStatus) =>
      claims.submit(requireApi().api, p.signer, ins, pa, digest, units, ids, { finalized: true, onStatus }),
    (r) => {
      const ev = r.events?.find((x: any) => x.section === 'claims' && x.method === 'ClaimSubmitted');
      const id = ev ? (ev.data as any).claimId?.toString() ?? ev.data[0]?.toString() : '?';
      return `Claim #${id} submitted to ${who(ins)}.`;
    });
  }

  return (
    <Section title="Submit a claim" intro="Bill an insurer for care backed by anchored records. The chain checks the patient's consent for the insurer (Billing, Payment) and your care relationship (a Treatment grant covering each record).">
      <form class="form" onSubmit={submit} noValidate>
        <Select label="Insurer" value={insurer || insurers[0]?.account || ''} onChange={setInsurer}
          options={insurers.length ? insurers.map((x) => [x.account, who(x.account)] as [string, string]) : [['', 'No active insurer found']]} />
        <Field label="Patient's account" value={patientAcct || defaultPatient} onInput={setPatientAcct} list="known-accounts" mono error={errors.patient} name="claim-patient" />
        <Field label={`Amount (${info.symbol})`} value={amount} onInput={setAmount} inputMode="decimal" error={errors.amount} name="claim-amount" hint={`Up to ${info.decimals} decimals.`} />
        <TextArea label="Record ids (one per line)" value={recordIds || anchored.map((u) => u.anchor.recordId).join('\n')} onInput={setRecordIds} rows={3} error={errors.records} name="claim-records" />
        {errors.insurer && <div class="field-error" role="alert">{errors.insurer}</div>}
        <button type="submit" class="primary" disabled={tx.busy}>Submit the claim</button>
        <TxStatus view={tx.view} />
      </form>
    </Section>
  );
}

function MyClaims(p: { signer: PortalSigner; me: string }) {
  const c = useChain();
  const info = c.info!;
  const data = useAsync(async () => (await claims.all(requireApi().api, p.me)).filter((x) => canonical(x.provider) === canonical(p.me)), [p.me, c.api, c.finalized && Math.floor(c.finalized / 5)]);
  const tx = useTx();
  async function dispute(id: number) {
    const reason = recordDigest({ resourceType: 'Task', description: `Appeal of claim ${id}` }, randomSalt());
    await tx.run(`Dispute claim #${id}`, (onStatus) => claims.dispute(requireApi().api, p.signer, id, reason, { finalized: true, onStatus }),
      () => `Claim #${id} is disputed; the council resolves it.`);
    data.reload();
  }
  async function withdraw(id: number) {
    await tx.run(`Withdraw claim #${id}`, (onStatus) => claims.withdraw(requireApi().api, p.signer, id, { finalized: true, onStatus }),
      () => `Claim #${id} withdrawn.`);
    data.reload();
  }
  const list = data.data ?? [];
  return (
    <Section title="My claims">
      {data.error && <Notice kind="error">{data.error}</Notice>}
      {data.data && list.length === 0 && <p>You have submitted no claim.</p>}
      {list.length > 0 && (
        <table data-testid="my-claims">
          <thead><tr><th scope="col">#</th><th scope="col">Insurer</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col">Action</th></tr></thead>
          <tbody>
            {list.map((cl) => (
              <tr key={cl.id}>
                <td>{cl.id}</td><td>{who(cl.insurer)}</td><td>{formatAmount(cl.amount, info.decimals, info.symbol)}</td>
                <td>{statusWords(cl.status, info)}</td>
                <td>
                  {cl.status.state === 'submitted' && <button type="button" disabled={tx.busy} onClick={() => withdraw(cl.id)}>Withdraw<span class="sr-only"> claim {cl.id}</span></button>}
                  {(cl.status.state === 'denied' || (cl.status.state === 'settled' && BigInt(cl.status.paid) < BigInt(cl.amount))) &&
                    <button type="button" disabled={tx.busy} onClick={() => dispute(cl.id)}>Dispute<span class="sr-only"> claim {cl.id}</span></button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <TxStatus view={tx.view} />
    </Section>
  );
}

export function statusWords(s: any, info: { decimals: number; symbol: string }): string {
  switch (s.state) {
    case 'submitted': return 'Submitted, awaiting the insurer';
    case 'approved': return `Approved: ${formatAmount(s.approved, info.decimals, info.symbol)} held in escrow`;
    case 'denied': return `Denied (reason ${s.reason})`;
    case 'settled': return `Settled: ${formatAmount(s.paid, info.decimals, info.symbol)} paid`;
    case 'disputed': return 'Disputed, awaiting the council';
    case 'resolved': return `Resolved: ${formatAmount(s.award, info.decimals, info.symbol)} awarded`;
    case 'withdrawn': return 'Withdrawn';
    default: return s.state;
  }
}

export { Addr };
