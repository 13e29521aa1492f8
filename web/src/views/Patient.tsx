// The patient's view: consents in words, grant / change / revoke, guardians, who accessed my
// records (indexer), break-glass windows on me. Every action is a fee-less patient call.
import { useState } from 'preact/hooks';
import { canonical, nameOf } from '../accounts';
import type { PortalSigner } from '../accounts';
import { requireApi } from '../chain';
import { Addr, Checkboxes, Field, KnownAccounts, Notice, Section, TxStatus } from '../components';
import { blockToDate, expiryDateToBlock, formatAmount, formatDate, formatDateTime, isoDay, listWords, num, shortHex } from '../format';
import { refreshRegistry, useAccount, useAsync, useChain, useRegistry, who } from '../hooks';
import { indexerFor, service } from '../services';
import {
  PURPOSES, SCOPES, balance, chainName, consent, isValidAddress, label, patient, type PatientAction,
  bits,
} from '../sdk';
import { useTx } from '../tx';

const SCOPE_OPTIONS = Object.keys(SCOPES).map((k) => [k, label('scope', k)] as [string, string]);
const PURPOSE_OPTIONS = Object.keys(PURPOSES).map((k) => [k, label('purpose', k)] as [string, string]);

function scopeKey(n: string): string { return chainName(Object.keys(SCOPES), n) ?? n; }
function purposeKey(n: string): string { return chainName(Object.keys(PURPOSES), n) ?? n; }

export function PatientView() {
  const c = useChain();
  const me = useAccount();
  useRegistry();
  const [tick, setTick] = useState(0);
  const refresh = () => setTick((t) => t + 1);

  if (!me) return <Notice kind="info">Choose an account above (turn on development accounts, or connect the browser extension) to see your consents.</Notice>;
  const connected = c.status === 'connected' && c.api;

  return (
    <div class="view">
      <h1>Patient: {me.name}</h1>
      <p class="lead">You decide which providers may see which of your records, for what, and until when. Granting, changing and revoking cost you nothing: they are fee-less patient calls signed with your key.</p>
      {!connected && <Notice kind="info">Your consents are read from the chain: they appear once the node answers.</Notice>}
      {connected && <PatientSummary address={me.address} tick={tick} />}
      {connected && <Consents address={me.address} signer={me.signer} tick={tick} onChange={refresh} />}
      {connected && <Guardians address={me.address} signer={me.signer} tick={tick} onChange={refresh} />}
      {connected && <Accesses address={me.address} signer={me.signer} tick={tick} />}
      {connected && <BreakGlass address={me.address} signer={me.signer} tick={tick} onChange={refresh} />}
    </div>
  );
}

function PatientSummary(p: { address: string; tick: number }) {
  const c = useChain();
  const { data } = useAsync(async () => {
    const { api } = requireApi();
    const [bal, q] = await Promise.all([balance(api, p.address), patient.quota(api, p.address)]);
    return { bal, q };
  }, [p.address, p.tick, c.api]);
  const info = c.info!;
  return (
    <p class="summary" data-testid="patient-summary">
      Account <Addr a={p.address} name={p.address} />. Balance{' '}
      <strong data-testid="patient-balance">{data ? formatAmount(data.bal.free, info.decimals, info.symbol) : '…'}</strong>
      {data && data.bal.free === 0n && ' (none needed)'}. Fee-less grants used today:{' '}
      {data ? `${data.q.used} of ${data.q.quota}` : '…'} (revoking is never limited).
    </p>
  );
}

interface GrantForm { grantee: string; scopes: string[]; purposes: string[]; until: string }

