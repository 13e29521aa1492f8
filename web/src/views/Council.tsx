// The council's view: provider applications, validators and sessions, open motions with their
// votes (propose / vote / close), break-glass reviews.
import { useState } from 'preact/hooks';
import type { ApiPromise } from '@polkadot/api';
import { canonical, nameOf } from '../accounts';
import type { PortalSigner } from '../accounts';
import { requireApi } from '../chain';
import { Field, Notice, Section, TxStatus } from '../components';
import { blockToDate, formatAmount, formatDateTime, num, parseAmount } from '../format';
import { refreshRegistry, useAccount, useAsync, useChain, useRegistry, who } from '../hooks';
import { claims, council, isValidAddress, label, providers, validators, type Motion } from '../sdk';
import { useTx } from '../tx';

export function CouncilView() {
  const c = useChain();
  const me = useAccount();
  useRegistry();
  const [tick, setTick] = useState(0);
  const bump = () => setTick((t) => t + 1);
  if (!me) return <Notice kind="info">Choose a council member's account above.</Notice>;
  if (c.status !== 'connected') return <div class="view"><h1>Council</h1><Notice kind="info">The council's business is read from the chain: it appears once the node answers.</Notice></div>;
  return (
    <div class="view">
      <h1>Council</h1>
      <CouncilBody me={me.address} signer={me.signer} tick={tick} onChange={bump} />
    </div>
  );
}

/** The threshold of a 2/3 motion for `n` members. */
function twoThirds(n: number): number { return Math.max(1, Math.ceil((2 * n) / 3)); }

