#!/usr/bin/env node
// Launcher. A one-shot command goes first to this user's warm helper when one runs (dist/warm.js is a
// few KB of node built-ins); when there is none, or it declines, the full CLI runs in this process.
const argv = process.argv.slice(2);
const { viaHelper } = await import('../dist/warm.js');
const code = await viaHelper(argv);
if (code === undefined) await (await import('../dist/cli.js')).main(argv);
else process.exitCode = code;
