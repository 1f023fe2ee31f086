// Acting on workflows: signal, update, query, cancel, terminate, bulk-cancel, use, ui.
import { ExitCode, TshellError, ErrorCodes, UsageError } from '../errors.js';
import { mapLimit } from '../concurrency.js';
import { sleep } from '../processes/proc.js';
import { workflowUiUrl } from '../processes/server.js';
import { searchPath } from '../processes/tools.js';
import { shortId, toJson } from '../render/format.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { mapTemporalError } from '../temporal/errors.js';
import { listExecutions, quoteValue, safePrefix } from '../temporal/visibility.js';
import { describeWorkflow, type WorkflowDescription } from '../temporal/workflows.js';
import { findStalled, queryWithDeadline, statusClause } from './monitor.js';
import { WORKFLOW_REF } from './option-sets.js';
import { describeTarget, workflowRef } from './resolve.js';
import { defineCommand, type CommandContext, type FlagSpec } from './types.js';

const INPUT: FlagSpec = { name: 'input', type: 'json', multiple: true, description: 'a JSON argument (repeat for more)' };

export interface Handlers {
  signals: string[];
  queries: string[];
  updates: string[];
}

/** The handlers the workflow declares, from the Python SDK's built-in metadata query. */
export async function workflowHandlers(h: TemporalHandle, workflowId: string, runId: string, seconds = 3): Promise<Handlers | undefined> {
  try {
    const res = await h.connection.withDeadline(Date.now() + seconds * 1000, () =>
      h.connection.workflowService.queryWorkflow({
        namespace: h.namespace,
        execution: { workflowId, runId },
        query: { queryType: '__temporal_workflow_metadata' },
      }),
    );
    const payload = res.queryResult?.payloads?.[0];
    if (!payload?.data) return undefined;
    // json/protobuf encoding: the payload is the proto message as JSON text.
    const meta = JSON.parse(Buffer.from(payload.data).toString('utf8')) as Record<string, Record<string, { name?: string }[] | undefined> | undefined>;
    const def = meta.definition ?? {};
    const names = (key: string, snake: string) => ((def[key] ?? def[snake] ?? []) as { name?: string }[]).map((d) => d.name ?? '');
    return { signals: names('signalDefinitions', 'signal_definitions'), queries: names('queryDefinitions', 'query_definitions'), updates: names('updateDefinitions', 'update_definitions') };
  } catch {
    return undefined;
  }
}

/** Warns (and asks) before sending a signal or update that no handler declares. */
async function checkHandler(ctx: CommandContext, kind: 'signal' | 'update', name: string, declared: string[] | undefined): Promise<string | undefined> {
  if (!declared) return `could not check the ${kind} name (no worker answered the metadata query)`;
  // A dynamic handler is declared without a name.
  if (declared.includes(name) || declared.includes('')) return undefined;
  const list = declared.filter((n) => !n.startsWith('__')).join(', ') || 'none';
  const ok = await ctx.confirm(`nothing in the workflow handles ${kind} "${name}" (declared: ${list}). Send it anyway?`);
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

export const signalCommand = defineCommand<InteractionData>({
  name: 'signal',
  group: 'workflows',
  summary: 'Send a signal to the workflow (checked against the handlers it declares)',
  examples: ['signal approve --input \'"Ada"\'', 'signal approve --id YourWorkflowId --input \'{"by": "Ada"}\''],
  flags: [...WORKFLOW_REF, INPUT],
  positionals: [{ name: 'name', description: 'the signal name', required: true }],
  fields: { workflowId: 'workflow id', runId: 'run id', name: 'signal name', warning: 'set when the name could not be checked or no handler declares it' },
  async run(ctx, args) {
    const name = args.positionals[0] as string;
    const { h, desc } = await describeTarget(ctx, args);
    if (desc.status !== 'RUNNING') throw new TshellError(`${desc.workflowId} is ${desc.status}: it takes no more signals`, ErrorCodes.usage, 'start a new one with `start`');
    const warning = await checkHandler(ctx, 'signal', name, (await workflowHandlers(h, desc.workflowId, desc.runId))?.signals);
    try {
      await h.client.workflow.getHandle(desc.workflowId, desc.runId).signal(name, ...((args.flags.input as unknown[] | undefined) ?? []));
    } catch (err) {
      throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId: desc.workflowId });
    }
    return { workflowId: desc.workflowId, runId: desc.runId, name, warning };
  },
  render: (d, s) => [d.warning ? `${s.warn} ${d.warning}` : '', `${s.ok} sent signal ${d.name} to ${d.workflowId}`].filter(Boolean).join('\n'),
});

