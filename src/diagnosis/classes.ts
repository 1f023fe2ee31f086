// Every diagnosis class as one typed row: how bad it is, the procedure that fixes it, where the
// decision tree meets it, what it means for a newcomer, and which classes it makes redundant.
// A new class is one row here, one matching row in rules.ts, a fixture and a test.
import type { CheckKind, ProcedureId } from './procedures.js';

export type Severity = 'critical' | 'error' | 'warning' | 'info';

/** Where the decision tree meets a class (tree.ts asks about stages, not class names). */
export type Stage = 'workflow-task' | 'activity' | 'worker' | 'closed' | 'result' | 'healthy' | 'user' | 'advisory';

export interface ClassSpec {
  severity: Severity;
  procedure: ProcedureId;
  /** A problem stops or spoils the workflow; when one matches, the healthy rows do not. */
  problem: boolean;
  stage: Stage;
  /** Two or three sentences the wizard says when it lands here. */
  explanation: string;
  /** Classes this one explains better: when both match, only this one is reported. */
  suppresses?: readonly string[];
  /** The wizard's re-check, when it differs from the procedure's. */
  check?: CheckKind;
  /** For classes only the user's answer reaches (no rule matches them): the wizard's summary. */
  userSummary?: string;
  /** On a closed run nothing retries: the procedure and explanation to use then (they end with a new run). */
  closedProcedure?: ProcedureId;
  closedExplanation?: string;
  /** Advice beside the diagnosis (configuration smells): always listed, last, never a failure. */
  advisory?: boolean;
}

