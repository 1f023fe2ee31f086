// Consent tokens: a plan's token is an HMAC of its exact targets under a key kept in the private
// state dir, so a token comes only from a preview, works across one-shots of the same user, and
// names one plan: if the targets change (another run, another pid), the token no longer matches.
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsentPlan } from '../errors.js';
import { ensurePrivateDir } from './state-dir.js';

function consentKey(stateDir: string): Buffer {
  const file = join(ensurePrivateDir(stateDir), 'consent.key');
  try {
    const key = readFileSync(file);
    if (key.length >= 32) return key;
  } catch {
    // first consent asked here: make the key
  }
  const key = randomBytes(32);
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/** The plan as canonical JSON: keys sorted, so the same targets always give the same token. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function planToken(stateDir: string, plan: ConsentPlan): string {
  const { command, class: cls, targets } = plan;
  return `tok_${createHmac('sha256', consentKey(stateDir)).update(canonical({ command, cls, targets })).digest('hex').slice(0, 24)}`;
}
