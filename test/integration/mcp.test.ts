// `tshell mcp` driven by the MCP SDK's own client over stdio, against a real dev server and the
// example project's real worker: the same commands and safety rules as a person.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN, HELLO, cleanup, makeEnv, type Env } from '../helpers/tshell.js';

interface Reply {
  content: { type: string; text: string }[];
  isError?: boolean;
}

describe('tshell mcp', () => {
  let env: Env;
  let client: Client;
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const r = (await client.callTool({ name, arguments: args }, undefined, { timeout: 180_000 })) as Reply;
    return { isError: Boolean(r.isError), body: JSON.parse(r.content[0]?.text ?? 'null') as Record<string, unknown> & { data?: Record<string, unknown> } };
  };

  before(async () => {
    env = await makeEnv();
    client = new Client({ name: 'tshell-test', version: '1.0.0' });
    const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), ...env.env };
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, ...['mcp']], cwd: HELLO, env: childEnv, stderr: 'ignore' }));
  });
  after(async () => {
    await client?.close();
    await cleanup(env);
  });

  it('lists every registry command as a tool with a schema from its flags', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of ['ensure-server', 'ensure-worker', 'start', 'wait', 'diagnose', 'terminate', 'recent']) assert.ok(names.includes(n), n);
    assert.ok(!names.includes('wizard') && !names.includes('mcp'));
    const wait = tools.find((t) => t.name === 'wait');
    const props = (wait?.inputSchema.properties ?? {}) as Record<string, { type?: string; enum?: string[] }>;
    assert.equal(props.timeout?.type, 'number');
    assert.ok(props.status?.enum?.includes('COMPLETED'));
    assert.match(tools.find((t) => t.name === 'terminate')?.description ?? '', /destructive/);
  });

  it('runs the loop: ensure-server, ensure-worker, start, wait, diagnose; terminate needs confirm', async () => {
    const server = await call('ensure-server', { headless: true });
    assert.equal(server.isError, false, JSON.stringify(server.body));
    assert.equal(server.body.data?.address, env.address);
    const worker = await call('ensure-worker');
    assert.equal(worker.isError, false, JSON.stringify(worker.body));
    const started = await call('start');
    assert.equal(started.isError, false, JSON.stringify(started.body));
    const id = String(started.body.data?.workflowId);
    // The session carries the current workflow across calls, as in the REPL.
    const waited = await call('wait', { status: 'COMPLETED', timeout: 60 });
    assert.equal(waited.body.data?.workflowId, id);
    assert.equal(waited.body.data?.reached, true, JSON.stringify(waited.body));
    const diagnosed = await call('diagnose');
    const findings = diagnosed.body.data?.findings as { class: string }[];
    assert.equal(findings[0]?.class, 'healthy');

    const waiting = await call('start', { type: 'ApprovalWorkflow', 'task-queue': 'hello-tasks', input: ['Ada'] });
    const waitingId = String(waiting.body.data?.workflowId);
    const refused = await call('terminate', { id: waitingId });
    assert.equal(refused.body.needsConfirmation, true, JSON.stringify(refused.body));
    assert.match(String(refused.body.preview), new RegExp(waitingId));
    const still = await call('describe', { id: waitingId });
    assert.equal(still.body.data?.status, 'RUNNING');
    const done = await call('terminate', { id: waitingId, confirm: true });
    assert.equal(done.body.data?.after, 'TERMINATED', JSON.stringify(done.body));
  });

  it('reports a bad call as a tool error with code and hint, and serves the history as a resource', async () => {
    const bad = await call('result', { id: 'no-such-workflow-xyz' });
    assert.equal(bad.isError, true);
    const error = bad.body.error as { code: string; message: string; hint?: string };
    assert.match(error.message, /not found/);
    assert.ok(error.hint);
    const started = await call('start', { type: 'GreetingWorkflow', 'task-queue': 'hello-tasks', input: ['Bo'] });
    const id = String(started.body.data?.workflowId);
    await call('wait', { id, status: 'COMPLETED', timeout: 60 });
    const res = await client.readResource({ uri: `tshell://history/${id}` });
    const history = JSON.parse(String((res.contents[0] as { text: string }).text)) as { events: { type: string }[] };
    assert.ok(history.events.some((e) => e.type === 'WorkflowExecutionCompleted'), JSON.stringify(history).slice(0, 300));
  });
});
