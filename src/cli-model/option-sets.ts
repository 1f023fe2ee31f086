// Flags shared by many commands, declared once (like the Temporal CLI's option sets).
import { SETTINGS } from '../config/settings.js';
import type { FlagSpec } from './types.js';

/** Accepted on every command line: output, confirmation and every setting. */
export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'json', type: 'boolean', description: 'print the data as JSON' },
  { name: 'yes', type: 'boolean', short: 'y', description: 'answer yes to every confirmation' },
  {
    name: 'confirm',
    type: 'string',
    metavar: 'TOKEN',
    description: 'carry out exactly the plan a preview showed (its token)',
  },
  { name: 'no-color', type: 'boolean', description: 'no colours (NO_COLOR is honoured too)' },
  { name: 'help', type: 'boolean', short: 'h', description: 'show help for the command' },
  ...SETTINGS.map((s): FlagSpec => ({ name: s.flag, type: 'string', description: s.description })),
];

export const WORKFLOW_REF = [
  {
    name: 'id',
    type: 'string',
    short: 'w',
    aliases: ['workflow-id'],
    description: 'workflow id (default: the current workflow)',
  },
  { name: 'run-id', type: 'string', short: 'r', description: 'run id (default: the latest run)' },
] as const satisfies readonly FlagSpec[];

export const WORKFLOW_STATUSES = [
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELED',
  'TERMINATED',
  'CONTINUED_AS_NEW',
  'TIMED_OUT',
] as const;
export type WorkflowStatusName = (typeof WORKFLOW_STATUSES)[number];

/** How a worker is chosen and replaced: `ensure-worker` and `dev`. */
export const WORKER_START = [
  {
    name: 'gate-timeout',
    type: 'number',
    min: 1,
    default: 15,
    metavar: 'SECONDS',
    description: 'seconds the determinism gate may replay; what it did not reach is not checked',
  },
  {
    name: 'worker',
    type: 'string',
    metavar: 'FILE',
    description: 'the worker file to run, of several (e.g. scripts/run_worker.py)',
  },
] as const satisfies readonly FlagSpec[];
