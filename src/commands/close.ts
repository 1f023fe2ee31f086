// Closing workflows: cancel, terminate, bulk-cancel (preview first, ask on a terminal, --yes in scripts).
import { ExitCode, TshellError, ErrorCodes, UsageError } from '../errors.js';
import { mapLimit } from '../concurrency.js';
import { sleep } from '../processes/proc.js';
import { mapTemporalError } from '../temporal/errors.js';
import { findStalled } from '../diagnosis/stalled.js';
import { listExecutions, quoteValue, statusClause, globToQuery } from '../temporal/visibility.js';
import { describeWorkflow } from '../temporal/workflows.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { WORKFLOW_REF } from '../cli-model/option-sets.js';
import { describeTarget, previewLine } from './resolve.js';
import { defineCommand, type FlagSpec } from '../cli-model/types.js';

interface CloseActionData {
  action: 'cancel' | 'terminate';
  workflowId: string;
  runId: string;
  type: string;
  before: string;
  after: string;
  reason?: string;
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

const REASON = {
  name: 'reason',
  type: 'string',
  default: 'terminated from tshell',
  description: 'recorded in history',
} as const satisfies FlagSpec;

function closeCommand(action: 'cancel' | 'terminate') {
  return defineCommand({
    name: action,
    group: 'workflows',
    effect: 'destructive',
    summary:
      action === 'cancel'
        ? 'Request cancellation of the workflow (shows what it touches, asks first)'
        : 'Terminate the workflow now (shows what it touches, asks first)',
    examples:
      action === 'cancel'
        ? ['cancel', 'cancel --id YourWorkflowId --yes']
        : ['terminate --reason "bad deploy"', 'terminate --id YourWorkflowId --yes'],
    flags: action === 'terminate' ? [...WORKFLOW_REF, REASON] : [...WORKFLOW_REF],
    fields: {
      action: 'cancel or terminate',
      workflowId: 'workflow id',
      runId: 'run id',
      type: 'workflow type',
      before: 'status before',
      after: 'status after',
      reason: 'termination reason',
    },
    async run(ctx, args): Promise<CloseActionData> {
      const { h, desc } = await describeTarget(ctx, args);
      if (desc.status !== 'RUNNING')
        throw new TshellError(
          `${desc.workflowId} is already ${desc.status}`,
          ErrorCodes.usage,
          undefined,
          ExitCode.failure,
        );
      const targets = [{ workflowId: desc.workflowId, runId: desc.runId, namespace: h.namespace }];
      if (!(await ctx.consent({ class: 'workflows', action: `${action} ${previewLine(desc)}?`, targets })))
        throw new UsageError(`${action} aborted: nothing was changed`);
      const handle = h.client.workflow.getHandle(desc.workflowId, desc.runId);
      const reason = action === 'terminate' ? args.flags.reason : undefined;
      try {
        if (action === 'cancel') await handle.cancel();
        else await handle.terminate(reason);
      } catch (err) {
        throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId: desc.workflowId });
      }
      const after = await statusAfter(h, desc.workflowId, desc.runId, action === 'cancel' ? 3000 : 1000);
      ctx.session.setStatus(after);
      return {
        action,
        workflowId: desc.workflowId,
        runId: desc.runId,
        type: desc.type,
        before: desc.status,
        after,
        reason,
      };
    },
    render(d, s) {
      if (d.after === 'RUNNING')
        return `${s.warn} cancellation requested for ${d.workflowId}, but it is still RUNNING: a cancel takes effect when a workflow task runs (no worker, or a failing workflow task?)\n  hint: \`terminate\` closes it now`;
      return `${s.ok} ${d.workflowId}: ${d.before} → ${d.after}`;
    },
    exitCode: (d) => (d.after === 'RUNNING' ? ExitCode.failure : ExitCode.ok),
  });
}

export const cancelCommand = closeCommand('cancel');
export const terminateCommand = closeCommand('terminate');

interface BulkData {
  action: 'cancel' | 'terminate';
  selector: string;
  matched: { workflowId: string; runId: string }[];
  closed: string[];
  stillRunning: string[];
}

