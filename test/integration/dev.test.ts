// `tshell dev`, for real on copies of the `evolving` fixture: a real dev server, the project's worker,
// real edits. The --json feed is read as JSON Lines while it runs: an activity that starts failing (its
// class and fix), the fix saved (restart, the next attempt passes, the workflow completes), a syntax
// error (the old worker kept, file:line), a compatible workflow edit (the gate replays, restart) and an
// incompatible one (the old worker kept, the workflow and event named). In a terminal, accepting the
// reset lets the workflow continue on the new code.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import {
  BIN,
  cleanup,
  copyProject,
  declaredJson,
  editLine,
  eventually,
  makeEnv,
  startType,
  tshell,
  tshellInPty,
  type Env,
  type RunResult,
} from '../helpers/tshell.js';

type FeedEvent = { at: string; event: string; [k: string]: unknown };

/** `tshell dev --json` running, its stdout parsed line by line as it comes. */
function devFeed(
  env: Env,
  cwd: string,
): {
  proc: ResultPromise;
  events: FeedEvent[];
  lines: string[];
  waitFor: (what: string, pred: (e: FeedEvent) => boolean, timeoutMs?: number) => Promise<FeedEvent>;
} {
  const proc = execa(process.execPath, [BIN, 'dev', '--json'], { cwd, env: env.env, reject: false, buffer: false });
  const events: FeedEvent[] = [];
  const lines: string[] = [];
  let pending = '';
  proc.stdout?.on('data', (d: Buffer) => {
    pending += d.toString();
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      lines.push(line);
      events.push(JSON.parse(line) as FeedEvent); // every line is one JSON object, or this throws
    }
  });
  // In order: each wait looks only after the event the last one found.
  let from = 0;
  const waitFor = (what: string, pred: (e: FeedEvent) => boolean, timeoutMs = 60_000) =>
    eventually(
      async () => {
        const i = events.findIndex((x, k) => k >= from && pred(x));
        if (i < 0) return undefined;
        from = i + 1;
        return events[i];
      },
      timeoutMs,
      `${what} in the feed; it has: ${events.map((e) => e.event).join(', ')}`,
    );
  return { proc, events, lines, waitFor };
}

