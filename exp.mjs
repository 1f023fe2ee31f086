import { Connection, Client } from '@temporalio/client';
const c = await Connection.connect({ address: '127.0.0.1:17600' });
const cl = new Client({ connection: c });
const starts = [];
for (let i = 0; i < 500; i++) {
  const type = i === 0 ? 'BrokenWorkflow' : i <= 20 ? 'FailingActivityWorkflow' : 'ApprovalWorkflow';
  starts.push(() => cl.workflow.start(type, { taskQueue: 'monitor', workflowId: `exp-${i}`, args: type === 'FailingActivityWorkflow' ? [`o-${i}`] : [] }));
}
for (let i = 0; i < starts.length; i += 50) await Promise.all(starts.slice(i, i + 50).map((f) => f()));
await c.close();
