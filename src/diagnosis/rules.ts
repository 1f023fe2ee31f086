// The classifier as data: one row per class, read top to bottom. Each rule says which evidence it
// needs, how it matches (on the SDK's real messages and failure types, not loose words), and which
// procedure fixes it. Adding a class is adding a row (and a fixture that reproduces it).
import { errorShapedReason } from './error-result.js';
import type { Evidence, EvidenceItem } from './evidence.js';
import type { ProcedureId } from './procedures.js';
import { classSpec, type DiagnosisClass, type Severity } from './classes.js';

export type { Severity } from './classes.js';
import type { FailureRecord } from '../temporal/history.js';
import { FAILING_AFTER_ATTEMPT } from './stalled.js';
import { describeWaits, type WaitItem } from './waiting.js';
import { activityCode, queueCode, workflowCode } from './code-evidence.js';

export type { EvidenceItem, Source } from './evidence.js';

export interface Match {
  summary: string;
  evidence: EvidenceItem[];
  /** For `waiting`: exactly what it waits for. */
  waitingOn?: WaitItem[];
  /** Values for placeholders in the procedure's steps besides {id} (e.g. {child}). */
  fill?: Record<string, string>;
}

/** How one class is recognised; what the class means and how it is fixed is its row in classes.ts. */
export interface Rule {
  class: DiagnosisClass;
  match(ev: Evidence): Match | undefined;
}

const NOT_REGISTERED_WF = /^Workflow class (\S+) is not registered on this worker/;
const NOT_REGISTERED_ACT = /Activity function (\S+) (?:for workflow \S+ )?is not registered on this worker/;
const SANDBOX = /Cannot access .* from inside a workflow/;

/** The failing activity's traceback in the worker log, when tshell can read it. */
function activityLogItem(ev: Evidence, activityId: string): EvidenceItem[] {
  const a = ev.activityLog;
  return a && a.activityId === activityId
    ? [{ source: 'worker-log', line: a.line, text: `${a.text} (${a.file})` }]
    : [];
}

function taskFailure(ev: Evidence, test: (f: FailureRecord) => boolean): FailureRecord | undefined {
  // Only a workflow that is still RUNNING is stuck on its workflow task, and only when no workflow
  // task has completed since (a fixed worker resumed it).
  if (ev.desc.status !== 'RUNNING') return undefined;
  return ev.failures.find(
    (f) => f.kind === 'WorkflowTaskFailed' && f.eventId > (ev.lastTaskCompletedEventId ?? 0) && test(f),
  );
}

/** The run() signature the code declares, when discovery found the workflow. */
function runSignature(ev: Evidence): EvidenceItem[] {
  const wf = ev.code?.workflows.find((w) => w.name === ev.desc.type);
  return wf
    ? [
        {
          source: 'code',
          text: `workflow ${wf.name} is defined at ${wf.where}${wf.runParams !== null ? `; its run() takes ${wf.runParams} input(s)` : ''}`,
        },
      ]
    : [];
}

function fromHistory(f: FailureRecord): EvidenceItem {
  const type = f.failure?.[0]?.type;
  return {
    source: 'history',
    eventId: f.eventId,
    text: `${f.kind}${f.cause ? ` (${f.cause})` : ''}: ${type ? `${type}: ` : ''}${f.message.split('\n')[0]}`,
  };
}

/** The retry count (describe) and the current reason (worker log): history keeps only the first failure. */
function attemptsItem(ev: Evidence): EvidenceItem[] {
  const wft = ev.desc.pendingWorkflowTask;
  const items: EvidenceItem[] = wft
    ? [{ source: 'describe', text: `pending workflow task, attempt ${wft.attempt}` }]
    : [];
  if (ev.workerLog)
    items.push({ source: 'worker-log', line: ev.workerLog.line, text: `${ev.workerLog.text} (${ev.workerLog.file})` });
  return items;
}

