// Monitoring, the workflow side: recent executions and stalled workflows (health.ts has the queue side).
import { ExitCode } from '../errors.js';
import { formatDuration, formatTime, paintStatus, table } from '../render/format.js';
import { findStalled, type StalledData, type StalledWorkflow } from '../diagnosis/stalled.js';
import type { Style } from '../render/style.js';
import {
  listExecutions,
  quoteValue,
  startedSince,
  statusClause,
  type ExecutionSummary,
} from '../temporal/visibility.js';
import { WORKFLOW_STATUSES } from '../cli-model/option-sets.js';
import { defineCommand } from '../cli-model/types.js';

// ---- recent ---------------------------------------------------------------------------------

interface RecentRow extends ExecutionSummary {
  durationMs?: number;
  closeTime?: string;
}
interface RecentData {
  minutes: number;
  workflows: RecentRow[];
  counts: Record<string, number>;
}

export const recentCommand = defineCommand({
  name: 'recent',
  warm: true,
  aliases: ['ls'],
  group: 'monitoring',
  effect: 'read',
  summary: 'Executions started in the last minutes, with counts per status',
  examples: ['recent', 'recent --minutes 60 --status FAILED --limit 20'],
  flags: [
    { name: 'minutes', type: 'number', min: 0, default: 5, description: 'look back this many minutes' },
    { name: 'status', type: 'string', choices: WORKFLOW_STATUSES, description: 'only this status' },
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
    minutes: 'the window',
    workflows: 'executions: workflowId, runId, type, status, taskQueue, startTime, closeTime, durationMs',
    counts: 'number of listed executions per status',
  },
  async run(ctx, args): Promise<RecentData> {
    const minutes = args.flags.minutes;
    const since = startedSince(minutes);
    const parts = [`StartTime > ${quoteValue(since)}`];
    if (args.flags.status) parts.push(statusClause(args.flags.status));
    const h = await ctx.temporal();
    const rows = await listExecutions(h, parts.join(' AND '), args.flags.limit);
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return {
      minutes,
      workflows: rows.map((r) => ({
        ...r,
        durationMs: (r.closeTime ? Date.parse(r.closeTime) : Date.now()) - Date.parse(r.startTime),
      })),
      counts,
    };
  },
  render(d, s) {
    if (d.workflows.length === 0) return `no executions started in the last ${d.minutes} min`;
    return [
      // The run id only when some workflow id has several runs (reset, continue-as-new, reuse).
      d.workflows.some((w, i) => d.workflows.findIndex((x) => x.workflowId === w.workflowId) !== i)
        ? table(
            s,
            ['workflow id', 'run id', 'type', 'status', 'started', 'duration', 'task queue'],
            d.workflows.map((w) => [
              w.workflowId,
              w.runId,
              w.type,
              paintStatus(s, w.status),
              formatTime(w.startTime),
              formatDuration(w.durationMs ?? 0),
              w.taskQueue,
            ]),
            [0, 1],
          )
        : table(
            s,
            ['workflow id', 'type', 'status', 'started', 'duration', 'task queue'],
            d.workflows.map((w) => [
              w.workflowId,
              w.type,
              paintStatus(s, w.status),
              formatTime(w.startTime),
              formatDuration(w.durationMs ?? 0),
              w.taskQueue,
            ]),
          ),
      Object.entries(d.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · '),
    ].join('\n');
  },
});

export const stalledCommand = defineCommand({
  name: 'stalled',
  warm: true,
  group: 'monitoring',
  effect: 'read',
  summary: 'RUNNING workflows that are not progressing, each with the reason',
  examples: ['stalled', 'stalled --query \'WorkflowType = "OrderWorkflow"\' --minutes 60'],
  flags: [
    { name: 'query', type: 'string', description: 'extra visibility filter (ANDed with ExecutionStatus = "Running")' },
    { name: 'minutes', type: 'number', min: 0, description: 'only workflows started in the last N minutes' },
    {
      name: 'limit',
      type: 'number',
      min: 1,
      integer: true,
      default: 1000,
      description: 'check at most this many running workflows',
    },
  ],
  fields: {
    checked: 'running workflows examined',
    stalled: 'stalled workflows: workflowId, runId, type, taskQueue, startTime, reasons[{kind, text}]',
    waiting: 'running workflows that are waiting (timer, signal, update), not stalled',
    reportedByServer: 'ids the server flags with TemporalReportedProblems (absent when the server cannot say)',
    streamed: 'without --json: the stalled rows were printed as they were found',
  },
  async run(ctx, args): Promise<StalledData & { streamed?: boolean }> {
    const h = await ctx.temporal();
    // For a person, each stalled workflow is printed the moment it is found (thousands running take
    // seconds to check); --json answers once, whole.
    const stream = !ctx.json;
    const data = await findStalled(ctx.settings, h, {
      query: args.flags.query,
      minutes: args.flags.minutes,
      limit: args.flags.limit,
      ...(stream ? { onStalled: (w: StalledWorkflow) => ctx.print(`${stalledLines(ctx.style, w).join('\n')}\n`) } : {}),
    });
    return stream ? { ...data, streamed: true } : data;
  },
  render(d, s) {
    if (d.stalled.length === 0) return `${s.ok} nothing stalled (${d.checked} running, ${d.waiting} waiting)`;
    const lines = d.streamed ? [] : d.stalled.flatMap((w) => stalledLines(s, w));
    lines.push(`${s.fail} ${d.stalled.length} stalled of ${d.checked} running (${d.waiting} waiting)`);
    lines.push(s.c.dim('next: `errors --id ID`, `logs --errors`, or `bulk-cancel --stalled`'));
    return lines.join('\n');
  },
  exitCode: (d) => (d.stalled.length > 0 ? ExitCode.failure : ExitCode.ok),
});

function stalledLines(s: Style, w: StalledWorkflow): string[] {
  return [
    `${s.c.bold(w.workflowId)} ${s.c.dim(`${w.type} on ${w.taskQueue}`)}`,
    ...w.reasons.map((r) => `  ${s.warn} ${r.text}`),
  ];
}

// ---- health ---------------------------------------------------------------------------------
