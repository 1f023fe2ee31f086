// The build after `tsc`: esbuild bundles the CLI (code-split: the REPL and the helper load only what
// they use) with every dependency external except zod, whose small bundled part checks JSON from
// outside the process at no start-up cost (loaded from node_modules it costs ~80 ms); and the warm
// helper's thin client, all in one file, for one-shots.
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
await build({ ...common, entryPoints: ['src/shell/warm/client.ts'], outfile: 'dist/warm.js' });
