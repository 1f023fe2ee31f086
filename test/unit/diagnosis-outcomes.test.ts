// The classifier on recorded evidence, continued: bad input, closed runs, what a waiting workflow waits for, smells.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify } from '../../src/diagnosis/rules.js';
import type { FailureRecord } from '../../src/temporal/history.js';
import { act, description, ev } from '../helpers/evidence.js';

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
    const desc = description({
      pendingActivities: [act({ attempt: 3, nextAttemptScheduleTime: '2027-01-15T08:00:10.000Z' })],
    });
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
  const desc = description;
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
