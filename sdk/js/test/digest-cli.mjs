// The Rust `healthchain-digest` CLI the digest and Merkle tests compare against (a helper
// module of test/digest.test.mjs and test/merkle.test.mjs, no tests of its own).
// The CLI: $HEALTHCHAIN_DIGEST_BIN, else ~/.cache/healthchain/digest-target/release/healthchain-digest.
// Without it the comparisons are skipped, unless HEALTHCHAIN_REQUIRE_CLI=1 (CI), where they fail.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Path of the CLI binary. */
export const CLI = process.env.HEALTHCHAIN_DIGEST_BIN
  ?? path.join(os.homedir(), '.cache/healthchain/digest-target/release/healthchain-digest');
const REQUIRE_CLI = process.env.HEALTHCHAIN_REQUIRE_CLI === '1';
const HAVE_CLI = existsSync(CLI);
const NO_CLI = `healthchain-digest not found at ${CLI} (build tools/digest or set HEALTHCHAIN_DIGEST_BIN; `
  + 'HEALTHCHAIN_REQUIRE_CLI=1 makes this a failure)';

/** Options for a test that needs the CLI: skipped without it, unless the CLI is required. */
export const withCli = HAVE_CLI || REQUIRE_CLI ? {} : { skip: NO_CLI };

/** Fail the running test when the CLI is required but absent. */
export function requireCli() {
  assert.ok(HAVE_CLI, `HEALTHCHAIN_REQUIRE_CLI=1 but ${NO_CLI}`);
}
