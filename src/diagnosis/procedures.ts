// Fix procedures as data: each class of problem leads to one procedure, its steps written as the
// tshell commands that carry them out (the decision tree's procedures N, W, A, A' and the rest).
// A step starting with `#` is the developer's (editing code); the wizard pauses there. `check` names
// the re-check the wizard runs afterwards to say whether the fix worked.
export type CheckKind = 'task-completes' | 'activity-passes' | 'new-run' | 'work-picked-up';

interface Procedure {
  steps: readonly string[];
  check?: CheckKind;
}

export const PROCEDURES = {
  'terminate-fix-restart-new': {
    steps: [
      'terminate --id {id} --reason "non-determinism"',
      'kill-worker',
      '# fix the workflow code (or version the change with workflow.patched)',
      'ensure-worker',
      'start --like {id}',
    ],
    check: 'new-run',
  },
  'fix-restart-resume': {
    steps: ['# fix the workflow code (do not terminate: the workflow resumes)', 'ensure-worker'],
    check: 'task-completes',
  },
  'fix-activity-restart': { steps: ['# fix the activity code', 'ensure-worker'], check: 'activity-passes' },
  'terminate-start-right-input': {
    steps: [
      'terminate --id {id} --reason "started with the wrong number of inputs"',
      '# start it again with the inputs its run() takes (start --type TYPE --input JSON …)',
    ],
  },
  // The steps come from the finding (the child's id): see rules.ts.
  'review-config': { steps: ['# {change}'] },
  'fix-child': { steps: ['diagnose --id {child}', 'wizard --id {child}'] },
  'fix-restart-new': { steps: ['# fix the cause', 'ensure-worker', 'start --like {id}'], check: 'new-run' },
  'register-restart-new': {
    steps: ['# register the missing activity in the worker', 'ensure-worker', 'start --like {id}'],
    check: 'new-run',
  },
  'register-and-restart': {
    steps: ['# register the missing workflow/activity in the worker', 'ensure-worker'],
    check: 'task-completes',
  },
  // The stuck original proceeds once a worker polls its queue: starting another would run the work twice.
  'align-task-queue': {
    steps: [
      "# make the worker poll the workflow's task queue (to change the starter instead, terminate this one first)",
      'ensure-worker',
    ],
    check: 'work-picked-up',
  },
  'start-worker': { steps: ['ensure-worker'], check: 'work-picked-up' },
  'restart-worker': { steps: ['ensure-worker'], check: 'work-picked-up' },
  'raise-timeout': {
    steps: ['# raise the timeout that expired', 'ensure-worker', 'start --like {id}'],
    check: 'new-run',
  },
  'inspect-result': {
    steps: ['result --id {id}', '# fix the logic that produced the wrong result', 'ensure-worker', 'start --like {id}'],
    check: 'new-run',
  },
  'inspect-stack': { steps: ['stack --id {id}', 'history --id {id}'] },
  'review-reason': {
    steps: [
      'history --id {id}',
      'result --id {id}',
      '# if it should not have ended, start it again',
      'start --like {id}',
    ],
    check: 'new-run',
  },
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
