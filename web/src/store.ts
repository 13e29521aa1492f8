// A tiny observable store and the activity log: every submission's progress, announced in the
// page's aria-live region.
import { useEffect, useState } from 'preact/hooks';

export class Store<T> {
  private listeners = new Set<(v: T) => void>();
  constructor(private value: T) {}
  get(): T { return this.value; }
  set(v: T): void { this.value = v; for (const l of this.listeners) l(v); }
  update(f: (v: T) => T): void { this.set(f(this.value)); }
  subscribe(l: (v: T) => void): () => void { this.listeners.add(l); return () => { this.listeners.delete(l); }; }
}

export function useStore<T>(s: Store<T>): T {
  const [v, setV] = useState(s.get());
  useEffect(() => { setV(s.get()); return s.subscribe(setV); }, [s]);
  return v;
}

export type Step = 'checking' | 'signing' | 'submitted' | 'inBlock' | 'finalized' | 'done' | 'failed';

export interface Activity {
  id: number;
  label: string;
  step: Step;
  /** A sentence: the outcome or the error. */
  message?: string;
  blockNumber?: number;
  at: number;
}

export const activities = new Store<Activity[]>([]);
/** The latest announcement for the aria-live status region. */
export const announcement = new Store<{ text: string; urgent: boolean; n: number }>({ text: '', urgent: false, n: 0 });

let nextId = 1;

export function announce(text: string, urgent = false): void {
  announcement.update((a) => ({ text, urgent, n: a.n + 1 }));
}

const STEP_WORDS: Record<Step, string> = {
  checking: 'checking',
  signing: 'waiting for the signature',
  submitted: 'submitted',
  inBlock: 'in a block',
  finalized: 'finalized',
  done: 'done',
  failed: 'failed',
};

export function stepWords(s: Step): string { return STEP_WORDS[s]; }

export function startActivity(label: string): number {
  const id = nextId++;
  activities.update((list) => [{ id, label, step: 'signing' as Step, at: Date.now() }, ...list].slice(0, 30));
  announce(`${label}: waiting for the signature`);
  return id;
}

export function updateActivity(id: number, patch: Partial<Activity>): void {
  let label = '';
  activities.update((list) => list.map((a) => {
    if (a.id !== id) return a;
    label = a.label;
    return { ...a, ...patch };
  }));
  if (patch.step) {
    const words = patch.step === 'failed' || patch.step === 'done' || patch.step === 'finalized'
      ? `${STEP_WORDS[patch.step]}${patch.message ? `. ${patch.message}` : ''}`
      : STEP_WORDS[patch.step] + (patch.blockNumber ? ` (block ${patch.blockNumber})` : '');
    announce(`${label}: ${words}`, patch.step === 'failed');
  }
}