export const updateCommand = defineCommand<InteractionData>({
  name: 'update',
  group: 'workflows',
  summary: 'Send an update to the workflow and print its result',
  examples: ['update set_note --input \'"rush order"\''],
  flags: [...WORKFLOW_REF, INPUT, { name: 'timeout', type: 'number', default: 10, metavar: 'SECONDS', description: 'how long to wait for the update result' }],
  positionals: [{ name: 'name', description: 'the update name', required: true }],
  fields: { workflowId: 'workflow id', runId: 'run id', name: 'update name', result: 'the update result', warning: 'set when the name could not be checked or no handler declares it' },
  async run(ctx, args) {
    const name = args.positionals[0] as string;
    const { h, desc } = await describeTarget(ctx, args);
    if (desc.status !== 'RUNNING') throw new TshellError(`${desc.workflowId} is ${desc.status}: it takes no updates`, ErrorCodes.usage);
    const handlers = await workflowHandlers(h, desc.workflowId, desc.runId);
    if (!handlers) throw new TshellError(`no worker answered for ${desc.workflowId} within 3 s: an update needs a running worker`, ErrorCodes.process, `is a worker polling task queue ${desc.taskQueue}? (\`ensure-worker\`)`);
    const warning = await checkHandler(ctx, 'update', name, handlers.updates);
    const seconds = Number(args.flags.timeout);
    try {
      const result = await h.connection.withAbortSignal(ctx.signal, () =>
        h.connection.withDeadline(Date.now() + seconds * 1000, () =>
          h.client.workflow.getHandle(desc.workflowId, desc.runId).executeUpdate(name, { args: ((args.flags.input as unknown[] | undefined) ?? []) as [unknown] }),
        ),
      );
      return { workflowId: desc.workflowId, runId: desc.runId, name, result, warning };
    } catch (err) {
      const e = err as { code?: number; name?: string; message?: string; cause?: { message?: string } };
      if (e.name === 'WorkflowUpdateFailedError') throw new TshellError(`update ${name} failed: ${e.cause?.message ?? e.message ?? ''}`, ErrorCodes.usage, undefined, ExitCode.failure);
      if (e.code === 4) throw new TshellError(`update ${name} got no result within ${seconds} s`, ErrorCodes.process, 'is the worker running? (`health`)');
      throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId: desc.workflowId });
    }
  },
  render: (d, s) => [d.warning ? `${s.warn} ${d.warning}` : '', `${s.ok} update ${d.name} → ${typeof d.result === 'string' ? d.result : toJson(d.result)}`].filter(Boolean).join('\n'),
});

export const queryCommand = defineCommand<InteractionData>({
  name: 'query',
  group: 'workflows',
  summary: 'Query the workflow and print the answer',
  examples: ['query status', 'query status --id YourWorkflowId --json'],
  flags: [...WORKFLOW_REF, INPUT, { name: 'timeout', type: 'number', default: 5, metavar: 'SECONDS', description: 'how long to wait for a worker to answer' }],
  positionals: [{ name: 'name', description: 'the query name', required: true }],
  fields: { workflowId: 'workflow id', runId: 'run id', name: 'query name', result: 'the answer' },
  async run(ctx, args) {
    const name = args.positionals[0] as string;
    const { h, desc } = await describeTarget(ctx, args);
    const result = await queryWithDeadline(ctx, h, desc.workflowId, desc.runId, desc.taskQueue, name, (args.flags.input as unknown[] | undefined) ?? [], Number(args.flags.timeout));
    return { workflowId: desc.workflowId, runId: desc.runId, name, result };
  },
  render: (d) => (typeof d.result === 'string' ? d.result : toJson(d.result)),
});

interface CloseActionData {
  action: 'cancel' | 'terminate';
  workflowId: string;
  runId: string;
  type: string;
  before: string;
  after: string;
  reason?: string;
}

export function previewLine(d: WorkflowDescription): string {
  return `${d.workflowId} (${d.type}, ${d.status}, started ${d.startTime}, run ${d.runId})`;
}

async function statusAfter(h: TemporalHandle, id: string, runId: string, waitMs: number): Promise<string> {
  const until = Date.now() + waitMs;
  let status = 'RUNNING';
  while (Date.now() < until) {
    status = (await describeWorkflow(h, id, runId)).status;
    if (status !== 'RUNNING') break;
    await sleep(200);
  }
  return status;
}

