// What the classifier's rows share: the SDK's messages they match and the evidence items they cite.
import type { Evidence, EvidenceItem } from './evidence.js';
import type { FailureRecord } from '../temporal/history.js';
import type { DiagnosisClass } from './classes.js';
import type { WaitItem } from './waiting.js';

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

export const NOT_REGISTERED_WF = /^Workflow class (\S+) is not registered on this worker/;
export const NOT_REGISTERED_ACT = /Activity function (\S+) (?:for workflow \S+ )?is not registered on this worker/;
export const SANDBOX = /Cannot access .* from inside a workflow/;

/** The failing activity's traceback in the worker log, when tshell can read it. */
export function activityLogItem(ev: Evidence, activityId: string): EvidenceItem[] {
  const a = ev.activityLog;
  return a && a.activityId === activityId
    ? [{ source: 'worker-log', line: a.line, text: `${a.text} (${a.file})` }]
    : [];
}

export function taskFailure(ev: Evidence, test: (f: FailureRecord) => boolean): FailureRecord | undefined {
  // Only a workflow that is still RUNNING is stuck on its workflow task, and only when no workflow
  // task has completed since (a fixed worker resumed it).
  if (ev.desc.status !== 'RUNNING') return undefined;
  return ev.failures.find(
    (f) => f.kind === 'WorkflowTaskFailed' && f.eventId > (ev.lastTaskCompletedEventId ?? 0) && test(f),
  );
}

/** The run() signature the code declares, when discovery found the workflow. */
export function runSignature(ev: Evidence): EvidenceItem[] {
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

export function fromHistory(f: FailureRecord): EvidenceItem {
  const type = f.failure?.[0]?.type;
  return {
    source: 'history',
    eventId: f.eventId,
    text: `${f.kind}${f.cause ? ` (${f.cause})` : ''}: ${type ? `${type}: ` : ''}${f.message.split('\n')[0]}`,
  };
}

/** The retry count (describe) and the current reason (worker log): history keeps only the first failure. */
export function attemptsItem(ev: Evidence): EvidenceItem[] {
  const wft = ev.desc.pendingWorkflowTask;
  const items: EvidenceItem[] = wft
    ? [{ source: 'describe', text: `pending workflow task, attempt ${wft.attempt}` }]
    : [];
  if (ev.workerLog)
    items.push({ source: 'worker-log', line: ev.workerLog.line, text: `${ev.workerLog.text} (${ev.workerLog.file})` });
  return items;
}

export const neverStarted = (a: Evidence['desc']['pendingActivities'][number]) =>
  a.state === 'SCHEDULED' && a.attempt <= 1 && !a.lastFailure && !a.lastStartedTime;
export const isNondeterminism = (f: FailureRecord) =>
  f.cause === 'NON_DETERMINISTIC_ERROR' || f.message.includes('[TMPRL1100]');
export const isSandbox = (f: FailureRecord) =>
  f.failure?.[0]?.type === 'RestrictedWorkflowAccessError' || SANDBOX.test(f.message);
export const isDeadlock = (f: FailureRecord) => f.message.includes('[TMPRL1101]');
export const isWfNotRegistered = (f: FailureRecord) => NOT_REGISTERED_WF.test(f.message);
/** The SDK calls run() with the start's inputs: a count that does not fit is Python's own TypeError. */
export const BAD_INPUT =
  /\.run\(\) (?:takes \d+ positional arguments? but \d+ (?:were|was) given|missing \d+ required positional arguments?)/;
export const isBadCount = (f: FailureRecord) =>
  (f.failure?.[0]?.type ?? 'TypeError') === 'TypeError' && BAD_INPUT.test(f.message);
/** The right count, the wrong shape: the SDK's converter could not build run()'s parameter types. */
export const isBadShape = (f: FailureRecord) =>
  f.failure?.[0]?.message.startsWith('Failed decoding arguments') === true && (f.failure?.length ?? 0) > 1;
export const isBadInput = (f: FailureRecord) => isBadCount(f) || isBadShape(f);
/** What the decoding said, named: the type and the fields it misses, else the cause's own words. */
export function shapeProblem(f: FailureRecord): string {
  const cause = f.failure?.[1];
  const missing = /(?:(\w+)\.)?__init__\(\) missing \d+ required (?:positional|keyword-only) arguments?: (.+)$/.exec(
    cause?.message ?? '',
  );
  if (missing)
    return `the input has no ${missing[2]} field${(missing[2] ?? '').includes(' and ') ? 's' : ''}${missing[1] ? ` for ${missing[1]}` : ''}`;
  return `the input does not fit run()'s parameter types (${cause?.type ?? 'error'}: ${cause?.message ?? ''})`;
}
