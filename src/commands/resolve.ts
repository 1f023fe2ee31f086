// Small helpers commands share: which workflow a command is about, duration parsing, and the
// consents for running code elsewhere and stopping processes tshell did not start, and which of a
// project's workers a command runs.
import { relative, isAbsolute, resolve } from 'node:path';
import type { Settings } from '../config/settings.js';
import { commandText } from '../project/index.js';
import { UsageError } from '../errors.js';
import type { WorkerProcess } from '../processes/worker-find.js';
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
export async function describeTarget(
  ctx: CommandContext,
  args: WorkflowRefArgs,
): Promise<{ h: TemporalHandle; desc: WorkflowDescription }> {
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
  if (!ctx.interactive && seconds === undefined)
    throw new UsageError(
      '--follow in a script needs --for SECONDS',
      'e.g. --follow --for 30 (Ctrl-C ends it in the shell)',
    );
}

function inside(dir: string, root: string): boolean {
  const rel = relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Project code runs only with consent when the project is not in the folder the session started in
 * (`dir` is where it runs: discovery may run a sample from its repository's root, as its README does).
 */
export async function consentToRunCode(ctx: CommandContext, dir: string, command: string): Promise<void> {
  const project = ctx.settings.projectDir;
  if (inside(project, ctx.startDir)) return;
  const action = `run ${command} in ${dir}? This session started in ${ctx.startDir}: the code of ${project} would run`;
  if (!(await ctx.consent({ class: 'foreign-code', action, targets: [{ project, folder: dir, command }] }))) {
    throw new UsageError(`nothing ran in ${dir}`, `\`project ${ctx.startDir}\` goes back to where the session started`);
  }
}

/** Workers tshell did not start are stopped only with consent (their pids, exactly). */
export async function consentToStop(ctx: CommandContext, workers: readonly WorkerProcess[]): Promise<void> {
  const foreign = workers.filter((w) => !w.startedByTshell);
  if (!foreign.length) return;
  const action = `stop ${foreign.map((w) => `pid ${w.pid} (${w.command})`).join(', ')}? tshell did not start ${foreign.length === 1 ? 'it' : 'them'}`;
  const targets = foreign.map((w) => ({ pid: w.pid, command: w.command }));
  if (!(await ctx.consent({ class: 'stop-foreign', action, targets }))) {
    throw new UsageError(
      `left running: ${foreign.map((w) => `pid ${w.pid}`).join(', ')}`,
      'stop it yourself, or answer yes to let tshell stop it',
    );
  }
}

/** The dev server (and the warm helper with it) is stopped only with consent. */
export async function consentToStopServer(
  ctx: CommandContext,
  target: { address: string; pid: number },
): Promise<void> {
  const action = `stop the dev server at ${target.address} (pid ${target.pid})? Every workflow on it stops making progress`;
  if (!(await ctx.consent({ class: 'server', action, targets: [target] })))
    throw new UsageError(`the server at ${target.address} keeps running`);
}

/**
 * Refuses to guess: with no worker command given, discovery must have found exactly one worker. With
 * several, a terminal is asked once (the answer holds for the session); a script is told the choices.
 */
export async function chooseWorkerCommand(ctx: CommandContext, file?: string): Promise<Settings> {
  const { plan } = ctx.project();
  if (file !== undefined) {
    // Picked by file, as the project names it: run the way discovery runs that module.
    const wanted = relative(ctx.settings.projectDir, resolve(ctx.settings.projectDir, file));
    const chosen = plan.workerChoices.find((w) => w.file === wanted);
    if (!chosen)
      throw new UsageError(
        `no worker in ${wanted}`,
        `the workers here: ${plan.workerChoices.map((w) => w.file).join(', ') || 'none'}`,
      );
    return { ...ctx.settings, workerCmd: commandText(chosen.argv), workerDir: chosen.cwd };
  }
  if (
    ctx.resolved.sources.workerCmd.source !== 'default' &&
    !ctx.resolved.sources.workerCmd.source.startsWith('discovered')
  )
    return ctx.settings;
  if (plan.worker) return ctx.settings;
  if (plan.workerChoices.length > 1 && ctx.prompter) {
    const pick = await ctx.prompter.select(
      `${plan.workerChoices.length} workers in this project: which one?`,
      plan.workerChoices.map((w, i) => ({ value: String(i), name: `${w.where}  (${commandText(w.argv)})` })),
    );
    const chosen = plan.workerChoices[Number(pick)];
    if (chosen) {
      ctx.setSessionOverride('workerCmd', commandText(chosen.argv));
      ctx.setSessionOverride('workerDir', chosen.cwd);
      return { ...ctx.settings, workerCmd: commandText(chosen.argv), workerDir: chosen.cwd };
    }
  }
  if (plan.workerChoices.length > 1) {
    // Each as a command that works as typed (a Makefile target, Procfile or README naming one picks it).
    const commands = plan.workerChoices.map((w) => `ensure-worker --worker ${w.file}  (runs ${commandText(w.argv)})`);
    throw new UsageError(
      `${plan.workerChoices.length} workers in ${ctx.settings.projectDir}, and nothing in the project (Makefile, justfile, Procfile, compose file, README) says which one it runs: ${plan.workerChoices.map((w) => w.where).join(', ')}`,
      `pick one: ${commands.join(';  ')}`,
    );
  }
  if (plan.workerChoices.length === 0) {
    throw new UsageError(
      `no worker found in ${ctx.settings.projectDir}: no module there runs Worker(...)`,
      plan.hasTemporalCode
        ? 'pass --worker-cmd "python path/to/worker.py"'
        : 'cd into your Temporal project (or `project DIR`), or pass --worker-cmd',
    );
  }
  return ctx.settings;
}
