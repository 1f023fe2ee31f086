#!/usr/bin/env node
// Launcher: runs the compiled CLI (npm run build writes dist/).
import('../dist/cli.js').then((m) => m.main(process.argv.slice(2)));
