// Fix procedures as data: each class of problem leads to one procedure, its steps written as the
// tshell commands that carry them out (the decision tree's procedures N, W, A, A' and the rest).
// A step starting with `#` is the developer's (editing code); the wizard pauses there. `check` names
// the re-check the wizard runs afterwards to say whether the fix worked.
export type CheckKind = 'task-completes' | 'activity-passes' | 'new-run' | 'worker-polls';

interface Procedure {
  steps: readonly string[];
  check?: CheckKind;
}

export const PROCEDURES = {
  'terminate-fix-restart-new': { steps: ['terminate --id {id} --reason "non-determinism"', 'kill-worker', '# fix the workflow code (or version the change with workflow.patched)', 'ensure-worker', 'start --like {id}'], check: 'new-run' },
  'fix-restart-resume': { steps: ['# fix the workflow code (do not terminate: the workflow resumes)', 'ensure-worker'], check: 'task-completes' },
  'fix-activity-restart': { steps: ['# fix the activity code', 'ensure-worker'], check: 'activity-passes' },
  'fix-restart-new': { steps: ['# fix the cause', 'ensure-worker', 'start --like {id}'], check: 'new-run' },
  'register-and-restart': { steps: ['# register the missing workflow/activity in the worker', 'ensure-worker'], check: 'task-completes' },
  'align-task-queue': { steps: ['# use the same task queue in the starter and the worker', 'ensure-worker', 'start --like {id}'], check: 'new-run' },
  'start-worker': { steps: ['ensure-worker'], check: 'worker-polls' },
  'restart-worker': { steps: ['ensure-worker'], check: 'worker-polls' },
  'raise-timeout': { steps: ['# raise the timeout that expired', 'ensure-worker', 'start --like {id}'], check: 'new-run' },
  'inspect-result': { steps: ['result --id {id}', '# fix the logic that produced the wrong result', 'ensure-worker', 'start --like {id}'], check: 'new-run' },
  'inspect-stack': { steps: ['stack --id {id}', 'history --id {id}'] },
  'review-reason': { steps: ['history --id {id}', 'result --id {id}'] },
  'send-interaction': { steps: ['signal NAME --id {id} --input JSON'] },
  none: { steps: [] },
} as const satisfies Record<string, Procedure>;

export type ProcedureId = keyof typeof PROCEDURES;

export function procedureSteps(id: ProcedureId, workflowId: string): string[] {
  return PROCEDURES[id].steps.map((s) => s.replace(/\{id\}/g, workflowId));
}

export function procedureCheck(id: ProcedureId): CheckKind | undefined {
  const p: Procedure = PROCEDURES[id];
  return p.check;
}
