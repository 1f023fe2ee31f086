// Schedules through the TypeScript SDK's ScheduleClient (gRPC), read into plain data: what the
// schedule starts and when, its state, its recent runs and the actions it skipped or missed.
// Types only: the SDK loads when a schedule is asked for, not with every command (see connection.ts).
import type { ScheduleDescription, ScheduleSpecDescription, ScheduleSummary } from '@temporalio/client';
import { NotFoundError, UsageError } from '../errors.js';
import type { TemporalHandle } from './connection.js';
import { hasName, mapTemporalError } from './errors.js';

export const OVERLAP_POLICIES = [
  'SKIP',
  'BUFFER_ONE',
  'BUFFER_ALL',
  'CANCEL_OTHER',
  'TERMINATE_OTHER',
  'ALLOW_ALL',
] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export interface ScheduleRun {
  workflowId: string;
  runId: string;
  scheduledAt: string;
  takenAt: string;
}

export interface ScheduleRow {
  scheduleId: string;
  workflowType?: string;
  /** When it runs, in one line: `every 1m`, `calendar hour=9 minute=0`. */
  spec: string;
  paused: boolean;
  note?: string;
  nextRuns: string[];
  recent: ScheduleRun[];
}

export interface ScheduleDetails extends ScheduleRow {
  taskQueue?: string;
  workflowId?: string;
  overlap: string;
  catchupWindowMs: number;
  pauseOnFailure: boolean;
  actionsTaken: number;
  skippedOverlap: number;
  missedCatchupWindow: number;
  running: { workflowId: string; runId: string }[];
  createdAt?: string;
  remainingActions?: number;
}

function every(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A calendar's fields that are not their default, as `hour=9 minute=0`. */
function calendarText(c: object): string {
  const parts = Object.entries(c)
    .filter(([k, v]) => k !== 'comment' && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(
      ([k, v]) =>
        `${k}=${JSON.stringify(v)
          .replace(/"/g, '')
          .replace(/\{start:(\w+),end:\1,step:1\}/g, '$1')}`,
    );
  return parts.join(' ');
}

export function specText(spec: ScheduleSpecDescription | undefined): string {
  if (!spec) return '?';
  const parts = [
    ...(spec.intervals ?? []).map((i) => `every ${every(i.every)}${i.offset ? ` +${every(i.offset)}` : ''}`),
    ...(spec.calendars ?? []).map((c) => `calendar ${calendarText(c)}`),
  ];
  return parts.join('; ') || 'no spec (runs only when triggered)';
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : '');

function rowOf(s: ScheduleSummary | (ScheduleDescription & { scheduleId: string })): ScheduleRow {
  return {
    scheduleId: s.scheduleId,
    ...(s.action?.type === 'startWorkflow' ? { workflowType: s.action.workflowType } : {}),
    spec: specText(s.spec),
    paused: s.state.paused,
    ...(s.state.note ? { note: s.state.note } : {}),
    nextRuns: s.info.nextActionTimes.map((d) => d.toISOString()),
    recent: s.info.recentActions.map((a) => ({
      workflowId: a.action.workflow.workflowId,
      runId: a.action.workflow.firstExecutionRunId,
      scheduledAt: iso(a.scheduledAt),
      takenAt: iso(a.takenAt),
    })),
  };
}

function mapped(h: TemporalHandle, id?: string): (err: unknown) => never {
  return (err: unknown) => {
    if (hasName(err, 'ScheduleNotFoundError')) {
      throw new NotFoundError(
        `schedule ${id ?? ''} not found in namespace ${h.namespace}`,
        'list them with `schedules`',
      );
    }
    throw mapTemporalError(err, { address: h.address, namespace: h.namespace });
  };
}

export async function listSchedules(h: TemporalHandle, limit: number): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  try {
    for await (const s of h.client.schedule.list({ pageSize: Math.min(limit, 1000) })) {
      rows.push(rowOf(s));
      if (rows.length >= limit) break;
    }
  } catch (err) {
    mapped(h)(err);
  }
  return rows.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

export async function describeSchedule(h: TemporalHandle, scheduleId: string): Promise<ScheduleDetails> {
  const d = await h.client.schedule.getHandle(scheduleId).describe().catch(mapped(h, scheduleId));
  const action = d.action.type === 'startWorkflow' ? d.action : undefined;
  return {
    ...rowOf(d),
    ...(action?.taskQueue ? { taskQueue: action.taskQueue } : {}),
    ...(action?.workflowId ? { workflowId: action.workflowId } : {}),
    overlap: d.policies.overlap ?? 'SKIP',
    catchupWindowMs: d.policies.catchupWindow,
    pauseOnFailure: d.policies.pauseOnFailure,
    actionsTaken: d.info.numActionsTaken,
    skippedOverlap: d.info.numActionsSkippedOverlap,
    missedCatchupWindow: d.info.numActionsMissedCatchupWindow,
    running: d.info.runningActions.map((a) => ({
      workflowId: a.workflow.workflowId,
      runId: a.workflow.firstExecutionRunId,
    })),
    ...(d.info.createdAt ? { createdAt: d.info.createdAt.toISOString() } : {}),
    ...(d.state.remainingActions !== undefined ? { remainingActions: d.state.remainingActions } : {}),
  };
}

export type ScheduleChange =
  | { action: 'trigger'; overlap?: OverlapPolicy }
  | { action: 'pause' | 'unpause'; note?: string }
  | { action: 'backfill'; start: Date; end: Date; overlap?: OverlapPolicy }
  | { action: 'delete' };

export async function changeSchedule(h: TemporalHandle, scheduleId: string, change: ScheduleChange): Promise<void> {
  const handle = h.client.schedule.getHandle(scheduleId);
  const done = (() => {
    switch (change.action) {
      case 'trigger':
        return handle.trigger(change.overlap);
      case 'pause':
        return handle.pause(change.note);
      case 'unpause':
        return handle.unpause(change.note);
      case 'backfill':
        if (change.end <= change.start)
          throw new UsageError(
            '--end must be after --start',
            'schedule backfill ID --start 2026-12-01T00:00:00Z --end 2026-12-01T06:00:00Z',
          );
        return handle.backfill({
          start: change.start,
          end: change.end,
          ...(change.overlap ? { overlap: change.overlap } : {}),
        });
      case 'delete':
        return handle.delete();
    }
  })();
  await done.catch(mapped(h, scheduleId));
}
