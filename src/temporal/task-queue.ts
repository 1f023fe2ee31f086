// Pollers of a task queue (DescribeTaskQueue), for the workflow and the activity task queue types.
import type { TemporalHandle } from './connection.js';
import { hostname } from 'node:os';
import { tsToIso } from './time.js';

export interface PollerInfo {
  identity: string;
  lastAccessTime?: string;
}

export async function pollersOf(
  handle: TemporalHandle,
  taskQueue: string,
  type: 'workflow' | 'activity',
): Promise<PollerInfo[]> {
  const res = await handle.connection.workflowService.describeTaskQueue({
    namespace: handle.namespace,
    taskQueue: { name: taskQueue, kind: 1 /* NORMAL */ },
    taskQueueType: type === 'workflow' ? 1 : 2,
  });
  return (res.pollers ?? []).map((p) => ({
    identity: p.identity ?? '',
    lastAccessTime: tsToIso(p.lastAccessTime),
  }));
}

/** A poller counts as live when it polled recently and, if it names a local pid, that pid is alive. */
export function isLivePoller(
  p: PollerInfo,
  opts: { now: number; hostname: string; pidAlive: (pid: number) => boolean },
): boolean {
  if (p.lastAccessTime && opts.now - Date.parse(p.lastAccessTime) > 90_000) return false;
  const m = /^(\d+)@(.+)$/.exec(p.identity);
  if (m && m[2] === opts.hostname && !opts.pidAlive(Number(m[1]))) return false;
  return true;
}

/** Says whether a local pid still runs (the caller knows how: Temporal code does not look at processes). */
export type PidAlive = (pid: number) => boolean;

/** The same check against this machine, now. */
export function isLiveNow(p: PollerInfo, pidAlive: PidAlive): boolean {
  return isLivePoller(p, { now: Date.now(), hostname: hostname(), pidAlive });
}

/** How many live pollers serve the queue for this task type. */
export async function livePollerCount(
  handle: TemporalHandle,
  taskQueue: string,
  type: 'workflow' | 'activity',
  pidAlive: PidAlive,
): Promise<number> {
  return (await pollersOf(handle, taskQueue, type)).filter((p) => isLiveNow(p, pidAlive)).length;
}

export interface QueueInfo {
  name: string;
  workflowPollers: PollerInfo[];
  activityPollers: PollerInfo[];
  backlog?: { workflow?: number; activity?: number };
}

export async function describeQueue(handle: TemporalHandle, name: string): Promise<QueueInfo> {
  const [workflowPollers, activityPollers] = await Promise.all([
    pollersOf(handle, name, 'workflow'),
    pollersOf(handle, name, 'activity'),
  ]);
  const backlog: { workflow?: number; activity?: number } = {};
  for (const [type, key] of [
    [1, 'workflow'],
    [2, 'activity'],
  ] as const) {
    try {
      const res = await handle.connection.workflowService.describeTaskQueue({
        namespace: handle.namespace,
        taskQueue: { name, kind: 1 },
        taskQueueType: type,
        reportStats: true,
      });
      const count = res.stats?.approximateBacklogCount;
      if (count !== undefined && count !== null) backlog[key] = Number(String(count));
    } catch {
      // older servers: no stats
    }
  }
  return { name, workflowPollers, activityPollers, backlog };
}