export const bulkCancelCommand = defineCommand({
  name: 'bulk-cancel',
  group: 'workflows',
  effect: 'destructive',
  summary: 'Cancel (or --terminate) many running workflows by id glob, query or --stalled',
  examples: [
    'bulk-cancel --pattern "greeting-*"',
    'bulk-cancel --stalled --terminate --yes',
    'bulk-cancel --query \'WorkflowType = "OrderWorkflow"\'',
  ],
  flags: [
    {
      name: 'pattern',
      type: 'string',
      metavar: 'GLOB',
      description: 'workflow id glob (a prefix* is sent to the server)',
    },
    { name: 'query', type: 'string', description: 'visibility query' },
    { name: 'stalled', type: 'boolean', description: 'every workflow `stalled` lists' },
    { name: 'terminate', type: 'boolean', description: 'terminate instead of cancel' },
    { name: 'reason', type: 'string', default: 'bulk terminate from tshell', description: 'termination reason' },
    { name: 'limit', type: 'number', min: 1, integer: true, default: 1000, description: 'touch at most this many' },
  ],
  fields: {
    action: 'cancel or terminate',
    selector: 'what selected them',
    matched: '{workflowId, runId} selected',
    closed: 'ids now closed',
    stillRunning: 'ids still RUNNING afterwards',
  },
  async run(ctx, args): Promise<BulkData> {
    const chosen = [
      args.flags.pattern !== undefined,
      args.flags.query !== undefined,
      Boolean(args.flags.stalled),
    ].filter(Boolean);
    if (chosen.length !== 1) throw new UsageError('bulk-cancel needs exactly one of --pattern, --query, --stalled');
    const action = args.flags.terminate ? 'terminate' : 'cancel';
    const limit = args.flags.limit;
    const h = await ctx.temporal();
    let matched: { workflowId: string; runId: string }[];
    let selector: string;
    if (args.flags.stalled) {
      selector = 'stalled';
      matched = (await findStalled(ctx.settings, h, { limit })).stalled.map((w) => ({
        workflowId: w.workflowId,
        runId: w.runId,
      }));
    } else if (args.flags.pattern !== undefined) {
      const glob = args.flags.pattern;
      const { prefix, regex } = globToQuery(glob);
      selector = `pattern ${glob}`;
      const q = [statusClause('RUNNING'), ...(prefix ? [`WorkflowId STARTS_WITH ${quoteValue(prefix)}`] : [])].join(
        ' AND ',
      );
      matched = (await listExecutions(h, q, 10_000)).filter((w) => regex.test(w.workflowId)).slice(0, limit);
    } else {
      selector = `query ${args.flags.query}`;
      matched = await listExecutions(h, `${statusClause('RUNNING')} AND (${args.flags.query})`, limit);
    }
    const data: BulkData = {
      action,
      selector,
      matched: matched.map((m) => ({ workflowId: m.workflowId, runId: m.runId })),
      closed: [],
      stillRunning: [],
    };
    if (matched.length === 0) return data;
    const preview =
      matched
        .slice(0, 10)
        .map((m) => m.workflowId)
        .join(', ') + (matched.length > 10 ? `, … (${matched.length - 10} more)` : '');
    const targets = matched.map((m) => ({ workflowId: m.workflowId, runId: m.runId, namespace: h.namespace }));
    if (
      !(await ctx.consent({
        class: 'workflows',
        action: `${action} ${matched.length} running workflow(s): ${preview}?`,
        targets,
      }))
    )
      throw new UsageError(`bulk-cancel aborted: nothing was changed`);
    await mapLimit(matched, 8, async (m) => {
      const handle = h.client.workflow.getHandle(m.workflowId, m.runId);
      try {
        if (action === 'cancel') await handle.cancel();
        else await handle.terminate(args.flags.reason);
      } catch {
        // closed meanwhile: the outcome check below tells
      }
    });
    const statuses = await mapLimit(matched, 8, async (m) => ({
      id: m.workflowId,
      status: await statusAfter(h, m.workflowId, m.runId, action === 'cancel' ? 3000 : 1000).catch(() => 'UNKNOWN'),
    }));
    data.closed = statuses.filter((s) => s.status !== 'RUNNING').map((s) => s.id);
    data.stillRunning = statuses.filter((s) => s.status === 'RUNNING').map((s) => s.id);
    return data;
  },
  render(d, s) {
    if (d.matched.length === 0) return `${s.ok} no running workflow matched ${d.selector}`;
    const lines = [
      `${s.ok} ${d.action === 'cancel' ? 'canceled' : 'terminated'} ${d.closed.length} of ${d.matched.length} (${d.selector})`,
    ];
    if (d.stillRunning.length)
      lines.push(
        `${s.warn} still RUNNING: ${d.stillRunning.join(', ')}\n  a cancel takes effect only when a workflow task runs; \`bulk-cancel … --terminate\` closes them`,
      );
    return lines.join('\n');
  },
  exitCode: (d) => (d.stillRunning.length ? ExitCode.failure : ExitCode.ok),
});
