#!/usr/bin/env node
// tshell's entry (`tshell` on the PATH). A one-shot command goes first to this user's warm helper
// through dist/warm.cjs (a few KB of node built-ins, no Temporal client to load); the REPL draws its
// banner and first prompt from dist/first-prompt.cjs (one file) before the full CLI loads; scripts
// and anything the helper declines run the full CLI (dist/cli.js) in this process. CommonJS up to
// there: Node's ESM loader, which costs Node 20 about 20 ms to start, is only started for the CLI.
'use strict';
const argv = process.argv.slice(2);
// One-shots from one terminal (or script) chain their current workflow: keyed by the calling shell.
process.env.TSHELL_CALLER_PID ??= String(process.ppid);
const word = argv[0] !== undefined && !argv[0].startsWith('-');

async function launch() {
  const code = word ? await require('../dist/warm.cjs').viaHelper(argv) : undefined;
  if (code !== undefined) {
    process.exitCode = code;
    return;
  }
  const drawn = word ? undefined : await require('../dist/first-prompt.cjs').drawFirstPrompt(argv);
  await (await import('../dist/cli.js')).main(argv, drawn);
}

launch().catch((err) => {
  // main() reports its own errors; this is only for a launcher that could not load (a broken install).
  process.stderr.write(`tshell: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}\n`);
  process.exitCode = 1;
});
