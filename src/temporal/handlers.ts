// Asking a running workflow about itself: the handlers it declares (the Python SDK's built-in
// metadata query) and queries with a short deadline, so "no worker" is one clear line, not a hang.
import { ErrorCodes, ExitCode, TshellError } from '../errors.js';
import type { TemporalHandle } from './connection.js';
import { isDeadlineExceeded, mapTemporalError, queryFailure } from './errors.js';
import { isLiveNow, pollersOf, type PidAlive } from './task-queue.js';

export interface Handlers {
  signals: string[];
  queries: string[];
  updates: string[];
}

/** The handlers the workflow declares, from the Python SDK's built-in metadata query. */
export async function workflowHandlers(
  h: TemporalHandle,
  workflowId: string,
  runId: string,
  seconds = 3,
): Promise<Handlers | undefined> {
  try {
    const meta = (await rawJsonQuery(h, workflowId, runId, '__temporal_workflow_metadata', seconds)) as Record<
      string,
      Record<string, { name?: string }[] | undefined> | undefined
    > | null;
    if (!meta) return undefined;
    const def = meta.definition ?? {};
    const names = (key: string, snake: string) =>
      ((def[key] ?? def[snake] ?? []) as { name?: string }[]).map((d) => d.name ?? '');
    return {
      signals: names('signalDefinitions', 'signal_definitions'),
      queries: names('queryDefinitions', 'query_definitions'),
      updates: names('updateDefinitions', 'update_definitions'),
    };
  } catch {
    return undefined;
  }
}

/**
 * A query answered with JSON, read as it is: the SDK's converter knows json/plain and binary, while the
 * Python SDK's built-in queries (`__temporal_workflow_metadata`, `__enhanced_stack_trace`) answer
 * json/protobuf, the proto message as JSON text.
 */
async function rawJsonQuery(
  h: TemporalHandle,
  workflowId: string,
  runId: string,
  name: string,
  seconds: number,
): Promise<unknown> {
  const res = await h.connection.withDeadline(Date.now() + seconds * 1000, () =>
    h.connection.workflowService.queryWorkflow({
      namespace: h.namespace,
      execution: { workflowId, runId },
      query: { queryType: name },
    }),
  );
  const data = res.queryResult?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString('utf8')) as unknown) : null;
}

/** A query with a short deadline: "no worker" becomes one clear line instead of a long hang. */
export async function queryWithDeadline(
  h: TemporalHandle,
  target: { workflowId: string; runId: string; taskQueue: string },
  name: string,
  queryArgs: unknown[],
  opts: { seconds: number; signal: AbortSignal; pidAlive: PidAlive },
): Promise<unknown> {
  const { workflowId, runId, taskQueue } = target;
  const { seconds } = opts;
  const noWorker = () =>
    new TshellError(
      `no worker answered the ${name} query within ${seconds} s`,
      ErrorCodes.process,
      `is a worker polling task queue ${taskQueue}? (\`ensure-worker\`, \`task-queue ${taskQueue}\`)`,
    );
  // Without a live poller nothing can answer: say so at once instead of waiting out the deadline.
  const pollers = await pollersOf(h, taskQueue, 'workflow').catch(() => undefined);
  if (pollers && !pollers.some((p) => isLiveNow(p, opts.pidAlive))) {
    throw new TshellError(
      `no worker polls task queue ${taskQueue}: nothing can answer the ${name} query`,
      ErrorCodes.process,
      'start one with `ensure-worker`',
    );
  }
  const handle = h.client.workflow.getHandle(workflowId, runId);
  // Built-in queries (`__…`, no arguments) are read as JSON directly; the project's own go through the SDK.
  const ask =
    name.startsWith('__') && queryArgs.length === 0
      ? () => rawJsonQuery(h, workflowId, runId, name, seconds)
      : () => h.connection.withDeadline(Date.now() + seconds * 1000, () => handle.query(name, ...queryArgs));
  try {
    return await h.connection.withAbortSignal(opts.signal, ask);
  } catch (err) {
    if (isDeadlineExceeded(err)) throw noWorker();
    const failed = queryFailure(err);
    if (failed?.noHandler)
      throw new TshellError(`the workflow has no query named ${name}`, ErrorCodes.usage, failed.message);
    if (failed)
      throw new TshellError(`query ${name} failed: ${failed.message}`, ErrorCodes.usage, undefined, ExitCode.failure);
    throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId });
  }
}
