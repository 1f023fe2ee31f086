// What a RUNNING workflow that is not failing waits for, exactly: timers (length and fire time),
// activities (attempt, next retry), child workflows, and the signals and updates it has received.
// "Waiting, not wedged" in one line, read from the history and describe alone.
import { eventId, eventTimeIso, type HistoryEvent } from '../temporal/history.js';
import type { WorkflowDescription } from '../temporal/workflows.js';

export interface WaitItem {
  kind: 'timer' | 'activity' | 'child' | 'signal-received' | 'update-received';
  name: string;
  /** When it started waiting (timer started, activity scheduled). */
  since?: string;
  /** When a timer fires. */
  firesAt?: string;
  /** Its length, for a timer. */
  seconds?: number;
  attempt?: number;
  nextAttemptAt?: string;
  /** The history event that started it. */
  eventId?: number;
}

function seconds(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  if (!d) return undefined;
  return Number(String(d.seconds ?? 0)) + (d.nanos ?? 0) / 1e9;
}

export function waitingOn(events: HistoryEvent[], desc: WorkflowDescription): WaitItem[] {
  const items: WaitItem[] = [];
  const closedTimers = new Set<number>();
  for (const e of events) {
    const fired = e.timerFiredEventAttributes?.startedEventId ?? e.timerCanceledEventAttributes?.startedEventId;
    if (fired !== undefined && fired !== null) closedTimers.add(Number(String(fired)));
  }
  for (const e of events) {
    const t = e.timerStartedEventAttributes;
    if (!t || closedTimers.has(eventId(e))) continue;
    const len = seconds(t.startToFireTimeout);
    const since = eventTimeIso(e);
    items.push({
      kind: 'timer',
      name: t.timerId ?? '',
      since,
      ...(len !== undefined ? { seconds: len, firesAt: new Date(Date.parse(since) + len * 1000).toISOString() } : {}),
      eventId: eventId(e),
    });
  }
  for (const a of desc.pendingActivities) {
    items.push({ kind: 'activity', name: a.activityType, ...(a.scheduledTime ? { since: a.scheduledTime } : {}), attempt: a.attempt, ...(a.nextAttemptScheduleTime ? { nextAttemptAt: a.nextAttemptScheduleTime } : {}) });
  }
  for (const c of desc.pendingChildren ?? []) items.push({ kind: 'child', name: `${c.type} ${c.workflowId}` });
  for (const e of events) {
    const signal = e.workflowExecutionSignaledEventAttributes?.signalName;
    if (signal) items.push({ kind: 'signal-received', name: signal, since: eventTimeIso(e), eventId: eventId(e) });
    const update = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
    if (update) items.push({ kind: 'update-received', name: update, since: eventTimeIso(e), eventId: eventId(e) });
  }
  return items;
}

/** One line: "timer 1 (1h, fires 2026-11-29 21:42:31), activity charge (attempt 3, next 20:42:35)". */
export function describeWaits(items: WaitItem[]): string {
  const pending = items.filter((i) => i.kind === 'timer' || i.kind === 'activity' || i.kind === 'child');
  if (pending.length === 0) return 'nothing pending: it waits for a signal or an update';
  const t = (iso?: string) => (iso ? iso.replace('T', ' ').slice(0, 19) : '?');
  return pending
    .map((i) =>
      i.kind === 'timer'
        ? `timer ${i.name}${i.seconds !== undefined ? ` (${i.seconds} s, fires ${t(i.firesAt)} UTC)` : ''}`
        : i.kind === 'activity'
          ? `activity ${i.name} (attempt ${i.attempt ?? 1}${i.nextAttemptAt ? `, next attempt ${t(i.nextAttemptAt)} UTC` : ''})`
          : `child workflow ${i.name}`,
    )
    .join(', ');
}
