// Visibility queries. Every user value is quoted and escaped, never pasted into a query raw.
import { UsageError } from '../errors.js';
import type { TemporalHandle } from './connection.js';
import { mapTemporalError } from './errors.js';
import { tsToIso } from './time.js';
import { enumName, loadEnums, normalizeStatus } from './enums.js';

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
  for await (const page of listExecutionPages(h, query, limit)) out.push(...page);
  return out;
}

/**
 * The same rows page by page, so a caller can work on the first rows while the server reads the
 * rest. `firstPage` asks for a smaller first page: the server sorts before it answers, so a
 * small page comes back sooner (checked on the dev server: 100 rows in ~30 ms, 1,000 in ~300 ms).
 */
export async function* listExecutionPages(
  h: TemporalHandle,
  query: string,
  limit: number,
  firstPage = 1000,
): AsyncGenerator<ExecutionSummary[]> {
  await loadEnums();
  let nextPageToken: Uint8Array | undefined;
  let listed = 0;
  let pageSize = Math.min(firstPage, 1000);
  do {
    let res;
    try {
      // Raw pages (the SDK's list() decodes memo and search attributes of every row, and pages forever).
      res = await h.connection.workflowService.listWorkflowExecutions({
        namespace: h.namespace,
        query,
        pageSize: Math.min(limit - listed, pageSize),
        nextPageToken,
      });
    } catch (err) {
      throw mapTemporalError(err, { address: h.address, namespace: h.namespace });
    }
    const page: ExecutionSummary[] = [];
    for (const wf of res.executions ?? []) {
      if (listed + page.length >= limit) break;
      page.push({
        workflowId: wf.execution?.workflowId ?? '',
        runId: wf.execution?.runId ?? '',
        type: wf.type?.name ?? '',
        status: normalizeStatus(enumName(wf.status, 'WORKFLOW_EXECUTION_STATUS_')),
        taskQueue: wf.taskQueue ?? '',
        startTime: tsToIso(wf.startTime) ?? '',
        closeTime: tsToIso(wf.closeTime),
      });
    }
    listed += page.length;
    if (page.length) yield page;
    nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
    pageSize = 1000;
  } while (nextPageToken && listed < limit);
}

/** A group value of a count: the server sends payloads (json/plain `"Running"`, binary/null). */
function groupValue(p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }): string {
  const encoding = p.metadata?.encoding ? new TextDecoder().decode(p.metadata.encoding) : '';
  if (encoding === 'binary/null' || !p.data) return '(none)';
  const text = new TextDecoder().decode(p.data);
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return text;
  }
}

/** How many executions match, and per group with `GROUP BY` in the query (statuses as tshell spells them). */
export async function countExecutions(
  h: TemporalHandle,
  query: string,
): Promise<{ count: number; groups: { value: string; count: number }[] }> {
  let res;
  try {
    res = await h.connection.workflowService.countWorkflowExecutions({ namespace: h.namespace, query });
  } catch (err) {
    throw mapTemporalError(err, { address: h.address, namespace: h.namespace });
  }
  const byStatus = /\bGROUP\s+BY\s+ExecutionStatus\b/i.test(query);
  const groups = (res.groups ?? []).map((g) => {
    const value = (g.groupValues ?? []).map(groupValue).join(', ');
    return { value: byStatus ? normalizeStatus(value) : value, count: Number(g.count ?? 0) };
  });
  return { count: Number(res.count ?? 0), groups };
}

/** The newest execution started at or after `since` (optionally on one task queue). */
export async function newestStartedSince(
  h: TemporalHandle,
  since: Date,
  taskQueue?: string,
): Promise<ExecutionSummary | undefined> {
  // Visibility times have second precision on some stores: look a second back.
  const from = new Date(since.getTime() - 1000).toISOString();
  const parts = [`StartTime >= ${quoteValue(from)}`];
  if (taskQueue && !UNSAFE_IN_QUERY.test(taskQueue)) parts.push(`TaskQueue = ${quoteValue(taskQueue)}`);
  const found = (await listExecutions(h, parts.join(' AND '), 50)).filter(
    (e) => !taskQueue || e.taskQueue === taskQueue,
  );
  return found.sort((a, b) => b.startTime.localeCompare(a.startTime))[0];
}

const STATUS_QUERY: Record<string, string> = {
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELED: 'Canceled',
  TERMINATED: 'Terminated',
  CONTINUED_AS_NEW: 'ContinuedAsNew',
  TIMED_OUT: 'TimedOut',
};

/** `ExecutionStatus = "Running"` for a status as the CLI spells it. */
export function statusClause(status: string): string {
  return `ExecutionStatus = ${quoteValue(STATUS_QUERY[status] ?? status)}`;
}

/** The start of a look-back window of `minutes` (at most 100 years: a Date has a range). */
export function startedSince(minutes: number): string {
  if (!(minutes > 0) || minutes > 52_560_000)
    throw new UsageError(`--minutes must be between 0 and 52560000 (100 years), not ${minutes}`);
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

/** `prefix*` (no other wildcard) can be asked of the server; anything else is matched here. */
export function globToQuery(glob: string): { prefix?: string; regex: RegExp } {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${body}$`);
  // The literal start of the glob goes to the server (up to any character it cannot take); the
  // regular expression decides. So the server narrows, and never widens or breaks, the match.
  const literal = safePrefix(/^[^*?[\]]*/.exec(glob)?.[0] ?? '');
  return literal ? { prefix: literal, regex } : { regex };
}
