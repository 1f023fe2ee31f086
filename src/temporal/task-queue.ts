// Pollers of a task queue (DescribeTaskQueue), for the workflow and the activity task queue types.
import type { TemporalHandle } from './connection.js';

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
    lastAccessTime: p.lastAccessTime?.seconds
      ? new Date(Number(p.lastAccessTime.seconds) * 1000 + Math.floor((p.lastAccessTime.nanos ?? 0) / 1e6)).toISOString()
      : undefined,
  }));
}
