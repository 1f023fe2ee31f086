// list and count: executions by a visibility query, as `temporal workflow list|count --query` does,
// with the query's errors said in one line (the server's parse error, a field that is not a search
// attribute) and a hint that names what the server accepts.
import { UsageError, TshellError } from '../errors.js';
import { paintStatus, table, formatTime } from '../render/format.js';
import { countExecutions, listExecutions, type ExecutionSummary } from '../temporal/visibility.js';
import { defineCommand } from '../cli-model/types.js';

const QUERY_HINT =
  'a query looks like --query \'WorkflowType = "GreetingWorkflow" AND ExecutionStatus = "Running"\' (fields: WorkflowId, WorkflowType, ExecutionStatus, TaskQueue, StartTime, CloseTime and your search attributes)';

/** A rejected query in one line: the server's words, with the query and a hint for what it says. */
function queryError(err: unknown, query: string): unknown {
  if (!(err instanceof TshellError) || !/^Temporal rejected the request: /.test(err.message)) return err;
  // The position the server names counts in its own rewritten query, not in the one typed: left out.
  const why = err.message
    .replace(/^Temporal rejected the request: /, '')
    .replace(/^invalid query: /i, '')
    .replace(/ at position \d+/, '');
  const attribute = /invalid search attribute: (\S+)/i.exec(why)?.[1];
  const hint = attribute
    ? `${attribute} is not a search attribute of this namespace (\`temporal operator search-attribute list\` shows them); ${QUERY_HINT}`
    : /GROUP BY/i.test(why)
      ? 'the server groups only by ExecutionStatus: count --group-by ExecutionStatus'
      : QUERY_HINT;
  return new UsageError(`the server rejected the query ${JSON.stringify(query)}: ${why}`, hint);
}

interface ListData {
  query: string;
  workflows: ExecutionSummary[];
  /** More match than the limit let through. */
  more: boolean;
}

export const listCommand = defineCommand({
  name: 'list',
  warm: true,
  group: 'monitoring',
  effect: 'read',
  summary: 'Executions a visibility query matches, newest first (all of them without --query)',
  examples: [
    'list --query \'ExecutionStatus = "Failed" AND StartTime > "2026-12-01T00:00:00Z"\'',
    'list --query \'WorkflowType = "OrderWorkflow"\' --limit 200 --json',
  ],
  flags: [
    {
      name: 'query',
      short: 'q',
      type: 'string',
      description: 'a visibility query, e.g. WorkflowType = "X" AND ExecutionStatus = "Running"',
    },
    {
      name: 'limit',
      type: 'number',
      min: 1,
      integer: true,
      default: 50,
      description: 'at most this many rows (stops reading pages there)',
    },
  ],
  fields: {
    query: 'the query sent',
    workflows: 'executions: workflowId, runId, type, status, taskQueue, startTime, closeTime',
    more: 'more executions match than --limit let through',
  },
  async run(ctx, args): Promise<ListData> {
    const query = args.flags.query ?? '';
    const h = await ctx.temporal();
    // One row past the limit says whether there are more, without counting them all.
    const rows = await listExecutions(h, query, args.flags.limit + 1).catch((err: unknown) =>
      Promise.reject(queryError(err, query)),
    );
    return { query, workflows: rows.slice(0, args.flags.limit), more: rows.length > args.flags.limit };
  },
  render(d, s) {
    if (d.workflows.length === 0) return d.query ? `no executions match ${d.query}` : 'no executions in this namespace';
    return [
      table(
        s,
        ['workflow id', 'type', 'status', 'started', 'task queue'],
        d.workflows.map((w) => [w.workflowId, w.type, paintStatus(s, w.status), formatTime(w.startTime), w.taskQueue]),
      ),
      ...(d.more ? [s.c.dim(`more match: --limit ${d.workflows.length * 2} shows more, \`count\` counts them`)] : []),
    ].join('\n');
  },
});

interface CountData {
  query: string;
  count: number;
  groupBy?: string;
  groups?: { value: string; count: number }[];
}

export const countCommand = defineCommand({
  name: 'count',
  warm: true,
  group: 'monitoring',
  effect: 'read',
  summary: 'How many executions a visibility query matches, optionally per status',
  examples: ['count --query \'WorkflowType = "OrderWorkflow"\'', 'count --group-by ExecutionStatus'],
  flags: [
    { name: 'query', short: 'q', type: 'string', description: 'a visibility query (all executions without it)' },
    {
      name: 'group-by',
      type: 'string',
      metavar: 'FIELD',
      description: 'count per value of this field (ExecutionStatus)',
    },
  ],
  fields: {
    query: 'the query sent',
    count: 'executions that match',
    groupBy: 'the field grouped by',
    groups: 'with --group-by: {value, count} per value, largest first',
  },
  async run(ctx, args): Promise<CountData> {
    const base = args.flags.query ?? '';
    const groupBy = args.flags['group-by'];
    if (groupBy !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(groupBy)) {
      throw new UsageError(
        `--group-by takes a field name, not ${JSON.stringify(groupBy)}`,
        'count --group-by ExecutionStatus',
      );
    }
    const query = groupBy ? `${base}${base ? ' ' : ''}GROUP BY ${groupBy}` : base;
    const h = await ctx.temporal();
    const counted = await countExecutions(h, query).catch((err: unknown) => Promise.reject(queryError(err, query)));
    return {
      query,
      count: counted.count,
      ...(groupBy ? { groupBy, groups: [...counted.groups].sort((a, b) => b.count - a.count) } : {}),
    };
  },
  render(d, s) {
    if (!d.groups) return `${d.count} execution${d.count === 1 ? '' : 's'}${d.query ? ` match ${d.query}` : ''}`;
    return [
      table(
        s,
        [d.groupBy ?? 'value', 'count'],
        d.groups.map((g) => [d.groupBy === 'ExecutionStatus' ? paintStatus(s, g.value) : g.value, String(g.count)]),
      ),
      `${d.count} in all`,
    ].join('\n');
  },
});
