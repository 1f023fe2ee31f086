// Small helpers commands share: which workflow a command is about, and duration parsing.
import { UsageError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeWorkflow, type WorkflowDescription } from '../temporal/workflows.js';
import type { CommandContext, ParsedArgs } from '../cli-model/types.js';

export interface WorkflowRef {
  workflowId: string;
  runId?: string;
}

/** --id (or -w/--workflow-id), else the session's current workflow. */
/** The flags that name a workflow (WORKFLOW_REF). */
export type WorkflowRefArgs = ParsedArgs<{ id?: string; 'run-id'?: string }>;

export function workflowRef(ctx: CommandContext, args: WorkflowRefArgs): WorkflowRef {
  const id = args.flags.id;
  const runId = args.flags['run-id'];
  if (id) return { workflowId: id, runId };
  const current = ctx.session.current.workflowId;
  if (!current) throw new UsageError('no current workflow', 'pass --id, or run `start` first');
  return { workflowId: current, runId };
}

/** The workflow a command is about, described (so a wrong id fails here, in one line). */
export async function describeTarget(ctx: CommandContext, args: WorkflowRefArgs): Promise<{ h: TemporalHandle; desc: WorkflowDescription }> {
  const ref = workflowRef(ctx, args);
  const h = await ctx.temporal();
  return { h, desc: await describeWorkflow(h, ref.workflowId, ref.runId) };
}

/** "30s", "5m", "1h", "250ms" or a plain number of seconds → milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`${flag} needs a duration like 30s, 5m or 1h, not "${text}"`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit] ?? 1000;
  return Math.round(n * factor);
}

/** One line naming a workflow, shown before anything touches it. */
export function previewLine(d: WorkflowDescription): string {
  return `${d.workflowId} (${d.type}, ${d.status}, started ${d.startTime}, run ${d.runId})`;
}

/** Scripts never hang: a --follow off a terminal needs an end. */
export function requireForInScripts(ctx: CommandContext, seconds: unknown): void {
  if (!ctx.interactive && seconds === undefined) throw new UsageError('--follow in a script needs --for SECONDS', 'e.g. --follow --for 30 (Ctrl-C ends it in the shell)');
}
