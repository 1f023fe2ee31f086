// Workers as the server knows them from their heartbeats (WorkflowService.ListWorkers): identity,
// host and pid, task queue, build id, SDK, start and last heartbeat, processed and failed tasks.
// Known for every worker, including ones tshell did not start. The Python SDK heartbeats every
// 60 s, so a new worker shows up only after its first minute; pollers show it at once.
import { hostname } from 'node:os';
import type { TemporalHandle } from './connection.js';
import { grpcCode, GrpcStatus } from './errors.js';
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
  const res = await h.connection.workflowService.listWorkers({
    namespace: h.namespace,
    pageSize: 1000,
    ...(query ? { query } : {}),
  });
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

export interface Heartbeats {
  beats: WorkerHeartbeat[];
  /** Set when the server or namespace keeps no worker heartbeats: what was used instead is pollers. */
  unavailable?: string;
}

const availability = new WeakMap<TemporalHandle, Promise<string | undefined>>();

/**
 * Whether the namespace records worker heartbeats, as the Web UI asks it: the namespace's
 * `capabilities.workerHeartbeats` (off when the server's frontend.WorkerHeartbeatsEnabled is, absent
 * on servers that predate them). Asked once per connection.
 */
function heartbeatsUnavailable(h: TemporalHandle): Promise<string | undefined> {
  let known = availability.get(h);
  if (!known) {
    known = h.connection
      .withDeadline(Date.now() + 2000, () => h.connection.workflowService.describeNamespace({ namespace: h.namespace }))
      .then((res) =>
        res.namespaceInfo?.capabilities?.workerHeartbeats
          ? undefined
          : `namespace ${h.namespace} at ${h.address} keeps no worker heartbeats (the server has them off, or predates them): pollers only`,
      )
      .catch(() => undefined);
    availability.set(h, known);
  }
  return known;
}

/** The running workers' heartbeats, asked within 2 s, or why the server has none to give. */
export async function workerHeartbeats(h: TemporalHandle): Promise<Heartbeats> {
  const unavailable = await heartbeatsUnavailable(h);
  if (unavailable) return { beats: [], unavailable };
  try {
    return {
      beats: freshHeartbeats(await h.connection.withDeadline(Date.now() + 2000, () => listWorkerHeartbeats(h))),
    };
  } catch (err) {
    // A server without ListWorkers. Anything else (a slow answer) is no beats this time.
    return grpcCode(err) === GrpcStatus.UNIMPLEMENTED
      ? {
          beats: [],
          unavailable: `the server at ${h.address} does not list workers (ListWorkers is not implemented): pollers only`,
        }
      : { beats: [] };
  }
}

/** The running workers' heartbeats; none when the server cannot say. */
export async function liveHeartbeats(h: TemporalHandle): Promise<WorkerHeartbeat[]> {
  return (await workerHeartbeats(h)).beats;
}

/** A heartbeat from this machine, whose pid therefore names a local process. */
export function isLocalHeartbeat(b: WorkerHeartbeat, host = hostname()): b is WorkerHeartbeat & { pid: number } {
  return b.pid !== undefined && (!b.hostName || b.hostName === host);
}
