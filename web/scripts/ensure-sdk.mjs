// Build @healthchain/sdk (../sdk/js, a file: dependency) when its dist/ is missing or older than
// its sources, so `npm run build` / `npm run dev` work from a fresh clone.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const sdk = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'sdk', 'js');
const built = path.join(sdk, 'dist', 'index.js');
const digest = path.join(sdk, 'dist', 'digest.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = !existsSync(built) || !existsSync(digest)
  || newest(path.join(sdk, 'src')) > Math.min(statSync(built).mtimeMs, statSync(digest).mtimeMs);
if (stale) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (!existsSync(path.join(sdk, 'node_modules'))) {
    console.log('[portal] installing the SDK\'s dependencies (sdk/js: npm ci)');
    execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: sdk, stdio: 'inherit' });
  }
  console.log('[portal] building @healthchain/sdk (sdk/js: npm run build)');
  execFileSync(npm, ['run', 'build'], { cwd: sdk, stdio: 'inherit' });
}
