import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stallReasons, type StallEvidence } from '../../src/diagnosis/stalled.js';
import { errorBlocks, latestActivationFailure } from '../../src/processes/worker-log.js';
import { globToQuery } from '../../src/temporal/visibility.js';
import { userFrames } from '../../src/temporal/history.js';
import { isLivePoller } from '../../src/temporal/task-queue.js';
import type { WorkflowDescription } from '../../src/temporal/workflows.js';
import { description } from '../helpers/evidence.js';

const NOW = Date.parse('2026-11-29T10:00:00Z');
const desc = (extra: Partial<WorkflowDescription>) => description(extra, 5);
function ev(d: WorkflowDescription, extra: Partial<StallEvidence> = {}): StallEvidence {
  return { desc: d, workflowPollers: 1, activityPollers: () => 1, now: NOW, ...extra };
}

describe('stall reasons', () => {
  it('a workflow waiting with a live poller is not stalled, however quiet', () => {
    assert.deepEqual(stallReasons(ev(desc({}))), []);
  });
  it('a failing workflow task, with the log reason when there is one', () => {
    const d = desc({ pendingWorkflowTask: { state: 'SCHEDULED', attempt: 4 } });
    const first = { eventId: 4, cause: 'WORKFLOW_WORKER_UNHANDLED_FAILURE', message: 'old bug' };
    assert.match(
      stallReasons(ev(d, { firstTaskFailure: first }))[0]!.text,
      /attempt 4: WORKFLOW_WORKER_UNHANDLED_FAILURE: old bug \(event 4; first recorded failure, possibly outdated\)/,
    );
    assert.match(
      stallReasons(ev(d, { firstTaskFailure: first, currentTaskFailure: 'KeyError: x (worker log)' }))[0]!.text,
      /attempt 4: KeyError: x \(worker log\)/,
    );
  });
  it('an activity failing more than twice', () => {
    const d = desc({
      pendingActivities: [
        {
          activityId: '1',
          activityType: 'charge',
          state: 'SCHEDULED',
          attempt: 3,
          maximumAttempts: 0,
          lastFailure: 'boom',
        },
      ],
    });
    assert.deepEqual(
      stallReasons(ev(d)).map((r) => r.kind),
      ['activity-failing'],
    );
    const early = desc({
      pendingActivities: [
        {
          activityId: '1',
          activityType: 'charge',
          state: 'SCHEDULED',
          attempt: 2,
          maximumAttempts: 0,
          lastFailure: 'boom',
        },
      ],
    });
    assert.deepEqual(stallReasons(ev(early)), []);
  });
  it('no poller on the task queue', () => {
    assert.deepEqual(
      stallReasons(ev(desc({}), { workflowPollers: 0 })).map((r) => r.kind),
      ['no-poller'],
    );
  });
  it('an activity scheduled but never started', () => {
    const a = {
      activityId: '1',
      activityType: 'greet',
      state: 'SCHEDULED',
      attempt: 1,
      maximumAttempts: 0,
      scheduledTime: new Date(NOW - 60_000).toISOString(),
      taskQueue: 'other',
    };
    const r = stallReasons(ev(desc({ pendingActivities: [a] }), { activityPollers: (q) => (q === 'other' ? 0 : 1) }));
    assert.match(
      r[0]!.text,
      /activity greet scheduled 60s ago, never started \(no worker polls activity task queue other\)/,
    );
    const fresh = { ...a, scheduledTime: new Date(NOW - 1000).toISOString() };
    assert.deepEqual(stallReasons(ev(desc({ pendingActivities: [fresh] }))), []);
  });
  it('closed workflows are never stalled', () => {
    assert.deepEqual(stallReasons(ev(desc({ status: 'COMPLETED' }), { workflowPollers: 0 })), []);
  });
});

const LOG = `Worker started, listening on task queue: q
WARNING:temporalio.worker._workflow_instance:Failed activation on workflow BrokenWorkflow with ID b-1 and run ID run-1
Traceback (most recent call last):
  File "/p/.venv/lib/python3.11/site-packages/temporalio/worker/_workflow_instance.py", line 2846, in _run
    await coro
  File "/p/src/app/workflows.py", line 66, in run
    raise ValueError("first bug")
ValueError: first bug
some info line
WARNING:temporalio.worker._workflow_instance:Failed activation on workflow BrokenWorkflow with ID b-1 and run ID run-1
Traceback (most recent call last):
  File "/p/src/app/workflows.py", line 66, in run
    raise KeyError("second bug")
KeyError: 'second bug'
Traceback (most recent call last):
  File "/p/src/app/worker.py", line 3, in <module>
    import app.workflows
ImportError: cannot import name x

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/p/src/app/worker.py", line 9, in main
RuntimeError: Failed validating workflow BrokenWorkflow`;

