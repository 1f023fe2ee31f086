// Visibility queries. Every user value is quoted and escaped, never pasted into a query raw.
import type { TemporalHandle } from './connection.js';
import { mapTemporalError } from './errors.js';

export function quoteValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

export interface ExecutionSummary {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
}

export async function listExecutions(h: TemporalHandle, query: string, limit: number): Promise<ExecutionSummary[]> {
  const out: ExecutionSummary[] = [];
  try {
    for await (const wf of h.client.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
      out.push({
        workflowId: wf.workflowId,
        runId: wf.runId,
        type: wf.type,
        status: wf.status.name === 'CANCELLED' ? 'CANCELED' : wf.status.name,
        taskQueue: wf.taskQueue,
        startTime: wf.startTime.toISOString(),
        closeTime: wf.closeTime?.toISOString(),
      });
      if (out.length >= limit) break; // list() pages forever otherwise
    }
  } catch (err) {
    throw mapTemporalError(err, { address: h.address, namespace: h.namespace });
  }
  return out;
}

/** The newest execution started at or after `since` (optionally on one task queue). */
export async function newestStartedSince(h: TemporalHandle, since: Date, taskQueue?: string): Promise<ExecutionSummary | undefined> {
  // Visibility times have second precision on some stores: look a second back.
  const from = new Date(since.getTime() - 1000).toISOString();
  const parts = [`StartTime >= ${quoteValue(from)}`];
  if (taskQueue) parts.push(`TaskQueue = ${quoteValue(taskQueue)}`);
  const found = await listExecutions(h, parts.join(' AND '), 20);
  return found.sort((a, b) => b.startTime.localeCompare(a.startTime))[0];
}
