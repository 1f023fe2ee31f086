// The classifier on recorded evidence: the traps a naive classifier falls into.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify } from '../../src/diagnosis/rules.js';
import type { Evidence } from '../../src/diagnosis/evidence.js';
import type { FailureRecord } from '../../src/temporal/history.js';
import { act, classes, ev, wtf } from '../helpers/evidence.js';

describe('classification of recorded evidence', () => {
  it('a sandbox violation is not non-determinism, though its error subclasses it', () => {
    const msg =
      'Cannot access datetime.datetime.now.__call__ from inside a workflow. If this is code from a module not used in a workflow or known to only be used deterministically from a workflow, mark the import as pass through.';
    assert.deepEqual(
      classes(ev({}, [wtf(msg, 'WORKFLOW_WORKER_UNHANDLED_FAILURE', 'RestrictedWorkflowAccessError')])),
      ['sandbox-violation'],
    );
    // The summary names the call.
    assert.match(
      classify(ev({}, [wtf(msg, 'WORKFLOW_WORKER_UNHANDLED_FAILURE', 'RestrictedWorkflowAccessError')]), () => [])[0]
        ?.summary ?? '',
      /calls datetime\.datetime\.now, which the sandbox forbids/,
    );
  });
  it('non-determinism from the core message or cause', () => {
    const f = wtf(
      '[TMPRL1100] Nondeterminism error: Timer machine does not handle this event: HistoryEvent(id: 5, ActivityTaskScheduled)',
      'NON_DETERMINISTIC_ERROR',
    );
    const found = classify(ev({}, [f]), () => []);
    assert.equal(found[0]?.class, 'nondeterminism');
    assert.equal(found[0]?.procedure.id, 'terminate-fix-restart-new');
    assert.equal(found[0]?.evidence[0]?.eventId, 14);
  });
  it('deadlock, unregistered workflow, plain bug', () => {
    assert.deepEqual(
      classes(ev({}, [wtf("[TMPRL1101] Potential deadlock detected: workflow didn't yield within 2 second(s).")])),
      ['deadlock'],
    );
    assert.deepEqual(
      classes(
        ev({}, [
          wtf(
            'Workflow class Missing is not registered on this worker, available workflows: A, B',
            'WORKFLOW_WORKER_UNHANDLED_FAILURE',
            'NotFoundError',
          ),
        ]),
      ),
      ['workflow-not-registered'],
    );
    assert.deepEqual(classes(ev({}, [wtf('boom', 'WORKFLOW_WORKER_UNHANDLED_FAILURE', 'ValueError')])), [
      'workflow-code-bug',
    ]);
  });
  it('a workflow-task failure of a closed workflow is history, not the current problem', () => {
    assert.deepEqual(
      classes(
        ev({ status: 'COMPLETED' }, [wtf('boom')], { close: { status: 'COMPLETED', eventId: 20, result: 'ok' } }),
      ),
      ['healthy'],
    );
  });
  it('a workflow-task failure followed by a completed workflow task was fixed: the workflow runs on', () => {
    assert.deepEqual(
      classes(
        ev({}, [wtf('boom', 'WORKFLOW_WORKER_UNHANDLED_FAILURE', 'ValueError')], { lastTaskCompletedEventId: 20 }),
      ),
      ['waiting'],
    );
    assert.deepEqual(
      classes(
        ev({}, [wtf('boom', 'WORKFLOW_WORKER_UNHANDLED_FAILURE', 'ValueError')], { lastTaskCompletedEventId: 4 }),
      ),
      ['workflow-code-bug'],
    );
  });
  it('an unregistered activity that retries is not-registered, never merely failing', () => {
    const a = act({
      attempt: 7,
      lastFailure:
        'NotFoundError: Activity function charge for workflow w is not registered on this worker, available activities: greet',
    });
    assert.deepEqual(classes(ev({ pendingActivities: [a] })), ['activity-not-registered']);
  });
  it('retries exhausted by a timeout are a timeout', () => {
    const timedOut: FailureRecord = {
      eventId: 9,
      time: '',
      kind: 'ActivityTaskTimedOut',
      activityType: 'slow',
      timeoutType: 'START_TO_CLOSE',
      retryState: 'MAXIMUM_ATTEMPTS_REACHED',
      message: 'activity StartToClose timeout',
    };
    const e = ev({ status: 'FAILED' }, [timedOut], {
      close: { status: 'FAILED', eventId: 12, failure: [{ message: 'Activity task timed out' }] },
    });
    assert.deepEqual(classes(e), ['activity-timeout']);
  });
  it('an activity with maximum attempts reached fails the workflow as retries-exhausted', () => {
    const failed: FailureRecord = {
      eventId: 9,
      time: '',
      kind: 'ActivityTaskFailed',
      activityType: 'charge',
      retryState: 'MAXIMUM_ATTEMPTS_REACHED',
      message: 'declined',
    };
    const e = ev({ status: 'FAILED' }, [failed], {
      close: { status: 'FAILED', eventId: 12, failure: [{ message: 'Activity task failed' }] },
    });
    assert.deepEqual(classes(e), ['activity-retries-exhausted']);
  });
  it('a worker that polls for workflows but registers no activities: activity-not-registered, not no-worker', () => {
    const e = ev({ taskQueue: 'q', pendingActivities: [act({ taskQueue: 'q' })] }, [], {
      workflowPollers: 1,
      activityPollers: { q: 0 },
    });
    const f = classify(e, () => []);
    assert.deepEqual(
      f.map((x) => x.class),
      ['activity-not-registered'],
    );
    assert.match(f[0]?.summary ?? '', /polls q for workflow tasks but registers no activities/);
    // No worker at all on the queue is still no-worker.
    assert.deepEqual(
      classes(
        ev({ taskQueue: 'q', pendingActivities: [act({ taskQueue: 'q' })] }, [], {
          workflowPollers: 0,
          activityPollers: { q: 0 },
        }),
      ),
      ['no-worker'],
    );
  });
  it('worker on another queue is a task-queue mismatch naming both queues', () => {
    const e = ev({ taskQueue: 'A' }, [], {
      workflowPollers: 0,
      workers: [{ pid: 1, startedAtMs: 0, taskQueue: 'B', startedByTshell: true }],
    });
    const f = classify(e, () => []);
    assert.equal(f[0]?.class, 'task-queue-mismatch');
    assert.match(f[0]?.summary ?? '', /task queue A.*polls B/);
  });
  it('a stale worker, and healthy waiting', () => {
    const stale = ev({}, [], {
      workers: [{ pid: 1, startedAtMs: 1000, startedByTshell: true }],
      newestSourceMs: 99_999,
    });
    assert.deepEqual(classes(stale), ['stale-worker']);
    assert.deepEqual(classes(ev({})), ['waiting']);
  });
  it('closed statuses', () => {
    assert.deepEqual(classes(ev({ status: 'TIMED_OUT' })), ['workflow-timeout']);
    assert.deepEqual(
      classes(
        ev({ status: 'TERMINATED' }, [], {
          close: { status: 'TERMINATED', eventId: 5, reason: 'bad deploy', identity: 'ada@host' },
        }),
      ),
      ['terminated'],
    );
    assert.deepEqual(
      classes(
        ev({ status: 'COMPLETED' }, [], { close: { status: 'COMPLETED', eventId: 5, result: { status: 'error' } } }),
      ),
      ['error-result'],
    );
  });
});

