// tshell in projects laid out the ways people really lay them out, run from the project's folder
// with no flags and no TSHELL_* variables: discovery finds how the project runs, the worker is ready
// when it polls, and a workflow started the project's way completes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import {
  FIXTURES,
  UV,
  copyProject,
  eventually,
  fileTree,
  freePort,
  makeEnv,
  makeVenv,
  tshell,
  type Env,
} from '../helpers/tshell.js';

describe('any project, out of the box', () => {
  let env: Env;
  /** Only what a developer's shell has: the state dir comes from XDG_STATE_HOME, no TSHELL_* at all. */
  let plain: Record<string, string>;
  let sharedVenv: string;
  const pids: number[] = [];

  before(async () => {
    env = await makeEnv();
    const xdg = join(env.stateDir, 'xdg');
    mkdirSync(xdg, { recursive: true });
    plain = {
      XDG_STATE_HOME: xdg,
      TEMPORAL_ADDRESS: env.address,
      UV_PYTHON_DOWNLOADS: 'never',
      NO_COLOR: '1',
      TEMPORAL_CONFIG_FILE: join(env.stateDir, 'none.toml'),
    };
    env.env = { ...plain, TSHELL_STATE_DIR: join(xdg, 'tshell') }; // for cleanup(): the same state dir
    const up = await tshell(['ensure-server', '--headless'], { env: plain });
    assert.equal(up.exitCode, 0, up.stderr);
    sharedVenv = await makeVenv(join(env.stateDir, 'venv-activated'));
  });
  after(async () => {
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    const { cleanup } = await import('../helpers/tshell.js');
    await cleanup(env);
  });

  /**
   * ensure-worker, start, wait, result, diagnose and doctor from the folder with no settings (only the
   * input a workflow takes), then the worker is stopped; the project's files are as they were.
   */
  async function loop(
    cwd: string,
    extra: Record<string, string>,
    expectResult: RegExp,
    startArgs: string[] = [],
  ): Promise<{ ensure: Record<string, unknown> }> {
    const e = { ...plain, ...extra };
    const pristine = fileTree(cwd);
    const ensure = await tshell(['ensure-worker', '--json'], { env: e, cwd, timeoutMs: 300_000 });
    assert.equal(ensure.exitCode, 0, `${ensure.stderr}\n${ensure.stdout}`);
    const data = JSON.parse(ensure.stdout) as Record<string, unknown>;
    const started = await tshell(['start', ...startArgs], { env: e, cwd });
    assert.equal(started.exitCode, 0, started.stderr + started.stdout);
    const waited = await tshell(['wait', '--status', 'COMPLETED', '--timeout', '60'], { env: e, cwd });
    assert.equal(waited.exitCode, 0, waited.stderr + waited.stdout);
    const result = await tshell(['result'], { env: e, cwd });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, expectResult);
    const diagnosed = await tshell(['diagnose'], { env: e, cwd });
    assert.equal(diagnosed.exitCode, 0, diagnosed.stdout + diagnosed.stderr);
    assert.match(diagnosed.stdout, /✓ healthy/);
    const doctor = await tshell(['doctor'], { env: e, cwd });
    assert.equal(doctor.exitCode, 0, doctor.stdout);
    assert.match(doctor.stdout, /✓ project/);
    assert.match(doctor.stdout, /✓ temporalio\s+1\.(35|9)\.0/);
    await tshell(['kill-worker'], { env: e, cwd });
    assert.deepEqual(
      Object.keys(fileTree(cwd)).filter((f) => !(f in pristine)),
      [],
      'no new files in the project',
    );
    assert.deepEqual(fileTree(cwd), pristine, 'the project is byte for byte as it was');
    return { ensure: data };
  }

  it('(a) flat scripts, the queue in a shared constant, requirements.txt, an activated venv', async () => {
    const dir = copyProject('flat-scripts', env);
    const activated = {
      VIRTUAL_ENV: sharedVenv,
      PATH: `${join(sharedVenv, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
    };
    const config = await tshell(['config', '--json'], { env: { ...plain, ...activated }, cwd: dir });
    const settings = (JSON.parse(config.stdout) as { settings: { name: string; value: string; source: string }[] })
      .settings;
    const get = (n: string) => settings.find((x) => x.name === n);
    assert.equal(get('workerCmd')?.value, `${join(sharedVenv, 'bin', 'python')} run_worker.py`);
    assert.equal(get('workerCmd')?.source, 'discovered run_worker.py:14');
    assert.equal(get('taskQueue')?.value, 'flat-transfers');
    assert.equal(get('taskQueue')?.source, 'discovered shared.py:2');
    const { ensure } = await loop(dir, activated, /withdrew 250/);
    assert.equal(ensure.taskQueue, 'flat-transfers');
  });

  it('(b) a package run as a module, the queue constant in its __init__', async () => {
    const dir = copyProject('package-module', env);
    await makeVenv(join(dir, 'venv'));
    const { ensure } = await loop(dir, {}, /reserved lamp/);
    assert.match(String(ensure.command), /python -m orders\.worker$/);
    assert.equal(ensure.taskQueue, 'orders-package');
  });

  it('(b) without its virtualenv: the worker dies at the import, and the hint says to make one (tshell makes none)', async () => {
    const dir = copyProject('package-module', env, 'package-module-no-venv');
    // python3 on PATH is one with nothing installed (a bare venv outside the project, not activated).
    const bare = await makeVenv(join(env.stateDir, 'python3-bare'), false);
    const e = { ...plain, PATH: `${join(bare, 'bin')}${delimiter}${process.env.PATH ?? ''}` };
    const pristine = fileTree(dir);
    const r = await tshell(['ensure-worker'], { env: e, cwd: dir, timeoutMs: 300_000 });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /worker exited during start-up[\s\S]*ModuleNotFoundError: No module named 'temporalio'/);
    assert.ok(
      r.stderr.includes(
        `hint: \`temporalio\` is not installed for python3 on PATH, and ${dir} has no virtualenv: make one there (\`python3 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt\`); tshell runs the worker with .venv/ from then on`,
      ),
      r.stderr,
    );
    assert.deepEqual(fileTree(dir), pristine, 'no venv, cache or file made in the project');
  });

  it('(c) a uv project with [project.scripts] (examples/hello)', async () => {
    const dir = copyProject('../../examples/hello', env);
    const { ensure } = await loop(dir, {}, /Hello/);
    assert.equal(ensure.command, 'uv run worker');
  });

  it('(d) one sample of a repository of samples, run from the root the way its README says', async () => {
    const repo = copyProject('samples-repo', env);
    const sample = join(repo, 'greeting_sample');
    const { ensure } = await loop(sample, {}, /Hello from the sample, Ada/);
    assert.equal(ensure.command, 'uv run greeting_sample/worker.py');
    // At the root, tshell does not guess between the samples: it names them.
    const atRoot = await tshell(['ensure-worker'], { env: plain, cwd: repo });
    assert.equal(atRoot.exitCode, 2);
    assert.match(atRoot.stderr, /2 workers in .*greeting_sample\/worker\.py:12, timer_sample\/worker\.py:12/);
    const listed = await tshell(['projects', '--json'], { env: plain, cwd: repo });
    const rows = (JSON.parse(listed.stdout) as { projects: { folder: string; taskQueue?: string }[] }).projects;
    assert.deepEqual(
      rows.map((r) => [r.folder, r.taskQueue]),
      [
        ['greeting_sample', 'samples-greeting'],
        ['timer_sample', 'samples-timer'],
      ],
    );
  });

  it('at the root of a repository of samples, the REPL asks once which worker and remembers it', async () => {
    const repo = copyProject('samples-repo', env, 'samples-repo-asked');
    const { tshellInPty } = await import('../helpers/tshell.js');
    const r = await tshellInPty(
      [],
      [
        { expect: '› $', send: 'ensure-worker\r' },
        { expect: '2 workers in this project: which one\\?', send: '\x1b[B' },
        { expect: '❯ timer_sample/worker\\.py:12', send: '\r' },
        { expect: 'worker ready in .*polls task queue samples-timer', timeout: 120 },
        { expect: '› $', send: 'ensure-worker\r' },
        {
          expect: 'worker ready in .*polls task queue samples-timer[\\s\\S]*› $',
          send: 'exit --cleanup\r',
          timeout: 120,
        },
      ],
      { env: plain, cwd: repo, exitTimeout: 30 },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    const afterFirst = r.transcript.slice(r.transcript.indexOf('worker ready'));
    assert.doesNotMatch(afterFirst, /which one\?/, 'asked once: the second ensure-worker remembers the answer');
  });

  it('(g) a queue decided at run time: the worker reports itself, no heartbeat is waited for; its own sitecustomize still loads', async () => {
    const dir = copyProject('runtime-queue', env);
    const data = (await loop(dir, {}, /HEY/, ['--input', '"hey"'])).ensure as {
      taskQueue: string;
      readyMs: number;
      report?: {
        taskQueue: string;
        workflows: string[];
        activities: string[];
        sdk?: string;
        namespace?: string;
        state: string;
      };
    };
    // "runtime" comes from the project's own sitecustomize.py: without it the worker would not start.
    assert.equal(data.taskQueue, 'runtime-tasks');
    assert.deepEqual(
      data.report && [
        data.report.taskQueue,
        data.report.workflows,
        data.report.activities,
        data.report.sdk,
        data.report.namespace,
      ],
      ['runtime-tasks', ['Shout'], ['shout'], '1.35.0', 'default'],
    );
    assert.ok(data.readyMs < 55_000, `ready in ${data.readyMs} ms`);
    // Off, the worker still runs (and tshell falls back to what it reads and the server shows).
    const off = await tshell(['ensure-worker', '--task-queue', 'runtime-tasks', '--json'], {
      env: { ...plain, TSHELL_WORKER_HOOK: '0' },
      cwd: dir,
    });
    assert.equal(off.exitCode, 0, off.stderr);
    assert.equal((JSON.parse(off.stdout) as { report?: unknown }).report, undefined);
    await tshell(['kill-worker'], { env: plain, cwd: dir });
  });

  it('(h) two worker scripts in one folder: the one the Makefile runs is the worker', async () => {
    const dir = copyProject('two-workers', env);
    // The one workflow its worker registers is started (the other script defines another).
    const data = (await loop(dir, {}, /^echo$/m, ['--input', '"echo"'])).ensure as {
      taskQueue: string;
      command: string;
    };
    assert.equal(data.command, 'uv run scripts/run_worker.py');
    assert.equal(data.taskQueue, 'two-tasks');
    const config = await tshell(['config'], { env: plain, cwd: dir });
    assert.match(
      config.stdout,
      /workerCmd\s+--worker-cmd\s+uv run scripts\/run_worker\.py\s+discovered scripts\/run_worker\.py:\d+ \(Makefile: run-worker: uv run scripts\/run_worker\.py\)/,
    );
    const listed = JSON.parse((await tshell(['projects', '--json'], { env: plain, cwd: dir })).stdout) as {
      chosen?: string;
    };
    assert.match(
      listed.chosen ?? '',
      /^scripts\/run_worker\.py:\d+ \(Makefile: run-worker: uv run scripts\/run_worker\.py\)$/,
    );
    // Without the Makefile nothing says which: a one-shot names both, each as a command that works as typed.
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'Makefile'));
    assert.match(
      (await tshell(['projects'], { env: plain, cwd: dir })).stdout,
      /pick one with `ensure-worker --worker FILE`/,
    );
    const refused = await tshell(['ensure-worker'], { env: plain, cwd: dir });
    assert.equal(refused.exitCode, 2);
    assert.match(refused.stderr, /2 workers in .*nothing in the project .* says which one it runs/);
    assert.match(
      refused.stderr,
      /pick one: ensure-worker --worker scripts\/run_legacy_worker\.py  \(runs uv run scripts\/run_legacy_worker\.py\);  ensure-worker --worker scripts\/run_worker\.py  \(runs uv run scripts\/run_worker\.py\)/,
    );
    // …and the command it names works as typed.
    const picked = await tshell(['ensure-worker', '--worker', 'scripts/run_legacy_worker.py', '--json'], {
      env: plain,
      cwd: dir,
    });
    assert.equal(picked.exitCode, 0, picked.stderr);
    assert.deepEqual(
      [
        (JSON.parse(picked.stdout) as { command: string }).command,
        (JSON.parse(picked.stdout) as { taskQueue: string }).taskQueue,
      ],
      ['uv run scripts/run_legacy_worker.py', 'legacy-tasks'],
    );
    await tshell(['kill-worker', '--worker-cmd', 'uv run scripts/run_legacy_worker.py'], { env: plain, cwd: dir });
  });

  it('(i) a queue default a .env overrides at run time: the worker says which, and start goes there', async () => {
    const dir = copyProject('dotenv-queue', env);
    const data = (await loop(dir, {}, /agent: hi/, ['--input', '"hi"'])).ensure as {
      taskQueue: string;
      command: string;
      report?: { taskQueue: string };
    };
    assert.equal(data.command, 'uv run scripts/run_worker.py');
    // The code reads "agent-task-queue"; the running worker polls what its .env says.
    assert.equal(data.taskQueue, 'dotenv-tasks');
    assert.equal(data.report?.taskQueue, 'dotenv-tasks');
  });

  it('(j) an SDK that sends no worker heartbeats, its queue computed at run time: ready from its report', async () => {
    const dir = copyProject('old-sdk', env);
    const data = (await loop(dir, {}, /pong/)).ensure as {
      taskQueue: string;
      report?: { sdk?: string; workflows: string[] };
    };
    assert.equal(data.taskQueue, `old-sdk-${hostname().split('.')[0]}`);
    assert.equal(data.report?.sdk, '1.9.0');
    assert.deepEqual(data.report?.workflows, ['PingWorkflow']);
  });

  it('(e) a worker whose queue comes from an environment variable', async () => {
    const dir = copyProject('env-queue', env);
    const { ensure } = await loop(dir, { ENVQ_TASK_QUEUE: 'envq-tasks' }, /QUIET PLEASE/);
    assert.equal(ensure.taskQueue, 'envq-tasks');
  });

  it('(f) a plain .venv project, the queue a literal in worker.py', async () => {
    const dir = copyProject('venv-project', env);
    await makeVenv(join(dir, '.venv'));
    const { ensure } = await loop(dir, {}, /42/);
    assert.equal(ensure.taskQueue, 'exercise-queue');
  });

  it('doctor: a folder without Temporal code exits 1 with a hint; a venv without temporalio names the install command', async () => {
    const empty = mkdtempSync(join(env.stateDir, 'not-a-project-'));
    const r = await tshell(['doctor'], { env: plain, cwd: empty });
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /✗ project .*no Temporal code here/);
    assert.match(r.stdout, /fix: cd into your Temporal project/);
    assert.doesNotMatch(r.stdout, /✓ worker command/);
    const bare = copyProject('venv-project', env, 'venv-project-bare');
    await makeVenv(join(bare, '.venv'), false);
    const d = await tshell(['doctor'], { env: plain, cwd: bare });
    assert.equal(d.exitCode, 1);
    assert.match(d.stdout, /✗ temporalio\s+not importable in venv/);
    assert.match(
      d.stdout,
      new RegExp(
        `fix: ${join(bare, '.venv', 'bin', 'python').replace(/\./g, '\\.')} -m pip install -r requirements.txt`,
      ),
    );
  });

  it('a worker started by hand in another terminal shows in list-workers, from its heartbeat, with its pid', async () => {
    const dir = copyProject('env-queue', env, 'env-queue-by-hand');
    const queue = `by-hand-${await freePort()}`;
    const child = spawn(UV, ['run', 'worker.py'], {
      cwd: dir,
      env: { ...process.env, ...plain, ENVQ_TASK_QUEUE: queue },
      detached: true,
      stdio: 'ignore',
    });
    pids.push(child.pid as number);
    // Asked from another project's folder: only the server's heartbeats know this worker.
    const elsewhere = join(FIXTURES, '..', '..', 'examples', 'hello');
    const row = await eventually(
      async () => {
        const r = await tshell(['list-workers', '--json'], { env: plain, cwd: elsewhere });
        const data = JSON.parse(r.stdout) as {
          workers: { pid: number; taskQueue?: string; seenBy: string; cwd?: string }[];
          heartbeats: boolean;
        };
        assert.equal(data.heartbeats, true);
        return data.workers.find((w) => w.taskQueue === queue);
      },
      90_000,
      'the hand-started worker in list-workers',
    );
    assert.equal(row.seenBy, 'heartbeat');
    assert.equal(row.cwd, dir);
    // The pid is the Python process that polls (uv's child).
    const { readFileSync } = await import('node:fs');
    assert.match(readFileSync(`/proc/${row.pid}/cmdline`, 'utf8'), /worker\.py/);
    assert.equal(dirname(join(dir, 'worker.py')), dir);
    // From its own folder, health joins the process with its heartbeat.
    const health = await tshell(['health', '--json'], { env: plain, cwd: dir });
    const hb = (
      JSON.parse(health.stdout) as { heartbeat?: { pid: number; taskQueue: string; workflowTasksProcessed?: number } }
    ).heartbeat;
    assert.equal(hb?.taskQueue, queue, health.stdout);
    assert.equal(hb?.pid, row.pid);
    process.kill(-(child.pid as number), 'SIGTERM');
  });
});