describe('worker log reading', () => {
  const lines = LOG.split('\n');
  it('keeps tracebacks whole, with the message line before them and chained causes', () => {
    const blocks = errorBlocks(lines);
    assert.equal(blocks.length, 3);
    assert.equal(blocks[0]!.line, 2);
    assert.equal(blocks[0]!.text.at(-1), 'ValueError: first bug');
    assert.equal(blocks[2]!.text[0], 'Traceback (most recent call last):');
    assert.equal(blocks[2]!.text.at(-1), 'RuntimeError: Failed validating workflow BrokenWorkflow');
    assert.ok(blocks[2]!.text.includes('ImportError: cannot import name x'));
  });
  it('finds the latest failure of a run', () => {
    assert.equal(latestActivationFailure(lines, 'run-1'), "KeyError: 'second bug'");
    assert.equal(latestActivationFailure(lines, 'run-2'), undefined);
  });
  it('keeps only user frames of a stack trace', () => {
    const stack =
      '  File "/p/.venv/lib/python3.11/site-packages/temporalio/worker/_workflow_instance.py", line 1, in a\n    x\n  File "/p/src/app/workflows.py", line 66, in run\n    raise ValueError("boom")\n';
    assert.deepEqual(userFrames(stack, '/p'), ['/p/src/app/workflows.py:66 in run: raise ValueError("boom")']);
  });
});

describe('globs and pollers', () => {
  it('sends a prefix glob to the server and matches anything else locally', () => {
    assert.equal(globToQuery('order-*').prefix, 'order-');
    assert.equal(globToQuery('*-retry').prefix, undefined);
    assert.equal(globToQuery('q"uote-*').prefix, 'q');
    assert.equal(globToQuery('x" OR WorkflowId STARTS_WITH "*').prefix, 'x');
    assert.ok(globToQuery('q"uote-*').regex.test('q"uote-1'));
    assert.equal(globToQuery('a-?-b*').prefix, 'a-');
    assert.ok(globToQuery('*-retry').regex.test('a-retry'));
    assert.ok(!globToQuery('order-?').regex.test('order-12'));
    assert.ok(globToQuery('a.b*').regex.test('a.bc') && !globToQuery('a.b*').regex.test('axbc'));
  });
  it('a dead local poller or a stale one is not live', () => {
    const opts = { now: NOW, hostname: 'h', pidAlive: (pid: number) => pid === 1 };
    assert.ok(isLivePoller({ identity: '1@h', lastAccessTime: new Date(NOW - 5000).toISOString() }, opts));
    assert.ok(!isLivePoller({ identity: '2@h', lastAccessTime: new Date(NOW - 5000).toISOString() }, opts));
    assert.ok(!isLivePoller({ identity: '1@h', lastAccessTime: new Date(NOW - 600_000).toISOString() }, opts));
    assert.ok(isLivePoller({ identity: '2@other-host' }, opts));
  });
});

describe('activity tracebacks in the worker log', async () => {
  const { latestActivityFailureAt } = await import('../../src/processes/worker-log.js');
  const block = (attempt: number, msg: string) => [
    `Completing activity as failed ({'activity_id': '1', 'activity_type': 'charge', 'attempt': ${attempt}, 'namespace': 'default', 'task_queue': 'q', 'workflow_id': 'w', 'workflow_run_id': 'run-1', 'workflow_type': 'T'})`,
    'Traceback (most recent call last):',
    '  File "/p/.venv/lib/python3.11/site-packages/temporalio/worker/_activity.py", line 379, in _handle_start_activity_task',
    '    result = await self._execute_activity(',
    '  File "/p/src/app/activities.py", line 16, in charge',
    '    raise ValueError(msg)',
    `ValueError: ${msg}`,
  ];
  it('finds the latest attempt of that run and activity, with the project frame and the line number', () => {
    const lines = [
      'Worker started',
      ...block(1, 'first'),
      ...block(2, 'second'),
      "Completing activity as failed ({'activity_id': '1', 'workflow_run_id': 'other-run'})",
      'ValueError: not ours',
    ];
    assert.deepEqual(latestActivityFailureAt(lines, 'run-1', '1', '/p', 10), {
      line: 10 + 14,
      text: 'ValueError: second (at src/app/activities.py:16 in charge)',
    });
    assert.equal(latestActivityFailureAt(lines, 'run-1', '2', '/p'), undefined);
  });
});

