// Code that changes under running workflows, for real: a timer workflow whose code is edited so its
// commands differ (stale worker, then non-determinism after the restart), `replay` passing on the
// unchanged code and failing on the changed one at the right event, and `reset` to before it.
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
  type Env,
  type RunResult,
} from '../helpers/tshell.js';

type Finding = {
  class: string;
  summary: string;
  evidence: { source: string; eventId?: number; text: string }[];
  procedure: { id: string };
  waitingOn?: { kind: string; seconds?: number; firesAt?: string }[];
};
type Replay = {
  ok: boolean;
  kind?: string;
  eventId?: number;
  eventType?: string;
  reason?: string;
  resetTo?: { eventId: number; keeps: string };
};

describe('workflow code that changes under a running workflow', () => {
  let env: Env;
  let dir: string;
  const run = (args: string[]): Promise<RunResult> => tshell(args, { env: env.env, cwd: dir });
  before(async () => {
    env = await makeEnv();
    dir = copyProject('evolving', env);
    assert.equal((await run(['ensure-server', '--headless'])).exitCode, 0);
    const w = await run(['ensure-worker']);
    assert.equal(w.exitCode, 0, w.stderr);
  });
  after(async () => cleanup(env));

  it('replay passes on unchanged code; after an edit: stale-worker, then non-determinism at the timer, then reset', async () => {
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
    assert.equal(started.exitCode, 0, started.stderr);
    const id = (JSON.parse(started.stdout) as { workflowId: string }).workflowId;
    const timerEvent = await eventually(
      async () => {
        const h = await declaredJson<{ events: { eventId: number; type: string }[] }>(
          'history',
          await run(['history', '--json']),
        );
        return h.events.find((e) => e.type === 'TimerStarted')?.eventId;
      },
      30_000,
      'the timer to start',
    );

    const same = await run(['replay', '--json']);
    assert.equal(same.exitCode, 0, same.stderr);
    assert.equal((await declaredJson<Replay>('replay', same)).ok, true);

    // The edit: an activity now runs before the timer, so the commands differ at the timer's event.
    editLine(
      join(dir, 'src', 'evolving', 'workflows.py'),
      '# TIMER',
      '        await workflow.execute_activity(finish, start_to_close_timeout=STEP)\n        await workflow.sleep(timedelta(seconds=seconds))',
    );
    const stale = await declaredJson<{ findings: Finding[] }>('diagnose', await run(['diagnose', '--json']));
    assert.deepEqual(
      stale.findings.map((f) => [f.class, f.procedure.id]),
      [['stale-worker', 'restart-worker']],
    );

    const changed = await run(['replay', '--json']);
    assert.equal(changed.exitCode, 1);
    const r = await declaredJson<Replay>('replay', changed);
    assert.equal(r.kind, 'nondeterminism');
    assert.equal(r.eventId, timerEvent);
    assert.equal(r.eventType, 'TimerStarted');
    assert.match(r.reason ?? '', /does not handle this event|does not match/);
    assert.equal(r.resetTo?.eventId, timerEvent - 1, 'the workflow task that started the timer');
    assert.match(r.resetTo?.keeps ?? '', /ActivityTaskCompleted/);
    assert.match(
      (await run(['replay'])).stdout,
      new RegExp(
        `non-deterministic: .* part at event ${timerEvent} \\(TimerStarted\\)[\\s\\S]*reset --event ${timerEvent - 1} would keep ActivityTaskCompleted`,
      ),
    );

    // Restart the worker on the new code; the next workflow task (a signal) hits the mismatch.
    assert.equal((await run(['ensure-worker', '--force'])).exitCode, 0);
    assert.equal((await run(['signal', 'nudge'])).exitCode, 0);
    const nd = await eventually(
      async () => {
        const d = await declaredJson<{ findings: Finding[] }>(
          'diagnose',
          await run(['diagnose', '--id', id, '--json']),
        );
        return d.findings[0]?.class === 'nondeterminism' ? d : undefined;
      },
      40_000,
      'non-determinism to be diagnosed',
    );
    assert.equal(nd.findings[0]?.procedure.id, 'terminate-fix-restart-new');
    assert.ok((nd.findings[0]?.evidence[0]?.eventId ?? 0) > timerEvent, 'cites the WorkflowTaskFailed event');
    assert.match(
      nd.findings[0]?.evidence[0]?.text ?? '',
      /WorkflowTaskFailed \(NON_DETERMINISTIC_ERROR\).*\[TMPRL1100\]/,
    );

    const noYes = await run(['reset']);
    assert.equal(noYes.exitCode, 2);
    assert.match(noYes.stderr, /needs confirmation: reset .* to event \d+/);
    const reset = await declaredJson<{ eventId: number; newRunId: string }>(
      'reset',
      await run(['reset', '--yes', '--json']),
    );
    assert.equal(reset.eventId, timerEvent - 1);
    const healed = await eventually(
      async () => {
        const h = await declaredJson<{ events: { type: string; detail: string }[] }>(
          'history',
          await run(['history', '--json']),
        );
        return h.events.some((e) => e.type === 'TimerStarted') ? h : undefined;
      },
      30_000,
      'the reset run to run the new code past the old divergence',
    );
    const types = healed.events.map((e) => `${e.type} ${e.detail}`.trim());
    const failedAt = types.findIndex((t) => t.startsWith('WorkflowTaskFailed RESET_WORKFLOW'));
    assert.ok(failedAt > 0, types.join('\n'));
    assert.ok(
      types.slice(failedAt).some((t) => /^ActivityTaskScheduled finish/.test(t)),
      'the new code ran the new activity after the reset point',
    );
    const d = await declaredJson<{ runId: string; findings: Finding[] }>('diagnose', await run(['diagnose', '--json']));
    assert.equal(d.runId, reset.newRunId);
    assert.deepEqual(
      d.findings.map((f) => f.class),
      ['waiting'],
    );
    // Waiting, and on what exactly: the hour-long timer, with its fire time.
    assert.match(
      d.findings[0]?.summary ?? '',
      /waiting on timer \d+ \(3600 s, fires \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/,
    );
    const timer = d.findings[0]?.waitingOn?.find((w) => w.kind === 'timer');
    assert.equal(timer?.seconds, 3600);
    assert.ok(Date.parse(timer?.firesAt ?? '') > Date.now() + 3_000_000);
  });
});
