// schedules and schedule: list them with state, next run and last result; describe, trigger, pause,
// unpause, backfill and delete one (backfill and delete with consent bound to the schedule).
import { UsageError } from '../errors.js';
import { mapLimit } from '../concurrency.js';
import { card, formatTime, paintStatus, table } from '../render/format.js';
import {
  changeSchedule,
  describeSchedule,
  listSchedules,
  OVERLAP_POLICIES,
  type OverlapPolicy,
  type ScheduleChange,
  type ScheduleDetails,
  type ScheduleRow,
} from '../temporal/schedules.js';
import { describeWorkflow } from '../temporal/workflows.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { parseDuration } from './resolve.js';
import { defineCommand, type CommandContext } from '../cli-model/types.js';
import type { Style } from '../render/style.js';

interface ListedSchedule extends ScheduleRow {
  /** The newest run's status, asked of the server. */
  lastStatus?: string;
}

/** The status of the newest run of each schedule (one describe each, 8 at a time). */
async function withLastStatus(h: TemporalHandle, rows: ScheduleRow[]): Promise<ListedSchedule[]> {
  return mapLimit(rows, 8, async (r) => {
    const last = r.recent[r.recent.length - 1];
    if (!last) return r;
    const status = await describeWorkflow(h, last.workflowId, last.runId)
      .then((d) => d.status)
      .catch(() => undefined);
    return status ? { ...r, lastStatus: status } : r;
  });
}

const stateText = (s: Style, r: { paused: boolean }) => (r.paused ? s.c.yellow('paused') : 'active');

export const schedulesCommand = defineCommand({
  name: 'schedules',
  warm: true,
  group: 'workflows',
  effect: 'read',
  summary: 'Schedules with their state, what they start, when they run next and their last result',
  examples: ['schedules', 'schedules --json'],
  flags: [
    { name: 'limit', type: 'number', min: 1, integer: true, default: 100, description: 'at most this many schedules' },
  ],
  fields: {
    schedules:
      'schedules: scheduleId, workflowType, spec, paused, note, nextRuns[], recent[{workflowId, runId, scheduledAt, takenAt}], lastStatus',
  },
  async run(ctx, args): Promise<{ schedules: ListedSchedule[] }> {
    const h = await ctx.temporal();
    return { schedules: await withLastStatus(h, await listSchedules(h, args.flags.limit)) };
  },
  render(d, s) {
    if (d.schedules.length === 0) return 'no schedules in this namespace';
    return table(
      s,
      ['schedule id', 'workflow', 'state', 'runs', 'next run', 'last run', 'last result'],
      d.schedules.map((r) => [
        r.scheduleId,
        r.workflowType ?? '',
        stateText(s, r),
        r.spec,
        r.paused ? '—' : formatTime(r.nextRuns[0]),
        r.recent.length ? formatTime(r.recent[r.recent.length - 1]?.takenAt) : 'never',
        r.lastStatus ? paintStatus(s, r.lastStatus) : '',
      ]),
    );
  },
});

const ACTIONS = ['describe', 'trigger', 'pause', 'unpause', 'backfill', 'delete'] as const;

/** --start/--end: an ISO time, or a duration meaning that long ago (`2h`). */
function timeFlag(text: string | undefined, flag: string, fallback?: Date): Date {
  if (text === undefined) {
    if (fallback) return fallback;
    throw new UsageError(
      `schedule backfill needs --${flag}`,
      'schedule backfill ID --start 2h --end 0s (times, or durations ago)',
    );
  }
  const at = Date.parse(text);
  if (!Number.isNaN(at) && /\d{4}-\d\d-\d\d/.test(text)) return new Date(at);
  return new Date(Date.now() - parseDuration(text, `--${flag}`));
}

function changeOf(
  action: Exclude<(typeof ACTIONS)[number], 'describe'>,
  flags: { note?: string; overlap?: OverlapPolicy; start?: string; end?: string },
): ScheduleChange {
  if (action === 'pause' || action === 'unpause') return { action, ...(flags.note ? { note: flags.note } : {}) };
  if (action === 'trigger') return { action, ...(flags.overlap ? { overlap: flags.overlap } : {}) };
  if (action === 'backfill')
    return {
      action,
      start: timeFlag(flags.start, 'start'),
      end: timeFlag(flags.end, 'end', new Date()),
      ...(flags.overlap ? { overlap: flags.overlap } : {}),
    };
  return { action };
}

/** Backfill and delete change what a schedule has done or will do: consent bound to the schedule. */
async function consentToChange(ctx: CommandContext, d: ScheduleDetails, change: ScheduleChange): Promise<void> {
  if (change.action !== 'delete' && change.action !== 'backfill') return;
  const what =
    change.action === 'delete'
      ? `delete schedule ${d.scheduleId} (${d.workflowType ?? '?'}, ${d.spec})? Its future runs stop; running workflows keep running`
      : `backfill schedule ${d.scheduleId} from ${change.start.toISOString()} to ${change.end.toISOString()}? Every action due in that window starts now`;
  const targets = [
    {
      scheduleId: d.scheduleId,
      ...(change.action === 'backfill' ? { start: change.start.toISOString(), end: change.end.toISOString() } : {}),
    },
  ];
  if (!(await ctx.consent({ class: 'schedules', action: what, targets })))
    throw new UsageError(`schedule ${change.action} aborted: nothing was changed`);
}

