// Workers as the server knows them from their heartbeats (WorkflowService.ListWorkers): identity,
// host and pid, task queue, build id, SDK, start and last heartbeat, processed and failed tasks.
// Known for every worker, including ones tshell did not start. The Python SDK heartbeats every
// 60 s, so a new worker shows up only after its first minute; pollers show it at once.
import { hostname } from 'node:os';
import type { TemporalHandle } from './connection.js';
import { tsToIso } from './time.js';

export interface WorkerHeartbeat {
  instanceKey: string;
  identity: string;
  hostName?: string;
  pid?: number;
  taskQueue: string;
  buildId?: string;
  sdk?: string;
  startTime?: string;
  heartbeatTime?: string;
  workflowTasksProcessed?: number;
  workflowTasksFailed?: number;
  activityTasksProcessed?: number;
  activityTasksFailed?: number;
}

/** A heartbeat newer than this says the worker is alive (the SDK sends one a minute). */
export const HEARTBEAT_FRESH_MS = 150_000;

interface SlotsLike {
  totalProcessedTasks?: number | null;
  totalFailedTasks?: number | null;
}

const num = (v: unknown): number | undefined => (v === null || v === undefined || v === '' ? undefined : Number(v));

/** Every worker the namespace has heard from (dead ones linger with an old heartbeat). */
export async function listWorkerHeartbeats(h: TemporalHandle, query?: string): Promise<WorkerHeartbeat[]> {
  const res = await h.connection.workflowService.listWorkers({ namespace: h.namespace, pageSize: 1000, ...(query ? { query } : {}) });
  return (res.workersInfo ?? []).flatMap((info) => {
    const hb = info.workerHeartbeat;
    if (!hb) return [];
    const wf = hb.workflowTaskSlotsInfo as SlotsLike | null | undefined;
    const act = hb.activityTaskSlotsInfo as SlotsLike | null | undefined;
    return [
      {
        instanceKey: hb.workerInstanceKey ?? '',
        identity: hb.workerIdentity ?? '',
        hostName: hb.hostInfo?.hostName ?? undefined,
        pid: num(hb.hostInfo?.processId),
        taskQueue: hb.taskQueue ?? '',
        buildId: hb.deploymentVersion?.buildId ?? undefined,
        sdk: hb.sdkName ? `${hb.sdkName} ${hb.sdkVersion ?? ''}`.trim() : undefined,
        startTime: tsToIso(hb.startTime),
        heartbeatTime: tsToIso(hb.heartbeatTime),
        workflowTasksProcessed: num(wf?.totalProcessedTasks),
        workflowTasksFailed: num(wf?.totalFailedTasks),
        activityTasksProcessed: num(act?.totalProcessedTasks),
        activityTasksFailed: num(act?.totalFailedTasks),
      },
    ];
  });
}

/** Heartbeats recent enough to count the worker as running. */
export function freshHeartbeats(all: WorkerHeartbeat[], now = Date.now()): WorkerHeartbeat[] {
  return all.filter((w) => w.heartbeatTime !== undefined && now - Date.parse(w.heartbeatTime) < HEARTBEAT_FRESH_MS);
}

/** The running workers' heartbeats, asked within 2 s; none when the server cannot say. */
export function liveHeartbeats(h: TemporalHandle): Promise<WorkerHeartbeat[]> {
  return h.connection.withDeadline(Date.now() + 2000, () => listWorkerHeartbeats(h)).then((all) => freshHeartbeats(all)).catch(() => []);
}

/** A heartbeat from this machine, whose pid therefore names a local process. */
export function isLocalHeartbeat(b: WorkerHeartbeat, host = hostname()): b is WorkerHeartbeat & { pid: number } {
  return b.pid !== undefined && (!b.hostName || b.hostName === host);
}
