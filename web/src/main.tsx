import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { accounts, addUriAccount, connectExtension, DEV_ROLES, initAccounts, selectAccount } from './accounts';
import { chain, connectTo } from './chain';
import { checkUrl, DEFAULTS, loadSettings, saveSettings, type Settings } from './config';
import { Field, Notice } from './components';
import { formatDateTime, num } from './format';
import { refreshRegistry } from './hooks';
import { activities, announcement, stepWords, useStore } from './store';
import { CouncilView } from './views/Council';
import { InsurerView } from './views/Insurer';
import { PatientView } from './views/Patient';
import { ProviderView } from './views/Provider';
import './style.css';

const VIEWS = [
  ['patient', 'Patient'],
  ['provider', 'Provider'],
  ['insurer', 'Insurer'],
  ['council', 'Council'],
] as const;
type ViewName = typeof VIEWS[number][0];

function currentView(): ViewName {
  const h = location.hash.replace(/^#\/?/, '');
  return (VIEWS.find(([v]) => v === h)?.[0] ?? 'patient');
}

function App() {
  const [view, setView] = useState<ViewName>(currentView());
  const [settings, setSettings] = useState<Settings>(loadSettings());
  const c = useStore(chain);

  useEffect(() => {
    const on = () => {
      setView(currentView());
      document.getElementById('main')?.focus();
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  useEffect(() => { initAccounts(settings.dev); }, [settings.dev]);
  useEffect(() => { connectTo(settings.node); }, [settings.node]);
  useEffect(() => { if (c.api) refreshRegistry(c.api); }, [c.api]);
  useEffect(() => {
    const label = VIEWS.find(([v]) => v === view)?.[1];
    document.title = `${label} — Healthchain portal`;
  }, [view]);

  function apply(s: Settings) {
    saveSettings(s);
    setSettings(s);
  }

  return (
    <>
      <a class="skip" href="#main">Skip to the content</a>
      <header class="top">
        <div class="brand"><span aria-hidden="true" class="logo">✚</span> Healthchain portal</div>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map(([v, l]) => (
              <li key={v}><a href={`#/${v}`} aria-current={v === view ? 'page' : undefined}>{l}</a></li>
            ))}
          </ul>
        </nav>
        <ConnectionBadge />
      </header>
      <div class="layout">
        <aside class="side" aria-label="Account and settings">
          <AccountPanel dev={settings.dev} onDev={(dev) => apply({ ...settings, dev })} />
          <SettingsPanel settings={settings} onApply={apply} />
          <ActivityPanel />
        </aside>
        <main id="main" tabIndex={-1}>
          {c.status === 'down' && (
            <Notice kind="error">
              <span data-testid="node-down">{c.error}</span>{' '}
              <button type="button" onClick={() => connectTo(settings.node)}>Try again</button>
            </Notice>
          )}
          {view === 'patient' && <PatientView />}
          {view === 'provider' && <ProviderView />}
          {view === 'insurer' && <InsurerView />}
          {view === 'council' && <CouncilView />}
        </main>
      </div>
      <LiveRegion />
    </>
  );
}

function ConnectionBadge() {
  const c = useStore(chain);
  const text = c.status === 'connected'
    ? `${c.info?.name ?? 'Chain'}: block #${num(c.best ?? 0)}, finalized #${num(c.finalized ?? 0)}`
    : c.status === 'connecting' ? `Connecting to ${c.url}…` : c.status === 'down' ? 'Node unreachable' : 'Not connected';
  return <p class={`badge badge-${c.status}`} data-testid="connection" data-status={c.status}>{text}</p>;
}

function AccountPanel(p: { dev: boolean; onDev: (dev: boolean) => void }) {
  const s = useStore(accounts);
  const [uri, setUri] = useState('//Patient/1');
  const [err, setErr] = useState<string | null>(null);
  const selected = s.list.find((a) => a.address === s.selected);
  return (
    <section class="panel" aria-labelledby="acct-h">
      <h2 id="acct-h">Account</h2>
      <div class="switch">
        <input type="checkbox" id="dev-switch" role="switch" checked={p.dev} onChange={(e) => p.onDev((e.target as HTMLInputElement).checked)} />
        <label for="dev-switch">Development accounts</label>
      </div>
      {p.dev && <p class="hint">The well-known keys of the dev chain (//Alice …). Never use them on a real network.</p>}
      {s.list.length > 0 ? (
        <div class="field">
          <label for="account-select">Sign as</label>
          <select id="account-select" value={s.selected} onChange={(e) => selectAccount((e.target as HTMLSelectElement).value)}>
            {s.list.map((a) => (
              <option key={a.address} value={a.address}>
                {a.name}{a.source === 'dev' && DEV_ROLES[a.name] ? ` — ${DEV_ROLES[a.name]}` : a.source === 'extension' ? ' (extension)' : ''}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <p>No account yet: connect the browser extension{p.dev ? '' : ', or turn on development accounts'}.</p>
      )}
      {selected && <p class="mono small" data-testid="selected-address">{selected.address}</p>}
      {p.dev && (
        <form class="form inline" onSubmit={(e) => { e.preventDefault(); setErr(addUriAccount(uri)); }}>
          <Field label="Account from a secret URI" value={uri} onInput={setUri} mono error={err} name="uri"
            hint="E.g. //Patient/1: a fresh account with no balance (patients need none)." />
          <button type="submit">Add and sign as it</button>
        </form>
      )}
      <div class="ext">
        {s.extension === 'absent' && <p class="hint">No browser extension detected (polkadot{'{'}.js{'}'} extension: accounts and signing without keys in the page).</p>}
        {(s.extension === 'available' || s.extension === 'failed') && <button type="button" onClick={connectExtension}>Connect the browser extension</button>}
        {s.extension === 'enabling' && <p>Waiting for the extension…</p>}
        {s.extension === 'enabled' && <p class="hint">Extension connected.</p>}
        {s.extensionError && <Notice kind="error">{s.extensionError}</Notice>}
      </div>
    </section>
  );
}

function SettingsPanel(p: { settings: Settings; onApply: (s: Settings) => void }) {
  const [d, setD] = useState(p.settings);
  const [errs, setErrs] = useState<Record<string, string | null>>({});
  useEffect(() => setD(p.settings), [p.settings]);
  function submit(e: Event) {
    e.preventDefault();
    const errors = {
      node: checkUrl(d.node.trim(), ['ws:', 'wss:'], 'The node URL'),
      gateway: checkUrl(d.gateway.trim(), ['http:', 'https:'], 'The gateway URL'),
      indexer: checkUrl(d.indexer.trim(), ['http:', 'https:'], 'The indexer URL'),
    };
    setErrs(errors);
    if (Object.values(errors).some(Boolean)) return;
    p.onApply({ ...d, node: d.node.trim(), gateway: d.gateway.trim().replace(/\/+$/, ''), indexer: d.indexer.trim().replace(/\/+$/, '') });
  }
  return (
    <details class="panel" open={false}>
      <summary>Settings (node, gateway, indexer)</summary>
      <form class="form" onSubmit={submit} noValidate>
        <Field label="Node (WebSocket)" value={d.node} onInput={(v) => setD({ ...d, node: v })} mono error={errs.node} name="node" />
        <Field label="FHIR gateway" value={d.gateway} onInput={(v) => setD({ ...d, gateway: v })} mono error={errs.gateway} name="gateway" />
        <Field label="Indexer (audit trail)" value={d.indexer} onInput={(v) => setD({ ...d, indexer: v })} mono error={errs.indexer} name="indexer" />
        <div class="actions">
          <button type="submit">Save and reconnect</button>
          <button type="button" onClick={() => setD({ ...DEFAULTS, dev: d.dev })}>Defaults</button>
        </div>
        <p class="hint">Also settable in the address: ?node=…&amp;gateway=…&amp;indexer=…&amp;dev=1</p>
      </form>
    </details>
  );
}

function ActivityPanel() {
  const list = useStore(activities);
  if (!list.length) return null;
  return (
    <section class="panel" aria-labelledby="act-h">
      <h2 id="act-h">Activity</h2>
      <ol class="activity" data-testid="activity">
        {list.slice(0, 8).map((a) => (
          <li key={a.id} class={`act act-${a.step}`} data-step={a.step} data-id={a.id}>
            <strong>{a.label}</strong>: {stepWords(a.step)}{a.blockNumber ? ` (block #${num(a.blockNumber)})` : ''}
            {a.message && <div class="small">{a.message}</div>}
            <div class="small muted">{formatDateTime(new Date(a.at))}</div>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The page's live regions: polite for progress, assertive for failures. */
function LiveRegion() {
  const a = useStore(announcement);
  return (
    <>
      <div class="sr-only" role="status" aria-live="polite" data-testid="live">{a.urgent ? '' : a.text}</div>
      <div class="sr-only" role="alert" aria-live="assertive" data-testid="live-alert">{a.urgent ? a.text : ''}</div>
    </>
  );
}

cryptoWaitReady().then(() => {
  render(<App />, document.getElementById('app')!);
});
