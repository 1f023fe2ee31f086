// What `npm pack` publishes: JavaScript, Python and text that run on any platform Node runs on. No
// compiled binary (a Linux ELF in a macOS user's install fails with "Exec format error"), nothing
// built for this machine, and entries that Node runs through their #! line.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Packed {
  files: { path: string; mode: number }[];
}

function packed(): Packed {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [first] = JSON.parse(out) as Packed[];
  assert.ok(first, 'npm pack listed a package');
  return first;
}

function head(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** ELF, Mach-O (both byte orders, fat), PE, a V8 snapshot blob's tell-tale: anything not text. */
function isBinary(bytes: Buffer): boolean {
  const magic = bytes.subarray(0, 4).toString('hex');
  return (
    ['7f454c46', 'feedface', 'feedfacf', 'cefaedfe', 'cffaedfe', 'cafebabe'].includes(magic) ||
    magic.startsWith('4d5a') ||
    bytes.includes(0)
  );
}

describe('the published package', () => {
  const files = packed().files;
  const paths = files.map((f) => f.path);

  it('holds the entries, the bundle, the Python helpers and the completions', () => {
    for (const needed of [
      'bin/tshell.cjs',
      'bin/temporal-shell.cjs',
      'dist/cli.js',
      'dist/warm.cjs',
      'dist/first-prompt.cjs',
      'python/tshell_replay.py',
      'python/tshell_discover.py',
      'python/tshell_hook/sitecustomize.py',
      'completions/tshell.bash',
      'README.md',
    ]) {
      assert.ok(paths.includes(needed), `${needed} is published`);
    }
  });

  it('has no binaries and nothing built for this machine', () => {
    const binaries = paths.filter((p) => isBinary(head(join(ROOT, p), 4096)));
    assert.deepEqual(binaries, []);
    assert.deepEqual(
      paths.filter((p) =>
        /(^|\/)(native|snapshot|__pycache__|\.venv|\.tools)(\/|$)|\.(blob|node|so|dylib|pyc)$/.test(p),
      ),
      [],
    );
  });

  it('names entries Node runs on any platform: executable, #!/usr/bin/env node', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.deepEqual(Object.keys(pkg.bin).sort(), ['temporal-shell', 'tshell']);
    for (const entry of Object.values(pkg.bin)) {
      const file = files.find((f) => f.path === entry);
      assert.ok(file, `${entry} is published`);
      assert.equal(file.mode & 0o111, 0o111, `${entry} is executable`);
      assert.equal(readFileSync(join(ROOT, entry), 'utf8').split('\n')[0], '#!/usr/bin/env node', entry);
    }
  });
});
