// The classifier on recorded evidence: the traps a naive classifier falls into.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify } from '../../src/diagnosis/rules.js';
import type { Evidence } from '../../src/diagnosis/evidence.js';
import type { FailureRecord } from '../../src/temporal/history.js';
import type { PendingActivity, WorkflowDescription } from '../../src/temporal/workflows.js';

function ev(
  desc: Partial<WorkflowDescription>,
  failures: FailureRecord[] = [],
  extra: Partial<Evidence> = {},
): Evidence {
  return {
    desc: {
      workflowId: 'w',
      runId: 'r',
      type: 'T',
      status: 'RUNNING',
      taskQueue: 'q',
      startTime: '',
      durationMs: 0,
      historyLength: 9,
      pendingActivities: [],
      ...desc,
    },
    failures,
    workflowPollers: 1,
    activityPollers: { q: 1 },
    workers: [],
    ...extra,
  };
}
const classes = (e: Evidence) => classify(e, () => []).map((f) => f.class);
const wtf = (message: string, cause = 'WORKFLOW_WORKER_UNHANDLED_FAILURE', type?: string): FailureRecord => ({
  eventId: 14,
  time: '',
  kind: 'WorkflowTaskFailed',
  cause,
  message,
  failure: [{ message, type }],
});
const act = (a: Partial<PendingActivity>): PendingActivity => ({
  activityId: '1',
  activityType: 'charge',
  state: 'SCHEDULED',
  attempt: 1,
  maximumAttempts: 0,
  ...a,
});

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

describe('bad input', async () => {
  const { classify: classifyAgain } = await import('../../src/diagnosis/rules.js');
  it('a run() TypeError about the input count is bad-input, any other TypeError a code bug', () => {
    const wrongCount: FailureRecord = {
      eventId: 4,
      time: '',
      kind: 'WorkflowTaskFailed',
      cause: 'WORKFLOW_WORKER_UNHANDLED_FAILURE',
      message: "GreetingWorkflow.run() missing 1 required positional argument: 'name'",
      failure: [
        { type: 'TypeError', message: "GreetingWorkflow.run() missing 1 required positional argument: 'name'" },
      ],
    };
    const other: FailureRecord = {
      ...wrongCount,
      message: "unsupported operand type(s) for +: 'int' and 'str'",
      failure: [{ type: 'TypeError', message: "unsupported operand type(s) for +: 'int' and 'str'" }],
    };
    assert.deepEqual(
      classifyAgain(ev({}, [wrongCount]), () => []).map((f) => f.class),
      ['bad-input'],
    );
    assert.deepEqual(
      classifyAgain(ev({}, [other]), () => []).map((f) => f.class),
      ['workflow-code-bug'],
    );
  });
});

describe('closed runs: the right headline and procedures that fit', async () => {
  const { classify: classifyClosed } = await import('../../src/diagnosis/rules.js');
  const { procedureSteps } = await import('../../src/diagnosis/procedures.js');
  const steps = (id: Parameters<typeof procedureSteps>[0]) => procedureSteps(id, 'w');
  const exhausted: FailureRecord = {
    eventId: 11,
    time: '',
    kind: 'ActivityTaskFailed',
    activityType: 'charge',
    retryState: 'MAXIMUM_ATTEMPTS_REACHED',
    message: 'card declined',
  };
  it('a COMPLETED run that compensated: error-result first, the handled activity failure is its evidence', () => {
    const e = ev({ status: 'COMPLETED' }, [exhausted], {
      close: { status: 'COMPLETED', eventId: 20, result: { status: 'error', message: 'payment failed, refunded' } },
    });
    const f = classifyClosed(e, steps);
    assert.deepEqual(
      f.map((x) => x.class),
      ['error-result'],
    );
    assert.ok(
      f[0]?.evidence.some((x) => /handled by the workflow: activity charge failed for good/.test(x.text)),
      JSON.stringify(f[0]?.evidence),
    );
  });
  it('a FAILED run whose activity was not registered: the procedure ends with a new run, nothing promises a retry', () => {
    const notReg: FailureRecord = {
      eventId: 11,
      time: '',
      kind: 'ActivityTaskFailed',
      activityType: 'charge',
      retryState: 'MAXIMUM_ATTEMPTS_REACHED',
      message: 'Activity function charge is not registered on this worker, available activities: prepare',
    };
    const f = classifyClosed(
      ev({ status: 'FAILED' }, [notReg], {
        close: { status: 'FAILED', eventId: 14, failure: [{ message: 'Activity task failed' }] },
      }),
      steps,
    );
    assert.equal(f[0]?.class, 'activity-not-registered');
    assert.equal(f[0]?.procedure.id, 'register-restart-new');
    assert.equal(f[0]?.procedure.steps.at(-1), 'start --like w');
  });
  it('every procedure of a class a closed run can land on ends with start --like', async () => {
    const { CLASS_NAMES, classSpec } = await import('../../src/diagnosis/classes.js');
    for (const c of CLASS_NAMES) {
      const spec = classSpec(c);
      if (!['closed', 'result'].includes(spec.stage) && !spec.closedProcedure) continue;
      const id = spec.closedProcedure ?? spec.procedure;
      assert.equal(steps(id).at(-1), 'start --like w', `${c}: ${id}`);
      const text = spec.closedExplanation ?? spec.explanation;
      assert.doesNotMatch(text, /keeps retrying|next retry/, c);
    }
  });
});

