// Temporal errors are recognised by the SDK's classes and gRPC status codes anywhere along the cause
// chain (the SDK wraps the gRPC error, and callers wrap the SDK's), never by the outer message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NamespaceNotFoundError,
  QueryNotRegisteredError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ConnectionError, ErrorCodes, NotFoundError } from '../../src/errors.js';
import {
  GrpcStatus,
  isDeadlineExceeded,
  mapTemporalError,
  queryFailure,
  updateFailure,
} from '../../src/temporal/errors.js';

const where = { address: 'localhost:7233', namespace: 'default' };

/** A gRPC error as @grpc/grpc-js makes it: a code, the server's details, "N NAME: details" as the message. */
function grpcError(code: number, details: string): Error & { code: number; details: string } {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

/** Wrapped the way a caller wraps: an outer error whose message says nothing about the cause. */
const wrapped = (cause: unknown) => new Error('something went wrong', { cause });

describe('Temporal errors along the cause chain', () => {
  it('UNAVAILABLE two causes deep is the server being unreachable', () => {
    const err = wrapped(
      new ServiceError('Failed to describe', { cause: grpcError(GrpcStatus.UNAVAILABLE, 'No connection') }),
    );
    const mapped = mapTemporalError(err, where);
    assert.ok(mapped instanceof ConnectionError, mapped.message);
    assert.match(mapped.message, /localhost:7233/);
  });

  it('NOT_FOUND deep in the chain names the workflow; the SDK classes name it too', () => {
    const deep = mapTemporalError(wrapped(wrapped(grpcError(GrpcStatus.NOT_FOUND, 'workflow not found'))), {
      ...where,
      workflowId: 'order-7',
    });
    assert.ok(deep instanceof NotFoundError);
    assert.equal(deep.message, 'workflow order-7 not found in namespace default');
    const sdk = mapTemporalError(wrapped(new WorkflowNotFoundError('not found', 'order-8', undefined)), {
      ...where,
      workflowId: 'order-8',
    });
    assert.equal(sdk.message, 'workflow order-8 not found in namespace default');
    const ns = mapTemporalError(wrapped(new NamespaceNotFoundError('prod')), { ...where, namespace: 'prod' });
    assert.equal(ns.message, 'namespace prod not found at localhost:7233');
  });

  it("shows the server's details, one line, for a code it has no words of its own for", () => {
    const mapped = mapTemporalError(wrapped(grpcError(GrpcStatus.INVALID_ARGUMENT, 'bad query\nsecond line')), where);
    assert.equal(mapped.message, 'Temporal rejected the request: bad query');
    assert.equal(mapped.code, ErrorCodes.usage);
  });

  it('a deadline is a deadline at any depth; other codes are not', () => {
    assert.equal(isDeadlineExceeded(wrapped(wrapped(grpcError(GrpcStatus.DEADLINE_EXCEEDED, 'deadline')))), true);
    assert.equal(isDeadlineExceeded(wrapped(grpcError(GrpcStatus.UNAVAILABLE, 'deadline exceeded'))), false);
  });

  it("a failed query: the SDK's class or INVALID_ARGUMENT, then the worker's words tell no handler from a raise", () => {
    const noHandler = queryFailure(
      wrapped(
        new QueryNotRegisteredError(
          "Query handler for 'stauts' expected but not found, known queries: [__stack_trace status]",
          GrpcStatus.INVALID_ARGUMENT,
        ),
      ),
    );
    assert.deepEqual(noHandler, {
      noHandler: true,
      message: "Query handler for 'stauts' expected but not found, known queries: [__stack_trace status]",
    });
    const raised = queryFailure(grpcError(GrpcStatus.INVALID_ARGUMENT, 'ValueError: no order yet'));
    assert.deepEqual(raised, { noHandler: false, message: 'ValueError: no order yet' });
    assert.equal(queryFailure(wrapped(grpcError(GrpcStatus.UNAVAILABLE, 'not found'))), undefined);
  });

  it("a failed update is the handler's own message, wrapped or not", () => {
    const failed = new WorkflowUpdateFailedError('Workflow Update failed', new Error('note too long'));
    assert.equal(updateFailure(failed), 'note too long');
    assert.equal(updateFailure(wrapped(failed)), 'note too long');
    assert.equal(updateFailure(wrapped(grpcError(GrpcStatus.NOT_FOUND, 'WorkflowUpdateFailedError'))), undefined);
  });
});
