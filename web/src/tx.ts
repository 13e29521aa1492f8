// Submissions with progress: every chain write goes through `useTx().run`, which records an
// activity (announced in the aria-live region) and shows its steps next to the form.
import { useState } from 'preact/hooks';
import { chain } from './chain';
import { explain } from './sdk';
import { startActivity, updateActivity, type Step } from './store';

export interface TxOutcome {
  ok: boolean;
  error?: any;
  events?: any[];
  blockHash?: string;
  blockNumber?: number;
  [k: string]: any;
}

export interface TxView {
  label: string;
  step: Step;
  message?: string;
  blockNumber?: number;
  /** Refused by the portal's own checks: nothing was sent. */
  refused?: boolean;
}

/** Map the SDK's onStatus values to our steps. */
function toStep(s: string): Step | null {
  switch (s) {
    case 'signing': return 'signing';
    case 'submitted': case 'ready': case 'broadcast': return 'submitted';
    case 'inBlock': return 'inBlock';
    case 'finalized': return 'finalized';
    default: return null;
  }
}

export function describeError(e: unknown): string {
  try {
    const s = explain(e as any);
    if (s) return s;
  } catch { /* fall through */ }
  return (e as Error)?.message ?? String(e);
}

/**
 * `run(label, send, done?)`: `send(onStatus)` performs the submission and resolves to a
 * send-shaped result. `done(result)` gives the success sentence.
 */
export function useTx() {
  const [view, setView] = useState<TxView | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(label: string, send: (onStatus: (s: string, extra?: any) => void) => Promise<TxOutcome>,
    done?: (r: TxOutcome) => string): Promise<TxOutcome | null> {
    const id = startActivity(label);
    setBusy(true);
    let cur: TxView = { label, step: 'signing' };
    setView(cur);
    const onStatus = (s: string, extra?: any) => {
      const step = toStep(s);
      // 'finalized' is shown with the outcome, once the result is decoded (it may be a failure).
      if (!step || step === 'finalized') return;
      cur = { ...cur, step };
      setView(cur);
      updateActivity(id, { step });
      const hash = extra?.blockHash;
      if (step === 'inBlock' && hash) {
        chain.get().api?.rpc.chain.getHeader(hash).then((h) => {
          if (cur.step !== 'inBlock') return;
          cur = { ...cur, blockNumber: h.number.toNumber() };
          setView(cur);
          updateActivity(id, { blockNumber: cur.blockNumber });
        }).catch(() => {});
      }
    };
    try {
      const r = await send(onStatus);
      if (!r.ok) {
        const message = describeError(r.error);
        cur = { ...cur, step: 'failed', message, blockNumber: r.blockNumber ?? cur.blockNumber };
        setView(cur);
        updateActivity(id, { step: 'failed', message, blockNumber: cur.blockNumber });
        return r;
      }
      const message = done ? done(r) : undefined;
      cur = { ...cur, step: 'finalized', message, blockNumber: r.blockNumber ?? cur.blockNumber };
      setView(cur);
      updateActivity(id, { step: 'finalized', message, blockNumber: cur.blockNumber });
      return r;
    } catch (e) {
      const message = describeError(e);
      cur = { ...cur, step: 'failed', message };
      setView(cur);
      updateActivity(id, { step: 'failed', message });
      return null;
    } finally {
      setBusy(false);
    }
  }

  /** Refuse before sending: show `message` as a failed check (nothing was sent). */
  function refuse(label: string, message: string): void {
    setView({ label, step: 'failed', refused: true, message: `${message} Nothing was sent.` });
  }

  function clear(): void { setView(null); }

  return { view, busy, run, refuse, clear };
}
