// start: the project's starter (discovered or given), a workflow type directly, or --like another.
import { UsageError } from '../errors.js';
import { workflowUiUrl } from '../processes/server.js';
import { captureWorkflowId, launchStarter } from '../processes/starter.js';
import { findProjectWorkers } from '../processes/worker-find.js';
import { runningWorkerReport } from '../processes/running-worker.js';
import { card } from '../render/format.js';
import { mapTemporalError } from '../temporal/errors.js';
import { newestStartedSince } from '../temporal/visibility.js';
import { describeWorkflow, startedWith } from '../temporal/workflows.js';
import { consentToRunCode, parseDuration } from './resolve.js';
import { defineCommand, type CommandContext } from '../cli-model/types.js';

interface StartResult {
  workflowId: string;
  runId?: string;
  via: 'starter' | 'client';
  source: string;
  uiUrl: string;
  starterPid?: number;
  starterRunning?: boolean;
  starterLog?: string;
  starterFailure?: string;
  /** The start looks wrong (e.g. an input count run() does not take). */
  warning?: string;
}

/** The task queue of this project's worker, when tshell knows it. */
/**
 * The queue to start on: one given (flag, environment, session) first, then the one the running
 * worker really polls (it reported it, or its poller proved it), then what discovery read in the code
 * (a default a `.env` overrides at run time reads wrong).
 */
function projectTaskQueue(ctx: CommandContext): string | undefined {
  return (
    givenTaskQueue(ctx) ??
    findProjectWorkers(ctx.settings).workers.find((w) => w.taskQueue)?.taskQueue ??
    (ctx.settings.taskQueue || undefined)
  );
}

/** A queue the user gave (flag, environment, session), not one discovery read. */
function givenTaskQueue(ctx: CommandContext): string | undefined {
  const source = ctx.resolved.sources.taskQueue.source;
  return ctx.settings.taskQueue && !source.startsWith('discovered') && source !== 'default'
    ? ctx.settings.taskQueue
    : undefined;
}

/**
 * The workflow type to start when the project has no starter: the one its running worker registers
 * (it reported it), else the one the project defines. Several: a usage error listing them.
 */
function onlyWorkflowType(ctx: CommandContext): { type: string; why: string } | undefined {
  const registered = runningWorkerReport(ctx.settings)?.workflows ?? [];
  if (registered.length === 1)
    return { type: registered[0]!, why: 'the one workflow type its running worker registers' };
  const { plan } = ctx.project();
  const [only, ...more] = plan.workflowTypes;
  if (only && more.length === 0) return { type: only, why: 'the one workflow type the project defines' };
  const choices = registered.length ? registered : plan.workflowTypes;
  const of = registered.length ? 'its running worker registers' : 'the project defines';
  if (choices.length)
    throw new UsageError(
      `no starter found, and ${of} ${choices.length} workflow types: ${choices.join(', ')}`,
      `start --type ${choices[0]} [--input JSON]`,
    );
  return undefined;
}

