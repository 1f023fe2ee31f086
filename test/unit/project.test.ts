// Project discovery's pure parts: the root, the Python runner, task queues through the environment,
// whether a command can run. Folders are made on the fly.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chooseRunner, findRoot, resolveQueue } from '../../src/project/plan.js';
import { runnable } from '../../src/project/runnable.js';
import { commandText } from '../../src/project/index.js';
import { missingModule, missingModuleHint } from '../../src/project/missing-module.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tshell-plan-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('project discovery: the plan', () => {
  it('finds the root above a sample folder, and stays in a folder without markers', () => {
    const repo = folder({ 'pyproject.toml': '[project]\nname = "x"\n', 'sample/worker.py': '' });
    assert.equal(findRoot(join(repo, 'sample')), repo);
    const loose = folder({ 'worker.py': '' });
    assert.equal(findRoot(loose).startsWith(tmpdir()), true);
  });
  it('chooses uv for a [project], poetry only when it is installed, then VIRTUAL_ENV, then .venv, then python3', () => {
    const none = () => false;
    assert.equal(chooseRunner(folder({ 'pyproject.toml': '[project]\nname = "x"\n' }), {}, none).kind, 'uv');
    const poetry = folder({ 'pyproject.toml': '[tool.poetry]\nname = "x"\n' });
    assert.equal(chooseRunner(poetry, {}, (n) => n === 'poetry').kind, 'poetry');
    assert.equal(chooseRunner(poetry, {}, none).kind, 'python3');
    const venv = folder({ 'requirements.txt': 'temporalio\n', '.venv/bin/python': '' });
    const r = chooseRunner(venv, {}, none);
    assert.equal(r.kind, 'venv');
    assert.equal(r.install, `${join(venv, '.venv', 'bin', 'python')} -m pip install -r requirements.txt`);
    const active = folder({ 'bin/python': '' });
    assert.equal(chooseRunner(venv, { VIRTUAL_ENV: active }, none).kind, 'virtualenv');
    assert.equal(
      chooseRunner(folder({}), {}, none).install,
      'python3 -m venv .venv && .venv/bin/python -m pip install temporalio',
    );
  });
  it('resolves a queue from the environment the worker gets, its default, or says only the worker knows', () => {
    assert.deepEqual(resolveQueue({ literal: 'q', source: 'a.py:1' }, {}), { value: 'q', source: 'a.py:1' });
    assert.deepEqual(resolveQueue({ env: 'Q', default: 'd', source: 'a.py:2' }, { Q: 'from-env' }), {
      value: 'from-env',
      source: 'a.py:2 (env Q)',
    });
    assert.deepEqual(resolveQueue({ env: 'Q', default: 'd', source: 'a.py:2' }, {}), {
      value: 'd',
      source: 'a.py:2 (default of env Q)',
    });
    assert.equal(resolveQueue({ env: 'Q', source: 'a.py:2' }, {})?.unknown, 'env Q (not set here)');
    assert.equal(resolveQueue({ unknown: 'f"q-{x}"' }, {})?.value, undefined);
  });
  it('never calls a command runnable when its script, file or program is missing', () => {
    const dir = folder({ 'run_worker.py': '' });
    const env = { PATH: '/usr/bin:/bin' };
    assert.equal(runnable(['python3', 'run_worker.py'], dir, {}, env).ok, true);
    assert.match(runnable(['python3', 'missing.py'], dir, {}, env).detail, /missing\.py: no such file/);
    assert.match(runnable(['no-such-program-xyz'], dir, {}, env).detail, /program not found/);
    assert.equal(runnable(['python3', '-m', 'pkg.worker'], dir, {}, env).ok, true);
    assert.equal(commandText(['python3', 'my worker.py']), "python3 'my worker.py'");
  });
});

describe('how a worker ended', () => {
  it('names the signal, its own or the 128 + N a wrapper (uv) exits with', async () => {
    const { exitSignal } = await import('../../src/processes/worker.js');
    assert.equal(exitSignal({ code: null, signal: 'SIGKILL' }), 'SIGKILL');
    assert.equal(exitSignal({ code: 143, signal: null }), 'SIGTERM');
    assert.equal(exitSignal({ code: 130, signal: null }), 'SIGINT');
    assert.equal(exitSignal({ code: 1, signal: null }), undefined);
    assert.equal(exitSignal({ code: 200, signal: null }), undefined);
  });
  it('says what a missing module means for the environment the worker ran in', () => {
    assert.equal(
      missingModule("  import x\nModuleNotFoundError: No module named 'temporalio.client'\n"),
      'temporalio.client',
    );
    assert.equal(missingModule('ImportError: cannot import name x'), undefined);
    const none = () => false;
    const bare = folder({ 'requirements.txt': 'temporalio==1.35.0\n', 'orders/__init__.py': '' });
    const python3 = chooseRunner(bare, {}, none);
    assert.equal(
      missingModuleHint('temporalio.client', python3, bare),
      `\`temporalio\` is not installed for python3 on PATH, and ${bare} has no virtualenv: make one there (\`python3 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt\`); tshell runs the worker with .venv/ from then on`,
    );
    // The project's own package missing is not about the environment (a worker run from the wrong folder).
    assert.equal(missingModuleHint('orders.worker', python3, bare), undefined);
    const uv = chooseRunner(folder({ 'pyproject.toml': '[project]\nname = "x"\n' }), {}, none);
    assert.match(
      missingModuleHint('yaml', uv, bare) ?? '',
      /`yaml` is not among the project's dependencies \(pyproject\.toml \[project\]\): `uv add <the package that provides it>`/,
    );
    const venvDir = folder({ '.venv/bin/python': '' });
    const venv = chooseRunner(venvDir, {}, none);
    assert.equal(
      missingModuleHint('temporalio', venv, venvDir),
      `\`temporalio\` is not installed in .venv/: \`${join(venvDir, '.venv', 'bin', 'python')} -m pip install temporalio\`, then \`ensure-worker\` again`,
    );
  });
});