const neverStarted = (a: Evidence['desc']['pendingActivities'][number]) =>
  a.state === 'SCHEDULED' && a.attempt <= 1 && !a.lastFailure && !a.lastStartedTime;
const isNondeterminism = (f: FailureRecord) =>
  f.cause === 'NON_DETERMINISTIC_ERROR' || f.message.includes('[TMPRL1100]');
const isSandbox = (f: FailureRecord) =>
  f.failure?.[0]?.type === 'RestrictedWorkflowAccessError' || SANDBOX.test(f.message);
const isDeadlock = (f: FailureRecord) => f.message.includes('[TMPRL1101]');
const isWfNotRegistered = (f: FailureRecord) => NOT_REGISTERED_WF.test(f.message);
/** The SDK calls run() with the start's inputs: a count that does not fit is Python's own TypeError. */
const BAD_INPUT =
  /\.run\(\) (?:takes \d+ positional arguments? but \d+ (?:were|was) given|missing \d+ required positional arguments?)/;
const isBadCount = (f: FailureRecord) =>
  (f.failure?.[0]?.type ?? 'TypeError') === 'TypeError' && BAD_INPUT.test(f.message);
/** The right count, the wrong shape: the SDK's converter could not build run()'s parameter types. */
const isBadShape = (f: FailureRecord) =>
  f.failure?.[0]?.message.startsWith('Failed decoding arguments') === true && (f.failure?.length ?? 0) > 1;
const isBadInput = (f: FailureRecord) => isBadCount(f) || isBadShape(f);
/** What the decoding said, named: the type and the fields it misses, else the cause's own words. */
function shapeProblem(f: FailureRecord): string {
  const cause = f.failure?.[1];
  const missing = /(?:(\w+)\.)?__init__\(\) missing \d+ required (?:positional|keyword-only) arguments?: (.+)$/.exec(
    cause?.message ?? '',
  );
  if (missing)
    return `the input has no ${missing[2]} field${(missing[2] ?? '').includes(' and ') ? 's' : ''}${missing[1] ? ` for ${missing[1]}` : ''}`;
  return `the input does not fit run()'s parameter types (${cause?.type ?? 'error'}: ${cause?.message ?? ''})`;
}

