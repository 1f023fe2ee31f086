// What python/tshell_discover.py says about a project, as a schema: its output (and the cache of it
// in the state dir) is checked here before anything uses it. Optional values may come as null.
import * as z from 'zod/mini';

/** An optional value the helper writes as null when absent: read as undefined. */
const maybe = <T extends z.ZodMiniType>(t: T) =>
  z.optional(
    z.pipe(
      z.nullable(t),
      z.transform((v): z.output<T> | undefined => v ?? undefined),
    ),
  );

/** What a `task_queue=` value is, statically: a literal, an environment variable, or unknown. */
const QueueValueSchema = z.object({
  literal: maybe(z.string()),
  env: maybe(z.string()),
  default: maybe(z.string()),
  unknown: maybe(z.string()),
  /** file:line where the value is written. */
  source: maybe(z.string()),
});
export type QueueValue = z.infer<typeof QueueValueSchema>;

const located = {
  file: z.string(),
  line: z.number(),
  module: z.string(),
  hasMain: z.boolean(),
  importsOwnPackage: z.boolean(),
};

const WorkerCallSchema = z.object({
  ...located,
  taskQueue: QueueValueSchema,
  /** Names registered in `workflows=[...]` / `activities=[...]`; ['*'] when not a literal list. */
  workflows: z.nullable(z.array(z.string())),
  activities: z.nullable(z.array(z.string())),
});
export type WorkerCall = z.infer<typeof WorkerCallSchema>;

const StarterCallSchema = z.object({
  ...located,
  call: z.enum(['start_workflow', 'execute_workflow']),
  workflow: z.nullable(z.object({ literal: maybe(z.string()), name: maybe(z.string()) })),
  taskQueue: z.nullable(QueueValueSchema),
});
export type StarterCall = z.infer<typeof StarterCallSchema>;

const WorkflowDefSchema = z.object({
  name: z.string(),
  className: z.string(),
  file: z.string(),
  line: z.number(),
  runParams: z.nullable(z.number()),
  /** `workflow.wait_condition(...)` calls in the class: what a quiet run can be blocked on. */
  waits: maybe(z.array(z.object({ line: z.number(), text: z.string() }))),
});
export type WorkflowDef = z.infer<typeof WorkflowDefSchema>;

const ActivityDefSchema = z.object({ name: z.string(), function: z.string(), file: z.string(), line: z.number() });
export type ActivityDef = z.infer<typeof ActivityDefSchema>;

export const DiscoverySchema = z.object({
  workers: z.array(WorkerCallSchema),
  starters: z.array(StarterCallSchema),
  workflows: z.array(WorkflowDefSchema),
  activities: z.array(ActivityDefSchema),
  /** [project.scripts] (and poetry's scripts): name → "module:function". */
  scripts: z.record(z.string(), z.string()),
  files: z.number(),
  errors: z.array(z.object({ file: z.string(), error: z.string() })),
});
export type Discovery = z.infer<typeof DiscoverySchema>;

/** The cache file: the stamp (mtimes) the discovery was made for, and the discovery. */
export const DiscoveryCacheSchema = z.object({ stamp: z.string(), discovery: DiscoverySchema });
/** The interpreter behind a `python3` shim, remembered. */
export const RealPythonSchema = z.object({ shim: z.string(), real: z.string() });
