// Entry of tshell's V8 startup snapshot (scripts/build-snapshot.mjs builds it into
// dist/snapshot/tshell.blob; bin/tshell starts the REPL and scripts from it). The whole CLI is
// loaded and its modules evaluated when the snapshot is built, so a REPL draws its prompt at Node's
// own start-up speed: no module is found, read or compiled before it.
//
// Nothing here may capture per-run state at load time (environment, cwd, terminal, streams): that
// is read when main() runs, after the snapshot is deserialized in the user's process.
import { startupSnapshot } from 'node:v8';
import { main } from './cli.js';
// Evaluated at build time rather than on first use (the REPL and script paths import them lazily).
import './shell/repl.js';
import './shell/script.js';
import './shell/execute.js';

startupSnapshot.setDeserializeMainFunction(() => {
  // `node --snapshot-blob BLOB -- ARGS`: process.argv is [node, ...ARGS].
  void main(process.argv.slice(1));
});