function Consents(p: { address: string; signer: PortalSigner; tick: number; onChange: () => void }) {
  const c = useChain();
  const info = c.info!;
  const grants = useAsync(() => consent.grantsOf(requireApi().api, p.address), [p.address, p.tick, c.api]);
  const [form, setForm] = useState<GrantForm>({ grantee: '', scopes: ['Clinical'], purposes: ['Treatment'], until: isoDay(90) });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const tx = useTx();
  const revokeTx = useTx();

  async function grant(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const grantee = form.grantee.trim();
    if (!isValidAddress(grantee)) errs.grantee = grantee ? `"${grantee}" is not a valid account address.` : 'Enter the provider\'s account address.';
    else if (canonical(grantee) === canonical(p.address)) errs.grantee = 'You cannot grant access to yourself.';
    if (!form.scopes.length) errs.scopes = 'Choose at least one category of records.';
    if (!form.purposes.length) errs.purposes = 'Choose at least one purpose.';
    let expiresAt: number | null = null;
    try {
      const { best } = requireApi();
      if (form.until) expiresAt = expiryDateToBlock(form.until, best, info.blockMs);
    } catch (err) { errs.until = (err as Error).message; }
    setErrors(errs);
    if (Object.keys(errs).length) {
      tx.refuse('Grant access', Object.values(errs).join(' '));
      return;
    }
    const action: PatientAction = { Grant: { grantee, scopes: bits(SCOPES, form.scopes), purposes: bits(PURPOSES, form.purposes), expiresAt, consentDigest: null } };
    const r = await tx.run(`Grant ${nameOf(canonical(grantee))} access`, (onStatus) =>
      patient.send(requireApi().api, p.signer, action, { finalized: true, onStatus }),
    () => `${who(grantee)} may now see your ${listWords(form.scopes.map((s) => label('scope', s)))} records for ${listWords(form.purposes.map((x) => label('purpose', x).toLowerCase()))}${form.until ? ` until ${formatDate(new Date(`${form.until}T00:00`))}` : ''}.`);
    if (r?.ok) { grants.reload(); p.onChange(); }
  }

  async function revoke(grantee: string) {
    const r = await revokeTx.run(`Revoke ${nameOf(canonical(grantee))}'s access`, (onStatus) =>
      patient.send(requireApi().api, p.signer, { Revoke: { grantee } }, { finalized: true, onStatus }),
    () => `${who(grantee)} can no longer see your records.`);
    if (r?.ok) { grants.reload(); p.onChange(); }
  }

  function change(g: { grantee: string; scopes: string[]; purposes: string[]; expiresAt: number }) {
    const best = c.best ?? 0;
    const d = blockToDate(g.expiresAt - 1, best, info.blockMs);
    setForm({ grantee: g.grantee, scopes: g.scopes.map(scopeKey), purposes: g.purposes.map(purposeKey), until: isoDay(0, d.getTime()) });
    setErrors({});
    document.getElementById('grant-form')?.scrollIntoView({ block: 'start' });
    (document.querySelector('#grant-form input') as HTMLInputElement | null)?.focus();
  }

  const list = grants.data ?? [];
  const live = list.filter((g) => g.live);
  return (
    <Section title="My consents" intro="Who may see which of your records, for what, and until when.">
      {grants.error && <Notice kind="error">Could not read your consents: {grants.error}</Notice>}
      {grants.loading && !grants.data && <p class="muted">Loading…</p>}
      {grants.data && live.length === 0 && <p data-testid="no-consents">You have not given anyone access.</p>}
      <ul class="consents" data-testid="consents">
        {live.map((g) => {
          const scopes = g.scopes.map((s) => label('scope', scopeKey(s)));
          const purposes = g.purposes.map((s) => label('purpose', purposeKey(s)).toLowerCase());
          // expiresAt is the first block without access: the last day of access ends just before it.
          const until = blockToDate(g.expiresAt - 1, c.best ?? 0, info.blockMs);
          return (
            <li key={g.grantee} class="consent" data-grantee={g.grantee}>
              <p>
                <strong>{who(g.grantee)}</strong> may see your <strong>{listWords(scopes)}</strong> records for{' '}
                <strong>{listWords(purposes)}</strong> until <strong>{formatDate(until)}</strong>{' '}
                <span class="muted">(block {num(g.expiresAt)}; granted at block {num(g.grantedAt)}{canonical(g.grantedBy) !== canonical(p.address) ? ` by your guardian ${nameOf(canonical(g.grantedBy))}` : ''})</span>.
              </p>
              <div class="actions">
                <button type="button" onClick={() => change(g)}>Change<span class="sr-only"> {nameOf(canonical(g.grantee))}'s access</span></button>
                <button type="button" class="danger" disabled={revokeTx.busy} onClick={() => revoke(g.grantee)}>Revoke<span class="sr-only"> {nameOf(canonical(g.grantee))}'s access</span></button>
              </div>
            </li>
          );
        })}
      </ul>
      <TxStatus view={revokeTx.view} />
      <form id="grant-form" class="form" onSubmit={grant} noValidate>
        <h3>Give or change access</h3>
        <KnownAccounts id="known-accounts" />
        <Field label="Provider's account" value={form.grantee} list="known-accounts" mono name="grantee"
          onInput={(v) => setForm({ ...form, grantee: v })} error={errors.grantee}
          hint="The organisation's address (choose a known one or paste it). Granting again to the same provider replaces its access." />
        <Checkboxes legend="Which records" options={SCOPE_OPTIONS} value={form.scopes} onChange={(v) => setForm({ ...form, scopes: v })} />
        {errors.scopes && <div class="field-error" role="alert">{errors.scopes}</div>}
        <Checkboxes legend="For what" options={PURPOSE_OPTIONS} value={form.purposes} onChange={(v) => setForm({ ...form, purposes: v })} />
        {errors.purposes && <div class="field-error" role="alert">{errors.purposes}</div>}
        <Field label="Until (last day of access)" type="date" value={form.until} name="until" min={isoDay(0)}
          onInput={(v) => setForm({ ...form, until: v })} error={errors.until}
          hint={`Access ends at the end of that day (converted to a block number: ${info.blockMs / 1000} s blocks). Empty: the maximum, one year.`} />
        <button type="submit" class="primary" disabled={tx.busy}>Grant access</button>
        <TxStatus view={tx.view} />
      </form>
    </Section>
  );
}

