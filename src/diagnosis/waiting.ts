// What a RUNNING workflow that is not failing waits for, exactly: timers (length and fire time),
// activities (attempt, next retry), child workflows, and the signals and updates it has received.
// "Waiting, not wedged" in one line. The history and describe give timers, activities and children;
// when a worker answers, the metadata query adds the handlers it declares, and the project's code the
// `wait_condition` calls it can be blocked on. (The Python SDK's `__stack_trace` shows only the top-level
// coroutine of a suspended task, never the user's line it waits at: checked on SDK 1.35.)
import { eventId, eventTimeIso, type HistoryEvent } from '../temporal/history.js';
import type { Handlers } from '../temporal/handlers.js';
import type { WorkflowDescription } from '../temporal/workflows.js';
import { durationSeconds } from '../temporal/time.js';

export interface WaitItem {
  kind:
    | 'timer'
    | 'activity'
    | 'child'
    | 'signal-received'
    | 'update-received'
    | 'signal-handler'
    | 'update-handler'
    | 'condition';
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
  /** For a declared handler: how many times it was received so far. */
  received?: number;
}

/** What the workflow and its code add to the history: both optional (no worker, no discovery). */
export interface WaitProbe {
  handlers?: Handlers;
  /** `file:line text` of each wait_condition in the workflow's class. */
  conditions?: string[];
}

export function waitingOn(events: HistoryEvent[], desc: WorkflowDescription, probe: WaitProbe = {}): WaitItem[] {
  const items: WaitItem[] = [];
  const closedTimers = new Set<number>();
  for (const e of events) {
    const fired = e.timerFiredEventAttributes?.startedEventId ?? e.timerCanceledEventAttributes?.startedEventId;
    if (fired !== undefined && fired !== null) closedTimers.add(Number(String(fired)));
  }
  for (const e of events) {
    const t = e.timerStartedEventAttributes;
    if (!t || closedTimers.has(eventId(e))) continue;
    const len = durationSeconds(t.startToFireTimeout);
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
    items.push({
      kind: 'activity',
      name: a.activityType,
      ...(a.scheduledTime ? { since: a.scheduledTime } : {}),
      attempt: a.attempt,
      ...(a.nextAttemptScheduleTime ? { nextAttemptAt: a.nextAttemptScheduleTime } : {}),
    });
  }
  for (const c of desc.pendingChildren ?? []) items.push({ kind: 'child', name: `${c.type} ${c.workflowId}` });
  for (const e of events) {
    const signal = e.workflowExecutionSignaledEventAttributes?.signalName;
    if (signal) items.push({ kind: 'signal-received', name: signal, since: eventTimeIso(e), eventId: eventId(e) });
    const update = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
    if (update) items.push({ kind: 'update-received', name: update, since: eventTimeIso(e), eventId: eventId(e) });
  }
  const count = (kind: WaitItem['kind'], name: string) =>
    items.filter((i) => i.kind === kind && i.name === name).length;
  for (const name of probe.handlers?.signals ?? [])
    if (name) items.push({ kind: 'signal-handler', name, received: count('signal-received', name) });
  for (const name of probe.handlers?.updates ?? [])
    if (name) items.push({ kind: 'update-handler', name, received: count('update-received', name) });
  for (const at of probe.conditions ?? []) items.push({ kind: 'condition', name: at });
  return items;
}

/** One line: "timer 1 (1h, fires 2026-11-29 21:42:31), activity charge (attempt 3, next 20:42:35)". */
export function describeWaits(items: WaitItem[]): string {
  const pending = items.filter((i) => i.kind === 'timer' || i.kind === 'activity' || i.kind === 'child');
  const handlers = items.filter((i) => i.kind === 'signal-handler' || i.kind === 'update-handler');
  const conditions = items.filter((i) => i.kind === 'condition');
  const blocked = conditions.length ? [`its code waits at ${conditions.map((i) => i.name).join(' or ')}`] : [];
  const declared = handlers.length
    ? `${pending.length ? 'or ' : ''}${handlers.map((i) => `${i.kind === 'signal-handler' ? 'signal' : 'update'} ${i.name} (received ${i.received ?? 0}×)`).join(', ')}`
    : '';
  if (pending.length === 0)
    return [handlers.length ? declared : 'nothing pending: it waits for a signal or an update', ...blocked].join('; ');
  const t = (iso?: string) => (iso ? iso.replace('T', ' ').slice(0, 19) : '?');
  const what = pending
    .map((i) =>
      i.kind === 'timer'
        ? `timer ${i.name}${i.seconds !== undefined ? ` (${i.seconds} s, fires ${t(i.firesAt)} UTC)` : ''}`
        : i.kind === 'activity'
          ? `activity ${i.name} (attempt ${i.attempt ?? 1}${i.nextAttemptAt ? `, next attempt ${t(i.nextAttemptAt)} UTC` : ''})`
          : `child workflow ${i.name}`,
    )
    .join(', ');
  return [[what, declared].filter(Boolean).join(', '), ...blocked].join('; ');
}
