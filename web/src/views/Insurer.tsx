// The insurer's view: the claims queue with deadlines, adjudication (approve / partial / deny
// with a reason), settlement, disputes, and the balances involved.
import { useState } from 'preact/hooks';
import { canonical, nameOf } from '../accounts';
import type { PortalSigner } from '../accounts';
import { requireApi } from '../chain';
import { Field, Notice, Section, TxStatus } from '../components';
import { blockToDate, formatAmount, formatDate, num, parseAmount, shortHex } from '../format';
import { refreshRegistry, useAccount, useAsync, useChain, useRegistry, who } from '../hooks';
import { balance, claims, type ClaimInfo } from '../sdk';
import { useTx } from '../tx';
import { statusWords } from './Provider';

export function InsurerView() {
  const c = useChain();
  const me = useAccount();
  useRegistry();
  const [tick, setTick] = useState(0);
  if (!me) return <Notice kind="info">Choose the insurer's account above.</Notice>;
  if (c.status !== 'connected') return <div class="view"><h1>Insurer: {me.name}</h1><Notice kind="info">Your claims are read from the chain: they appear once the node answers.</Notice></div>;
  return (
    <div class="view">
      <h1>Insurer: {me.name}</h1>
      <p class="lead">Claims addressed to you, oldest deadline first. Approving holds the amount in escrow on your account; settling pays it to the provider.</p>
      <Queue me={me.address} signer={me.signer} tick={tick} onChange={() => setTick((t) => t + 1)} />
    </div>
  );
}

function Queue(p: { me: string; signer: PortalSigner; tick: number; onChange: () => void }) {
  const c = useChain();
  const info = c.info!;
  const data = useAsync(async () => {
    const { api } = requireApi();
    await refreshRegistry(api);
    const all = (await claims.all(api, p.me)).filter((x) => canonical(x.insurer) === canonical(p.me));
    const parties = [...new Set([p.me, ...all.map((x) => canonical(x.provider))])];
    const balances = Object.fromEntries(await Promise.all(parties.map(async (a) => [a, await balance(api, a)] as const)));
    return { all: all.sort((a, b) => b.id - a.id), balances };
  }, [p.me, p.tick, c.api]);
  const consts = c.api?.consts.claims;
  const deadline = consts ? Number(consts.adjudicationDeadline.toString()) : 0;
  const window = consts ? Number(consts.disputeWindow.toString()) : 0;
  const list = data.data?.all ?? [];
  const open = list.filter((x) => ['submitted', 'approved', 'disputed'].includes(x.status.state));
  const done = list.filter((x) => !open.includes(x));
  const bal = data.data?.balances ?? {};
  const mine = bal[canonical(p.me)];

  return (
    <>
      <Section title="Balances">
        <button type="button" onClick={data.reload} disabled={data.loading}>{data.loading ? 'Loading…' : 'Refresh'}</button>
        {mine && (
          <dl class="balances" data-testid="insurer-balance">
            <dt>Your free balance</dt><dd data-testid="insurer-free">{formatAmount(mine.free, info.decimals, info.symbol)}</dd>
            <dt>Held (escrow of approved claims, dispute bonds, deposits)</dt><dd data-testid="insurer-reserved">{formatAmount(mine.reserved, info.decimals, info.symbol)}</dd>
            {Object.entries(bal).filter(([a]) => a !== canonical(p.me)).map(([a, b]) => (
              <><dt key={`${a}-t`}>{who(a)} (provider), free</dt><dd key={`${a}-d`} data-provider={a}>{formatAmount(b.free, info.decimals, info.symbol)}</dd></>
            ))}
          </dl>
        )}
      </Section>
      <Section title="Claims queue" intro={`Adjudicate within ${num(Math.round(deadline * info.blockMs / 86_400_000))} days of submission (after that the provider may escalate to the council); a denial or partial payment can be disputed for ${num(Math.round(window * info.blockMs / 86_400_000))} days.`}>
        {data.error && <Notice kind="error">{data.error}</Notice>}
        {data.data && open.length === 0 && <p data-testid="queue-empty">No claim awaits you.</p>}
        <ul class="claims" data-testid="claims-queue">
          {open.map((cl) => <ClaimItem key={cl.id} cl={cl} deadline={deadline} signer={p.signer} onChange={() => { data.reload(); p.onChange(); }} />)}
        </ul>
      </Section>
      {done.length > 0 && (
        <Section title="Decided claims">
          <table data-testid="claims-done">
            <thead><tr><th scope="col">#</th><th scope="col">Provider</th><th scope="col">Amount</th><th scope="col">Status</th></tr></thead>
            <tbody>{done.map((cl) => (
              <tr key={cl.id} data-claim={cl.id}><td>{cl.id}</td><td>{who(cl.provider)}</td><td>{formatAmount(cl.amount, info.decimals, info.symbol)}</td><td>{statusWords(cl.status, info)}</td></tr>
            ))}</tbody>
          </table>
        </Section>
      )}
    </>
  );
}