function Guardians(p: { address: string; signer: PortalSigner; tick: number; onChange: () => void }) {
  const c = useChain();
  const list = useAsync(async () => (await requireApi().api.query.consent.guardians(p.address)).map((g) => g.toString()), [p.address, p.tick, c.api]);
  const [guardian, setGuardian] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const tx = useTx();

  async function add(e: Event) {
    e.preventDefault();
    const g = guardian.trim();
    let problem: string | null = null;
    if (!isValidAddress(g)) problem = g ? `"${g}" is not a valid account address.` : 'Enter the guardian\'s account address.';
    else if (canonical(g) === canonical(p.address)) problem = 'You cannot be your own guardian.';
    setErr(problem);
    if (problem) { tx.refuse('Add a guardian', problem); return; }
    const r = await tx.run(`Add ${nameOf(canonical(g))} as guardian`, (onStatus) =>
      patient.send(requireApi().api, p.signer, { AddGuardian: { guardian: g } }, { finalized: true, onStatus }),
    () => `${nameOf(canonical(g))} can now grant and revoke for you.`);
    if (r?.ok) { setGuardian(''); list.reload(); p.onChange(); }
  }

  async function remove(g: string) {
    const r = await tx.run(`Remove guardian ${nameOf(g)}`, (onStatus) =>
      patient.send(requireApi().api, p.signer, { RemoveGuardian: { guardian: g } }, { finalized: true, onStatus }),
    () => `${nameOf(g)} is no longer your guardian.`);
    if (r?.ok) { list.reload(); p.onChange(); }
  }

  return (
    <Section title="Guardians" intro="A guardian (a parent, a representative) may grant and revoke for you, and close emergency access. At most four.">
      {list.data && list.data.length === 0 && <p>You have no guardian.</p>}
      <ul class="plain" data-testid="guardians">
        {(list.data ?? []).map((g) => (
          <li key={g}>{nameOf(g)} <span class="muted mono">{g}</span>{' '}
            <button type="button" class="danger" disabled={tx.busy} onClick={() => remove(g)}>Remove<span class="sr-only"> guardian {nameOf(g)}</span></button>
          </li>
        ))}
      </ul>
      <form class="form inline" onSubmit={add} noValidate>
        <Field label="Guardian's account" value={guardian} onInput={setGuardian} list="known-accounts" mono error={err} name="guardian" />
        <button type="submit" disabled={tx.busy}>Add guardian</button>
      </form>
      <TxStatus view={tx.view} />
    </Section>
  );
}

function basisWords(a: any): string {
  if (a.basis === 'consent') return 'your consent';
  if (a.basis === 'break_glass' || a.basis === 'breakGlass') return `emergency access (break-glass #${a.breakGlassId})`;
  return `no basis at the time it was recorded${a.denial ? ` (${label('accessDenial', a.denial).toLowerCase()})` : ''}`;
}

