#!/usr/bin/env node
// Builds dist/snapshot/tshell.blob, a V8 startup snapshot of the whole CLI (src/snapshot.ts), with
// the Node binary that will run it. bin/tshell uses it for the REPL and scripts only when the blob
// is newer than dist/cli.js and than that Node binary, and when it was built for this checkout:
// otherwise (or with TSHELL_SNAPSHOT=0) Node loads dist/cli.js as usual.
//
// A snapshot script is one CommonJS file whose require() knows only Node's built-ins, and it cannot
// use import(). So: ESM-only packages (chalk, execa, @inquirer/prompts) are bundled in, initialised on
// first use as before; the CommonJS packages stay outside and are required on first use through a
// require made at run time; import.meta.url is the URL dist/cli.js would have, so paths resolve alike.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outDir = join(root, 'dist', 'snapshot');
const script = join(outDir, 'tshell-snapshot.cjs');
const blob = join(outDir, 'tshell.blob');

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Is this package (as `require` would load it) CommonJS? ESM-only packages get bundled. */
function isCommonJs(id, from) {
  let file;
  try {
    file = createRequire(from).resolve(id);
  } catch {
    return false; // no "require" entry: ESM only
  }
  if (file.endsWith('.cjs')) return true;
  if (file.endsWith('.mjs')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) return JSON.parse(readFileSync(pkg, 'utf8')).type !== 'module';
  }
  return true;
}

/**
 * CommonJS packages stay outside the snapshot, required at run time; `import()` of them or of a
 * built-in becomes the same namespace from that require (the snapshot has no import()).
 */
const packagesAtRunTime = {
  name: 'packages-at-run-time',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (builtins.has(args.path) || !isCommonJs(args.path, args.importer || join(root, 'package.json'))) return undefined;
      return { path: args.path, external: true };
    });
    b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(/(?<!typeof )\bimport\((['"])([^'"./][^'"]*)\1\)/g, (all, q, id) =>
        builtins.has(id) || isCommonJs(id, args.path) ? `__tshellImport(${q}${id}${q})` : all),
      loader: 'ts',
    }));
  },
};

const entryUrl = pathToFileURL(join(root, 'dist', 'cli.js')).href;
await build({
  entryPoints: [join(root, 'src', 'snapshot.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: script,
  define: { 'import.meta.url': '__tshellEntryUrl' },
  banner: {
    js: [
      `var __tshellEntryUrl = ${JSON.stringify(entryUrl)};`,
      // Made on first use, after deserialization: the builder's require cannot load packages.
      'var __tshellRuntimeRequire;',
      "var __tshellRequire = (id) => (__tshellRuntimeRequire ??= require('node:module').createRequire(__tshellEntryUrl))(id);",
      // What import() of a CommonJS package gives: its exports by name, and module.exports as default.
      'var __tshellImport = (id) => Promise.resolve().then(() => { const m = __tshellRequire(id); return { ...m, default: m }; });',
    ].join('\n'),
  },
  plugins: [packagesAtRunTime],
  logLevel: 'error',
});
// Every require() of a package left outside (esbuild emits one only for those) must be the run-time one.
writeFileSync(script, readFileSync(script, 'utf8').replace(/\brequire\((['"])([^'"]+)\1\)/g, (all, q, id) => (builtins.has(id) ? all : `__tshellRequire(${q}${id}${q})`)));

const r = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', script], { cwd: root, encoding: 'utf8' });
if (r.status !== 0) {
  // Not fatal: without the blob tshell starts as before.
  console.error(`snapshot: not built (${(r.stderr || r.stdout).trim().split('\n').filter((l) => !/Warning|fully verified|may still work|issue tracker|trace-warnings/.test(l)).slice(0, 3).join(' | ')}); the REPL starts without it`);
  rmSync(outDir, { recursive: true, force: true });
  process.exit(0);
}
// For bin/tshell: which checkout and which Node the blob belongs to.
writeFileSync(join(outDir, 'built-for'), `${root}\n${process.execPath}\n`);
