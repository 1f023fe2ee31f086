#!/usr/bin/env node
// Builds the native one-shot client (native/warm-client.c → dist/tshell-warm) when a C compiler is
// there. Without one tshell works the same, one-shots just start Node (bin/tshell falls back).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'dist', 'tshell-warm');
for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
  const r = spawnSync(cc, ['-O2', '-Wall', '-Werror', '-o', out, join(root, 'native', 'warm-client.c')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error?.code === 'ENOENT') continue;
  if (r.status === 0) process.exit(0);
  console.error(`native client: ${cc} failed; one-shots will start Node instead`);
  rmSync(out, { force: true });
  process.exit(0);
}
console.error('native client: no C compiler found; one-shots will start Node instead');
rmSync(out, { force: true });