export const startCommand = defineCommand({
  name: 'start',
  group: 'workflows',
  effect: 'act',
  summary: "Start a workflow with the project's starter (or directly with --type) and make it current",
  examples: [
    'start',
    'start --like YourWorkflowId',
    'start --type GreetingWorkflow --task-queue hello-tasks --input \'"Ada"\' --execution-timeout 30s',
  ],
  flags: [
    { name: 'type', type: 'string', description: 'workflow type: start directly via the client, no starter' },
    {
      name: 'like',
      type: 'string',
      metavar: 'WORKFLOW_ID',
      description: 'start a new workflow with the type, task queue and input of this one',
    },
    { name: 'input', type: 'json', multiple: true, description: 'a JSON argument for --type (repeat for more)' },
    {
      name: 'id',
      type: 'string',
      short: 'w',
      aliases: ['workflow-id'],
      description: 'workflow id for --type (default: <type>-<random>)',
    },
    {
      name: 'execution-timeout',
      type: 'string',
      metavar: 'DURATION',
      description: 'execution timeout for --type, e.g. 30s',
    },
    {
      name: 'task-timeout',
      type: 'string',
      metavar: 'DURATION',
      description: 'workflow task timeout for --type (default 10s)',
    },
    {
      name: 'timeout',
      type: 'number',
      min: 0,
      default: 60,
      metavar: 'SECONDS',
      description: 'how long to wait for the starter to start a workflow',
    },
  ],
  fields: {
    workflowId: 'the new current workflow',
    runId: 'its run id',
    via: 'starter or client',
    source: 'where the id came from',
    uiUrl: 'Web UI link',
    starterPid: 'starter pid',
    starterRunning: 'the starter still runs in the background',
    starterLog: 'starter log',
    starterFailure: 'the starter exited non-zero after starting the workflow (a warning)',
    warning: 'the start looks wrong: the input count differs from the run() the code declares',
  },
  async run(ctx, args): Promise<StartResult> {
    const like = args.flags.like;
    if (like) {
      const h = await ctx.temporal();
      const was = await startedWith(h, like);
      return startDirect(
        ctx,
        was.type,
        {
          ...args.flags,
          input: args.flags.input ?? was.input,
          ...(was.executionTimeoutMs && !args.flags['execution-timeout']
            ? { 'execution-timeout': `${was.executionTimeoutMs}ms` }
            : {}),
        },
        was.taskQueue,
        `like ${like}`,
      );
    }
    const type = args.flags.type;
    if (type) return startDirect(ctx, type, args.flags);
    // No starter given and none in the project: the one workflow type its worker runs, directly.
    if (ctx.resolved.sources.starterCmd.source === 'default') {
      const only = onlyWorkflowType(ctx);
      if (only) return startDirect(ctx, only.type, args.flags, undefined, `no starter found: ${only.why}`);
    }
    if (
      args.flags.input !== undefined ||
      args.flags['execution-timeout'] !== undefined ||
      args.flags['task-timeout'] !== undefined
    ) {
      throw new UsageError(
        '--input, --execution-timeout and --task-timeout go with --type',
        'start --type T --task-queue Q --input JSON',
      );
    }
    const h = await ctx.temporal(); // fail fast when the server is down, before running the starter
    await consentToRunCode(ctx, ctx.settings.starterDir, ctx.settings.starterCmd);
    const run = await launchStarter(ctx.settings);
    ctx.progress(`running starter: ${ctx.settings.starterCmd} (pid ${run.pid})…`);
    const taskQueue = projectTaskQueue(ctx);
    const found = await captureWorkflowId(
      run,
      async (since) => {
        const newest = await newestStartedSince(h, since, taskQueue);
        return newest ? { workflowId: newest.workflowId, runId: newest.runId } : undefined;
      },
      { timeoutMs: args.flags.timeout * 1000, signal: ctx.signal },
    );
    // Confirm the workflow exists (the printed text might have been something else).
    const desc = await describeWorkflow(h, found.workflowId, found.runId);
    // A starter that printed the id usually exits a moment later: give it that moment before saying it still runs.
    for (let i = 0; i < 10 && run.exited() === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    run.release();
    ctx.session.setWorkflow(desc.workflowId, desc.runId, ctx.settings.namespace);
    return {
      workflowId: desc.workflowId,
      runId: desc.runId,
      via: 'starter',
      source: found.source,
      uiUrl: workflowUiUrl(ctx.settings, desc.workflowId, desc.runId),
      starterPid: run.pid,
      starterRunning: run.exited() === undefined,
      starterLog: run.logFile,
      ...(found.starterFailure ? { starterFailure: found.starterFailure } : {}),
    };
  },
  render(d, s) {
    const lines = [`${s.ok} started workflow ${s.c.bold(d.workflowId)} (run ${d.runId ?? '?'})`];
    lines.push(
      card(s, [
        ['web ui', d.uiUrl],
        ['id from', d.source],
        [
          'starter',
          d.starterRunning ? `still running in the background (pid ${d.starterPid}), log: ${d.starterLog}` : undefined,
        ],
      ]),
    );
    if (d.starterFailure)
      lines.push(s.c.yellow(`warning: ${d.starterFailure} after the workflow started; log: ${d.starterLog}`));
    if (d.warning) lines.push(`${s.warn} ${d.warning}`);
    return lines.join('\n');
  },
});

/** A start whose input count does not fit the run() the project's code declares (it would fail at once). */
function inputCountWarning(ctx: CommandContext, type: string, given: number): string | undefined {
  let wf;
  try {
    wf = ctx.project().discovery.workflows.find((w) => w.name === type);
  } catch {
    return undefined;
  }
  if (!wf || wf.runParams === null || wf.runParams === given) return undefined;
  return `${type}.run() takes ${wf.runParams} input(s) (${wf.file}:${wf.line}) and ${given} ${given === 1 ? 'was' : 'were'} given: its first workflow task will fail`;
}

/** What a start through the client takes from the command line (or from the workflow it is `--like`). */
interface DirectStart {
  input?: unknown[];
  id?: string;
  'execution-timeout'?: string;
  'task-timeout'?: string;
}

async function startDirect(
  ctx: CommandContext,
  type: string,
  flags: DirectStart,
  queue?: string,
  how?: string,
): Promise<StartResult> {
  const taskQueue = givenTaskQueue(ctx) ?? queue ?? projectTaskQueue(ctx);
  if (!taskQueue)
    throw new UsageError('start --type needs a task queue', 'pass --task-queue Q (or set TSHELL_TASK_QUEUE)');
  const timeout = flags['execution-timeout'];
  const workflowExecutionTimeout = timeout ? parseDuration(timeout, '--execution-timeout') : undefined;
  const workflowTaskTimeout = flags['task-timeout']
    ? parseDuration(flags['task-timeout'], '--task-timeout')
    : undefined;
  const workflowId = flags.id ?? `${type}-${Math.random().toString(16).slice(2, 10)}`;
  const h = await ctx.temporal();
  const warning = inputCountWarning(ctx, type, flags.input?.length ?? 0);
  try {
    const handle = await h.client.workflow.start(type, {
      taskQueue,
      workflowId,
      args: flags.input ?? [],
      ...(workflowExecutionTimeout ? { workflowExecutionTimeout } : {}),
      ...(workflowTaskTimeout ? { workflowTaskTimeout } : {}),
    });
    ctx.session.setWorkflow(handle.workflowId, handle.firstExecutionRunId, ctx.settings.namespace);
    return {
      workflowId: handle.workflowId,
      runId: handle.firstExecutionRunId,
      via: 'client',
      source: `client (${how ? `${how}, ` : ''}task queue ${taskQueue})`,
      uiUrl: workflowUiUrl(ctx.settings, handle.workflowId, handle.firstExecutionRunId),
      ...(warning ? { warning } : {}),
    };
  } catch (err) {
    throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId });
  }
}
