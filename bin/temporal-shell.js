#!/usr/bin/env node
// `temporal shell …`: the Temporal CLI runs any `temporal-<name>` on the PATH as `temporal <name>`,
// so with tshell installed this is tshell (one-shot, REPL or script), argument for argument.
import('../dist/cli.js').then((m) => m.main(process.argv.slice(2)));
