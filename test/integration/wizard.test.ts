// The wizard, driven through a real pseudo-terminal on a copy of the `evolving` fixture: it names the
// class before asking anything, cites the failing event, proposes the procedure, pauses while the
// "developer" (a scripted edit) fixes the code, runs the steps and re-checks. Off a terminal it runs
// nothing without --yes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

type Finding = { class: string; evidence: { eventId?: number; text: string }[] };

describe('the wizard', () => {
  let env: Env;
  let dir: string;
  const run = (args: string[]): Promise<RunResult> => tshell(args, { env: env.env, cwd: dir });
  const start = async (type: string, input: string): Promise<string> => {
    const r = await run(['start', '--type', type, '--task-queue', 'evolving', '--input', input, '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    return (JSON.parse(r.stdout) as { workflowId: string }).workflowId;
  };
  const diagnosedAs = (id: string, cls: string): Promise<Finding> =>
    eventually(
      async () => {
        const d = await declaredJson<{ findings: Finding[] }>(
          'diagnose',
          await run(['diagnose', '--id', id, '--json']),
        );
        return d.findings[0]?.class === cls ? d.findings[0] : undefined;
      },
      40_000,
      `${id} to be diagnosed ${cls}`,
    );
  /** Where the first question the user must answer appears (inquirer's confirm/select/input). */
  const firstQuestion = (t: string) => t.search(/\((y\/N|Y\/n)\)|❯|press Enter when done/);

  before(async () => {
    env = await makeEnv();
    dir = copyProject('evolving', env);
    assert.equal((await run(['ensure-server', '--headless'])).exitCode, 0);
    assert.equal((await run(['ensure-worker'])).exitCode, 0);
  });
  after(async () => cleanup(env));

  it('off a terminal: prints the path and the proposal, runs nothing without --yes', async () => {
    const id = await start('OrderWorkflow', '"o-1"');
    const found = await diagnosedAs(id, 'activity-failing');
    // The traceback's exception line in the worker log, with the project's own frame.
    const log = found.evidence.find((e) => (e as { source?: string }).source === 'worker-log') as
      { line: number; text: string } | undefined;
    assert.match(
      log?.text ?? '',
      /^ValueError: card number missing for order o-1 \(at src\/evolving\/activities\.py:\d+ in charge\) \(.*worker-evolving-[0-9a-f]{8}\.log\)$/,
    );
    const file = /\(([^()]*worker-evolving-[0-9a-f]{8}\.log)\)$/.exec(log?.text ?? '')?.[1] as string;
    assert.equal(
      readFileSync(file, 'utf8').split('\n')[(log?.line ?? 0) - 1],
      'ValueError: card number missing for order o-1',
    );
    const r = await run(['wizard', '--id', id]);
    assert.equal(r.exitCode, 1);
    assert.match(
      r.stdout,
      /\? Is an activity failing, timing out, or never picked up\?\n {2}→ yes: activity charge keeps failing/,
    );
    assert.match(
      r.stdout,
      /activity-failing \(error\)[\s\S]*fix \(fix-activity-restart\):\n {4}1\. # fix the activity code\n {4}2\. ensure-worker/,
    );
    assert.match(r.stdout, /not run: stdin is not a terminal \(rerun with --yes/);
    const d = await declaredJson<{ consent: string; ran: unknown[]; class: string; path: { by: string }[] }>(
      'wizard',
      await run(['wizard', '--id', id, '--json']),
    );
    assert.deepEqual([d.class, d.consent, d.ran.length], ['activity-failing', 'not-asked', 0]);
    assert.ok(d.path.every((p) => p.by === 'evidence'));
    assert.equal((await run(['terminate', '--id', id, '--yes'])).exitCode, 0);
  });

  it('an activity bug: class first, pause for the fix, restart, and the next attempt passes', async () => {
    const id = await start('OrderWorkflow', '"o-2"');
    await diagnosedAs(id, 'activity-failing');
    const r = await tshellInPty(
      [],
      [
        { expect: '› $', send: `wizard --id ${id}\r` },
        { expect: 'activity-failing \\(error\\)' },
        { expect: 'Run these steps now\\?', send: 'y\r' },
        {
          expect: 'fix the activity code \\(press Enter when done\\)',
          exec: ['sed', '-i', '/# BUG/d', join(dir, 'src', 'evolving', 'activities.py')],
          send: '\r',
        },
        { expect: 'worker ready in' },
        {
          expect:
            '✓ re-check: activity charge passed on attempt \\d+ \\(event \\d+ ActivityTaskCompleted, run \\S+\\); the workflow is COMPLETED',
          timeout: 90,
        },
        { expect: '› $', send: 'exit --cleanup\r' },
      ],
      { env: env.env, cwd: dir },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    const t = r.transcript;
    assert.ok(t.indexOf('activity-failing (error)') < firstQuestion(t), 'no question before the class is named');
    assert.equal(
      (await declaredJson<{ status: string }>('describe', await run(['describe', '--id', id, '--json']))).status,
      'COMPLETED',
    );
  });

  it('non-determinism: cites the failing event, replay confirms, terminate → fix → restart → a new run COMPLETED', async () => {
    assert.equal((await run(['ensure-worker'])).exitCode, 0);
    const id = await start('TimerWorkflow', '3600');
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
    const workflows = join(dir, 'src', 'evolving', 'workflows.py');
    editLine(
      workflows,
      '# TIMER',
      '        await workflow.execute_activity(finish, start_to_close_timeout=STEP)\n        await workflow.sleep(timedelta(seconds=seconds))  # TIMER',
    );
    assert.equal((await run(['ensure-worker', '--force'])).exitCode, 0);
    assert.equal((await run(['signal', 'nudge', '--id', id])).exitCode, 0);
    const nd = await diagnosedAs(id, 'nondeterminism');
    const failedEvent = nd.evidence[0]?.eventId as number;
    const r = await tshellInPty(
      ['wizard', '--id', id, '--check-timeout', '60'],
      [
        { expect: 'nondeterminism \\(critical\\)' },
        { expect: 'replay confirms it: code and history part at event \\d+ \\(TimerStarted\\)', timeout: 90 },
        { expect: 'How do you want to recover\\?', send: '\r' },
        { expect: 'Run these steps now\\?', send: 'y\r' },
        { expect: 'TERMINATED' },
        // The "fix": the new code keeps its extra activity and waits one second instead of an hour.
        {
          expect: 'fix the workflow code .*\\(press Enter when done\\)',
          exec: ['sed', '-i', 's/seconds=seconds))  # TIMER/seconds=1))  # TIMER/', workflows],
          send: '\r',
        },
        { expect: 'worker ready in' },
        { expect: 'started workflow TimerWorkflow-' },
        { expect: 're-check: the new workflow TimerWorkflow-\\S+ COMPLETED', timeout: 90 },
      ],
      { env: env.env, cwd: dir, exitTimeout: 30 },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    assert.equal(r.exitCode, 0);
    const t = r.transcript;
    assert.ok(t.indexOf('nondeterminism (critical)') < firstQuestion(t), 'no question before the class is named');
    assert.match(
      t,
      new RegExp(`history event ${failedEvent}: WorkflowTaskFailed \\(NON_DETERMINISTIC_ERROR\\)`),
      'cites the failing event',
    );
    assert.equal(
      (await declaredJson<{ status: string }>('describe', await run(['describe', '--id', id, '--json']))).status,
      'TERMINATED',
    );
  });
});