describe('tshell dev', () => {
  let env: Env;
  before(async () => {
    env = await makeEnv();
    assert.equal((await tshell(['ensure-server', '--headless'], { env: env.env })).exitCode, 0);
  });
  after(async () => cleanup(env));

  it('--json: the feed as JSON Lines, and the worker follows each kind of save', async () => {
    const dir = copyProject('evolving', env, 'dev-feed');
    const run = (args: string[]): Promise<RunResult> => tshell(args, { env: env.env, cwd: dir });
    const workerPid = async () =>
      (
        await declaredJson<{ workers: { pid: number; project: string }[] }>(
          'list-workers',
          await run(['list-workers', '--json']),
        )
      ).workers.find((w) => w.project === 'dev-feed')?.pid;
    const activities = join(dir, 'src', 'evolving', 'activities.py');
    const workflows = join(dir, 'src', 'evolving', 'workflows.py');
    // This copy also hands work to a queue nobody polls: a workflow that stalls with nothing in the log.
    appendFileSync(
      workflows,
      '\n\n@workflow.defn\nclass HandOffWorkflow:\n    @workflow.run\n    async def run(self) -> str:\n        return await workflow.execute_activity(finish, start_to_close_timeout=STEP, task_queue="nobody-polls")\n',
    );
    const worker = join(dir, 'src', 'evolving', 'worker.py');
    editLine(
      worker,
      'from evolving.workflows import',
      'from evolving.workflows import HandOffWorkflow, OrderWorkflow, TimerWorkflow',
    );
    writeFileSync(
      worker,
      readFileSync(worker, 'utf8').replace(
        'workflows=[TimerWorkflow, OrderWorkflow]',
        'workflows=[TimerWorkflow, OrderWorkflow, HandOffWorkflow]',
      ),
    );
    const feed = devFeed(env, dir);
    try {
      const watching = await feed.waitFor('watching', (e) => e.event === 'watching', 120_000);
      assert.ok((watching.files as string[]).includes(activities), 'the worker reported loading activities.py');
      assert.deepEqual(watching.workflowFiles, [workflows], 'only workflows.py holds workflow code');

      // Work nobody picks up: no traceback anywhere, still in the feed with its class and fix.
      const handOff = await startType(run, 'HandOffWorkflow', 'evolving');
      const stalled = await feed.waitFor(
        'the hand-off stalled',
        (e) => e.event === 'failing' && e.workflowId === handOff,
      );
      assert.equal(stalled.class, 'no-worker');
      assert.match(String(stalled.summary), /task queue nobody-polls, which no worker polls/);
      await run(['terminate', '--id', handOff, '--yes']);

      // An activity that keeps failing: the feed names the workflow, the class and the fix.
      const order = await startType(run, 'OrderWorkflow', 'evolving', '--input', '"o-1"');
      await feed.waitFor('the order started', (e) => e.event === 'started' && e.workflowId === order);
      const failing = await feed.waitFor('the order failing', (e) => e.event === 'failing' && e.workflowId === order);
      assert.equal(failing.class, 'activity-failing');
      assert.match(String(failing.summary), /card number missing for order o-1/);
      assert.match(String(failing.fix), /^fix the activity code \(and save: dev restarts the worker\)$/);
      assert.equal((failing.procedure as { id: string }).id, 'fix-activity-restart');

      // The fix saved: not workflow code, so a restart at once; the next attempt passes.
      const first = watching.pid as number;
      editLine(activities, '# BUG', '    pass');
      assert.equal((await feed.waitFor('the change', (e) => e.event === 'change')).kind, 'activity');
      const restarted = await feed.waitFor('the restart', (e) => e.event === 'restarted');
      assert.notEqual(restarted.pid, first);
      assert.equal(restarted.gate, undefined, 'no replay for activity code');
      const done = await feed.waitFor('the order completed', (e) => e.event === 'closed' && e.workflowId === order);
      assert.equal(done.status, 'COMPLETED');
      assert.equal(done.result, 'charged o-1');

      // A syntax error: the old worker stays, and the feed says where.
      const good = readFileSync(activities, 'utf8');
      appendFileSync(activities, '\ndef broken(:\n    pass\n');
      const syntax = await feed.waitFor('the syntax error', (e) => e.event === 'kept');
      assert.equal(syntax.why, 'does-not-import');
      assert.match(String(syntax.message), /SyntaxError/);
      assert.equal(syntax.file, activities);
      assert.equal(syntax.line, good.split('\n').length + 1);
      assert.equal(await workerPid(), restarted.pid, 'the old worker still runs');
      writeFileSync(activities, good);
      await feed.waitFor('the restart after the repair', (e) => e.event === 'restarted');

      // A compatible workflow edit under a running workflow: replayed first, then the restart.
      const timer = await startType(run, 'TimerWorkflow', 'evolving', '--input', '3600');
      await eventually(
        async () =>
          (
            await declaredJson<{ events: { type: string }[] }>(
              'history',
              await run(['history', '--id', timer, '--json']),
            )
          ).events.some((e) => e.type === 'TimerStarted')
            ? true
            : undefined,
        30_000,
        'the timer',
      );
      editLine(
        workflows,
        'Tests edit the timer line',
        '    """Prepares, waits on a timer, finishes (a docstring edit replays fine)."""',
      );
      assert.equal((await feed.waitFor('the workflow change', (e) => e.event === 'change')).kind, 'workflow');
      const gated = await feed.waitFor('the gated restart', (e) => e.event === 'restarted');
      assert.deepEqual(gated.gate, { checked: 1, total: 1 });

      // An incompatible one: the old worker stays, the workflow and the event where it parts are named.
      editLine(
        workflows,
        '# TIMER',
        '        await workflow.execute_activity(finish, start_to_close_timeout=STEP)\n        await workflow.sleep(timedelta(seconds=seconds))  # TIMER',
      );
      const kept = await feed.waitFor('the refusal', (e) => e.event === 'kept');
      assert.equal(kept.why, 'diverged');
      const diverged = kept.diverged as { workflowId: string; eventType: string; resetTo?: number }[];
      assert.deepEqual(
        diverged.map((d) => [d.workflowId, d.eventType]),
        [[timer, 'TimerStarted']],
      );
      assert.ok((kept.choices as string[]).some((c) => c.startsWith(`reset --id ${timer}`)));
      assert.equal(await workerPid(), gated.pid, 'the old worker still runs');
      await run(['terminate', '--id', timer, '--yes']);
    } finally {
      feed.proc.kill('SIGINT');
      await feed.proc;
      // The next test's project polls the same task queue: this one's worker must not serve it.
      await run(['kill-worker']);
    }
    const stopped = feed.events.at(-2);
    assert.equal(stopped?.event, 'stopped');
    const summary = JSON.parse(feed.lines.at(-1) ?? '{}') as { restarts: number; kept: number; events: number };
    assert.deepEqual([summary.restarts, summary.kept], [3, 2]);
    assert.equal(summary.events, feed.events.length - 1);
  });

  it('in a terminal: each kind of save as the developer sees it; an incompatible one offers the reset, and accepted, the workflow continues on the new code', async () => {
    const dir = copyProject('evolving', env, 'dev-pty');
    const run = (args: string[]): Promise<RunResult> => tshell(args, { env: env.env, cwd: dir });
    assert.equal((await run(['ensure-worker'])).exitCode, 0);
    const timer = await startType(run, 'TimerWorkflow', 'evolving', '--input', '3600');
    await eventually(
      async () =>
        (
          await declaredJson<{ events: { type: string }[] }>('history', await run(['history', '--id', timer, '--json']))
        ).events.some((e) => e.type === 'TimerStarted')
          ? true
          : undefined,
      30_000,
      'the timer',
    );
    const workflows = join(dir, 'src', 'evolving', 'workflows.py');
    const activities = join(dir, 'src', 'evolving', 'activities.py');
    // The developer's hands, run by the pty driver on cue: a second terminal and an editor.
    const inProject = (...args: string[]) => [
      'env',
      '-C',
      dir,
      ...Object.entries(env.env).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      BIN,
      ...args,
    ];
    const replace = (file: string, from: string, to: string) => [
      'python3',
      '-c',
      'import sys; p, a, b = sys.argv[1:]; s = open(p).read(); assert a in s; open(p, "w").write(s.replace(a, b))',
      file,
      from,
      to,
    ];
    const bug = '    raise ValueError(f"card number missing for order {order_id}")  # BUG';
    const timerLine = '        await workflow.sleep(timedelta(seconds=seconds))  # TIMER';
    const r = await tshellInPty(
      ['dev'],
      [
        {
          expect: 'watching \\d+ file',
          timeout: 90,
          exec: inProject('start', '--type', 'OrderWorkflow', '--task-queue', 'evolving', '--input', '"o-2"'),
        },
        // A workflow that starts failing: its class, what failed, and the fix.
        {
          expect:
            'OrderWorkflow-\\S+ activity-failing: activity charge keeps failing[^\\n]*card number missing for order o-2',
          timeout: 60,
        },
        {
          expect: 'fix: fix the activity code \\(and save: dev restarts the worker\\)',
          exec: replace(activities, bug, '    pass'),
        },
        // The fix saved: a restart at once, and the failing activity's next attempt passes.
        { expect: 'restarted for src/evolving/activities.py: pid \\d+ polls evolving', timeout: 60 },
        {
          expect: 'OrderWorkflow-\\S+ completed: charged o-2',
          timeout: 60,
          exec: replace(activities, '    pass', '    pass\n    def broken(:'),
        },
        // Code that does not compile: the old worker stays, and where.
        {
          expect: 'kept the old worker: SyntaxError: [^\\n]* at src/evolving/activities.py:\\d+',
          timeout: 60,
          exec: replace(activities, '    pass\n    def broken(:', '    pass'),
        },
        {
          expect: 'restarted for src/evolving/activities.py',
          timeout: 60,
          exec: replace(workflows, 'Tests edit the timer line', 'A docstring edit replays fine'),
        },
        // A compatible workflow edit: replayed first, then the restart.
        {
          expect: 'restarted for src/evolving/workflows.py: [^\\n]*replayed 1 of 1 running workflow',
          timeout: 60,
          exec: replace(
            workflows,
            timerLine,
            `        await workflow.execute_activity(finish, start_to_close_timeout=STEP)\n${timerLine}`,
          ),
        },
        // An incompatible one: kept, named, and the reset offered.
        { expect: 'kept the old worker: 1 running workflow\\(s\\) cannot replay the new code', timeout: 60 },
        { expect: `${timer} parts from its history at event \\d+ \\(TimerStarted\\)` },
        { expect: 'What now\\?', send: '\r' },
        { expect: `reset ${timer} to event \\d+\\?`, send: 'y\r' },
        { expect: 'restarted for src/evolving/workflows.py', timeout: 60 },
        { expect: `reset ${timer}: new run \\S+ continues on the new code`, timeout: 30, send: '\x03' },
        { expect: 'dev stopped', timeout: 30 },
      ],
      { env: env.env, cwd: dir, exitTimeout: 30 },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    // The new run replayed the kept part and ran the new code: the inserted `finish` before the timer.
    await eventually(
      async () => {
        const h = await declaredJson<{ events: { type: string }[] }>(
          'history',
          await run(['history', '--id', timer, '--json']),
        );
        const t = h.events.map((e) => e.type);
        const timerAt = t.lastIndexOf('TimerStarted');
        return timerAt > 0 && t.slice(0, timerAt).filter((x) => x === 'ActivityTaskCompleted').length === 2
          ? true
          : undefined;
      },
      30_000,
      'the reset run to run finish before its timer',
    );
    await run(['terminate', '--id', timer, '--yes']);
    await run(['kill-worker']);
  });

  it('in the REPL: `watch` runs in the background, its feed above a redrawn prompt; `feed off|on|stop`', async () => {
    const dir = copyProject('evolving', env, 'dev-repl');
    const activities = join(dir, 'src', 'evolving', 'activities.py');
    const save = ['python3', '-c', 'import sys; open(sys.argv[1], "a").write("# saved from the test\\n")', activities];
    const r = await tshellInPty(
      [],
      [
        { expect: '› ', send: 'watch\r' },
        { expect: 'watch runs in the background', timeout: 30 },
        // Each feed line is followed by the prompt, drawn again under it.
        { expect: 'watching \\d+ file\\(s\\)[^›]*› ', timeout: 120, exec: save },
        { expect: 'restarted for src/evolving/activities.py[^›]*› ', timeout: 60, send: 'feed off\r' },
        { expect: 'watch runs in the background; its feed is off', send: 'feed on\r' },
        { expect: 'its feed is on', send: 'feed stop\r' },
        { expect: 'dev stopped; worker pid \\d+ keeps running', timeout: 30 },
        { expect: 'stopped: nothing runs in the background', send: 'feed\r' },
        { expect: 'nothing runs in the background', send: 'exit --cleanup\r' },
      ],
      { env: env.env, cwd: dir, exitTimeout: 30 },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
  });
});
