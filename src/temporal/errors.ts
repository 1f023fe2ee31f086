// Classifies errors from @temporalio/client once, at the boundary: gRPC codes and SDK classes
// become tshell errors with a one-line message and a hint.
import { ConnectionError, NotFoundError, TshellError, ErrorCodes, isAbortError, InterruptedError } from '../errors.js';

/**
 * gRPC status codes by name (the values of @grpc/grpc-js's `status` enum, written out so that
 * classifying an error does not load the gRPC library).
 */
export const GrpcStatus = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
} as const;

interface GrpcLike {
  code?: number | string;
  details?: string;
  message?: string;
  name?: string;
  cause?: unknown;
}

/** The error and its causes, outermost first (the SDK wraps the gRPC error as a cause). */
function* causes(err: unknown): Generator<GrpcLike> {
  const seen = new Set<unknown>();
  for (let e = err; e && typeof e === 'object' && !seen.has(e); e = (e as GrpcLike).cause) {
    seen.add(e);
    yield e as GrpcLike;
  }
}

/** The first gRPC status code along the cause chain. */
export function grpcCode(err: unknown): number | undefined {
  for (const e of causes(err)) if (typeof e.code === 'number') return e.code;
  return undefined;
}

/** An SDK error class (or a system error code such as ECONNREFUSED) anywhere along the chain. */
export function hasName(err: unknown, ...names: string[]): boolean {
  for (const e of causes(err))
    if (names.includes(e.name ?? '') || (typeof e.code === 'string' && names.includes(e.code))) return true;
  return false;
}

export function mapTemporalError(
  err: unknown,
  where: { address: string; namespace: string; workflowId?: string },
): TshellError {
  if (err instanceof TshellError) return err;
  if (isAbortError(err)) return new InterruptedError();
  const e = (err ?? {}) as GrpcLike;
  const code = grpcCode(err);
  // Shown, never matched: what the server said, in one line.
  const inner = [...causes(err)].find((c) => typeof c.code === 'number') ?? e;
  const message = (inner.details || e.message || String(err)).split('\n')[0] ?? '';
  if (hasName(err, 'NamespaceNotFoundError'))
    return new NotFoundError(`namespace ${where.namespace} not found at ${where.address}`, 'pass --namespace');
  if (hasName(err, 'WorkflowNotFoundError') || (code === GrpcStatus.NOT_FOUND && where.workflowId)) {
    return new NotFoundError(
      `workflow ${where.workflowId ?? ''} not found in namespace ${where.namespace}`,
      'check the id with `recent`, or pass --namespace',
    );
  }
  if (code === GrpcStatus.UNAVAILABLE || hasName(err, 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND'))
    return new ConnectionError(where.address, 'unavailable');
  if (code === GrpcStatus.DEADLINE_EXCEEDED)
    return new TshellError(
      `Temporal did not answer in time: ${message}`,
      ErrorCodes.connection,
      'is the server overloaded? retry',
    );
  if (code === GrpcStatus.INVALID_ARGUMENT)
    return new TshellError(`Temporal rejected the request: ${message}`, ErrorCodes.usage);
  if (code === GrpcStatus.ALREADY_EXISTS)
    return new TshellError(`already exists: ${message}`, ErrorCodes.usage, 'use another --id');
  if (code === GrpcStatus.NOT_FOUND) return new NotFoundError(message);
  return new TshellError(message, ErrorCodes.internal, 'rerun with TSHELL_DEBUG=1 for details');
}

/** The call ran out of its deadline (a gRPC DEADLINE_EXCEEDED anywhere along the cause chain). */
export function isDeadlineExceeded(err: unknown): boolean {
  return grpcCode(err) === GrpcStatus.DEADLINE_EXCEEDED || hasName(err, 'TimeoutError');
}

/** The first error along the cause chain that passes the test. */
function findCause(err: unknown, test: (e: GrpcLike) => boolean): GrpcLike | undefined {
  for (const e of causes(err)) if (test(e)) return e;
  return undefined;
}

/** The Python SDK's words for a query no handler takes (the worker's failure, carried by the server). */
const NO_QUERY_HANDLER = /expected but not found|unknown queryType/i;

/**
 * A query the worker answered with a failure: the server's QueryFailed is INVALID_ARGUMENT, which the
 * SDK turns into QueryNotRegisteredError whatever the cause. Recognised by that class or code anywhere
 * along the chain; the worker's own message then tells a missing handler from a handler that raised.
 */
export function queryFailure(err: unknown): { noHandler: boolean; message: string } | undefined {
  const failed = findCause(err, (e) => e.name === 'QueryNotRegisteredError' || e.code === GrpcStatus.INVALID_ARGUMENT);
  if (!failed) return undefined;
  const message = (failed.details || failed.message || '').replace(/^3 INVALID_ARGUMENT: /, '').split('\n')[0] ?? '';
  return { noHandler: NO_QUERY_HANDLER.test(message), message: message.trim() };
}

/** The update ran and its handler failed (the SDK's WorkflowUpdateFailedError, anywhere along the chain): its message. */
export function updateFailure(err: unknown): string | undefined {
  const failed = findCause(err, (e) => e.name === 'WorkflowUpdateFailedError');
  if (!failed) return undefined;
  const cause = failed.cause as GrpcLike | undefined;
  return cause?.message ?? failed.message ?? '';
}
