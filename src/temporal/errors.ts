// Classifies errors from @temporalio/client once, at the boundary: gRPC codes and SDK classes
// become tshell errors with a one-line message and a hint.
import { ConnectionError, NotFoundError, TshellError, ErrorCodes, isAbortError, InterruptedError } from '../errors.js';

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
  if (name === 'WorkflowNotFoundError' || (e.code === 5 && where.workflowId && /workflow/i.test(message))) {
    return new NotFoundError(
      `workflow ${where.workflowId ?? ''} not found in namespace ${where.namespace}`,
      'check the id with `recent`, or pass --namespace',
    );
  }
  if (name === 'NamespaceNotFoundError' || (e.code === 5 && /namespace/i.test(message))) {
    return new NotFoundError(`namespace ${where.namespace} not found at ${where.address}`, 'pass --namespace');
  }
  if (e.code === 14 || /ECONNREFUSED|UNAVAILABLE|No connection established/i.test(message)) {
    return new ConnectionError(where.address, 'unavailable');
  }
  if (e.code === 4) return new TshellError(`Temporal did not answer in time: ${message}`, ErrorCodes.connection, 'is the server overloaded? retry');
  if (e.code === 3) return new TshellError(`Temporal rejected the request: ${message}`, ErrorCodes.usage);
  if (e.code === 6) return new TshellError(`already exists: ${message}`, ErrorCodes.usage, 'use another --id');
  if (e.code === 5) return new NotFoundError(message);
  return new TshellError(message, ErrorCodes.internal, 'rerun with TSHELL_DEBUG=1 for details');
}
