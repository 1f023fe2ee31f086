// The build after `tsc`: esbuild bundles the CLI (code-split: the REPL and the helper load only what
// they use) with every dependency external except zod, whose small bundled part checks JSON from
// outside the process (loaded from node_modules it costs ~80 ms, bundled ~10 ms: the first prompt
// does without it); and the launcher's two CommonJS files below.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const BUNDLED = new Set(['zod']);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = Object.keys(pkg.dependencies)
  .filter((d) => !BUNDLED.has(d))
  .flatMap((d) => [d, `${d}/*`]);

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' };
await build({
  ...common,
  entryPoints: ['src/cli.ts'],
  splitting: true,
  external,
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
});
// What bin/tshell.cjs loads before the CLI, each one CommonJS file: the thin client, and the REPL's
// banner and first prompt with chalk (src/shell/first-prompt.ts says why). CommonJS, because Node's
// ESM loader and its facades of the built-ins cost Node 20 about 20 ms and Node 24 about 7 before
// anything is drawn; import.meta.url (createRequire) becomes the file's own URL.
const commonJs = {
  ...common,
  format: 'cjs',
  define: { 'import.meta.url': '__moduleUrl' },
  banner: { js: 'const __moduleUrl = require("node:url").pathToFileURL(__filename).href;' },
};
await build({ ...commonJs, entryPoints: ['src/shell/warm/client.ts'], outfile: 'dist/warm.cjs' });
await build({ ...commonJs, entryPoints: ['src/shell/first-prompt.ts'], outfile: 'dist/first-prompt.cjs' });