function closeCommand(action: 'cancel' | 'terminate') {
  return defineCommand<CloseActionData>({
    name: action,
    group: 'workflows',
    summary: action === 'cancel' ? 'Request cancellation of the workflow (shows what it touches, asks first)' : 'Terminate the workflow now (shows what it touches, asks first)',
    examples: action === 'cancel' ? ['cancel', 'cancel --id YourWorkflowId --yes'] : ['terminate --reason "bad deploy"', 'terminate --id YourWorkflowId --yes'],
    flags: [...WORKFLOW_REF, ...(action === 'terminate' ? [{ name: 'reason', type: 'string', default: 'terminated from tshell', description: 'recorded in history' } as FlagSpec] : [])],
    fields: { action: 'cancel or terminate', workflowId: 'workflow id', runId: 'run id', type: 'workflow type', before: 'status before', after: 'status after', reason: 'termination reason' },
    async run(ctx, args) {
      const { h, desc } = await describeTarget(ctx, args);
      if (desc.status !== 'RUNNING') throw new TshellError(`${desc.workflowId} is already ${desc.status}`, ErrorCodes.usage, undefined, ExitCode.failure);
      if (!(await ctx.confirm(`${action} ${previewLine(desc)}?`))) throw new UsageError(`${action} aborted: nothing was changed`);
      const handle = h.client.workflow.getHandle(desc.workflowId, desc.runId);
      const reason = action === 'terminate' ? String(args.flags.reason) : undefined;
      try {
        if (action === 'cancel') await handle.cancel();
        else await handle.terminate(reason);
      } catch (err) {
        throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId: desc.workflowId });
      }
      const after = await statusAfter(h, desc.workflowId, desc.runId, action === 'cancel' ? 3000 : 1000);
      ctx.session.setStatus(after);
      return { action, workflowId: desc.workflowId, runId: desc.runId, type: desc.type, before: desc.status, after, reason };
    },
    render(d, s) {
      if (d.after === 'RUNNING') return `${s.warn} cancellation requested for ${d.workflowId}, but it is still RUNNING: a cancel takes effect when a workflow task runs (no worker, or a failing workflow task?)\n  hint: \`terminate\` closes it now`;
      return `${s.ok} ${d.workflowId}: ${d.before} → ${d.after}`;
    },
    exitCode: (d) => (d.after === 'RUNNING' ? ExitCode.failure : ExitCode.ok),
  });
}

export const cancelCommand = closeCommand('cancel');
export const terminateCommand = closeCommand('terminate');

/** `prefix*` (no other wildcard) can be asked of the server; anything else is matched here. */
export function globToQuery(glob: string): { prefix?: string; regex: RegExp } {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${body}$`);
  // The literal start of the glob goes to the server (up to any character it cannot take); the
  // regular expression decides. So the server narrows, and never widens or breaks, the match.
  const literal = safePrefix(/^[^*?[\]]*/.exec(glob)?.[0] ?? '');
  return literal ? { prefix: literal, regex } : { regex };
}

interface BulkData {
  action: 'cancel' | 'terminate';
  selector: string;
  matched: { workflowId: string; runId: string }[];
  closed: string[];
  stillRunning: string[];
}

export const bulkCancelCommand = defineCommand<BulkData>({
  name: 'bulk-cancel',
  group: 'workflows',
  summary: 'Cancel (or --terminate) many running workflows by id glob, query or --stalled',
  examples: ['bulk-cancel --pattern "greeting-*"', 'bulk-cancel --stalled --terminate --yes', 'bulk-cancel --query \'WorkflowType = "OrderWorkflow"\''],
  flags: [
    { name: 'pattern', type: 'string', metavar: 'GLOB', description: 'workflow id glob (a prefix* is sent to the server)' },
    { name: 'query', type: 'string', description: 'visibility query' },
    { name: 'stalled', type: 'boolean', description: 'every workflow `stalled` lists' },
    { name: 'terminate', type: 'boolean', description: 'terminate instead of cancel' },
    { name: 'reason', type: 'string', default: 'bulk terminate from tshell', description: 'termination reason' },
    { name: 'limit', type: 'number', default: 1000, description: 'touch at most this many' },
  ],
  fields: { action: 'cancel or terminate', selector: 'what selected them', matched: '{workflowId, runId} selected', closed: 'ids now closed', stillRunning: 'ids still RUNNING afterwards' },
  async run(ctx, args) {
    const chosen = ['pattern', 'query', 'stalled'].filter((k) => args.flags[k] !== undefined && args.flags[k] !== false);
    if (chosen.length !== 1) throw new UsageError('bulk-cancel needs exactly one of --pattern, --query, --stalled');
    const action = args.flags.terminate ? 'terminate' : 'cancel';
    const limit = Number(args.flags.limit);
    const h = await ctx.temporal();
    let matched: { workflowId: string; runId: string }[];
    let selector: string;
    if (args.flags.stalled) {
      selector = 'stalled';
      matched = (await findStalled(ctx, h, { limit })).stalled.map((w) => ({ workflowId: w.workflowId, runId: w.runId }));
    } else if (args.flags.pattern !== undefined) {
      const glob = String(args.flags.pattern);
      const { prefix, regex } = globToQuery(glob);
      selector = `pattern ${glob}`;
      const q = [statusClause('RUNNING'), ...(prefix ? [`WorkflowId STARTS_WITH ${quoteValue(prefix)}`] : [])].join(' AND ');
      matched = (await listExecutions(h, q, 10_000)).filter((w) => regex.test(w.workflowId)).slice(0, limit);
    } else {
      selector = `query ${String(args.flags.query)}`;
      matched = await listExecutions(h, `${statusClause('RUNNING')} AND (${String(args.flags.query)})`, limit);
    }
    const data: BulkData = { action, selector, matched: matched.map((m) => ({ workflowId: m.workflowId, runId: m.runId })), closed: [], stillRunning: [] };
    if (matched.length === 0) return data;
    const preview = matched.slice(0, 10).map((m) => m.workflowId).join(', ') + (matched.length > 10 ? `, … (${matched.length - 10} more)` : '');
    if (!(await ctx.confirm(`${action} ${matched.length} running workflow(s): ${preview}?`))) throw new UsageError(`bulk-cancel aborted: nothing was changed`);
    await mapLimit(matched, 8, async (m) => {
      const handle = h.client.workflow.getHandle(m.workflowId, m.runId);
      try {
        if (action === 'cancel') await handle.cancel();
        else await handle.terminate(String(args.flags.reason));
      } catch {
        // closed meanwhile: the outcome check below tells
      }
    });
    const statuses = await mapLimit(matched, 8, async (m) => ({ id: m.workflowId, status: await statusAfter(h, m.workflowId, m.runId, action === 'cancel' ? 3000 : 1000).catch(() => 'UNKNOWN') }));
    data.closed = statuses.filter((s) => s.status !== 'RUNNING').map((s) => s.id);
    data.stillRunning = statuses.filter((s) => s.status === 'RUNNING').map((s) => s.id);
    return data;
  },
  render(d, s) {
    if (d.matched.length === 0) return `${s.ok} nothing matched ${d.selector}`;
    const lines = [`${s.ok} ${d.action === 'cancel' ? 'canceled' : 'terminated'} ${d.closed.length} of ${d.matched.length} (${d.selector})`];
    if (d.stillRunning.length) lines.push(`${s.warn} still RUNNING: ${d.stillRunning.map((x) => shortId(x, 40)).join(', ')}\n  a cancel takes effect only when a workflow task runs; \`bulk-cancel … --terminate\` closes them`);
    return lines.join('\n');
  },
  exitCode: (d) => (d.stillRunning.length ? ExitCode.failure : ExitCode.ok),
});

