import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workflowIdFromOutput } from '../../src/processes/starter.js';
import { taskQueueFromLog } from '../../src/processes/worker.js';
import { identityPid, matchesWorkerCommand } from '../../src/processes/worker-find.js';
import { errorShapedReason } from '../../src/diagnosis/error-result.js';
import { quoteValue } from '../../src/temporal/visibility.js';
import { parseAddress } from '../../src/temporal/connection.js';
import { normalizeStatus, failureChain } from '../../src/temporal/workflows.js';

describe('workflow id from starter output', () => {
  const cases: [string, string | undefined][] = [
    ['Started workflow greeting-1a2b (run 01a2-...)', 'greeting-1a2b'],
    ['Started workflow: order-7', 'order-7'],
    ['workflow_id=abc-1 run_id=x', 'abc-1'],
    ['Workflow ID: pay_42', 'pay_42'],
    ['INFO started workflow GreetingWorkflow with id hello-9', 'hello-9'],
    ["{'workflow_id': 'dict-1'}", 'dict-1'],
    ['Workflow hello-3 started', 'hello-3'],
    ['Result: Hello, Temporal!', undefined],
    ['Connecting to localhost:7233', undefined],
  ];
  for (const [line, id] of cases) {
    it(`reads ${JSON.stringify(line)}`, () => assert.equal(workflowIdFromOutput(line)?.workflowId, id));
  }
  it('reads the run id on the same line', () => {
    const r = workflowIdFromOutput('Started workflow w-1 (run 01a22604-8abb-70bb-be2e-dd62d15dc3bd)');
    assert.equal(r?.runId, '01a22604-8abb-70bb-be2e-dd62d15dc3bd');
  });
});

describe('worker identification', () => {
  it('matches the worker command by argv, and the script run by python', () => {
    assert.ok(matchesWorkerCommand(['uv', 'run', 'worker'], ['uv', 'run', 'worker'], '/p'));
    assert.ok(matchesWorkerCommand(['/usr/bin/uv', 'run', 'worker'], ['uv', 'run', 'worker'], '/p'));
    assert.ok(matchesWorkerCommand(['/p/.venv/bin/python3', '/p/.venv/bin/worker'], ['uv', 'run', 'worker'], '/p'));
    assert.ok(!matchesWorkerCommand(['uv', 'run', 'starter'], ['uv', 'run', 'worker'], '/p'));
    assert.ok(!matchesWorkerCommand(['python3', '/elsewhere/worker'], ['uv', 'run', 'worker'], '/p'));
    assert.ok(!matchesWorkerCommand(['vim', 'worker.py'], ['uv', 'run', 'worker'], '/p'));
  });
  it('reads the pid from the SDK default identity and the task queue from the log line', () => {
    assert.equal(identityPid('4242@host'), 4242);
    assert.equal(identityPid('my-worker'), undefined);
    assert.equal(taskQueueFromLog('x\nWorker started, listening on task queue: hello-tasks\n'), 'hello-tasks');
    assert.equal(taskQueueFromLog('listening on task queue "orders.v2"'), 'orders.v2');
    assert.equal(taskQueueFromLog('nothing here'), undefined);
  });
});

describe('error-shaped results', () => {
  const cases: [unknown, boolean][] = [
    [{ status: 'error', message: 'x' }, true],
    [{ status: 'FAILED' }, true],
    [{ error: 'boom' }, true],
    [{ error: null, value: 1 }, false],
    [{ errors: [] }, false],
    [{ errors: ['a'] }, true],
    [{ success: false }, true],
    ['Error: could not connect', true],
    ['Traceback (most recent call last):', true],
    ['Hello, Error!', false],
    [{ status: 'ok', data: { nested: { status: 'error' } } }, false],
    [{ data: { status: 'error' } }, true],
    [42, false],
    [null, false],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} → ${expected}`, () => assert.equal(Boolean(errorShapedReason(value)), expected));
  }
});

describe('small parsers', () => {
  it('quotes visibility values', () => {
    assert.equal(quoteValue('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(quoteValue('x\ny'), '"x\\ny"');
  });
  it('parses addresses', () => {
    assert.deepEqual(parseAddress('localhost:7233'), { host: 'localhost', port: 7233 });
    assert.deepEqual(parseAddress('[::1]:7233'), { host: '::1', port: 7233 });
    assert.throws(() => parseAddress('nope'), /invalid address/);
  });
  it('normalizes statuses', () => {
    assert.equal(normalizeStatus('CANCELLED'), 'CANCELED');
    assert.equal(normalizeStatus('WORKFLOW_EXECUTION_STATUS_RUNNING'), 'RUNNING');
  });
  it('walks a failure cause chain', () => {
    const chain = failureChain({
      message: 'Activity task failed',
      activityFailureInfo: { activityType: { name: 'charge' } },
      cause: { message: 'declined', applicationFailureInfo: { type: 'CardError', nonRetryable: true } },
    });
    assert.deepEqual(
      chain.map((f) => f.type),
      ['ActivityError(charge)', 'CardError'],
    );
    assert.equal(chain[1]?.nonRetryable, true);
  });
});
