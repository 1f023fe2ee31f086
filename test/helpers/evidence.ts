// Recorded evidence for the classifier's unit tests: a description, its failures, the rest defaulted.
import { classify } from '../../src/diagnosis/rules.js';
import type { Evidence } from '../../src/diagnosis/evidence.js';
import type { FailureRecord } from '../../src/temporal/history.js';
import type { PendingActivity, WorkflowDescription } from '../../src/temporal/workflows.js';

/** A RUNNING workflow's description with every field defaulted: `extra` says what matters. */
export function description(extra: Partial<WorkflowDescription> = {}, historyLength = 9): WorkflowDescription {
  return {
    workflowId: 'w',
    runId: 'r',
    type: 'T',
    status: 'RUNNING',
    taskQueue: 'q',
    startTime: '',
    durationMs: 0,
    historyLength,
    pendingActivities: [],
    ...extra,
  };
}

export function ev(
  desc: Partial<WorkflowDescription>,
  failures: FailureRecord[] = [],
  extra: Partial<Evidence> = {},
): Evidence {
  return {
    desc: description(desc),
    failures,
    workflowPollers: 1,
    activityPollers: { q: 1 },
    workers: [],
    ...extra,
  };
}
export const classes = (e: Evidence) => classify(e, () => []).map((f) => f.class);
export const wtf = (message: string, cause = 'WORKFLOW_WORKER_UNHANDLED_FAILURE', type?: string): FailureRecord => ({
  eventId: 14,
  time: '',
  kind: 'WorkflowTaskFailed',
  cause,
  message,
  failure: [{ message, type }],
});
export const act = (a: Partial<PendingActivity>): PendingActivity => ({
  activityId: '1',
  activityType: 'charge',
  state: 'SCHEDULED',
  attempt: 1,
  maximumAttempts: 0,
  ...a,
});