type ScheduleResult = {
  action: (typeof ACTIONS)[number];
  scheduleId: string;
  schedule: ScheduleDetails;
  before?: ScheduleDetails;
};

export const scheduleCommand = defineCommand({
  name: 'schedule',
  group: 'workflows',
  effect: 'destructive',
  summary: 'Describe, trigger, pause, unpause, backfill or delete a schedule (backfill and delete ask first)',
  examples: [
    'schedule describe nightly-report',
    'schedule pause nightly-report --note "source down"',
    'schedule trigger nightly-report',
    'schedule backfill nightly-report --start 6h',
    'schedule delete nightly-report',
  ],
  flags: [
    { name: 'note', type: 'string', description: 'pause/unpause: why (shown in describe and diagnose)' },
    {
      name: 'overlap',
      type: 'string',
      choices: OVERLAP_POLICIES,
      description: 'trigger/backfill: the overlap policy for these runs',
    },
    { name: 'start', type: 'string', metavar: 'TIME', description: 'backfill: from (ISO time, or a duration ago: 6h)' },
    { name: 'end', type: 'string', metavar: 'TIME', description: 'backfill: to (default now)' },
  ],
  positionals: [
    { name: 'action', description: ACTIONS.join(', '), required: true, choices: ACTIONS },
    { name: 'id', description: 'the schedule id', required: true },
  ],
  fields: {
    action: 'what was done',
    scheduleId: 'schedule id',
    schedule:
      'the schedule after it: scheduleId, workflowType, taskQueue, workflowId, spec, paused, note, overlap, catchupWindowMs, pauseOnFailure, actionsTaken, skippedOverlap, missedCatchupWindow, running[], recent[], nextRuns[]',
    before: 'delete: the schedule as it was',
  },
  async run(ctx, args): Promise<ScheduleResult> {
    const action = args.positionals[0] as (typeof ACTIONS)[number];
    const scheduleId = args.positionals[1];
    if (!scheduleId) throw new UsageError(`schedule ${action} needs a schedule id`, '`schedules` lists them');
    const h = await ctx.temporal();
    const before = await describeSchedule(h, scheduleId);
    if (action === 'describe') return { action, scheduleId, schedule: before };
    const change = changeOf(action, args.flags);
    await consentToChange(ctx, before, change);
    await changeSchedule(h, scheduleId, change);
    if (action === 'delete') return { action, scheduleId, schedule: before, before };
    return { action, scheduleId, schedule: await describeSchedule(h, scheduleId) };
  },
  render(d, s) {
    const x = d.schedule;
    const head = {
      describe: `${x.paused ? s.warn : s.ok} schedule ${s.c.bold(x.scheduleId)} ${stateText(s, x)}`,
      trigger: `${s.ok} triggered ${x.scheduleId}: its workflow starts now`,
      pause: `${s.ok} paused ${x.scheduleId}${x.note ? `: ${x.note}` : ''}`,
      unpause: `${s.ok} unpaused ${x.scheduleId}; next run ${formatTime(x.nextRuns[0])}`,
      backfill: `${s.ok} backfilled ${x.scheduleId}: the actions due in the window start now`,
      delete: `${s.ok} deleted schedule ${x.scheduleId}`,
    }[d.action];
    if (d.action !== 'describe') return head;
    return [
      head,
      card(s, [
        [
          'starts',
          `${x.workflowType ?? '?'} on ${x.taskQueue ?? '?'}${x.workflowId ? ` as ${x.workflowId}-<time>` : ''}`,
        ],
        ['runs', x.spec],
        ['note', x.note],
        [
          'overlap',
          `${x.overlap}; catch-up window ${Math.round(x.catchupWindowMs / 1000)} s${x.pauseOnFailure ? '; pauses on failure' : ''}`,
        ],
        ['actions', `${x.actionsTaken} taken, ${x.skippedOverlap} skipped by overlap, ${x.missedCatchupWindow} missed`],
        ['running', x.running.map((r) => r.workflowId).join(', ') || 'none'],
        [
          'recent',
          x.recent
            .slice(-5)
            .map((r) => `${r.workflowId} (${formatTime(r.takenAt)})`)
            .join(', ') || 'none',
        ],
        [
          'next runs',
          x.paused
            ? 'none while paused'
            : x.nextRuns
                .slice(0, 3)
                .map((t) => formatTime(t))
                .join(', ') || 'none',
        ],
      ]),
    ].join('\n');
  },
});
