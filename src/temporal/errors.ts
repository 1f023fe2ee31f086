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
  UNAVAILABLE: 14,
} as const;

interface GrpcLike {
  code?: number;
  details?: string;
  message?: string;
  name?: string;
}

export function mapTemporalError(err: unknown, where: { address: string; namespace: string; workflowId?: string }): TshellError {
  if (err instanceof TshellError) return err;
  if (isAbortError(err)) return new InterruptedError();
  const e = (err ?? {}) as GrpcLike;
  const name = e.name ?? '';
  const message = (e.details || e.message || String(err)).split('\n')[0] ?? '';
  if (name === 'WorkflowNotFoundError' || (e.code === GrpcStatus.NOT_FOUND && where.workflowId && /workflow/i.test(message))) {
    return new NotFoundError(
      `workflow ${where.workflowId ?? ''} not found in namespace ${where.namespace}`,
      'check the id with `recent`, or pass --namespace',
    );
  }
  if (name === 'NamespaceNotFoundError' || (e.code === GrpcStatus.NOT_FOUND && /namespace/i.test(message))) {
    return new NotFoundError(`namespace ${where.namespace} not found at ${where.address}`, 'pass --namespace');
  }
  if (e.code === GrpcStatus.UNAVAILABLE || /ECONNREFUSED|UNAVAILABLE|No connection established/i.test(message)) {
    return new ConnectionError(where.address, 'unavailable');
  }
  if (e.code === GrpcStatus.DEADLINE_EXCEEDED) return new TshellError(`Temporal did not answer in time: ${message}`, ErrorCodes.connection, 'is the server overloaded? retry');
  if (e.code === GrpcStatus.INVALID_ARGUMENT) return new TshellError(`Temporal rejected the request: ${message}`, ErrorCodes.usage);
  if (e.code === GrpcStatus.ALREADY_EXISTS) return new TshellError(`already exists: ${message}`, ErrorCodes.usage, 'use another --id');
  if (e.code === GrpcStatus.NOT_FOUND) return new NotFoundError(message);
  return new TshellError(message, ErrorCodes.internal, 'rerun with TSHELL_DEBUG=1 for details');
}

/** The call ran out of its deadline (its own code, or wrapped by the SDK as the cause). */
export function isDeadlineExceeded(err: unknown): boolean {
  const e = (err ?? {}) as GrpcLike & { cause?: GrpcLike };
  if (e.code === GrpcStatus.DEADLINE_EXCEEDED || e.cause?.code === GrpcStatus.DEADLINE_EXCEEDED) return true;
  return /deadline|timed out/i.test(`${e.message ?? ''} ${e.cause?.details ?? ''}`);
}

/** The workflow has no handler for the query: the server's or SDK's message, else undefined. */
export function isQueryNotRegistered(err: unknown): string | undefined {
  const e = (err ?? {}) as GrpcLike & { cause?: GrpcLike };
  const text = `${e.message ?? ''} ${e.cause?.details ?? ''}`;
  if (e.name === 'QueryNotRegisteredError' || /unknown queryType|not registered|query handler|KnownQueryTypes/i.test(text)) return text.split('\n')[0]?.trim() ?? '';
  return undefined;
}

/** The update ran and its handler failed (the SDK's WorkflowUpdateFailedError): its message. */
export function updateFailure(err: unknown): string | undefined {
  const e = (err ?? {}) as GrpcLike & { cause?: { message?: string } };
  return e.name === 'WorkflowUpdateFailedError' ? (e.cause?.message ?? e.message ?? '') : undefined;
}
