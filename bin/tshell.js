#!/usr/bin/env node
// tshell's entry (`tshell` on the PATH). A one-shot command goes first to this user's warm helper
// through dist/warm.js (a few KB of node built-ins, no Temporal client to load); the REPL, scripts
// and anything the helper declines run the full CLI in this process.
const argv = process.argv.slice(2);
// One-shots from one terminal (or script) chain their current workflow: keyed by the calling shell.
process.env.TSHELL_CALLER_PID ??= String(process.ppid);
const word = argv[0] !== undefined && !argv[0].startsWith('-');
const code = word ? await (await import('../dist/warm.js')).viaHelper(argv) : undefined;
if (code === undefined) await (await import('../dist/cli.js')).main(argv);
else process.exitCode = code;