export const useCommand = defineCommand<{ workflowId: string; runId: string; status: string; previous?: string }>({
  name: 'use',
  group: 'workflows',
  summary: 'Make a workflow the current one (`use -` goes back to the previous one)',
  examples: ['use YourWorkflowId', 'use -'],
  flags: [],
  positionals: [{ name: 'id', description: 'workflow id, or - for the previous one', required: true }],
  fields: { workflowId: 'the current workflow now', runId: 'its run id', status: 'its status', previous: 'the workflow that was current before' },
  async run(ctx, args) {
    let id = args.positionals[0] as string;
    const previous = ctx.session.current.workflowId;
    if (id === '-') {
      id = ctx.session.current.previousWorkflowId ?? '';
      if (!id) throw new UsageError('no previous workflow');
    }
    const h = await ctx.temporal();
    const d = await describeWorkflow(h, id);
    ctx.session.setWorkflow(d.workflowId, d.runId, ctx.settings.namespace);
    ctx.session.setStatus(d.status);
    return { workflowId: d.workflowId, runId: d.runId, status: d.status, previous };
  },
  render: (d, s) => `${s.ok} current workflow: ${s.c.bold(d.workflowId)} (${d.status})`,
});

export const uiCommand = defineCommand<{ workflowId: string; url: string; opened: boolean }>({
  name: 'ui',
  group: 'workflows',
  summary: 'The Web UI link of the current workflow (--open opens it in a browser)',
  flags: [...WORKFLOW_REF, { name: 'open', type: 'boolean', description: 'open it with xdg-open / open' }],
  fields: { workflowId: 'workflow id', url: 'Web UI link', opened: 'a browser was asked to open it' },
  async run(ctx, args) {
    const ref = workflowRef(ctx, args);
    const url = workflowUiUrl(ctx.settings, ref.workflowId, ref.runId ?? (ref.workflowId === ctx.session.current.workflowId ? ctx.session.current.runId : undefined));
    let opened = false;
    if (args.flags.open) {
      const opener = ['xdg-open', 'open'].map((o) => searchPath(o, process.env.PATH)).find(Boolean);
      if (opener) {
        const { execa } = await import('execa');
        opened = (await execa(opener, [url], { reject: false, detached: true, stdio: 'ignore' })).exitCode === 0;
      }
    }
    return { workflowId: ref.workflowId, url, opened };
  },
  render: (d) => d.url,
});
