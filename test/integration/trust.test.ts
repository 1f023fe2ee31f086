// The wizard's re-check tells the truth, in a real pseudo-terminal on copies of the `evolving`
// fixture: it watches the thing the finding was about and cites the proof (event id, attempt, run),
// and when the fix was not applied it never says ✓.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  cleanup,
  copyProject,
  declaredJson,
  editLine,
  eventually,
  makeEnv,
  tshell,
  tshellInPty,
  type Env,
  type RunResult,
} from '../helpers/tshell.js';

type Diagnosis = { findings: { class: string; summary: string; procedure: { steps: string[] } }[] };

describe("the wizard's re-check", () => {
  let env: Env;

  before(async () => {
    env = await makeEnv();
    assert.equal((await tshell(['ensure-server', '--headless'], { env: env.env })).exitCode, 0);
  });
  after(async () => cleanup(env));

  /** A copy of `evolving` whose worker polls its own queue, with the worker line and the activity bug as given. */
  function project(name: string, queue: string, opts: { activities?: string; bug?: boolean }) {
    const dir = copyProject('evolving', env, name);
    const sed = (file: string, expr: string) => ['sed', '-i', expr, join(dir, 'src', 'evolving', file)];
    return {
      dir,
      run: (args: string[]): Promise<RunResult> => tshell(args, { env: env.env, cwd: dir }),
      sed,
      setup: async () => {
        const { execa } = await import('execa');
        await execa('sed', sed('worker.py', `s/^TASK_QUEUE = "evolving"/TASK_QUEUE = "${queue}"/`).slice(1));
        if (opts.activities !== undefined)
          await execa(
            'sed',
            sed('worker.py', `s/activities=\\[prepare, finish, charge\\]/activities=[${opts.activities}]/`).slice(1),
          );
        if (!opts.bug) await execa('sed', sed('activities.py', '/# BUG/d').slice(1));
      },
    };
  }

  async function diagnosedAs(
    p: { run: (a: string[]) => Promise<RunResult> },
    id: string,
    cls: string,
  ): Promise<Diagnosis['findings'][number]> {
    return eventually(
      async () => {
        const d = await declaredJson<Diagnosis>('diagnose', await p.run(['diagnose', '--id', id, '--json']));
        return d.findings[0]?.class === cls ? d.findings[0] : undefined;
      },
      60_000,
      `${id} to be diagnosed ${cls}`,
    );
  }

  async function startOrder(
    p: { run: (a: string[]) => Promise<RunResult> },
    queue: string,
    order: string,
  ): Promise<string> {
    const r = await p.run([
      'start',
      '--type',
      'OrderWorkflow',
      '--task-queue',
      queue,
      '--input',
      `"${order}"`,
      '--json',
    ]);
    assert.equal(r.exitCode, 0, r.stderr);
    return (JSON.parse(r.stdout) as { workflowId: string }).workflowId;
  }

  it('a worker that registers no activities: activity-not-registered, and ✓ only once the scheduled activity completed', async () => {
    const p = project('trust-noacts', 'trust-noacts', { activities: '' });
    await p.setup();
    assert.equal((await p.run(['ensure-worker'])).exitCode, 0);
    const id = await startOrder(p, 'trust-noacts', 'n-1');
    const f = await diagnosedAs(p, id, 'activity-not-registered');
    assert.match(
      f.summary,
      /polls trust-noacts for workflow tasks but registers no activities: activity charge waits, never started/,
    );
    const r = await tshellInPty(
      ['wizard', '--id', id, '--check-timeout', '60'],
      [
        { expect: 'activity-not-registered \\(error\\)' },
        { expect: 'Run these steps now\\?', send: 'y\r' },
        {
          expect: 'register the missing workflow/activity in the worker \\(press Enter when done\\)',
          exec: p.sed('worker.py', 's/activities=\\[\\]/activities=[prepare, finish, charge]/'),
          send: '\r',
        },
        { expect: 'worker ready in' },
        {
          expect:
            '✓ re-check: activity charge passed on attempt 1 \\(event \\d+ ActivityTaskCompleted, run \\S+\\); the workflow is COMPLETED',
          timeout: 90,
        },
      ],
      { env: env.env, cwd: p.dir, exitTimeout: 30 },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    assert.equal(r.exitCode, 0);
    await p.run(['kill-worker']);
  });

  it('an activity registered while it retries: the attempt after the fix passes, the old error is not repeated', async () => {
    const p = project('trust-reg', 'trust-reg', { activities: 'prepare, finish' });
    await p.setup();
    assert.equal((await p.run(['ensure-worker'])).exitCode, 0);
    const id = await startOrder(p, 'trust-reg', 'r-1');
    await diagnosedAs(p, id, 'activity-not-registered');
    const seen = await eventually(
      async () => {
        const d = await declaredJson<{ pendingActivities: { attempt: number }[] }>(
          'describe',
          await p.run(['describe', '--id', id, '--json']),
        );
        const a = d.pendingActivities[0]?.attempt ?? 0;
        return a >= 3 ? a : undefined;
      },
      60_000,
      'a few failed attempts',
    );
    const r = await tshellInPty(
      ['wizard', '--id', id, '--check-timeout', '60'],
      [
        { expect: 'activity-not-registered \\(error\\)' },
        { expect: 'Run these steps now\\?', send: 'y\r' },
        {
          expect: 'press Enter when done',
          exec: p.sed('worker.py', 's/activities=\\[prepare, finish\\]/activities=[prepare, finish, charge]/'),
          send: '\r',
        },
        { expect: 'worker ready in' },
        {
          expect: '✓ re-check: activity charge passed on attempt \\d+ \\(event \\d+ ActivityTaskCompleted',
          timeout: 90,
        },
      ],
      { env: env.env, cwd: p.dir, exitTimeout: 30 },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    const passedOn = Number(/passed on attempt (\d+)/.exec(r.transcript)?.[1]);
    assert.ok(passedOn > seen, `passed on attempt ${passedOn}, after attempt ${seen} was seen failing`);
    assert.doesNotMatch(r.transcript, /still fails|✗ re-check/);
    await p.run(['kill-worker']);
  });

  it('a fix that was not applied: the next attempt fails again and the re-check says so, never ✓', async () => {
    const p = project('trust-nofix', 'trust-nofix', { bug: true });
    await p.setup();
    assert.equal((await p.run(['ensure-worker'])).exitCode, 0);
    const id = await startOrder(p, 'trust-nofix', 'x-1');
    await diagnosedAs(p, id, 'activity-failing');
    const r = await tshellInPty(
      ['wizard', '--id', id, '--check-timeout', '30'],
      [
        { expect: 'activity-failing \\(error\\)' },
        { expect: 'Run these steps now\\?', send: 'y\r' },
        // The developer presses Enter without fixing anything.
        { expect: 'fix the activity code \\(press Enter when done\\)', send: '\r' },
        { expect: 'worker ready in' },
        {
          expect:
            '✗ re-check: activity charge attempt \\d+ \\(after the fix\\) failed too: ValueError: card number missing for order x-1',
          timeout: 90,
        },
      ],
      { env: env.env, cwd: p.dir, exitTimeout: 30 },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    assert.equal(r.exitCode, 1);
    assert.doesNotMatch(r.transcript, /✓ re-check/);
    await p.run(['terminate', '--id', id, '--yes']);
    await p.run(['kill-worker']);
  });

  it('a task-queue mismatch: once the worker polls the right queue the original proceeds; nothing is started twice', async () => {
    const p = project('trust-queue', 'trust-q1', {});
    await p.setup();
    assert.equal((await p.run(['ensure-worker'])).exitCode, 0);
    const id = await startOrder(p, 'trust-q2', 'q-1');
    const f = await diagnosedAs(p, id, 'task-queue-mismatch');
    assert.ok(!f.procedure.steps.some((st) => st.startsWith('start')), f.procedure.steps.join(' / '));
    const r = await tshellInPty(
      ['wizard', '--id', id, '--check-timeout', '60'],
      [
        { expect: 'task-queue-mismatch \\(error\\)' },
        { expect: 'Run these steps now\\?', send: 'y\r' },
        {
          expect: "make the worker poll the workflow's task queue.*\\(press Enter when done\\)",
          exec: p.sed('worker.py', 's/^TASK_QUEUE = "trust-q1"/TASK_QUEUE = "trust-q2"/'),
          send: '\r',
        },
        { expect: 'worker ready in .*polls task queue trust-q2' },
        {
          expect: `✓ re-check: a worker picked up the workflow task \\(event \\d+ WorkflowTask(Started|Completed), run \\S+\\)`,
          timeout: 90,
        },
      ],
      { env: env.env, cwd: p.dir, exitTimeout: 30 },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    await eventually(
      async () => {
        const d = await declaredJson<{ status: string }>('describe', await p.run(['describe', '--id', id, '--json']));
        return d.status === 'COMPLETED' ? true : undefined;
      },
      30_000,
      'the original to complete',
    );
    const recent = await declaredJson<{ workflows: { type: string; taskQueue: string }[] }>(
      'recent',
      await p.run(['recent', '--json']),
    );
    assert.equal(recent.workflows.filter((w) => w.taskQueue === 'trust-q2').length, 1, 'no second run of the work');
    await p.run(['kill-worker']);
  });

  it('a reset: the re-check follows the new run the reset made, not the old one', async () => {
    const p = project('trust-reset', 'trust-reset', {});
    await p.setup();
    assert.equal((await p.run(['ensure-worker'])).exitCode, 0);
    const started = await p.run([
      'start',
      '--type',
      'TimerWorkflow',
      '--task-queue',
      'trust-reset',
      '--input',
      '3600',
      '--json',
    ]);
    const id = (JSON.parse(started.stdout) as { workflowId: string; runId: string }).workflowId;
    const oldRun = (JSON.parse(started.stdout) as { runId: string }).runId;
    await eventually(
      async () => {
        const h = await declaredJson<{ events: { type: string }[] }>(
          'history',
          await p.run(['history', '--id', id, '--json']),
        );
        return h.events.some((e) => e.type === 'TimerStarted') ? true : undefined;
      },
      30_000,
      'the timer to start',
    );
    // An incompatible change under the running workflow: an activity before the timer.
    const workflows = join(p.dir, 'src', 'evolving', 'workflows.py');
    editLine(
      workflows,
      '# TIMER',
      '        await workflow.execute_activity(finish, start_to_close_timeout=STEP)\n        await workflow.sleep(timedelta(seconds=seconds))  # TIMER',
    );
    assert.equal((await p.run(['ensure-worker', '--force'])).exitCode, 0);
    assert.equal((await p.run(['signal', 'nudge', '--id', id])).exitCode, 0);
    await diagnosedAs(p, id, 'nondeterminism');
    const r = await tshellInPty(
      ['wizard', '--id', id, '--check-timeout', '60'],
      [
        { expect: 'nondeterminism \\(critical\\)' },
        { expect: 'alternative: reset to event \\d+', timeout: 90 },
        // The second choice: reset, keeping the progress.
        { expect: 'How do you want to recover\\?', send: '\x1b[B\r' },
        { expect: 'Run these steps now\\?', send: 'y\r' },
        // The fix that keeps the history: the new activity stays, the timer is one second.
        {
          expect: 'fix the workflow code so that it matches the kept history \\(press Enter when done\\)',
          exec: ['sed', '-i', 's/seconds=seconds))  # TIMER/seconds=1))  # TIMER/', workflows],
          send: '\r',
        },
        { expect: 'worker ready in' },
        { expect: 'reset .* new run' },
        {
          expect: '✓ re-check: a workflow task of the new run \\S+ \\(after the reset\\) completed \\(event \\d+\\)',
          timeout: 90,
        },
      ],
      { env: env.env, cwd: p.dir, exitTimeout: 30 },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    const newRun = /the new run (\S+) \(after the reset\)/.exec(r.transcript)?.[1];
    assert.ok(newRun && newRun !== oldRun, `watched ${newRun}, the old run was ${oldRun}`);
    await eventually(
      async () => {
        const d = await declaredJson<{ status: string; runId: string }>(
          'describe',
          await p.run(['describe', '--id', id, '--json']),
        );
        return d.runId === newRun && d.status === 'COMPLETED' ? true : undefined;
      },
      60_000,
      'the new run to complete',
    );
    await p.run(['kill-worker']);
  });
});
