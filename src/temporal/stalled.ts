// Is a RUNNING workflow stalled, and why? Pure decision over describe + pollers (+ the first
// recorded workflow-task failure), so it can be tested on recorded data.
import type { WorkflowDescription } from './workflows.js';

export interface StallEvidence {
  desc: WorkflowDescription;
  /** Live workflow-task pollers on the workflow's task queue. */
  workflowPollers: number;
  /** Live activity pollers per activity task queue. */
  activityPollers: (taskQueue: string) => number;
  /** The first WorkflowTaskFailed in history (the SDK reports only the first attempt). */
  firstTaskFailure?: { eventId: number; cause: string; message: string };
  /** The latest failure from the worker's own log, when tshell knows the worker. */
  currentTaskFailure?: string;
  now: number;
}

export type StallKind = 'workflow-task-failing' | 'activity-failing' | 'no-poller' | 'activity-never-started';

export interface StallReason {
  kind: StallKind;
  text: string;
}

/** How long a scheduled, never-started activity may wait before it counts as stuck. */
export const NEVER_STARTED_MS = 5000;

export function stallReasons(ev: StallEvidence): StallReason[] {
  const { desc } = ev;
  if (desc.status !== 'RUNNING') return [];
  const reasons: StallReason[] = [];
  const wft = desc.pendingWorkflowTask;
  if (wft && (wft.attempt > 1 || ev.firstTaskFailure)) {
    const first = ev.firstTaskFailure;
    const why = ev.currentTaskFailure
      ? ev.currentTaskFailure
      : first
        ? `${first.cause}: ${first.message.split('\n')[0]} (event ${first.eventId}; first recorded failure, possibly outdated)`
        : 'no failure recorded yet';
    reasons.push({ kind: 'workflow-task-failing', text: `workflow task failing, attempt ${wft.attempt}: ${why}` });
  }
  if (ev.workflowPollers === 0) reasons.push({ kind: 'no-poller', text: `no worker polls task queue ${desc.taskQueue}` });
  for (const a of desc.pendingActivities) {
    if (a.attempt > 2) {
      reasons.push({ kind: 'activity-failing', text: `activity ${a.activityType} failing, attempt ${a.attempt}${a.maximumAttempts ? `/${a.maximumAttempts}` : ''}: ${a.lastFailure ?? 'no failure recorded'}` });
      continue;
    }
    const neverStarted = a.state === 'SCHEDULED' && a.attempt <= 1 && !a.lastFailure && !a.lastStartedTime;
    const age = a.scheduledTime ? ev.now - Date.parse(a.scheduledTime) : 0;
    const queue = a.taskQueue ?? desc.taskQueue;
    if (neverStarted && (ev.activityPollers(queue) === 0 || age > NEVER_STARTED_MS)) {
      const pollers = ev.activityPollers(queue);
      reasons.push({ kind: 'activity-never-started', text: `activity ${a.activityType} scheduled ${Math.round(age / 1000)}s ago, never started${pollers === 0 ? ` (no worker polls activity task queue ${queue})` : ''}` });
    }
  }
  return reasons;
}
