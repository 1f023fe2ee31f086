// The determinism gate, for real on a copy of `evolving`: an incompatible change under a running
// workflow is refused by ensure-worker (the old worker keeps polling), `replay --all` says the same,
// a terminal may choose, and --force restarts anyway.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { after, before, describe, it } from 'node:test';
import {
  cleanup,
  copyProject,
  fileTree,
  ROOT,
  declaredJson,
  editLine,
  eventually,
  makeEnv,
  makeVenv,
  tshell,
  tshellInPty,
  type Env,
  type RunResult,
} from '../helpers/tshell.js';

/** Starts an hour-long TimerWorkflow and waits until its timer is in the history: its id. */
async function startTimer(run: (args: string[]) => Promise<RunResult>): Promise<string> {
  const started = await run([
    'start',
    '--type',
    'TimerWorkflow',
    '--task-queue',
    'evolving',
    '--input',
    '3600',
    '--json',
  ]);
  const id = (JSON.parse(started.stdout) as { workflowId: string }).workflowId;
  await eventually(
    async () => {
      const h = await declaredJson<{ events: { type: string }[] }>(
        'history',
        await run(['history', '--id', id, '--json']),
      );
      return h.events.some((e) => e.type === 'TimerStarted') ? true : undefined;
    },
    30_000,
    'the timer to start',
  );
  return id;
}

/** The edit is newer than the worker's start whatever the clock's granularity (no waiting for time). */
function newerThanTheWorker(file: string): void {
  const later = new Date(Date.now() + 5000);
  utimesSync(file, later, later);
}

const TEMPORAL = join(ROOT, '.tools', 'venv', 'bin', 'temporal');

