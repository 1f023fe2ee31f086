// Monitoring and acting on workflows against a real dev server and the `monitor` fixture worker:
// a workflow waiting for a signal, a failing activity, a failing workflow task, an activity that no
// worker polls, and one that completes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tshellLive } from '../helpers/live.js';
import {
  cleanup,
  declaredJson,
  eventually,
  FIXTURES,
  makeEnv,
  noStackTrace,
  tshell,
  type Env,
  type RunResult,
} from '../helpers/tshell.js';

const PROJECT = join(FIXTURES, 'monitor');

interface Started {
  workflowId: string;
  runId: string;
}
interface Stalled {
  checked: number;
  waiting: number;
  stalled: { workflowId: string; reasons: { kind: string; text: string }[] }[];
}

describe('monitoring and acting on workflows', () => {
  let env: Env;
  const run = (args: string[], input?: string): Promise<RunResult> =>
    tshell(args, { env: env.env, cwd: PROJECT, input });
  const start = async (type: string, ...input: string[]): Promise<string> => {
    const r = await run([
      'start',
      '--type',
      type,
      '--task-queue',
      'monitor',
      ...input.flatMap((i) => ['--input', i]),
      '--json',
    ]);
    assert.equal(r.exitCode, 0, r.stderr);
    return (await declaredJson<Started>('start', r)).workflowId;
  };
  const ids = { approval: '', failing: '', broken: '', unpolled: '' };

  before(async () => {
    env = await makeEnv();
    assert.equal((await run(['ensure-server', '--headless'])).exitCode, 0);
    const w = await run(['ensure-worker', '--json']);
    assert.equal(w.exitCode, 0, w.stderr);
    await declaredJson('ensure-worker', w);
    ids.approval = await start('ApprovalWorkflow');
    ids.failing = await start('FailingActivityWorkflow', '"order-1"');
    ids.broken = await start('BrokenWorkflow');
    ids.unpolled = await start('UnpolledActivityWorkflow');
  });
  after(async () => cleanup(env));

  it('stalled lists exactly the 3 stalled workflows, each with its reason, not the one waiting for a signal', async () => {
    const data = await eventually(
      async () => {
        const r = await run(['stalled', '--json']);
        const d = await declaredJson<Stalled>('stalled', r);
        const kinds = d.stalled.flatMap((s) => s.reasons.map((x) => x.kind));
        return d.stalled.length === 3 && kinds.includes('activity-failing') && kinds.includes('workflow-task-failing')
          ? d
          : undefined;
      },
      40_000,
      'three stalled workflows',
    );
    const byId = new Map(data.stalled.map((s) => [s.workflowId, s.reasons]));
    assert.deepEqual([...byId.keys()].sort(), [ids.broken, ids.failing, ids.unpolled].sort());
    assert.match(
      byId.get(ids.failing)?.[0]?.text ?? '',
      /activity charge_card failing, attempt \d+: RuntimeError: card declined for order-1/,
    );
    assert.match(
      byId.get(ids.broken)?.[0]?.text ?? '',
      /workflow task failing, attempt \d+: ValueError: fixture: bug in workflow code \(worker log\)/,
    );
    assert.match(
      byId.get(ids.unpolled)?.[0]?.text ?? '',
      /activity greet scheduled \d+s ago, never started \(no worker polls activity task queue monitor-nobody-polls\)/,
    );
    assert.equal(data.waiting, 1);
    // The dev server tshell starts flags repeated workflow-task failures in TemporalReportedProblems.
    await eventually(
      async () => {
        const d = await declaredJson<Stalled & { reportedByServer?: string[] }>(
          'stalled',
          await run(['stalled', '--json']),
        );
        return d.reportedByServer?.includes(ids.broken) ? true : undefined;
      },
      40_000,
      'the server to report the failing workflow task',
    );
    const text = await run(['stalled']);
    assert.equal(text.exitCode, 1);
    assert.match(text.stdout, /3 stalled of 4 running \(1 waiting\)/);
    // Rows are printed as they are found, each once, before the summary.
    assert.equal(text.stdout.split(ids.broken).length - 1, 1);
    assert.ok(text.stdout.indexOf(ids.broken) < text.stdout.indexOf('3 stalled of 4'), text.stdout);
  });

  it('errors lists the workflow-task failure with its event id and the user-code frame', async () => {
    const r = await run(['errors', '--id', ids.broken, '--json']);
    assert.equal(r.exitCode, 1);
    const d = await declaredJson<{
      failures: { eventId: number; kind: string; cause: string; message: string; frames: string[] }[];
    }>('errors', r);
    const f = d.failures[0];
    assert.equal(f?.kind, 'WorkflowTaskFailed');
    assert.equal(f?.cause, 'WORKFLOW_WORKER_UNHANDLED_FAILURE');
    assert.equal(f?.message, 'fixture: bug in workflow code');
    assert.ok(f && f.eventId > 0);
    assert.equal(f?.frames.length, 1, 'only the project frame, no SDK frames');
    assert.match(f?.frames[0] ?? '', /monitor\/workflows\.py:\d+ in run: raise ValueError/);
    const text = await run(['errors', '--id', ids.broken]);
    assert.match(text.stdout, new RegExp(`event ${f?.eventId} .*WorkflowTaskFailed`));
    // The history keeps the first failure; describe says the task is still failing now.
    assert.match(text.stdout, /✗ the workflow task is failing, attempt \d+: fixture: bug in workflow code/);
    // No stack can be taken while the workflow task fails, and stack says so instead of blaming the worker.
    const st = await run(['stack', '--id', ids.broken]);
    assert.equal(st.exitCode, 1);
    assert.match(st.stderr, /workflow task of .* is failing \(attempt \d+\), so no stack can be taken/);
  });

  it('errors lists an activity that is still retrying (not in history yet), with its attempt', async () => {
    const r = await run(['errors', '--id', ids.failing, '--json']);
    assert.equal(r.exitCode, 1);
    const d = await declaredJson<{
      failures: unknown[];
      pending: { kind: string; activityType: string; attempt: number; message: string }[];
    }>('errors', r);
    assert.equal(d.failures.length, 0, 'nothing in the history while it retries');
    const p = d.pending[0];
    assert.equal(p?.kind, 'activity-retrying');
    assert.equal(p?.activityType, 'charge_card');
    assert.ok((p?.attempt ?? 0) >= 2);
    assert.match(p?.message ?? '', /RuntimeError: card declined for order-1/);
    const text = await run(['errors', '--id', ids.failing]);
    assert.doesNotMatch(text.stdout, /✓/);
    assert.match(text.stdout, /✗ activity charge_card is failing, attempt \d+: RuntimeError: card declined/);
  });

  it('diagnose names the class, cites the failing event and gives the procedure', async () => {
    type D = {
      status: string;
      findings: {
        class: string;
        evidence: { source: string; eventId?: number; text: string }[];
        procedure: { id: string; steps: string[] };
      }[];
    };
    const broken = await run(['diagnose', '--id', ids.broken, '--json']);
    assert.equal(broken.exitCode, 1);
    const b = await declaredJson<D>('diagnose', broken);
    const errs = await declaredJson<{ failures: { eventId: number }[] }>(
      'errors',
      await run(['errors', '--id', ids.broken, '--json']),
    );
    assert.equal(b.findings[0]?.class, 'workflow-code-bug');
    assert.equal(b.findings[0]?.procedure.id, 'fix-restart-resume');
    assert.equal(b.findings[0]?.evidence[0]?.eventId, errs.failures[0]?.eventId);
    // The current reason from the worker log, with the line it is on.
    const logItem = b.findings[0]?.evidence.find((e) => e.source === 'worker-log') as
      { line?: number; text: string } | undefined;
    assert.match(logItem?.text ?? '', /^ValueError: .*worker-monitor-[0-9a-f]{8}\.log\)$/);
    const [, exception, file] = /^(.*) \((.*)\)$/.exec(logItem?.text ?? '') ?? [];
    assert.equal(
      readFileSync(file as string, 'utf8')
        .split('\n')
        [(logItem?.line ?? 0) - 1]?.trim(),
      exception,
      'the cited line holds the exception',
    );
    const failing = await declaredJson<D>('diagnose', await run(['diagnose', '--id', ids.failing, '--json']));
    assert.deepEqual(
      [failing.findings[0]?.class, failing.findings[0]?.procedure.id],
      ['activity-failing', 'fix-activity-restart'],
    );
    const unpolled = await declaredJson<D>('diagnose', await run(['diagnose', '--id', ids.unpolled, '--json']));
    assert.equal(unpolled.findings[0]?.class, 'no-worker');
    assert.match(unpolled.findings[0]?.evidence.map((e) => e.text).join(' ') ?? '', /monitor-nobody-polls/);
    const waiting = await run(['diagnose', '--id', ids.approval]);
    assert.equal(waiting.exitCode, 0);
    assert.match(waiting.stdout, /waiting \(info\)/);
    const all = await declaredJson<{ diagnoses: D[] }>('diagnose', await run(['diagnose', '--all', '--json']));
    assert.equal(all.diagnoses.length, 3);
  });

  it('query, update and signal the waiting workflow; a signal nothing handles needs --yes in a script', async () => {
    assert.equal((await run(['use', ids.approval])).exitCode, 0);
    const q = await run(['query', 'status', '--json']);
    assert.equal((await declaredJson<{ result: string }>('query', q)).result, 'waiting');
    const u = await run(['update', 'set_note', '--input', '"rush"', '--json']);
    assert.equal((await declaredJson<{ result: string }>('update', u)).result, 'note set: rush');
    const wrong = await run(['signal', 'aprove', '--input', '"Ada"']);
    assert.equal(wrong.exitCode, 2);
    assert.match(wrong.stderr, /nothing in the workflow handles signal "aprove" \(declared: approve\)/);
    const bad = await run(['signal', 'approve', '--input', '{"by": Ada}']);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /--input is not valid JSON at position 7/);
    const s = await run(['signal', 'approve', '--input', '"Ada"', '--json']);
    assert.equal(s.exitCode, 0, s.stderr);
    await declaredJson('signal', s);
    assert.equal((await run(['wait', '--status', 'COMPLETED', '--timeout', '20'])).exitCode, 0);
    const res = await run(['result']);
    assert.match(res.stdout, /approved by Ada \(rush\)/);
  });

  it('history shows compact events, and --follow streams new ones', async () => {
    const r = await run(['history', '--id', ids.approval, '--json']);
    const d = await declaredJson<{ events: { eventId: number; type: string; detail: string }[] }>('history', r);
    assert.equal(d.events[0]?.type, 'WorkflowExecutionStarted');
    assert.ok(d.events.some((e) => e.type === 'WorkflowExecutionSignaled' && e.detail === 'approve'));
    assert.equal(d.events.at(-1)?.type, 'WorkflowExecutionCompleted');
    const id = await start('ApprovalWorkflow');
    const follower = tshellLive(['history', '--id', id, '--follow', '--for', '300'], { env: env.env, cwd: PROJECT });
    // Following: it has printed the history so far, and the signal comes after.
    await follower.printed(/WorkflowExecutionStarted/);
    await run(['signal', 'approve', '--input', '"Bo"']);
    const out = await follower.done;
    assert.match(out.stdout, /WorkflowExecutionSignaled\s+approve/);
    assert.match(out.stdout, /WorkflowExecutionCompleted/);
    // --for 300 ends it only after 5 minutes: well before that, the close ended it.
    assert.ok(out.ms < 200_000, 'follow returned when the workflow closed');
    assert.ok(id);
  });

  it('stack answers for a running workflow; task-queue names the local worker process', async () => {
    const id = await start('ApprovalWorkflow');
    const st = await run(['stack', '--json']);
    const d = await declaredJson<{ stack: string; folded: number; raw: string }>('stack', st);
    assert.match(d.stack, /Stack for <Task pending name='run \(workflow: ApprovalWorkflow/);
    // The SDK's and asyncio's frames are folded into a count, and the query's own task is left out.
    assert.ok(d.folded > 0, d.raw);
    assert.match(d.stack, /… \d+ SDK\/asyncio frames?/);
    assert.doesNotMatch(d.stack, /site-packages|query: __stack_trace/);
    assert.match(d.raw, /site-packages/);
    const tq = await run(['task-queue', 'monitor', '--json']);
    const q = await declaredJson<{ pollers: { type: string; live: boolean; localProcess: string }[] }>(
      'task-queue',
      tq,
    );
    assert.ok(q.pollers.some((p) => p.type === 'workflow' && p.live && /worker of monitor/.test(p.localProcess)));
    assert.ok(q.pollers.some((p) => p.type === 'activity'));
    const fromCurrent = await run(['task-queue']);
    assert.match(fromCurrent.stdout, /task queue monitor/);
    await run(['terminate', '--id', id, '--yes']);
  });

  it('health, logs, recent', async () => {
    const h = await run(['health', '--json']);
    const hd = await declaredJson<{
      worker: { alive: boolean; rssBytes: number };
      pollers: { workflow: unknown[] };
      logErrors: { text: string[] }[];
      server: { reachable: boolean };
    }>('health', h);
    assert.equal(hd.server.reachable, true);
    assert.equal(hd.worker.alive, true);
    assert.ok(hd.worker.rssBytes > 0);
    assert.ok(hd.pollers.workflow.length > 0);
    assert.ok(hd.logErrors.some((b) => b.text.some((t) => t.includes('RuntimeError: card declined'))));
    const errs = await run(['logs', '--errors', '-n', '1', '--json']);
    const ld = await declaredJson<{ blocks: { text: string[] }[] }>('logs', errs);
    assert.equal(ld.blocks.length, 1);
    assert.match(ld.blocks[0]?.text[0] ?? '', /WARNING|Failed activation|Completing activity/);
    assert.ok(
      ld.blocks[0]?.text.some((t) => t.startsWith('Traceback')),
      'the whole traceback, not one line',
    );
    const grep = await run(['logs', '--grep', 'listening on task queue']);
    assert.match(grep.stdout, /Worker started, listening on task queue: monitor/);
    const badRe = await run(['logs', '--grep', '(']);
    assert.equal(badRe.exitCode, 2);
    const follow = await run(['logs', '--follow', '--for', '1', '-n', '1']);
    assert.equal(follow.exitCode, 0);
    const recent = await run(['recent', '--minutes', '10', '--json']);
    const rd = await declaredJson<{ workflows: { workflowId: string }[]; counts: Record<string, number> }>(
      'recent',
      recent,
    );
    assert.ok(rd.workflows.some((w) => w.workflowId === ids.approval));
    assert.ok((rd.counts.COMPLETED ?? 0) >= 1);
    const limited = await run(['recent', '--minutes', '10', '--limit', '2', '--json']);
    assert.equal((await declaredJson<{ workflows: unknown[] }>('recent', limited)).workflows.length, 2);
  });

  it('cancel and terminate preview and ask: a script needs --yes', async () => {
    const id = await start('ApprovalWorkflow');
    const refused = await run(['cancel', '--id', id]);
    assert.equal(refused.exitCode, 2);
    assert.match(
      refused.stderr,
      new RegExp(`cancel needs confirmation: cancel ${id} \\(ApprovalWorkflow, RUNNING, started .*\\)\\?`),
    );
    const c = await run(['cancel', '--id', id, '--yes', '--json']);
    assert.equal((await declaredJson<{ after: string }>('cancel', c)).after, 'CANCELED');
    const id2 = await start('ApprovalWorkflow');
    const t = await run(['terminate', '--reason', 'test over', '--yes']);
    assert.equal(t.exitCode, 0, t.stderr);
    const r = await run(['result', '--id', id2, '--json']);
    const rd = await declaredJson<{ status: string; reason: string }>('result', r);
    assert.deepEqual([rd.status, rd.reason], ['TERMINATED', 'test over']);
  });

  it('use - returns to the previous workflow; ui prints its link', async () => {
    await run(['use', ids.approval]);
    await run(['use', ids.failing]);
    const back = await run(['use', '-', '--json']);
    assert.equal((await declaredJson<{ workflowId: string }>('use', back)).workflowId, ids.approval);
    const ui = await run(['ui', '--json']);
    assert.match(
      (await declaredJson<{ url: string }>('ui', ui)).url,
      new RegExp(`/namespaces/default/workflows/${ids.approval}/`),
    );
  });

  it('answers an unknown workflow id with one line naming the id and namespace', async () => {
    for (const cmd of [
      ['describe'],
      ['errors'],
      ['history'],
      ['signal', 'x'],
      ['query', 'x'],
      ['cancel', '--yes'],
      ['result'],
      ['stack'],
      ['use'],
    ]) {
      const args = cmd[0] === 'use' ? ['use', 'no-such-wf'] : [...cmd, '--id', 'no-such-wf'];
      const r = await run(args);
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /workflow no-such-wf not found in namespace default/, args.join(' '));
      assert.ok(noStackTrace(r.stderr));
    }
  });

  it('bulk-cancel --pattern previews and needs --yes; --stalled --terminate --yes closes exactly the stalled', async () => {
    const waiting = await start('ApprovalWorkflow');
    const preview = await run(['bulk-cancel', '--pattern', 'UnpolledActivity*']);
    assert.equal(preview.exitCode, 2);
    assert.match(preview.stderr, new RegExp(`cancel 1 running workflow\\(s\\): ${ids.unpolled}\\?`));
    const r = await run(['bulk-cancel', '--stalled', '--terminate', '--yes', '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const d = await declaredJson<{ matched: { workflowId: string }[]; closed: string[]; stillRunning: string[] }>(
      'bulk-cancel',
      r,
    );
    assert.deepEqual(d.matched.map((m) => m.workflowId).sort(), [ids.broken, ids.failing, ids.unpolled].sort());
    assert.deepEqual(d.closed.sort(), [ids.broken, ids.failing, ids.unpolled].sort());
    assert.deepEqual(d.stillRunning, []);
    const still = await run(['describe', '--id', waiting, '--json']);
    assert.equal((await declaredJson<{ status: string }>('describe', still)).status, 'RUNNING');
    const none = await run(['bulk-cancel', '--pattern', 'zzz-*', '--yes']);
    assert.match(none.stdout, /no running workflow matched pattern zzz-\*/);
    await run(['terminate', '--id', waiting, '--yes']);
  });

  it('bulk-cancel says which workflows a cancel could not close (no worker), and --terminate closes them', async () => {
    const id = await start('ApprovalWorkflow');
    await run(['kill-worker']);
    const r = await run(['bulk-cancel', '--pattern', `${id.slice(0, -3)}*`, '--yes']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, new RegExp(`still RUNNING: ${id}[\\s\\S]*--terminate`));
    const q = await run(['query', 'status', '--id', id]);
    assert.equal(q.exitCode, 2);
    assert.match(q.stderr, /no worker polls task queue monitor: nothing can answer the status query/);
    const st = await run(['stack', '--id', id]);
    assert.match(st.stderr, /no worker polls task queue monitor/);
    const t = await run(['bulk-cancel', '--pattern', `${id.slice(0, -3)}*`, '--terminate', '--yes']);
    assert.equal(t.exitCode, 0, t.stdout);
  });
});