function CouncilBody(p: { me: string; signer: PortalSigner; tick: number; onChange: () => void }) {
  const c = useChain();
  const data = useAsync(async () => {
    const { api } = requireApi();
    await refreshRegistry(api);
    const [members, pending, motions, vs, candidates, reviews] = await Promise.all([
      council.members(api), providers.pending(api), council.openMotions(api), validators.status(api),
      validators.candidates(api).catch(() => []), pendingReviews(api),
    ]);
    return { members, pending, motions, vs, candidates, reviews };
  }, [p.me, p.tick, c.api]);
  const tx = useTx();
  const d = data.data;
  const isMember = !!d?.members.some((m) => canonical(m) === canonical(p.me));
  const threshold = twoThirds(d?.members.length ?? 3);

  /** The open motion (its index) whose call is `call` about `key` (an account or an id), if any. */
  const openMotion = (calls: string[], match: (args: Record<string, any>) => boolean) =>
    d?.motions.find((m) => calls.includes(m.call) && match(m.args as Record<string, any>));

  async function propose(what: string, call: any) {
    const r = await tx.run(`Propose: ${what}`, (onStatus) => council.propose(requireApi().api, p.signer, call, threshold, { finalized: true, onStatus }),
      (res: any) => res.executed ? `${what}: executed at once.` : `Motion #${res.proposalIndex} proposed: ${what}. It needs ${threshold} ayes; members vote below.`);
    if (r) { data.reload(); p.onChange(); }
  }

  return (
    <>
      <p class="lead">Members: {d ? d.members.map((m) => nameOf(canonical(m))).join(', ') : '…'}. Motions pass with {threshold} of {d?.members.length ?? '…'} ayes (two thirds).
        {d && !isMember && <strong class="warn-text"> The signed-in account is not a member: the chain refuses its proposals and votes.</strong>}</p>
      {data.error && <Notice kind="error">{data.error}</Notice>}
      <TxStatus view={tx.view} />
      <Motions motions={d?.motions ?? []} me={p.me} signer={p.signer} members={d?.members ?? []} onChange={() => { data.reload(); p.onChange(); }} />
      <Section title="Provider applications" intro="Organisations that registered (a deposit held) and wait for the council's approval.">
        {d && d.pending.length === 0 && <p data-testid="no-applications">No application is pending.</p>}
        <ul class="plain" data-testid="applications">
          {(d?.pending ?? []).map((a) => {
            const open = openMotion(['providers.approve', 'providers.reject'], (x) => typeof x.who === 'string' && canonical(x.who) === canonical(a.account));
            return (
            <li key={a.account} data-applicant={a.account} class="card-inner">
              <strong>{nameOf(canonical(a.account))}</strong> <span class="mono muted">{a.account}</span>: applies as {a.roles.map((r) => label('role', r)).join(', ')}; registered at block {num(a.registeredAt)}; credential valid until block {num(a.credentialExpiresAt)}; deposit {formatAmount(a.deposit, c.info!.decimals, c.info!.symbol)}.
              {open && <p class="muted">Motion #{open.index} is open ({motionWords(open)}): vote on it above.</p>}
              <div class="actions">
                <button type="button" disabled={tx.busy || !!open} onClick={() => propose(`approve provider ${nameOf(canonical(a.account))}`, providers.approveCall(requireApi().api, a.account))}>Propose approval<span class="sr-only"> of {nameOf(canonical(a.account))}</span></button>
                <button type="button" disabled={tx.busy || !!open} onClick={() => propose(`reject provider ${nameOf(canonical(a.account))}`, providers.rejectCall(requireApi().api, a.account))}>Propose rejection<span class="sr-only"> of {nameOf(canonical(a.account))}</span></button>
              </div>
            </li>
            );
          })}
        </ul>
      </Section>
      <Section title="Validators and sessions">
        {d && (
          <>
            <p data-testid="sessions">Session {num(d.vs.sessionIndex)} (every {num(d.vs.sessionLength)} blocks). Validating now: {d.vs.current.map((v) => who(v)).join(', ') || 'none'}. Admitted: {d.vs.admitted.map((v) => nameOf(canonical(v))).join(', ') || 'none'}{d.vs.queuedChanged ? '; the set changes at the next session' : ''}.</p>
            {d.candidates.length > 0 && (
              <ul class="plain">
                {d.candidates.map((x: any) => (
                  <li key={x.account}>{who(x.account)}: {x.hasSessionKeys ? 'session keys registered' : 'no session keys yet (admission needs them)'}{' '}
                    <button type="button" disabled={tx.busy || !x.hasSessionKeys} onClick={() => propose(`admit validator ${nameOf(canonical(x.account))}`, validators.addCall(requireApi().api, x.account))}>Propose as validator<span class="sr-only"> {nameOf(canonical(x.account))}</span></button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Section>
      <Section title="Break-glass reviews" intro="Every emergency access is reviewed once; a provider's third unjustified use suspends it.">
        {d && d.reviews.length === 0 && <p data-testid="no-reviews">No emergency access awaits review.</p>}
        <ul class="plain" data-testid="reviews">
          {(d?.reviews ?? []).map((w) => {
            const open = openMotion(['consent.reviewBreakGlass'], (x) => String(x.id).replace(/,/g, '') === String(w.id));
            return (
            <li key={w.id} class="card-inner" data-review={w.id}>
              #{w.id}: <strong>{who(w.provider)}</strong> opened emergency access on patient {nameOf(canonical(w.patient))} at block {num(w.openedAt)} ({label('breakGlassReason', w.reason)}); {w.open ? `open until ${formatDateTime(blockToDate(w.expiresAt, c.best ?? 0, c.info!.blockMs))}` : `closed at block ${num(w.expiresAt)}`}.
              {open && <p class="muted">Motion #{open.index} is open ({motionWords(open)}): vote on it above.</p>}
              <div class="actions">
                <button type="button" disabled={tx.busy || !!open} onClick={() => propose(`break-glass #${w.id} was justified`, requireApi().api.tx.consent.reviewBreakGlass(w.id, 'Justified'))}>Propose: justified<span class="sr-only"> (#{w.id})</span></button>
                <button type="button" disabled={tx.busy || !!open} onClick={() => propose(`break-glass #${w.id} was unjustified`, requireApi().api.tx.consent.reviewBreakGlass(w.id, 'Unjustified'))}>Propose: unjustified<span class="sr-only"> (#{w.id})</span></button>
              </div>
            </li>
            );
          })}
        </ul>
      </Section>
      <OtherMotion busy={tx.busy} propose={propose} />
    </>
  );
}

function OtherMotion(p: { busy: boolean; propose: (what: string, call: any) => Promise<void> }) {
  const c = useChain();
  const info = c.info!;
  const [validator, setValidator] = useState('');
  const [claimId, setClaimId] = useState('');
  const [award, setAward] = useState('');
  const [err, setErr] = useState<Record<string, string>>({});
  function admit(e: Event) {
    e.preventDefault();
    const v = validator.trim();
    if (!isValidAddress(v)) { setErr({ validator: v ? `"${v}" is not a valid account address. Nothing was sent.` : 'Enter the organisation\'s account. Nothing was sent.' }); return; }
    setErr({});
    p.propose(`admit validator ${nameOf(canonical(v))}`, validators.addCall(requireApi().api, v));
  }
  function resolve(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!/^\d+$/.test(claimId.trim())) errs.claim = 'Enter the claim number. Nothing was sent.';
    let units = 0n;
    try { units = award.trim() === '0' ? 0n : parseAmount(award, info.decimals, info.symbol); } catch (x) { errs.award = `${(x as Error).message} Nothing was sent.`; }
    setErr(errs);
    if (Object.keys(errs).length) return;
    p.propose(`resolve the dispute of claim #${claimId.trim()} with an award of ${formatAmount(units, info.decimals, info.symbol)}`, claims.resolveDisputeCall(requireApi().api, Number(claimId.trim()), units));
  }
  return (
    <Section title="Other motions">
      <form class="form inline" onSubmit={admit} noValidate>
        <Field label="Admit a validator (organisation's account)" value={validator} onInput={setValidator} list="known-accounts" mono error={err.validator} name="validator" />
        <button type="submit" disabled={p.busy}>Propose</button>
      </form>
      <form class="form inline" onSubmit={resolve} noValidate>
        <Field label="Resolve the dispute of claim #" value={claimId} onInput={setClaimId} inputMode="numeric" error={err.claim} name="dispute-claim" />
        <Field label={`Award (${info.symbol})`} value={award} onInput={setAward} inputMode="decimal" error={err.award} name="dispute-award" />
        <button type="submit" disabled={p.busy}>Propose</button>
      </form>
    </Section>
  );
}

/** The motion's call in words. */
export function motionWords(m: Motion): string {
  const a = m.args as Record<string, any>;
  const whoArg = typeof a.who === 'string' ? nameOf(canonical(a.who)) : '';
  switch (m.call) {
    case 'providers.approve': return `Approve provider ${whoArg}`;
    case 'providers.reject': return `Reject provider ${whoArg}`;
    case 'providers.suspend': return `Suspend provider ${whoArg}`;
    case 'providers.reinstate': return `Reinstate provider ${whoArg}`;
    case 'providers.revoke': return `Revoke provider ${whoArg}`;
    case 'validatorSet.addValidator': return `Admit ${whoArg} as a validator`;
    case 'validatorSet.removeValidator': return `Remove validator ${whoArg}`;
    case 'consent.reviewBreakGlass': return `Review break-glass #${a.id}: ${String(a.verdict).toLowerCase()}`;
    case 'claims.resolveDispute': return `Resolve the dispute of claim #${a.claim_id ?? a.claimId} (award ${a.award})`;
    default: return `${m.call}(${Object.entries(a).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')})`;
  }
}

function Motions(p: { motions: Motion[]; me: string; signer: PortalSigner; members: string[]; onChange: () => void }) {
  const c = useChain();
  const info = c.info!;
  const tx = useTx();
  async function vote(m: Motion, aye: boolean) {
    const r = await tx.run(`Vote ${aye ? 'aye' : 'nay'} on motion #${m.index}`, (onStatus) =>
      council.vote(requireApi().api, p.signer, m.hash, m.index, aye, { finalized: true, onStatus }),
    () => `Your ${aye ? 'aye' : 'nay'} on motion #${m.index} is recorded.`);
    if (r) p.onChange();
  }
  async function close(m: Motion) {
    const r = await tx.run(`Close motion #${m.index}`, async (onStatus) => {
      const out = await council.close(requireApi().api, p.signer, m.hash, m.index, { finalized: true, onStatus });
      return { ...(out.result ?? {}), ok: out.ok, error: out.error } as any;
    }, () => `Motion #${m.index} passed and was executed: ${motionWords(m)}.`);
    if (r) { await refreshRegistry(requireApi().api); p.onChange(); }
  }
  return (
    <Section title="Open motions">
      {p.motions.length === 0 && <p data-testid="no-motions">No motion is open.</p>}
      <ul class="plain" data-testid="motions">
        {p.motions.map((m) => {
          const voted = [...m.ayes, ...m.nays].some((x) => canonical(x) === canonical(p.me));
          return (
            <li key={m.hash} class="card-inner motion" data-motion={m.index} data-call={m.call}>
              <h3>Motion #{m.index}: {motionWords(m)}</h3>
              <p>Ayes ({m.ayes.length} of {m.threshold} needed): {m.ayes.map((x) => nameOf(canonical(x))).join(', ') || 'none'}. Nays: {m.nays.map((x) => nameOf(canonical(x))).join(', ') || 'none'}. Voting ends at block {num(m.end)} ({formatDateTime(blockToDate(m.end, c.best ?? 0, info.blockMs))}).</p>
              <div class="actions">
                <button type="button" disabled={tx.busy || voted} onClick={() => vote(m, true)}>Vote aye<span class="sr-only"> on motion {m.index}</span></button>
                <button type="button" disabled={tx.busy || voted} onClick={() => vote(m, false)}>Vote nay<span class="sr-only"> on motion {m.index}</span></button>
                <button type="button" disabled={tx.busy || !m.closable} onClick={() => close(m)}>Close<span class="sr-only"> motion {m.index}</span></button>
                {voted && <span class="muted">You have voted.</span>}
                {!m.closable && <span class="muted">Closable once {m.threshold} ayes are in, or after block {num(m.end)}.</span>}
              </div>
            </li>
          );
        })}
      </ul>
      <TxStatus view={tx.view} />
    </Section>
  );
}

interface Review { id: number; patient: string; provider: string; reason: string; openedAt: number; expiresAt: number; open: boolean }

/** Break-glass windows awaiting review (chain storage, best block). */
async function pendingReviews(api: ApiPromise): Promise<Review[]> {
  const [entries, header] = await Promise.all([api.query.consent.breakGlassAccesses.entries(), api.rpc.chain.getHeader()]);
  const now = header.number.toNumber();
  return entries
    .filter(([, v]) => v.isSome && v.unwrap().review.isPending)
    .map(([k, v]) => {
      const w = v.unwrap();
      return { id: Number(k.args[0].toString()), patient: w.patient.toString(), provider: w.provider.toString(),
        reason: w.reason.type, openedAt: w.openedAt.toNumber(), expiresAt: w.expiresAt.toNumber(), open: w.expiresAt.toNumber() > now };
    })
    .sort((a, b) => a.id - b.id);
}
