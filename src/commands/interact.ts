// Talking to a running workflow: signal, update, query (names checked against its declared handlers).
import { ExitCode, TshellError, ErrorCodes, UsageError } from '../errors.js';
import { isAlive } from '../processes/proc.js';
import { toJson } from '../render/format.js';
import { isDeadlineExceeded, mapTemporalError, updateFailure } from '../temporal/errors.js';
import { queryWithDeadline, workflowHandlers } from '../temporal/handlers.js';
import { WORKFLOW_REF } from '../cli-model/option-sets.js';
import { describeTarget } from './resolve.js';
import { defineCommand, type CommandContext, type FlagSpec } from '../cli-model/types.js';

const INPUT = {
  name: 'input',
  type: 'json',
  multiple: true,
  description: 'a JSON argument (repeat for more)',
} as const satisfies FlagSpec;

/** Warns (and asks) before sending a signal or update that no handler declares. */
async function checkHandler(
  ctx: CommandContext,
  kind: 'signal' | 'update',
  name: string,
  declared: string[] | undefined,
  target: { workflowId: string; runId: string },
): Promise<string | undefined> {
  if (!declared) return `could not check the ${kind} name (no worker answered the metadata query)`;
  // A dynamic handler is declared without a name.
  if (declared.includes(name) || declared.includes('')) return undefined;
  const list = declared.filter((n) => !n.startsWith('__')).join(', ') || 'none';
  const ok = await ctx.consent({
    class: 'workflows',
    action: `nothing in the workflow handles ${kind} "${name}" (declared: ${list}). Send it anyway?`,
    targets: [{ workflowId: target.workflowId, runId: target.runId, [kind]: name }],
  });
  if (!ok) throw new UsageError(`${kind} "${name}" not sent`, `declared ${kind}s: ${list}`);
  return `nothing declares ${kind} "${name}" (declared: ${list}); sent anyway`;
}

interface InteractionData {
  workflowId: string;
  runId: string;
  name: string;
  result?: unknown;
  warning?: string;
}

export const signalCommand = defineCommand({
  name: 'signal',
  group: 'workflows',
  effect: 'act',
  summary: 'Send a signal to the workflow (checked against the handlers it declares)',
  examples: ['signal approve --input \'"Ada"\'', 'signal approve --id YourWorkflowId --input \'{"by": "Ada"}\''],
  flags: [...WORKFLOW_REF, INPUT],
  positionals: [{ name: 'name', description: 'the signal name', required: true }],
  fields: {
    workflowId: 'workflow id',
    runId: 'run id',
    name: 'signal name',
    warning: 'set when the name could not be checked or no handler declares it',
  },
  async run(ctx, args): Promise<InteractionData> {
    const name = args.positionals[0] ?? '';
    const { h, desc } = await describeTarget(ctx, args);
    if (desc.status !== 'RUNNING')
      throw new TshellError(
        `${desc.workflowId} is ${desc.status}: it takes no more signals`,
        ErrorCodes.usage,
        'start a new one with `start`',
      );
    const warning = await checkHandler(
      ctx,
      'signal',
      name,
      (await workflowHandlers(h, desc.workflowId, desc.runId))?.signals,
      desc,
    );
    try {
      await h.client.workflow.getHandle(desc.workflowId, desc.runId).signal(name, ...(args.flags.input ?? []));
    } catch (err) {
      throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId: desc.workflowId });
    }
    return { workflowId: desc.workflowId, runId: desc.runId, name, warning };
  },
  render: (d, s) =>
    [d.warning ? `${s.warn} ${d.warning}` : '', `${s.ok} sent signal ${d.name} to ${d.workflowId}`]
      .filter(Boolean)
      .join('\n'),
});

export const updateCommand = defineCommand({
  name: 'update',
  group: 'workflows',
  effect: 'act',
  summary: 'Send an update to the workflow and print its result',
  examples: ['update set_note --input \'"rush order"\''],
  flags: [
    ...WORKFLOW_REF,
    INPUT,
    {
      name: 'timeout',
      type: 'number',
      min: 0,
      default: 10,
      metavar: 'SECONDS',
      description: 'how long to wait for the update result',
    },
  ],
  positionals: [{ name: 'name', description: 'the update name', required: true }],
  fields: {
    workflowId: 'workflow id',
    runId: 'run id',
    name: 'update name',
    result: 'the update result',
    warning: 'set when the name could not be checked or no handler declares it',
  },
  async run(ctx, args): Promise<InteractionData> {
    const name = args.positionals[0] ?? '';
    const { h, desc } = await describeTarget(ctx, args);
    if (desc.status !== 'RUNNING')
      throw new TshellError(`${desc.workflowId} is ${desc.status}: it takes no updates`, ErrorCodes.usage);
    const handlers = await workflowHandlers(h, desc.workflowId, desc.runId);
    if (!handlers)
      throw new TshellError(
        `no worker answered for ${desc.workflowId} within 3 s: an update needs a running worker`,
        ErrorCodes.process,
        `is a worker polling task queue ${desc.taskQueue}? (\`ensure-worker\`)`,
      );
    const warning = await checkHandler(ctx, 'update', name, handlers.updates, desc);
    const seconds = args.flags.timeout;
    try {
      const result = await h.connection.withAbortSignal(ctx.signal, () =>
        h.connection.withDeadline(Date.now() + seconds * 1000, () =>
          h.client.workflow
            .getHandle(desc.workflowId, desc.runId)
            .executeUpdate(name, { args: (args.flags.input ?? []) as [unknown] }),
        ),
      );
      return { workflowId: desc.workflowId, runId: desc.runId, name, result, warning };
    } catch (err) {
      const failed = updateFailure(err);
      if (failed !== undefined)
        throw new TshellError(`update ${name} failed: ${failed}`, ErrorCodes.usage, undefined, ExitCode.failure);
      if (isDeadlineExceeded(err))
        throw new TshellError(
          `update ${name} got no result within ${seconds} s`,
          ErrorCodes.process,
          'is the worker running? (`health`)',
        );
      throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId: desc.workflowId });
    }
  },
  render: (d, s) =>
    [
      d.warning ? `${s.warn} ${d.warning}` : '',
      `${s.ok} update ${d.name} → ${typeof d.result === 'string' ? d.result : toJson(d.result)}`,
    ]
      .filter(Boolean)
      .join('\n'),
});

export const queryCommand = defineCommand({
  name: 'query',
  warm: true,
  group: 'workflows',
  effect: 'read',
  summary: 'Query the workflow and print the answer',
  examples: ['query status', 'query status --id YourWorkflowId --json'],
  flags: [
    ...WORKFLOW_REF,
    INPUT,
    {
      name: 'timeout',
      type: 'number',
      min: 0,
      default: 5,
      metavar: 'SECONDS',
      description: 'how long to wait for a worker to answer',
    },
  ],
  positionals: [{ name: 'name', description: 'the query name', required: true }],
  fields: { workflowId: 'workflow id', runId: 'run id', name: 'query name', result: 'the answer' },
  async run(ctx, args): Promise<InteractionData> {
    const name = args.positionals[0] ?? '';
    const { h, desc } = await describeTarget(ctx, args);
    const result = await queryWithDeadline(h, desc, name, args.flags.input ?? [], {
      seconds: args.flags.timeout,
      signal: ctx.signal,
      pidAlive: isAlive,
    });
    return { workflowId: desc.workflowId, runId: desc.runId, name, result };
  },
  render: (d) => (typeof d.result === 'string' ? d.result : toJson(d.result)),
});
