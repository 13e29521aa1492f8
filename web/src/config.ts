// Portal settings: URL query first, then what the settings form saved (localStorage), then the
// defaults of a development machine (scripts/run-dev --gateway --indexer).

export interface Settings {
  node: string;
  gateway: string;
  indexer: string;
  /** Show the well-known development accounts (//Alice ...) and URI accounts. */
  dev: boolean;
}

export const DEFAULTS: Settings = {
  node: 'ws://127.0.0.1:9944',
  gateway: 'http://127.0.0.1:8080',
  indexer: 'http://127.0.0.1:8090',
  dev: false,
};

const KEY = 'healthchain-portal-settings';

function bool(v: string | null | undefined): boolean | undefined {
  if (v === null || v === undefined) return undefined;
  return v === '' || v === '1' || v === 'true' || v === 'on' || v === 'yes';
}

export function loadSettings(): Settings {
  let saved: Partial<Settings> = {};
  try { saved = JSON.parse(localStorage.getItem(KEY) ?? '{}'); } catch { saved = {}; }
  const q = new URLSearchParams(location.search);
  return {
    node: q.get('node') || saved.node || DEFAULTS.node,
    gateway: q.get('gateway') || saved.gateway || DEFAULTS.gateway,
    indexer: q.get('indexer') || saved.indexer || DEFAULTS.indexer,
    dev: bool(q.get('dev')) ?? saved.dev ?? DEFAULTS.dev,
  };
}

export function saveSettings(s: Settings): void {
  try { localStorage.setItem(KEY, JSON.stringify(s)); } catch { /* private mode: URL only */ }
  const q = new URLSearchParams(location.search);
  for (const k of ['node', 'gateway', 'indexer'] as const) {
    if (s[k] !== DEFAULTS[k]) q.set(k, s[k]); else q.delete(k);
  }
  if (s.dev) q.set('dev', '1'); else q.delete('dev');
  const search = q.toString();
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
}

/** A problem with a URL setting, as a sentence, or null. */
export function checkUrl(value: string, schemes: string[], what: string): string | null {
  let u: URL;
  try { u = new URL(value); } catch { return `${what} must be a URL such as ${schemes[0]}//127.0.0.1:…`; }
  if (!schemes.includes(u.protocol)) {
    return `${what} must start with ${schemes.map((s) => `${s}//`).join(' or ')}, not ${u.protocol}//`;
  }
  return null;
}
