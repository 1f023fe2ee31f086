// Visibility queries. Every user value is quoted and escaped, never pasted into a query raw.
import type { TemporalHandle } from './connection.js';
import { mapTemporalError } from './errors.js';
import { tsToIso } from './time.js';
import { enumName, loadEnums } from './enums.js';
import { normalizeStatus } from './workflows.js';

/**
 * Characters the server's query parser does not round-trip (checked on the dev server: an escaped
 * quote or backslash matches nothing). Values holding them are matched here instead of on the server.
 */
export const UNSAFE_IN_QUERY = /["'\\\n\r`]/;

/** The part of a value before the first character the server cannot take. */
export function safePrefix(value: string): string {
  const i = value.search(UNSAFE_IN_QUERY);
  return i < 0 ? value : value.slice(0, i);
}

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
  await loadEnums();
  let nextPageToken: Uint8Array | undefined;
  try {
    // Raw pages (the SDK's list() decodes memo and search attributes of every row, and pages forever).
    do {
      const res = await h.connection.workflowService.listWorkflowExecutions({ namespace: h.namespace, query, pageSize: Math.min(limit - out.length, 1000), nextPageToken });
      for (const wf of res.executions ?? []) {
        if (out.length >= limit) break;
        out.push({
          workflowId: wf.execution?.workflowId ?? '',
          runId: wf.execution?.runId ?? '',
          type: wf.type?.name ?? '',
          status: normalizeStatus(enumName(wf.status, 'WORKFLOW_EXECUTION_STATUS_')),
          taskQueue: wf.taskQueue ?? '',
          startTime: tsToIso(wf.startTime) ?? '',
          closeTime: tsToIso(wf.closeTime),
        });
      }
      nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
    } while (nextPageToken && out.length < limit);
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
  if (taskQueue && !UNSAFE_IN_QUERY.test(taskQueue)) parts.push(`TaskQueue = ${quoteValue(taskQueue)}`);
  const found = (await listExecutions(h, parts.join(' AND '), 50)).filter((e) => !taskQueue || e.taskQueue === taskQueue);
  return found.sort((a, b) => b.startTime.localeCompare(a.startTime))[0];
}