function ClaimItem(p: { cl: ClaimInfo; deadline: number; signer: PortalSigner; onChange: () => void }) {
  const c = useChain();
  const info = c.info!;
  const cl = p.cl;
  const [decision, setDecision] = useState<'approve' | 'partial' | 'deny'>('approve');
  const [partial, setPartial] = useState('');
  const [reason, setReason] = useState('');
  const [err, setErr] = useState<Record<string, string>>({});
  const tx = useTx();
  const due = cl.submittedAt + p.deadline;
  const dueDate = blockToDate(due, c.best ?? 0, info.blockMs);
  const amount = formatAmount(cl.amount, info.decimals, info.symbol);

  async function adjudicate(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    let dec: any = 'Approve';
    if (decision === 'partial') {
      try {
        const v = parseAmount(partial, info.decimals, info.symbol);
        if (v >= BigInt(cl.amount)) errs.partial = `A partial approval must be less than the claimed ${amount}.`;
        dec = { Partial: v };
      } catch (x) { errs.partial = (x as Error).message; }
    } else if (decision === 'deny') {
      const r = reason.trim();
      if (!/^\d{1,5}$/.test(r) || Number(r) > 65_535) errs.reason = 'Enter the denial reason as a numeric code (0 to 65535, e.g. an X12 CARC code such as 50).';
      else dec = { Deny: Number(r) };
    }
    setErr(errs);
    if (Object.keys(errs).length) { tx.refuse(`Decide claim #${cl.id}`, Object.values(errs).join(' ')); return; }
    const words = decision === 'approve' ? `Approve claim #${cl.id} (${amount})`
      : decision === 'partial' ? `Approve ${formatAmount(dec.Partial, info.decimals, info.symbol)} of claim #${cl.id}` : `Deny claim #${cl.id} (reason ${dec.Deny})`;
    const r = await tx.run(words, (onStatus) => claims.adjudicate(requireApi().api, p.signer, cl.id, dec, { finalized: true, onStatus }),
      () => decision === 'deny' ? `Claim #${cl.id} denied.` : `Claim #${cl.id} approved; the amount is held in escrow until it is settled.`);
    if (r?.ok) p.onChange();
  }

  async function settle() {
    const r = await tx.run(`Settle claim #${cl.id}`, (onStatus) => claims.settle(requireApi().api, p.signer, cl.id, { finalized: true, onStatus }),
      () => `Claim #${cl.id} settled: paid to ${nameOf(canonical(cl.provider))}.`);
    if (r?.ok) p.onChange();
  }

  const legend = `Decision on claim #${cl.id}`;
  return (
    <li class="claim card-inner" data-claim={cl.id} data-state={cl.status.state}>
      <h3>Claim #{cl.id}: {amount} from {who(cl.provider)}</h3>
      <p>
        Patient <span class="mono">{nameOf(canonical(cl.patient))}</span>; {cl.records.length} record(s): {cl.records.map((r) => shortHex(r)).join(', ')}; submitted at block {num(cl.submittedAt)}.{' '}
        Status: <strong>{statusWords(cl.status, info)}</strong>.
        {cl.status.state === 'submitted' && <> Decide by <strong>{formatDate(dueDate)}</strong> (block {num(due)}){(c.best ?? 0) >= due ? ' — overdue: the provider may escalate' : ''}.</>}
      </p>
      {cl.status.state === 'submitted' && (
        <form class="form" onSubmit={adjudicate} noValidate>
          <fieldset class="checks">
            <legend>{legend}</legend>
            {([['approve', `Approve in full (${amount})`], ['partial', 'Approve in part'], ['deny', 'Deny']] as const).map(([v, l]) => (
              <label class="check" key={v}><input type="radio" name={`decision-${cl.id}`} value={v} checked={decision === v} onChange={() => setDecision(v)} /> {l}</label>
            ))}
          </fieldset>
          {decision === 'partial' && <Field label={`Approved amount (${info.symbol})`} value={partial} onInput={setPartial} inputMode="decimal" error={err.partial} name={`partial-${cl.id}`} hint={`Less than ${amount}; up to ${info.decimals} decimals.`} />}
          {decision === 'deny' && <Field label="Denial reason code" value={reason} onInput={setReason} inputMode="numeric" error={err.reason} name={`reason-${cl.id}`} hint="A numeric code (e.g. X12 claim adjustment reason code 50: not medically necessary)." />}
          <button type="submit" class="primary" disabled={tx.busy}>Record the decision</button>
        </form>
      )}
      {cl.status.state === 'approved' && <button type="button" class="primary" disabled={tx.busy} onClick={settle}>Settle: pay {formatAmount(cl.status.approved, info.decimals, info.symbol)} to {nameOf(canonical(cl.provider))}</button>}
      {cl.status.state === 'disputed' && <p>The provider disputes this claim ({formatAmount(cl.status.paid, info.decimals, info.symbol)} paid so far). The unpaid remainder is held as a bond on your account until the council resolves it.</p>}
      <TxStatus view={tx.view} />
    </li>
  );
}
