#!/usr/bin/env node
// `temporal shell …`: the Temporal CLI runs any `temporal-<name>` on the PATH as `temporal <name>`,
// so with tshell installed this is tshell (one-shot, REPL or script), argument for argument. The
// CLI's root flags it passes along (--profile, -o json, --color, …) are mapped by tshell itself.
'use strict';
const { readFileSync } = require('node:fs');

// The CLI is the parent here: one-shots chain per terminal, so the caller is the CLI's parent.
if (!process.env.TSHELL_CALLER_PID) {
  let caller = String(process.ppid);
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8'); // "pid (comm) state ppid …"
    caller = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? caller;
  } catch {
    // no /proc (macOS): the CLI itself keys the chain
  }
  process.env.TSHELL_CALLER_PID = caller;
}
process.env.TSHELL_TEMPORAL_EXTENSION = '1';
require('./tshell.cjs');
