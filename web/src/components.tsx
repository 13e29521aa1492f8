import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { directoryEntries } from './accounts';
import type { TxView } from './tx';

export function Section(props: { title: string; id?: string; children: ComponentChildren; intro?: ComponentChildren }) {
  const hid = useId();
  return (
    <section class="card" aria-labelledby={hid} id={props.id}>
      <h2 id={hid}>{props.title}</h2>
      {props.intro && <p class="intro">{props.intro}</p>}
      {props.children}
    </section>
  );
}

interface FieldProps {
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: string;
  hint?: ComponentChildren;
  error?: string | null;
  placeholder?: string;
  list?: string;
  name?: string;
  min?: string;
  max?: string;
  required?: boolean;
  mono?: boolean;
  autoComplete?: string;
  inputMode?: string;
}

export function Field(p: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const described = [p.hint ? hintId : '', p.error ? errId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input id={id} name={p.name} type={(p.type ?? 'text') as any} value={p.value} placeholder={p.placeholder}
        list={p.list} min={p.min} max={p.max} required={p.required} class={p.mono ? 'mono' : undefined}
        autoComplete={p.autoComplete ?? 'off'} spellcheck={false} inputMode={p.inputMode as any}
        aria-invalid={p.error ? 'true' : undefined} aria-describedby={described}
        onInput={(e) => p.onInput((e.target as HTMLInputElement).value)} />
      {p.hint && <div class="hint" id={hintId}>{p.hint}</div>}
      {p.error && <div class="field-error" id={errId} role="alert">{p.error}</div>}
    </div>
  );
}

export function TextArea(p: { label: string; value: string; onInput: (v: string) => void; rows?: number; hint?: ComponentChildren; error?: string | null; name?: string }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const described = [p.hint ? hintId : '', p.error ? errId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <textarea id={id} name={p.name} rows={p.rows ?? 8} value={p.value} class="mono" spellcheck={false}
        aria-invalid={p.error ? 'true' : undefined} aria-describedby={described}
        onInput={(e) => p.onInput((e.target as HTMLTextAreaElement).value)} />
      {p.hint && <div class="hint" id={hintId}>{p.hint}</div>}
      {p.error && <div class="field-error" id={errId} role="alert">{p.error}</div>}
    </div>
  );
}

export function Select(p: { label: string; value: string; onChange: (v: string) => void; options: Array<[string, string]>; hint?: ComponentChildren; name?: string }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <select id={id} name={p.name} value={p.value} aria-describedby={p.hint ? hintId : undefined}
        onChange={(e) => p.onChange((e.target as HTMLSelectElement).value)}>
        {p.options.map(([v, l]) => <option value={v} key={v}>{l}</option>)}
      </select>
      {p.hint && <div class="hint" id={hintId}>{p.hint}</div>}
    </div>
  );
}

export function Checkboxes(p: { legend: string; options: Array<[string, string]>; value: string[]; onChange: (v: string[]) => void; hint?: string }) {
  const id = useId();
  return (
    <fieldset class="checks" aria-describedby={p.hint ? `${id}-hint` : undefined}>
      <legend>{p.legend}</legend>
      {p.options.map(([v, l]) => (
        <label key={v} class="check">
          <input type="checkbox" value={v} checked={p.value.includes(v)}
            onChange={(e) => {
              const on = (e.target as HTMLInputElement).checked;
              p.onChange(on ? [...p.value, v] : p.value.filter((x) => x !== v));
            }} />
          {l}
        </label>
      ))}
      {p.hint && <div class="hint" id={`${id}-hint`}>{p.hint}</div>}
    </fieldset>
  );
}

/** Datalist of known accounts (names), for address inputs. */
export function KnownAccounts(p: { id: string }) {
  return (
    <datalist id={p.id}>
      {directoryEntries().map(([a, n]) => <option value={a} key={a}>{n}</option>)}
    </datalist>
  );
}

const STEPS: Array<[string, string]> = [['submitted', 'Submitted'], ['inBlock', 'In block'], ['finalized', 'Finalized']];

/** A submission's progress: submitted -> in block -> finalized, or the error sentence. */
export function TxStatus(p: { view: TxView | null }) {
  const v = p.view;
  if (!v) return null;
  if (v.refused) {
    return <div class="tx tx-refused" data-state="refused" role="alert"><strong>Not sent.</strong> {v.message}</div>;
  }
  const order = ['signing', 'submitted', 'inBlock', 'finalized'];
  const reached = v.step === 'failed' ? -1 : order.indexOf(v.step);
  return (
    <div class={`tx tx-${v.step}`} data-state={v.step}>
      <ol class="steps" aria-label={`Progress of: ${v.label}`}>
        {STEPS.map(([k, l]) => {
          const i = order.indexOf(k);
          const done = reached >= i;
          return (
            <li key={k} class={done ? 'done' : ''} aria-current={reached === i ? 'step' : undefined}>
              <span aria-hidden="true">{done ? '✓' : '○'}</span> {l}{k === 'inBlock' && v.blockNumber && done ? ` #${v.blockNumber}` : ''}
            </li>
          );
        })}
      </ol>
      {v.step === 'signing' && <p class="muted">Waiting for the signature…</p>}
      {v.step === 'failed' && <p class="error" role="alert"><strong>Failed:</strong> {v.message}</p>}
      {v.step === 'finalized' && v.message && <p class="ok">{v.message}</p>}
    </div>
  );
}

export function Notice(p: { kind: 'error' | 'ok' | 'info' | 'warn'; children: ComponentChildren }) {
  return <div class={`notice notice-${p.kind}`} role={p.kind === 'error' ? 'alert' : undefined}>{p.children}</div>;
}

export function Addr(p: { a: string; name?: string }) {
  return <span class="addr" title={p.a}>{p.name ?? `${p.a.slice(0, 6)}…${p.a.slice(-6)}`}</span>;
}