export const RULES: Rule[] = [
  {
    class: 'sandbox-violation',
    // Checked before non-determinism: the SDK's sandbox error is a subclass of its non-determinism error.
    match: (ev) => {
      const f = taskFailure(ev, isSandbox);
      const call = /Cannot access (\S+?)(?:\.__call__)? from inside a workflow/.exec(f?.message ?? '')?.[1];
      return (
        f && {
          summary: `the workflow code calls ${call ?? 'something'}, which the sandbox forbids in workflow code (move it to an activity, or use workflow.now()/workflow.random())`,
          evidence: [fromHistory(f), ...attemptsItem(ev)],
        }
      );
    },
  },
  {
    class: 'nondeterminism',
    match: (ev) => {
      const f = taskFailure(ev, isNondeterminism);
      return (
        f && {
          summary: `the workflow code no longer matches its history (event ${f.eventId}); this run cannot recover`,
          evidence: [fromHistory(f), ...attemptsItem(ev)],
        }
      );
    },
  },
  {
    class: 'bad-input',
    match: (ev) => {
      const f = taskFailure(ev, isBadInput);
      if (!f) return undefined;
      const what = isBadShape(f)
        ? `started with input of the wrong shape: ${shapeProblem(f)}`
        : `started with the wrong number of inputs: ${f.message.split('\n')[0]}`;
      return {
        summary: `${what} (terminate it and start it with the right input: no code change can help, the input is fixed in its history)`,
        evidence: [fromHistory(f), ...attemptsItem(ev), ...runSignature(ev)],
      };
    },
  },
  {
    class: 'deadlock',
    match: (ev) => {
      const f = taskFailure(ev, isDeadlock);
      return (
        f && {
          summary: 'the workflow code blocked the worker for more than 2 s (a blocking call in workflow code)',
          evidence: [fromHistory(f), ...attemptsItem(ev)],
        }
      );
    },
  },
  {
    class: 'workflow-not-registered',
    match: (ev) => {
      const f = taskFailure(ev, isWfNotRegistered);
      return (
        f && {
          summary: `the worker does not register workflow ${NOT_REGISTERED_WF.exec(f.message)?.[1] ?? ev.desc.type}`,
          evidence: [fromHistory(f), ...attemptsItem(ev), ...workflowCode(ev, ev.desc.type)],
        }
      );
    },
  },
  {
    class: 'workflow-code-bug',
    match: (ev) => {
      const f = taskFailure(
        ev,
        (x) => !isNondeterminism(x) && !isSandbox(x) && !isDeadlock(x) && !isWfNotRegistered(x),
      );
      return (
        f && {
          summary: `the workflow code raised ${f.failure?.[0]?.type ?? 'an exception'}: ${f.message.split('\n')[0]} (the workflow waits; it resumes once fixed)`,
          evidence: [
            fromHistory(f),
            ...(f.frames ?? []).map((fr) => ({ source: 'history' as const, eventId: f.eventId, text: `at ${fr}` })),
            ...attemptsItem(ev),
          ],
        }
      );
    },
  },
  {
    class: 'child-workflow',
    match: (ev) => {
      if (ev.desc.status !== 'RUNNING') return undefined;
      const child = (ev.children ?? []).find((c) => c.first?.problem);
      if (!child?.first) return undefined;
      return {
        summary: `waits on child workflow ${child.workflowId} (${child.type}), which is ${child.first.class}: ${child.first.summary}`,
        evidence: [
          { source: 'describe', text: `pending child ${child.workflowId} (${child.type}), ${child.status}` },
          ...child.first.evidence.slice(0, 3).map((e) => ({ ...e, text: `child: ${e.text}` })),
        ],
        fill: { child: child.workflowId },
      };
    },
  },
  {
    class: 'activity-not-registered',
    match: (ev) => {
      const pending = ev.desc.pendingActivities.find((a) => NOT_REGISTERED_ACT.test(a.lastFailure ?? ''));
      if (pending)
        return {
          summary: `the worker does not register activity ${pending.activityType} (retried until it is)`,
          evidence: [
            {
              source: 'describe',
              text: `activity ${pending.activityType}, attempt ${pending.attempt}: ${pending.lastFailure}`,
            },
            ...activityLogItem(ev, pending.activityId),
            ...activityCode(ev, pending.activityType),
          ],
        };
      const f = ev.failures.find((x) => x.kind === 'ActivityTaskFailed' && NOT_REGISTERED_ACT.test(x.message));
      if (f)
        return {
          summary: `the worker does not register activity ${f.activityType ?? ''}`,
          evidence: [fromHistory(f), ...activityCode(ev, f.activityType ?? '')],
        };
      // A worker polls the queue for workflow tasks but for no activity at all: it registers none.
      const idle =
        ev.desc.status === 'RUNNING' && ev.workflowPollers > 0
          ? ev.desc.pendingActivities.find(
              (a) =>
                neverStarted(a) &&
                (a.taskQueue ?? ev.desc.taskQueue) === ev.desc.taskQueue &&
                (ev.activityPollers[ev.desc.taskQueue] ?? 0) === 0,
            )
          : undefined;
      return (
        idle && {
          summary: `a worker polls ${ev.desc.taskQueue} for workflow tasks but registers no activities: activity ${idle.activityType} waits, never started`,
          evidence: [
            {
              source: 'pollers',
              text: `${ev.workflowPollers} workflow poller(s), 0 activity pollers on ${ev.desc.taskQueue}`,
            },
            {
              source: 'describe',
              text: `${idle.activityType} scheduled${idle.scheduledTime ? ` at ${idle.scheduledTime}` : ''}, never started`,
            },
            ...activityCode(ev, idle.activityType),
          ],
        }
      );
    },
  },
  {
    class: 'activity-timeout',
    match: (ev) => {
      const f = ev.failures.find((x) => x.kind === 'ActivityTaskTimedOut');
      if (f)
        return {
          summary: `activity ${f.activityType ?? ''} timed out (${f.timeoutType ?? 'timeout'}) and was not retried further`,
          evidence: [fromHistory(f)],
        };
      const a = ev.desc.pendingActivities.find((x) => x.attempt > 1 && /^Timeout\(/.test(x.lastFailure ?? ''));
      return (
        a && {
          summary: `activity ${a.activityType} keeps timing out (attempt ${a.attempt})`,
          evidence: [{ source: 'describe', text: `${a.activityType}: ${a.lastFailure}` }],
        }
      );
    },
  },
  {
    class: 'activity-retries-exhausted',
    match: (ev) => {
      const f = ev.failures.find(
        (x) =>
          x.kind === 'ActivityTaskFailed' &&
          (x.retryState === 'MAXIMUM_ATTEMPTS_REACHED' || x.retryState === 'NON_RETRYABLE_FAILURE'),
      );
      return (
        f && {
          summary: `activity ${f.activityType ?? ''} failed for good (${f.retryState}): ${f.message.split('\n')[0]}`,
          evidence: [fromHistory(f)],
        }
      );
    },
  },
  {
    class: 'activity-failing',
    match: (ev) => {
      const a = ev.desc.pendingActivities.find((x) => x.attempt > FAILING_AFTER_ATTEMPT && x.lastFailure);
      return (
        a && {
          summary: `activity ${a.activityType} keeps failing (attempt ${a.attempt}): ${a.lastFailure}`,
          evidence: [
            {
              source: 'describe',
              text: `${a.activityType} attempt ${a.attempt}${a.maximumAttempts ? `/${a.maximumAttempts}` : ''}: ${a.lastFailure}`,
            },
            ...activityLogItem(ev, a.activityId),
          ],
        }
      );
    },
  },
  {
    class: 'task-queue-mismatch',
    match: (ev) => {
      if (ev.desc.status !== 'RUNNING' || ev.workflowPollers > 0) return undefined;
      const w = ev.workers.find((x) => x.taskQueue && x.taskQueue !== ev.desc.taskQueue);
      return (
        w && {
          summary: `the workflow waits on task queue ${ev.desc.taskQueue}, the project's worker polls ${w.taskQueue}`,
          evidence: [
            { source: 'pollers', text: `no poller on ${ev.desc.taskQueue}` },
            {
              source: 'process',
              text: `worker pid ${w.pid}${w.startedByTshell ? '' : ' (not started by tshell)'} polls ${w.taskQueue}`,
            },
            ...queueCode(ev),
          ],
        }
      );
    },
  },
  {
    class: 'no-worker',
    match: (ev) => {
      if (ev.desc.status !== 'RUNNING') return undefined;
      if (ev.workflowPollers === 0 && !ev.workers.some((w) => w.taskQueue && w.taskQueue !== ev.desc.taskQueue)) {
        return {
          summary: `no worker polls task queue ${ev.desc.taskQueue}`,
          evidence: [{ source: 'pollers', text: `0 live workflow pollers on ${ev.desc.taskQueue}` }],
        };
      }
      // (a worker that polls the workflow's own queue but registers no activities is activity-not-registered)
      const a = ev.desc.pendingActivities.find(
        (x) =>
          neverStarted(x) &&
          (ev.activityPollers[x.taskQueue ?? ev.desc.taskQueue] ?? 0) === 0 &&
          (ev.workflowPollers === 0 || (x.taskQueue ?? ev.desc.taskQueue) !== ev.desc.taskQueue),
      );
      return (
        a && {
          summary: `activity ${a.activityType} waits on task queue ${a.taskQueue ?? ev.desc.taskQueue}, which no worker polls for activities`,
          evidence: [
            { source: 'describe', text: `${a.activityType} scheduled, never started` },
            { source: 'pollers', text: `0 activity pollers on ${a.taskQueue ?? ev.desc.taskQueue}` },
          ],
        }
      );
    },
  },
  {
    class: 'stale-worker',
    match: (ev) => {
      if (ev.workers.length > 1)
        return {
          summary: `${ev.workers.length} workers of this project are running`,
          evidence: ev.workers.map((w) => ({ source: 'process' as const, text: `worker pid ${w.pid}` })),
        };
      const w = ev.workers[0];
      return w && ev.newestSourceMs && ev.newestSourceMs > w.startedAtMs + 1000
        ? {
            summary: `the worker (pid ${w.pid}) runs code older than the project's newest .py file`,
            evidence: [
              {
                source: 'process',
                text: `worker started ${new Date(w.startedAtMs).toISOString()}, source changed ${new Date(ev.newestSourceMs).toISOString()}`,
              },
            ],
          }
        : undefined;
    },
  },
  {
    class: 'workflow-timeout',
    match: (ev) =>
      ev.desc.status === 'TIMED_OUT'
        ? {
            summary: 'the workflow ran out of time (execution or run timeout)',
            evidence: [{ source: 'history', eventId: ev.close?.eventId, text: 'WorkflowExecutionTimedOut' }],
          }
        : undefined,
  },
  {
    class: 'workflow-failed',
    match: (ev) => {
      if (ev.desc.status !== 'FAILED') return undefined;
      const chain = ev.close?.failure ?? [];
      return {
        summary: `the workflow failed: ${chain.map((f) => (f.type ? `${f.type}: ${f.message}` : f.message)).join(' ← ')}`,
        evidence: [
          {
            source: 'history',
            eventId: ev.close?.eventId,
            text: `WorkflowExecutionFailed: ${chain[0]?.message ?? ''}`,
          },
        ],
      };
    },
  },
  {
    class: 'error-result',
    match: (ev) => {
      if (ev.desc.status !== 'COMPLETED') return undefined;
      const why = errorShapedReason(ev.close?.result);
      return why
        ? {
            summary: `the workflow COMPLETED but its result looks like an error (${why})`,
            evidence: [
              { source: 'result', eventId: ev.close?.eventId, text: JSON.stringify(ev.close?.result).slice(0, 200) },
            ],
          }
        : undefined;
    },
  },
  {
    class: 'canceled',
    match: (ev) =>
      ev.desc.status === 'CANCELED'
        ? {
            summary: `the workflow was canceled${ev.close?.reason ? `: ${ev.close.reason}` : ''}`,
            evidence: [{ source: 'history', eventId: ev.close?.eventId, text: 'WorkflowExecutionCanceled' }],
          }
        : undefined,
  },
  {
    class: 'terminated',
    match: (ev) =>
      ev.desc.status === 'TERMINATED'
        ? {
            summary: `terminated${ev.close?.identity ? ` by ${ev.close.identity}` : ''}${ev.close?.reason ? `: ${ev.close.reason}` : ''}`,
            evidence: [
              {
                source: 'history',
                eventId: ev.close?.eventId,
                text: `WorkflowExecutionTerminated: ${ev.close?.reason ?? ''}`,
              },
            ],
          }
        : undefined,
  },
  {
    class: 'config-smell',
    match: (ev) => {
      const smells = ev.smells ?? [];
      if (smells.length === 0) return undefined;
      return {
        summary: `${smells[0]?.text}${smells.length > 1 ? ` (and ${smells.length - 1} more)` : ''}`,
        evidence: smells.map((s) => ({
          source: 'history' as const,
          ...(s.eventId ? { eventId: s.eventId } : {}),
          text: `${s.kind}: ${s.text}`,
        })),
        fill: { change: [...new Set(smells.map((s) => s.change))].join('; ') },
      };
    },
  },
  {
    class: 'waiting',
    match: (ev) => {
      if (ev.desc.status !== 'RUNNING') return undefined;
      const waits = ev.waits ?? [];
      const received = waits.filter((w) => w.kind === 'signal-received' || w.kind === 'update-received');
      return {
        summary: `running and healthy, waiting on ${describeWaits(waits)}`,
        evidence: [
          { source: 'pollers', text: `${ev.workflowPollers} live poller(s) on ${ev.desc.taskQueue}` },
          ...waits
            .filter((w) => w.kind === 'timer')
            .map((w) => ({
              source: 'history' as const,
              eventId: w.eventId,
              text: `timer ${w.name} started${w.seconds !== undefined ? ` for ${w.seconds} s` : ''}`,
            })),
          ...(received.length
            ? [
                {
                  source: 'history' as const,
                  text: `received so far: ${received.map((w) => `${w.kind === 'signal-received' ? 'signal' : 'update'} ${w.name}`).join(', ')}`,
                },
              ]
            : []),
        ],
        waitingOn: waits,
      };
    },
  },
  {
    class: 'healthy',
    match: (ev) =>
      ev.desc.status === 'COMPLETED'
        ? {
            summary: 'completed with a plausible result',
            evidence: [
              {
                source: 'result',
                eventId: ev.close?.eventId,
                text: JSON.stringify(ev.close?.result ?? null).slice(0, 200),
              },
            ],
          }
        : undefined,
  },
];

export interface Finding extends Match {
  class: DiagnosisClass;
  severity: Severity;
  procedure: { id: ProcedureId; steps: string[] };
}

const ORDER: Severity[] = ['critical', 'error', 'warning', 'info'];

/**
 * Every matching row, less those another match explains better (`suppresses`); the healthy rows
 * only when no problem matched. Ordered by severity.
 */
export function classify(ev: Evidence, steps: (id: ProcedureId) => string[]): Finding[] {
  const matched = RULES.flatMap((rule) => {
    const m = rule.match(ev);
    return m ? [{ cls: rule.class, m }] : [];
  });
  const suppressed = new Set<string>(matched.flatMap(({ cls }) => classSpec(cls).suppresses ?? []));
  let kept = matched.filter(({ cls }) => !suppressed.has(cls));
  // A COMPLETED run handled its activities' failures: they are evidence of how it closed, not headlines.
  const handled = ev.desc.status === 'COMPLETED' ? kept.filter(({ cls }) => classSpec(cls).stage === 'activity') : [];
  kept = kept.filter((k) => !handled.includes(k));
  const anyProblem = kept.some(({ cls }) => classSpec(cls).problem);
  const advisory = (cls: DiagnosisClass) => Boolean(classSpec(cls).advisory);
  const closed = ev.desc.status !== 'RUNNING';
  return (
    kept
      .filter(({ cls }) => classSpec(cls).problem || advisory(cls) || !anyProblem)
      .map(({ cls, m }): Finding => {
        const spec = classSpec(cls);
        const procedure = (closed && spec.closedProcedure) || spec.procedure;
        const evidence =
          classSpec(cls).stage === 'result' || classSpec(cls).stage === 'healthy'
            ? [
                ...m.evidence,
                ...handled.flatMap((h) =>
                  h.m.evidence.slice(0, 1).map((e) => ({ ...e, text: `handled by the workflow: ${h.m.summary}` })),
                ),
              ]
            : m.evidence;
        const filled = steps(procedure).map((st) =>
          Object.entries(m.fill ?? {}).reduce((acc, [k, v]) => acc.replaceAll(`{${k}}`, v), st),
        );
        return {
          class: cls,
          severity: spec.severity,
          summary: m.summary,
          evidence,
          procedure: { id: procedure, steps: filled },
          ...(m.waitingOn ? { waitingOn: m.waitingOn } : {}),
        };
      })
      // Advice comes after the diagnosis, whatever its severity.
      .sort(
        (a, b) =>
          Number(advisory(a.class)) - Number(advisory(b.class)) ||
          ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity),
      )
  );
}