describe('what a waiting workflow waits for', async () => {
  const { waitingOn, describeWaits } = await import('../../src/diagnosis/waiting.js');
  it('names the open timer with its length and fire time, the activity attempt, and what it received', () => {
    const events = [
      {
        eventId: 5,
        eventType: 6,
        eventTime: { seconds: 1_800_000_000, nanos: 0 },
        timerStartedEventAttributes: { timerId: '1', startToFireTimeout: { seconds: 3600, nanos: 0 } },
      },
      {
        eventId: 6,
        eventType: 6,
        eventTime: { seconds: 1_800_000_000, nanos: 0 },
        timerStartedEventAttributes: { timerId: '2', startToFireTimeout: { seconds: 5, nanos: 0 } },
      },
      {
        eventId: 7,
        eventType: 6,
        eventTime: { seconds: 1_800_000_005, nanos: 0 },
        timerFiredEventAttributes: { timerId: '2', startedEventId: 6 },
      },
      {
        eventId: 8,
        eventType: 6,
        eventTime: { seconds: 1_800_000_006, nanos: 0 },
        workflowExecutionSignaledEventAttributes: { signalName: 'nudge' },
      },
    ];
    const desc = {
      workflowId: 'w',
      runId: 'r',
      type: 'T',
      status: 'RUNNING',
      taskQueue: 'q',
      startTime: '',
      durationMs: 0,
      historyLength: 9,
      pendingActivities: [act({ attempt: 3, nextAttemptScheduleTime: '2027-01-15T08:00:10.000Z' })],
    };
    const waits = waitingOn(events as never, desc);
    assert.deepEqual(
      waits.map((w) => [w.kind, w.name]),
      [
        ['timer', '1'],
        ['activity', 'charge'],
        ['signal-received', 'nudge'],
      ],
    );
    assert.equal(waits[0]?.firesAt, new Date((1_800_000_000 + 3600) * 1000).toISOString());
    assert.equal(
      describeWaits(waits),
      `timer 1 (3600 s, fires ${new Date((1_800_000_000 + 3600) * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC), activity charge (attempt 3, next attempt 2027-01-15 08:00:10 UTC)`,
    );
    const f = classify(ev({}, [], { waits }), () => []);
    assert.equal(f[0]?.class, 'waiting');
    assert.match(f[0]?.summary ?? '', /waiting on timer 1 \(3600 s/);
    assert.equal(f[0]?.waitingOn?.length, 3);
  });
});

describe('configuration smells', async () => {
  const { configSmells } = await import('../../src/diagnosis/smells.js');
  const { classify: classifySmells } = await import('../../src/diagnosis/rules.js');
  const desc = (extra: Partial<WorkflowDescription> = {}): WorkflowDescription => ({
    workflowId: 'w',
    runId: 'r',
    type: 'T',
    status: 'RUNNING',
    taskQueue: 'q',
    startTime: '',
    durationMs: 0,
    historyLength: 9,
    pendingActivities: [],
    ...extra,
  });
  const started = { eventId: 1, workflowExecutionStartedEventAttributes: { workflowRunTimeout: { seconds: 60 } } };
  // Shaped as the server records them (read from real histories): a start-to-close over the run
  // timeout is cut to it, a missing one is copied from schedule-to-close.
  it('names a start-to-close as long as the run, a missing one, repeated workflow-task timeouts, a big history', () => {
    const events = [
      started,
      {
        eventId: 5,
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'slow' },
          startToCloseTimeout: { seconds: 60 },
          scheduleToCloseTimeout: { seconds: 60 },
        },
      },
      {
        eventId: 6,
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'open' },
          startToCloseTimeout: { seconds: 30 },
          scheduleToCloseTimeout: { seconds: 30 },
        },
      },
      {
        eventId: 8,
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'fine' },
          startToCloseTimeout: { seconds: 10 },
          scheduleToCloseTimeout: {},
        },
      },
      { eventId: 7, eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT' },
      { eventId: 9, eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT' },
    ];
    const kinds = configSmells(events as never, desc({ historyLength: 12_000 })).map((s) => [s.kind, s.eventId]);
    assert.deepEqual(kinds, [
      ['start-to-close-missing', 5],
      ['start-to-close-missing', 6],
      ['workflow-task-timeouts', 7],
      ['history-too-large', undefined],
    ]);
  });
  it('names unlimited retries of an error the code raises, unless the policy marks it non-retryable', () => {
    const pending = [act({ activityType: 'lookup', attempt: 6, maximumAttempts: 0, lastFailure: "KeyError: 'sku-9'" })];
    const sched = (nonRetryable: string[]) => [
      started,
      {
        eventId: 5,
        activityTaskScheduledEventAttributes: {
          activityType: { name: 'lookup' },
          startToCloseTimeout: { seconds: 5 },
          retryPolicy: { maximumAttempts: 0, nonRetryableErrorTypes: nonRetryable },
        },
      },
    ];
    const s = configSmells(sched([]) as never, desc({ pendingActivities: pending }));
    assert.equal(s[0]?.kind, 'retries-of-permanent-error');
    assert.match(s[0]?.change ?? '', /add "KeyError" to the retry policy's non_retryable_error_types/);
    assert.deepEqual(configSmells(sched(['KeyError']) as never, desc({ pendingActivities: pending })), []);
  });
  it('a smell is advice: listed after the diagnosis, never a failure on its own', async () => {
    const smells = configSmells(
      [
        started,
        {
          eventId: 5,
          activityTaskScheduledEventAttributes: {
            activityType: { name: 'slow' },
            startToCloseTimeout: { seconds: 60 },
          },
        },
      ] as never,
      desc(),
    );
    const { procedureSteps: stepsOf } = await import('../../src/diagnosis/procedures.js');
    const f = classifySmells(ev({}, [], { smells }), (id) => stepsOf(id, 'w'));
    assert.deepEqual(
      f.map((x) => x.class),
      ['waiting', 'config-smell'],
    );
    assert.deepEqual(f[1]?.procedure.steps, [
      '# set start_to_close_timeout on the slow call to what one attempt needs',
    ]);
  });
});
