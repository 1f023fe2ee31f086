#!/usr/bin/env node
// `temporal shell …`: the Temporal CLI runs any `temporal-<name>` on the PATH as `temporal <name>`,
// so with tshell installed this is tshell (one-shot, REPL or script), argument for argument.
import './tshell.js';
