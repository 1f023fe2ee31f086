// Fix procedures as data: each class of problem leads to one procedure, its steps written as the
// tshell commands that carry them out (the decision tree's procedures N, W, A, A' and the rest).
export const PROCEDURES = {
  'terminate-fix-restart-new': ['terminate --id {id} --reason "non-determinism"', 'kill-worker', '# fix the workflow code (or version it with workflow.patched)', 'ensure-worker', 'start'],
  'fix-restart-resume': ['# fix the workflow code (do not terminate: the workflow resumes)', 'ensure-worker', 'wait --id {id} --status COMPLETED'],
  'fix-activity-restart': ['# fix the activity code', 'ensure-worker', '# the next retry runs the new code', 'describe --id {id}'],
  'fix-restart-new': ['# fix the cause', 'ensure-worker', 'start'],
  'register-and-restart': ['# register the missing workflow/activity in the worker', 'ensure-worker', 'describe --id {id}'],
  'align-task-queue': ['# use the same task queue in the starter and the worker', 'ensure-worker', 'start'],
  'start-worker': ['ensure-worker', 'wait --id {id} --status RUNNING'],
  'restart-worker': ['ensure-worker'],
  'raise-timeout': ['# raise the timeout that expired', 'ensure-worker', 'start'],
  'inspect-result': ['result --id {id}', '# fix the logic that produced the error result', 'ensure-worker', 'start'],
  'review-reason': ['history --id {id}', 'result --id {id}'],
  'send-interaction': ['signal NAME --id {id} --input JSON', 'wait --id {id} --status COMPLETED'],
  none: [],
} as const satisfies Record<string, readonly string[]>;

export type ProcedureId = keyof typeof PROCEDURES;

export function procedureSteps(id: ProcedureId, workflowId: string): string[] {
  return PROCEDURES[id].map((s) => s.replace(/\{id\}/g, workflowId));
}