function Accesses(p: { address: string; signer: PortalSigner; tick: number }) {
  const c = useChain();
  const data = useAsync(async () => {
    const ix = await indexerFor(p.signer);
    return service('Reading the audit trail', () => ix.accesses(p.address, { limit: 100 }));
  }, [p.address, p.tick, c.info?.genesisHash]);
  const items: any[] = (data.data as any)?.items ?? [];
  return (
    <Section title="Who accessed my records" intro="Every access a provider logged, and every time an organisation released one of your records to another, from the audit trail (the indexer, finalized blocks only).">
      <button type="button" onClick={data.reload} disabled={data.loading}>{data.loading ? 'Loading…' : 'Refresh'}</button>
      {data.error && <Notice kind="error">{data.error}</Notice>}
      {!data.error && data.data && items.length === 0 && <p data-testid="no-accesses">Nobody has accessed your records.</p>}
      {items.length > 0 && (
        <table data-testid="accesses">
          <caption class="sr-only">Accesses to your records, oldest first</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Why</th><th scope="col">Basis</th></tr></thead>
          <tbody>
            {items.map((a) => (
              <tr key={`${a.block}-${a.eventIndex}`}>
                <td>{a.time ? formatDateTime(new Date(a.time)) : ''} <span class="muted">block {num(a.block)}</span></td>
                <td>{a.kind === 'disclosed'
                  ? <>{who(a.accessor)} <span class="muted">received it from {nameOf(canonical(a.custodian))}</span></>
                  : who(a.accessor)}</td>
                <td>{label('scope', a.scope)} record <span class="mono">{shortHex(a.recordId)}</span></td>
                <td>{label('purpose', a.purpose)}</td>
                <td data-basis={a.basis}>{basisWords(a)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function BreakGlass(p: { address: string; signer: PortalSigner; tick: number; onChange: () => void }) {
  const c = useChain();
  const info = c.info!;
  const data = useAsync(async () => {
    const { api } = requireApi();
    const open = await consent.openWindows(api, p.address);
    let history: any[] | null = null;
    let historyError: string | null = null;
    try {
      const ix = await indexerFor(p.signer);
      history = ((await service('Reading the history', () => ix.breakGlass(p.address, {}))) as any).items ?? [];
    } catch (e) { historyError = (e as Error).message; }
    return { open, history, historyError };
  }, [p.address, p.tick, c.api]);
  const tx = useTx();

  async function close(provider: string) {
    const r = await tx.run(`Close ${nameOf(canonical(provider))}'s emergency access`, (onStatus) =>
      patient.send(requireApi().api, p.signer, { CloseBreakGlass: { patient: p.address, provider } }, { finalized: true, onStatus }),
    () => `${nameOf(canonical(provider))}'s emergency access is closed; the opening stays on record for review.`);
    if (r?.ok) { data.reload(); p.onChange(); }
  }

  const open = data.data?.open ?? [];
  const history = data.data?.history ?? [];
  return (
    <Section title="Emergency access (break-glass) on me" intro="An emergency provider may open a 12-hour treatment window without your consent. You are told, you can close it, and the council reviews every opening.">
      {open.length > 0 && (
        <ul class="plain" data-testid="open-windows">
          {open.map((w) => (
            <li key={w.id}>
              <Notice kind="warn">
                <strong>{who(w.provider)}</strong> has emergency access (#{w.id}) until {formatDateTime(blockToDate(w.expiresAt, c.best ?? 0, info.blockMs))}{w.info && <>; reason: {label('breakGlassReason', w.info.reason).toLowerCase()}; review: {label('review', w.info.review).toLowerCase()}</>}.{' '}
                <button type="button" class="danger" disabled={tx.busy} onClick={() => close(w.provider)}>Close now<span class="sr-only"> {nameOf(canonical(w.provider))}'s emergency access</span></button>
              </Notice>
            </li>
          ))}
        </ul>
      )}
      <TxStatus view={tx.view} />
      {data.data && open.length === 0 && history.length === 0 && <p data-testid="no-break-glass">No emergency access has been opened on you.</p>}
      {data.data?.historyError && <p class="muted">History unavailable (indexer): {data.data.historyError}</p>}
      {history.length > 0 && (
        <table data-testid="break-glass-history">
          <caption class="sr-only">Emergency accesses opened on you</caption>
          <thead><tr><th scope="col">#</th><th scope="col">Provider</th><th scope="col">Reason</th><th scope="col">Opened</th><th scope="col">State</th><th scope="col">Review</th></tr></thead>
          <tbody>
            {history.map((w: any) => (
              <tr key={w.id}>
                <td>{w.id}</td><td>{who(w.provider)}</td><td>{label('breakGlassReason', w.reason)}</td>
                <td>{w.openedAt ? formatDateTime(new Date(w.openedAt)) : `block ${w.openedBlock}`}</td>
                <td>{w.state === 'open' ? 'Open' : `Closed${w.closeCause ? ` (${label('closeCause', w.closeCause).toLowerCase()})` : ''}`}</td>
                <td>{w.review === 'pending' ? 'Awaiting review' : label('verdict', w.verdict ?? w.review)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export { refreshRegistry };