describe('bounded concurrency', async () => {
  const { mapLimit, mapSettled } = await import('../../src/concurrency.js');
  it('mapSettled reports each item: one failure does not stop the others', async () => {
    const out = await mapSettled([1, 2, 3, 4], 2, async (n) => {
      if (n === 2) throw new Error('bad 2');
      return n * 10;
    });
    assert.deepEqual(
      out.map((r) => (r.ok ? r.value : (r.error as Error).message)),
      [10, 'bad 2', 30, 40],
    );
  });
  it('mapLimit keeps order and rethrows the first failure', async () => {
    assert.deepEqual(await mapLimit([3, 1, 2], 2, async (n) => n + 1), [4, 2, 3]);
    await assert.rejects(
      mapLimit([1, 2], 2, async (n) => {
        if (n === 2) throw new Error('x');
        return n;
      }),
      /x/,
    );
  });
  it('mapLimitStream works on the first batch before the next arrives, within the limit, in order', async () => {
    const { mapLimitStream } = await import('../../src/concurrency.js');
    const events: string[] = [];
    let inFlight = 0;
    let most = 0;
    // No timing: batch 2 comes once item 1 has started, and item 1 ends once item 2 has started. The
    // timers only turn a wrong order (which would wait for ever) into a failed assertion.
    const latch = () => {
      let open = () => {};
      const opened = new Promise<void>((r) => (open = r));
      return { open, wait: () => Promise.race([opened, new Promise((r) => setTimeout(r, 2000).unref())]) };
    };
    const firstStarted = latch();
    const secondStarted = latch();
    async function* batches(): AsyncGenerator<number[]> {
      events.push('batch 1');
      yield [1, 2, 3];
      await firstStarted.wait();
      events.push('batch 2');
      yield [4, 5];
    }
    const out = await mapLimitStream(batches(), 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      events.push(`start ${n}`);
      if (n === 1) firstStarted.open();
      if (n === 2) secondStarted.open();
      if (n === 1) await secondStarted.wait();
      inFlight--;
      return n * 10;
    });
    assert.deepEqual(out, [10, 20, 30, 40, 50]);
    assert.equal(most, 2);
    assert.ok(events.indexOf('start 1') < events.indexOf('batch 2'), events.join(', '));
    await assert.rejects(
      mapLimitStream(batches(), 2, async (n) => {
        if (n === 4) throw new Error('bad 4');
        return n;
      }),
      /bad 4/,
    );
  });
});

describe('stack folding', async () => {
  const { foldStack } = await import('../../src/temporal/history.js');
  it("keeps the project's frames, folds SDK runs, drops the query's own task", () => {
    const raw = [
      "Stack for <Task pending name='run (workflow: W, id: w-1)' coro=<_run() running at /v/site-packages/temporalio/worker/_workflow_instance.py:2846> wait_for=<Future pending> (most recent call last):",
      '  File "/v/site-packages/temporalio/worker/_workflow_instance.py", line 2846, in _run',
      '    result = await fn()',
      '',
      '  File "/proj/app/workflows.py", line 12, in run',
      '    await asyncio.sleep(5)',
      '',
      '  File "/usr/lib/python3.11/asyncio/tasks.py", line 600, in sleep',
      '    return await future',
      "Stack for <Task pending name='query: __stack_trace (workflow: W)' coro=<q() running at /v/x.py:1> (most recent call last):",
      '  File "/v/site-packages/temporalio/worker/_workflow_instance.py", line 842, in q',
    ].join('\n');
    const { text, folded } = foldStack(raw);
    assert.equal(folded, 2);
    assert.equal(
      text,
      [
        "Stack for <Task pending name='run (workflow: W, id: w-1)' wait_for=<Future pending> (most recent call last):",
        '    … 1 SDK/asyncio frame',
        '  File "/proj/app/workflows.py", line 12, in run',
        '    await asyncio.sleep(5)',
        '    … 1 SDK/asyncio frame',
      ].join('\n'),
    );
  });
});

describe('worker log text', async () => {
  const { errorBlocks } = await import('../../src/processes/worker-log.js');
  const { stripAnsi } = await import('../../src/ansi.js');
  it('drops colour codes and does not count a WARN line as an error', () => {
    assert.equal(stripAnsi('\x1b[31mERROR\x1b[0m boom \x1b[1;33mx\x1b[0m'), 'ERROR boom x');
    const blocks = errorBlocks(['2026 WARN slow poll', '2026 ERROR broken', 'plain line']);
    assert.deepEqual(
      blocks.map((b) => b.text[0]),
      ['2026 ERROR broken'],
    );
  });
});