describe('the decision tree', async () => {
  const { walkTree } = await import('../../src/diagnosis/tree.js');
  const { CLASS_NAMES, classSpec } = await import('../../src/diagnosis/classes.js');
  const { RULES } = await import('../../src/diagnosis/rules.js');
  const walk = (e: Evidence, answer?: (q: { message: string }) => Promise<string>) =>
    walkTree({ ev: e, findings: classify(e, () => []) }, answer);

  it('answers from the evidence alone down to a workflow-task class, citing the event', async () => {
    const asked: string[] = [];
    const r = await walk(ev({}, [wtf('[TMPRL1100] Nondeterminism error: x', 'NON_DETERMINISTIC_ERROR')]), async (q) => {
      asked.push(q.message);
      return 'yes';
    });
    assert.equal(r.land, 'nondeterminism');
    assert.deepEqual(asked, [], 'nothing asked: the evidence answers');
    assert.equal(r.path.at(-1)?.evidence[0]?.eventId, 14);
    assert.ok(r.path.every((p) => p.by === 'evidence'));
  });
  it('asks whether a quiet workflow is meant to wait; off a terminal it assumes so and says it did', async () => {
    const quiet = ev({});
    assert.equal((await walk(quiet, async () => 'no')).land, 'stuck-unknown');
    const assumed = await walk(quiet);
    assert.equal(assumed.land, 'waiting');
    assert.equal(assumed.path.at(-1)?.by, 'assumed');
  });
  it('asks whether a plausible result is right; an error-shaped one needs no question', async () => {
    const done = ev({ status: 'COMPLETED' }, [], { close: { status: 'COMPLETED', eventId: 9, result: { total: 3 } } });
    assert.equal((await walk(done, async () => 'no')).land, 'wrong-result');
    assert.equal((await walk(done, async () => 'yes')).land, 'healthy');
    const bad = ev({ status: 'COMPLETED' }, [], {
      close: { status: 'COMPLETED', eventId: 9, result: { status: 'error', message: 'x' } },
    });
    let asked = false;
    assert.equal((await walk(bad, async () => ((asked = true), 'yes'))).land, 'error-result');
    assert.equal(asked, false);
  });
  it('goes to the worker before the code: no poller is no-worker, a poller on another queue a mismatch', async () => {
    assert.equal((await walk(ev({}, [], { workflowPollers: 0 }))).land, 'no-worker');
    const other = ev({}, [], {
      workflowPollers: 0,
      workers: [{ pid: 1, startedAtMs: 0, taskQueue: 'other', startedByTshell: true }],
    });
    assert.equal((await walk(other)).land, 'task-queue-mismatch');
  });
  it('lands a FAILED workflow on what failed it', async () => {
    const failed: FailureRecord = {
      eventId: 9,
      time: '',
      kind: 'ActivityTaskFailed',
      activityType: 'charge',
      retryState: 'MAXIMUM_ATTEMPTS_REACHED',
      message: 'declined',
    };
    const e = ev({ status: 'FAILED' }, [failed], {
      close: { status: 'FAILED', eventId: 12, failure: [{ message: 'Activity task failed' }] },
    });
    assert.equal((await walk(e)).land, 'activity-retries-exhausted');
  });
  it('has one row per class: every rule names a row, every row but the user-only ones has a rule', () => {
    const ruled = new Set<string>(RULES.map((r) => r.class));
    assert.equal(ruled.size, RULES.length, 'one rule per class');
    for (const c of CLASS_NAMES) assert.equal(ruled.has(c), classSpec(c).stage !== 'user', c);
    for (const c of CLASS_NAMES)
      for (const x of classSpec(c).suppresses ?? [])
        assert.ok((CLASS_NAMES as string[]).includes(x), `${c} suppresses unknown ${x}`);
  });
  it('explains every class it can land on', () => {
    for (const c of CLASS_NAMES) {
      const text = classSpec(c).explanation;
      const sentences = text.split(/(?<=[.!?])\s+/).filter(Boolean).length;
      assert.ok(sentences >= 1 && sentences <= 4, `${c}: ${sentences} sentences`);
    }
  });
});