export const CLASSES = {
  'sandbox-violation': {
    severity: 'error',
    procedure: 'fix-restart-resume',
    problem: true,
    stage: 'workflow-task',
    explanation:
      'Workflow code runs in a sandbox that forbids calls whose result could differ on replay (the clock, random numbers, I/O). The workflow task fails until the code stops making that call: move it into an activity (or use workflow.now() / workflow.random()) and restart the worker; the workflow resumes.',
  },
  nondeterminism: {
    severity: 'critical',
    procedure: 'terminate-fix-restart-new',
    problem: true,
    stage: 'workflow-task',
    explanation:
      'When a worker picks a workflow up again it replays the history through the workflow code, and the code must issue the same commands in the same order. The code changed under this running workflow, so replay no longer matches the history and this run cannot continue. Terminate it, fix (or version with workflow.patched) the code, and start a new one; `replay` proves it and `reset` can sometimes save the run.',
  },
  'bad-input': {
    severity: 'error',
    procedure: 'terminate-start-right-input',
    problem: true,
    stage: 'workflow-task',
    suppresses: ['workflow-code-bug'],
    explanation:
      "The workflow was started with input run() cannot take: a different number of inputs, or one of the wrong shape (a dataclass missing a field, a value of another type: the SDK's 'Failed decoding arguments'). Its first workflow task fails on every attempt. The input is fixed in its history, so no code fix or restart helps: terminate it and start it again with the input run() expects.",
  },
  deadlock: {
    severity: 'error',
    procedure: 'fix-restart-resume',
    problem: true,
    stage: 'workflow-task',
    explanation:
      "The workflow code blocked the worker's workflow thread for more than 2 seconds (a blocking call such as time.sleep or a slow loop in workflow code). Workflow code must only await Temporal's APIs: move blocking work into an activity and restart the worker; the workflow resumes.",
  },
  'workflow-not-registered': {
    severity: 'error',
    procedure: 'register-and-restart',
    problem: true,
    stage: 'workflow-task',
    explanation:
      "The worker polling this task queue does not register the workflow's type, so it cannot run it. Register the workflow class in the worker and restart it; the workflow then starts where it is.",
  },
  'workflow-code-bug': {
    severity: 'error',
    procedure: 'fix-restart-resume',
    problem: true,
    stage: 'workflow-task',
    explanation:
      'The workflow code itself raised an exception, so its workflow task fails and the server retries it. The workflow is not lost: it waits where it is. Fix the code and restart the worker; the workflow resumes from where it stopped.',
  },
  'child-workflow': {
    severity: 'error',
    procedure: 'fix-child',
    problem: true,
    stage: 'activity',
    explanation:
      'The workflow itself is fine: it waits on a child workflow, and the child is the one in trouble. Diagnose and fix the child; when the child moves on, so does its parent.',
  },
  'activity-not-registered': {
    severity: 'error',
    procedure: 'register-and-restart',
    problem: true,
    stage: 'activity',
    suppresses: ['activity-failing', 'activity-retries-exhausted', 'workflow-failed'],
    check: 'activity-passes',
    closedProcedure: 'register-restart-new',
    closedExplanation:
      'The workflow scheduled an activity the worker does not register, and the run has ended, so nothing will retry it. Register the activity in the worker, restart the worker and start the workflow again.',
    explanation:
      'The workflow scheduled an activity the worker does not register. The server keeps retrying it, so register the activity in the worker and restart it; the next retry runs it.',
  },
  'activity-timeout': {
    severity: 'error',
    procedure: 'raise-timeout',
    problem: true,
    stage: 'activity',
    suppresses: ['activity-retries-exhausted', 'workflow-failed'],
    explanation:
      'An activity ran longer than its timeout (start-to-close, schedule-to-close or heartbeat) and the timeouts ended its retries. Raise the timeout or make the activity faster (heartbeat if it is long), restart the worker and start a new workflow.',
  },
  'activity-retries-exhausted': {
    severity: 'error',
    procedure: 'fix-restart-new',
    problem: true,
    stage: 'activity',
    suppresses: ['workflow-failed'],
    explanation:
      'An activity failed on every attempt its retry policy allowed (or with a non-retryable error), and that failed the workflow. A closed workflow does not come back: fix the activity, restart the worker and start a new workflow.',
  },
  'activity-failing': {
    severity: 'error',
    procedure: 'fix-activity-restart',
    problem: true,
    stage: 'activity',
    explanation:
      'An activity keeps failing and the server keeps retrying it, as its retry policy says. The workflow itself is fine and waits for it. Fix the activity and restart the worker: the next attempt runs the new code, no new workflow needed.',
  },
  'task-queue-mismatch': {
    severity: 'error',
    procedure: 'align-task-queue',
    problem: true,
    stage: 'worker',
    explanation:
      'The workflow waits on one task queue while your worker polls another, so nothing ever picks it up. Use the same task queue name in the starter and the worker, restart the worker and start again.',
  },
  'no-worker': {
    severity: 'error',
    procedure: 'start-worker',
    problem: true,
    stage: 'worker',
    explanation:
      'No worker polls the task queue the workflow (or its activity) waits on, so nothing runs it. Start the worker; the waiting work is picked up at once.',
  },
  'stale-worker': {
    severity: 'warning',
    procedure: 'restart-worker',
    problem: true,
    stage: 'worker',
    explanation:
      "The worker runs older code than the project's files (or more than one worker of the project runs). Old code runs old bugs and breaks replay: restart the worker so exactly one runs the newest code.",
  },
  'workflow-timeout': {
    severity: 'error',
    procedure: 'raise-timeout',
    problem: true,
    stage: 'closed',
    explanation:
      'The workflow ran longer than its execution (or run) timeout and the server closed it. Raise the timeout (or make the work faster), restart the worker and start a new workflow.',
  },
  'workflow-failed': {
    severity: 'error',
    procedure: 'fix-restart-new',
    problem: true,
    stage: 'closed',
    explanation:
      "The workflow's own code failed it (for example by raising an ApplicationError). A closed workflow does not come back: fix the cause, restart the worker and start a new workflow.",
  },
  'error-result': {
    severity: 'warning',
    procedure: 'inspect-result',
    problem: true,
    stage: 'result',
    explanation:
      'The workflow COMPLETED, but what it returned looks like an error (an error status or message in the result). Temporal sees success; your logic reported a failure as data. Look at the result and fix the logic that produced it.',
  },
  canceled: {
    severity: 'info',
    procedure: 'review-reason',
    problem: true,
    stage: 'closed',
    explanation:
      'Someone asked for this workflow to be canceled and it ended. Check the reason in its history; start a new one if it was a mistake.',
  },
  terminated: {
    severity: 'info',
    procedure: 'review-reason',
    problem: true,
    stage: 'closed',
    explanation:
      'The workflow was force-stopped (terminated). The history says who did it and why; start a new one if it was a mistake.',
  },
  waiting: {
    severity: 'info',
    procedure: 'send-interaction',
    problem: false,
    stage: 'healthy',
    explanation:
      'The workflow is healthy: it is waiting for a signal, an update or a timer, which is what it was written to do. Send what it waits for (or let the timer run out).',
  },
  healthy: {
    severity: 'info',
    procedure: 'none',
    problem: false,
    stage: 'healthy',
    explanation: 'The workflow completed and its result looks right. Nothing to fix.',
  },
  'config-smell': {
    severity: 'warning',
    procedure: 'review-config',
    problem: false,
    stage: 'advisory',
    advisory: true,
    explanation:
      'Nothing fails because of it yet, but a setting in how this workflow runs its activities or grows its history will cost you later: a hung attempt noticed late, retries that cannot succeed, a history or payload near its limit. Change the setting named in the evidence.',
  },
  'stuck-unknown': {
    severity: 'warning',
    procedure: 'inspect-stack',
    problem: true,
    stage: 'user',
    userSummary: 'not moving, and no failure explains it',
    explanation:
      'Nothing fails and a worker polls, yet the workflow is not moving as you expect. Its stack trace shows the line where the workflow code is waiting, and the history shows the last thing that happened.',
  },
  'wrong-result': {
    severity: 'error',
    procedure: 'inspect-result',
    problem: true,
    stage: 'user',
    userSummary: 'completed with a result you say is wrong',
    explanation:
      'The workflow completed without any error, but you say the result is wrong: the logic in the workflow or an activity computes the wrong thing. Fix the logic, restart the worker and start a new workflow.',
  },
} as const satisfies Record<string, ClassSpec>;

export type DiagnosisClass = keyof typeof CLASSES;

export const CLASS_NAMES = Object.keys(CLASSES) as DiagnosisClass[];

export function classSpec(cls: DiagnosisClass): ClassSpec {
  return CLASSES[cls];
}

/** The classes the tree meets at a stage, in the classifier's order. */
export function classesAt(stage: Stage): DiagnosisClass[] {
  return CLASS_NAMES.filter((c) => classSpec(c).stage === stage);
}
