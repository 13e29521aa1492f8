#!/usr/bin/env node
// Print the 4-validator local chain spec (zombienet's `chain_spec_command`).
import { fourValidatorSpec } from '../src/spec.js';

process.stdout.write(JSON.stringify(await fourValidatorSpec(), null, 1));
