// What each class means, in two or three sentences a newcomer understands (the wizard says this when
// it lands on a class), and the classes only the wizard reaches (the user's answer decides them).
import type { ProcedureId } from './procedures.js';

export const EXPLANATIONS: Record<string, string> = {
  nondeterminism: 'When a worker picks a workflow up again it replays the history through the workflow code, and the code must issue the same commands in the same order. The code changed under this running workflow, so replay no longer matches the history and this run cannot continue. Terminate it, fix (or version with workflow.patched) the code, and start a new one; `replay` proves it and `reset` can sometimes save the run.',
  'workflow-code-bug': 'The workflow code itself raised an exception, so its workflow task fails and the server retries it. The workflow is not lost: it waits where it is. Fix the code and restart the worker; the workflow resumes from where it stopped.',
  'workflow-not-registered': "The worker polling this task queue does not register the workflow's type, so it cannot run it. Register the workflow class in the worker and restart it; the workflow then starts where it is.",
  'activity-not-registered': 'The workflow scheduled an activity the worker does not register. The server keeps retrying it, so register the activity in the worker and restart it; the next retry runs it.',
  'activity-failing': 'An activity keeps failing and the server keeps retrying it, as its retry policy says. The workflow itself is fine and waits for it. Fix the activity and restart the worker: the next attempt runs the new code, no new workflow needed.',
  'activity-retries-exhausted': 'An activity failed on every attempt its retry policy allowed (or with a non-retryable error), and that failed the workflow. A closed workflow does not come back: fix the activity, restart the worker and start a new workflow.',
  'sandbox-violation': "Workflow code runs in a sandbox that forbids calls whose result could differ on replay (the clock, random numbers, I/O). The workflow task fails until the code stops making that call: move it into an activity (or use workflow.now() / workflow.random()) and restart the worker; the workflow resumes.",
  'task-queue-mismatch': 'The workflow waits on one task queue while your worker polls another, so nothing ever picks it up. Use the same task queue name in the starter and the worker, restart the worker and start again.',
  'no-worker': 'No worker polls the task queue the workflow (or its activity) waits on, so nothing runs it. Start the worker; the waiting work is picked up at once.',
  'stale-worker': "The worker runs older code than the project's files (or more than one worker of the project runs). Old code runs old bugs and breaks replay: restart the worker so exactly one runs the newest code.",
  deadlock: "The workflow code blocked the worker's workflow thread for more than 2 seconds (a blocking call such as time.sleep or a slow loop in workflow code). Workflow code must only await Temporal's APIs: move blocking work into an activity and restart the worker; the workflow resumes.",
  'workflow-failed': "The workflow's own code failed it (for example by raising an ApplicationError). A closed workflow does not come back: fix the cause, restart the worker and start a new workflow.",
  'workflow-timeout': 'The workflow ran longer than its execution (or run) timeout and the server closed it. Raise the timeout (or make the work faster), restart the worker and start a new workflow.',
  'activity-timeout': 'An activity ran longer than its timeout (start-to-close, schedule-to-close or heartbeat) and the timeouts ended its retries. Raise the timeout or make the activity faster (heartbeat if it is long), restart the worker and start a new workflow.',
  'error-result': 'The workflow COMPLETED, but what it returned looks like an error (an error status or message in the result). Temporal sees success; your logic reported a failure as data. Look at the result and fix the logic that produced it.',
  canceled: 'Someone asked for this workflow to be canceled and it ended. Check the reason in its history; start a new one if it was a mistake.',
  terminated: 'The workflow was force-stopped (terminated). The history says who did it and why; start a new one if it was a mistake.',
  waiting: 'The workflow is healthy: it is waiting for a signal, an update or a timer, which is what it was written to do. Send what it waits for (or let the timer run out).',
  healthy: 'The workflow completed and its result looks right. Nothing to fix.',
  'stuck-unknown': 'Nothing fails and a worker polls, yet the workflow is not moving as you expect. Its stack trace shows the line where the workflow code is waiting, and the history shows the last thing that happened.',
  'wrong-result': 'The workflow completed without any error, but you say the result is wrong: the logic in the workflow or an activity computes the wrong thing. Fix the logic, restart the worker and start a new workflow.',
};

/** Classes only the wizard lands on (from the user's answers), with their procedures. */
export const WIZARD_CLASSES: Record<string, { severity: 'error' | 'warning' | 'info'; procedure: ProcedureId; summary: string }> = {
  'stuck-unknown': { severity: 'warning', procedure: 'inspect-stack', summary: 'not moving, and no failure explains it' },
  'wrong-result': { severity: 'error', procedure: 'inspect-result', summary: 'completed with a result you say is wrong' },
};