describe('the determinism gate', () => {
  let env: Env;
  let dir: string;
  const run = (args: string[]): Promise<RunResult> => tshell(args, { env: env.env, cwd: dir });
  const workerPid = async (): Promise<number | undefined> =>
    (
      await declaredJson<{ workers: { pid: number; project: string }[] }>(
        'list-workers',
        await run(['list-workers', '--json']),
      )
    ).workers.find((w) => w.project === 'gate-evolving')?.pid;

  before(async () => {
    env = await makeEnv();
    dir = copyProject('evolving', env, 'gate-evolving');
    assert.equal((await run(['ensure-server', '--headless'])).exitCode, 0);
  });
  after(async () => cleanup(env));

  it('refuses to restart onto code a running workflow cannot replay; --force restarts anyway', async () => {
    assert.equal((await run(['ensure-worker'])).exitCode, 0);
    const id = await startTimer(run);
    // A compatible restart first (unchanged code): nothing to check.
    const same = await declaredJson<{ gate?: unknown }>('ensure-worker', await run(['ensure-worker', '--json']));
    assert.equal(same.gate, undefined);
    const before = await workerPid();
    // The history as the Temporal CLI exports it, for `replay --history-file` after the change.
    const exported = join(env.stateDir, `${id}.json`);
    const show = await execa(TEMPORAL, ['workflow', 'show', '-w', id, '-o', 'json', '--address', env.address], {
      reject: false,
    });
    assert.equal(show.exitCode, 0, show.stderr);
    writeFileSync(exported, show.stdout);
    const unchanged = await run(['replay', '--history-file', exported, '--json']);
    assert.equal(unchanged.exitCode, 0, unchanged.stdout + unchanged.stderr);
    const workflows = join(dir, 'src', 'evolving', 'workflows.py');
    editLine(
      workflows,
      '# TIMER',
      '        await workflow.execute_activity(finish, start_to_close_timeout=STEP)\n        await workflow.sleep(timedelta(seconds=seconds))  # TIMER',
    );
    newerThanTheWorker(workflows);

    const refused = await run(['ensure-worker']);
    assert.equal(refused.exitCode, 1, refused.stderr + refused.stdout);
    assert.match(
      refused.stderr,
      /not restarting: 1 of 1 running workflow\(s\) on evolving cannot replay the new code \(the old worker keeps running\)/,
    );
    assert.match(refused.stderr, new RegExp(`${id}: diverges at event \\d+ \\(TimerStarted\\)`));
    assert.match(refused.stderr, /hint: keep the old worker .*reset --id ID.*ensure-worker --force/);
    assert.equal(await workerPid(), before, 'the old worker still runs');

    const all = await run(['replay', '--all', '--json']);
    assert.equal(all.exitCode, 1);
    const a = (
      JSON.parse(all.stdout) as { all: { checked: number; diverged: { workflowId: string; eventType: string }[] } }
    ).all;
    assert.deepEqual(
      a.diverged.map((d) => [d.workflowId, d.eventType]),
      [[id, 'TimerStarted']],
    );
    // The same verdict from the exported file (no server needed for the history), and a clear error for a bad one.
    const fromFile = await run(['replay', '--history-file', exported, '--json']);
    assert.equal(fromFile.exitCode, 1);
    const f = (JSON.parse(fromFile.stdout) as { all: { diverged: { workflowId: string; eventType: string }[] } }).all;
    assert.deepEqual(
      f.diverged.map((d) => [d.workflowId, d.eventType]),
      [[id, 'TimerStarted']],
    );
    const bogus = join(env.stateDir, 'bogus.json');
    writeFileSync(bogus, '{"events": [');
    const bad = await run(['replay', '--history-file', bogus]);
    assert.equal(bad.exitCode, 2);
    assert.match(
      bad.stderr,
      /^✗ .*bogus\.json is not a workflow history: expected \{"events": \[\.\.\.\]\} starting with WorkflowExecutionStarted\n  hint: export one with `temporal workflow show/m,
    );
    // A file that is not a history is never echoed (it may be /etc/shadow).
    const secret = join(env.stateDir, 'secret.txt');
    writeFileSync(secret, 'root:$6$s3cr3t-hash:19000:0:99999:7:::\n');
    const noEcho = await run(['replay', '--history-file', secret, '--json']);
    assert.equal(noEcho.exitCode, 2);
    assert.doesNotMatch(noEcho.stdout + noEcho.stderr, /s3cr3t|root:/);

    // In a terminal the developer chooses: keep the old worker …
    const kept = await tshellInPty(
      ['ensure-worker'],
      [
        { expect: 'cannot replay the new code', timeout: 90 },
        { expect: 'Restart the worker anyway\\?', send: '\r' },
        { expect: 'kept the old worker: nothing was stopped' },
      ],
      { env: env.env, cwd: dir, exitTimeout: 20 },
    );
    assert.ok(kept.ok, `step ${kept.failedStep} failed:\n${kept.transcript}`);
    assert.equal(await workerPid(), before);

    const forced = await declaredJson<{ pid: number }>(
      'ensure-worker',
      await run(['ensure-worker', '--force', '--json']),
    );
    assert.notEqual(forced.pid, before);
    await run(['terminate', '--id', id, '--yes']);
    await run(['kill-worker']);
  });

  it('a check that did not check is not a pass: new code that does not import keeps the old worker', async () => {
    const broken = copyProject('evolving', env, 'gate-broken');
    const inBroken = (args: string[]) => tshell(args, { env: env.env, cwd: broken });
    assert.equal((await inBroken(['ensure-worker'])).exitCode, 0);
    const id = await startTimer(inBroken);
    const pidOf = async () =>
      (
        await declaredJson<{ workers: { pid: number; project: string }[] }>(
          'list-workers',
          await inBroken(['list-workers', '--json']),
        )
      ).workers.find((w) => w.project === 'gate-broken')?.pid;
    const before = await pidOf();
    assert.ok(before);
    const file = join(broken, 'src', 'evolving', 'workflows.py');
    appendFileSync(file, '\ndef half_written(:\n');
    newerThanTheWorker(file);

    const refused = await inBroken(['ensure-worker']);
    assert.equal(refused.exitCode, 1, refused.stderr + refused.stdout);
    assert.match(
      refused.stderr,
      /not restarting: checked 0 of 1 running workflow\(s\) on evolving: 1 could not be checked against the new code \(the old worker keeps running\)/,
    );
    assert.match(refused.stderr, new RegExp(`${id}: not checked: `));
    assert.match(refused.stderr, /hint: .*ensure-worker --force/);
    assert.doesNotMatch(refused.stdout + refused.stderr, /✓ replayed/);
    assert.equal(await pidOf(), before, 'the old worker still runs');
    const all = await inBroken(['replay', '--all', '--json']);
    assert.equal(all.exitCode, 1, 'replay --all does not pass what it could not check');
    const a = (JSON.parse(all.stdout) as { all: { checked: number; unchecked: { workflowId: string }[] } }).all;
    assert.equal(a.checked, 0);
    assert.deepEqual(
      a.unchecked.map((u) => u.workflowId),
      [id],
    );
    await inBroken(['terminate', '--id', id, '--yes']);
    await inBroken(['kill-worker']);
  });

  it('a uv project with no .venv, no flags: ensure-worker, the gate, replay and diagnose leave it byte for byte as it was; a replayer out of time keeps the old worker', async () => {
    const project = copyProject('evolving', env, 'gate-no-venv');
    const inProject = (args: string[]) => tshell(args, { env: env.env, cwd: project });
    const pristine = fileTree(project);
    const first = await declaredJson<{ environment?: { dir: string; from: string; builtMs?: number } }>(
      'ensure-worker',
      await inProject(['ensure-worker', '--json']),
    );
    assert.equal(first.environment?.from, 'pyproject.toml');
    assert.ok(first.environment?.dir.startsWith(env.stateDir), first.environment?.dir);
    assert.deepEqual(fileTree(project), pristine, 'ensure-worker wrote nothing into the project');
    const id = await startTimer(inProject);
    const pidOf = async () =>
      (
        await declaredJson<{ workers: { pid: number; project: string }[] }>(
          'list-workers',
          await inProject(['list-workers', '--json']),
        )
      ).workers.find((w) => w.project === 'gate-no-venv')?.pid;
    const before = await pidOf();
    assert.ok(before);

    const file = join(project, 'src', 'evolving', 'workflows.py');
    editLine(
      file,
      '# TIMER',
      '        await workflow.execute_activity(finish, start_to_close_timeout=STEP)\n        await workflow.sleep(timedelta(seconds=seconds))  # TIMER',
    );
    newerThanTheWorker(file);
    const edited = fileTree(project);
    const refused = await inProject(['ensure-worker']);
    assert.equal(refused.exitCode, 1, refused.stderr);
    assert.match(refused.stderr, /not restarting: 1 of 1 running workflow\(s\) on evolving cannot replay the new code/);
    const replayed = await inProject(['replay', '--id', id, '--json']);
    assert.equal(replayed.exitCode, 1, replayed.stderr);
    assert.equal((JSON.parse(replayed.stdout) as { kind: string }).kind, 'nondeterminism');
    assert.equal((await inProject(['diagnose', '--id', id])).exitCode, 1);
    assert.deepEqual(fileTree(project), edited, 'the gate, replay and diagnose wrote nothing into the project');

    // New code whose import takes longer than the gate may wait: nothing checked, the old worker stays.
    writeFileSync(file, `import time as _slow\n_slow.sleep(120)  # SLOW\n${readFileSync(file, 'utf8')}`);
    newerThanTheWorker(file);
    const slow = await inProject(['ensure-worker', '--gate-timeout', '2']);
    assert.equal(slow.exitCode, 1, slow.stderr);
    assert.match(
      slow.stderr,
      /not restarting: checked 0 of 1 running workflow\(s\) on evolving: 1 could not be checked against the new code \(the old worker keeps running\)/,
    );
    assert.match(slow.stderr, new RegExp(`${id}: not checked: the replayer did not reach it within 2 s`));
    assert.equal(await pidOf(), before, 'the old worker still runs');

    // With the worker gone, replay still runs in tshell's environment for the project, not in a new .venv.
    await inProject(['kill-worker']);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/^import time as _slow\n_slow\.sleep\(120\) {2}# SLOW\n/, ''),
    );
    const edited2 = fileTree(project);
    const again = await inProject(['replay', '--id', id, '--json']);
    assert.equal(again.exitCode, 1, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { kind: string }).kind, 'nondeterminism');
    assert.deepEqual(fileTree(project), edited2);
    for (const made of ['.venv', 'uv.lock']) assert.equal(existsSync(join(project, made)), false, made);
    await inProject(['terminate', '--id', id, '--yes']);
  });

  it("never writes into the project: the gate and replay use the running worker's own interpreter, and make no environment", async () => {
    const project = copyProject('evolving', env, 'gate-venv');
    const venv = await makeVenv(join(env.stateDir, 'venv-gate'));
    const own = [
      '--worker-cmd',
      `${join(venv, 'bin', 'python')} -c "from evolving.worker import main; main()"`,
      '--worker-dir',
      join(project, 'src'),
    ];
    const inProject = (args: string[]) => tshell(args, { env: env.env, cwd: project });
    assert.equal((await inProject(['ensure-worker', ...own])).exitCode, 0);
    const id = await startTimer(inProject);
    const file = join(project, 'src', 'evolving', 'workflows.py');
    editLine(
      file,
      '# TIMER',
      '        await workflow.execute_activity(finish, start_to_close_timeout=STEP)\n        await workflow.sleep(timedelta(seconds=seconds))  # TIMER',
    );
    newerThanTheWorker(file);
    const before = fileTree(project);

    const refused = await inProject(['ensure-worker', ...own]);
    assert.equal(refused.exitCode, 1, refused.stderr);
    assert.match(refused.stderr, /not restarting: 1 of 1 running workflow\(s\) on evolving cannot replay the new code/);
    const replayed = await inProject(['replay', '--id', id, ...own, '--json']);
    assert.equal(replayed.exitCode, 1, replayed.stderr);
    assert.equal((JSON.parse(replayed.stdout) as { kind: string }).kind, 'nondeterminism');
    await inProject(['diagnose', '--id', id, ...own]);
    // With no worker running and no .venv, a uv project is not replayed at all: no environment is made.
    await inProject(['kill-worker', ...own]);
    const none = await inProject(['replay', '--id', id]);
    assert.equal(none.exitCode, 2, none.stderr);
    assert.match(none.stderr, /no environment to replay in: .* has no \.venv, and no worker of it runs/);
    assert.deepEqual(fileTree(project), before, 'the project folder is unchanged');
    for (const made of ['.venv', 'uv.lock']) assert.equal(existsSync(join(project, made)), false, made);
    await inProject(['terminate', '--id', id, '--yes']);
  });
});
