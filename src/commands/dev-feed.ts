// The feed of `dev`: one event for each thing that matters, with the id to act on. The events are data
// (JSON Lines with --json); a human line is rendered from each. Two sources feed it besides the loop's
// own restarts: the workflows of the worker's task queue (a visibility list a second, which the dev
// server answers in a few ms), the worker log (new tracebacks; a failing workflow is diagnosed) and, every
// few seconds, a look for workflows that stall with nothing in the log (work nobody picks up).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import type { Settings } from '../config/settings.js';
import type { Style } from '../render/style.js';
import { stripAnsi } from '../ansi.js';
import { diagnoseDeep } from '../diagnosis/children.js';
import { classSpec } from '../diagnosis/classes.js';
import { EvidenceCache } from '../diagnosis/evidence.js';
import { errorBlocks } from '../processes/worker-log.js';
import { findStalled } from '../diagnosis/stalled.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { userFrames } from '../temporal/history.js';
import { listExecutions, quoteValue } from '../temporal/visibility.js';
import { fetchCloseEvent } from '../temporal/workflows.js';

export type DevEvent = { at: string } & (
  | { event: 'watching'; pid: number; taskQueue: string; files: string[]; workflowFiles: string[] }
  | { event: 'change'; files: string[]; kind: 'workflow' | 'activity' }
  | {
      event: 'restarted';
      files: string[];
      pid: number;
      taskQueue: string;
      saveToPollMs: number;
      gate?: { checked: number; total: number };
      took: { checkMs: number; gateMs?: number; restartMs: number };
    }
  | {
      event: 'kept';
      files: string[];
      why: 'does-not-import' | 'diverged' | 'unchecked' | 'start-failed';
      message: string;
      file?: string;
      line?: number;
      diverged?: { workflowId: string; runId: string; eventId?: number; eventType?: string; resetTo?: number }[];
      choices?: string[];
    }
  | { event: 'started'; workflowId: string; runId: string; workflowType: string }
  | {
      event: 'closed';
      status: string;
      workflowId: string;
      runId: string;
      workflowType: string;
      result?: string;
      failure?: string;
    }
  | {
      event: 'failing';
      workflowId: string;
      runId: string;
      class: string;
      summary: string;
      fix?: string;
      procedure: { id: string; steps: string[] };
    }
  | { event: 'traceback'; message: string; frame?: string; logLine: number }
  | { event: 'acted'; action: 'reset' | 'terminate'; workflowId: string; runId: string; newRunId?: string }
  | { event: 'stopped'; workerPid?: number }
);

type Body = DevEvent extends infer E ? (E extends DevEvent ? Omit<E, 'at'> : never) : never;

export const devEvent = (body: Body): DevEvent => ({ at: new Date().toISOString(), ...body }) as DevEvent;

const rel = (settings: Settings, files: string[]) => files.map((f) => relative(settings.projectDir, f) || f).join(', ');

/** The one human line for an event (its time first, as a log would). */
export function eventLine(e: DevEvent, s: Style, settings: Settings): string {
  const t = s.c.dim(e.at.slice(11, 19));
  const id = (x: { workflowId: string }) => s.c.bold(x.workflowId);
  switch (e.event) {
    case 'watching':
      return `${t} ${s.ok} worker pid ${e.pid} polls ${e.taskQueue}; watching ${e.files.length} file(s) (${e.workflowFiles.length} with workflow code): save one and the worker follows`;
    case 'change':
      return `${t} ${s.info} changed: ${rel(settings, e.files)} (${e.kind === 'workflow' ? 'workflow code: replaying the running workflows first' : 'not workflow code: restarting'})`;
    case 'restarted':
      return `${t} ${s.ok} restarted for ${rel(settings, e.files)}: pid ${e.pid} polls ${e.taskQueue} ${formatMs(e.saveToPollMs)} after the save${e.gate ? `; replayed ${e.gate.checked} of ${e.gate.total} running workflow(s) on the new code` : ''}`;
    case 'kept': {
      const where = e.file ? ` at ${relative(settings.projectDir, e.file) || e.file}${e.line ? `:${e.line}` : ''}` : '';
      const lines = [
        e.why === 'start-failed'
          ? `${t} ${s.fail} ${e.message}`
          : `${t} ${s.fail} kept the old worker: ${e.message}${where}`,
      ];
      for (const d of e.diverged ?? [])
        lines.push(
          `    ${id(d)} parts from its history at event ${d.eventId ?? '?'}${d.eventType ? ` (${d.eventType})` : ''}`,
        );
      for (const c of e.choices ?? []) lines.push(s.c.dim(`    ${c}`));
      return lines.join('\n');
    }
    case 'started':
      return `${t} ${s.info} ${id(e)} started (${e.workflowType})`;
    case 'closed': {
      const mark = e.status === 'COMPLETED' ? s.ok : s.fail;
      const detail = e.result !== undefined ? `: ${e.result}` : e.failure ? `: ${e.failure}` : '';
      return `${t} ${mark} ${id(e)} ${e.status.toLowerCase().replace('_', ' ')}${detail}`;
    }
    case 'failing':
      return `${t} ${s.warn} ${id(e)} ${e.class}: ${e.summary}${e.fix ? `\n    fix: ${e.fix}` : ''}`;
    case 'traceback':
      return `${t} ${s.warn} worker log line ${e.logLine}: ${e.message}${e.frame ? ` (${e.frame})` : ''}`;
    case 'acted':
      return `${t} ${s.ok} ${e.action === 'reset' ? `reset ${id(e)}: new run ${e.newRunId ?? '?'} continues on the new code` : `terminated ${id(e)}`}`;
    case 'stopped':
      return `${t} ${s.info} dev stopped${e.workerPid ? `; worker pid ${e.workerPid} keeps running (\`kill-worker\` stops it)` : ''}`;
  }
}

/** A procedure's steps as one line, for a developer inside `dev` (a save restarts the worker itself). */
export function fixLine(steps: string[]): string | undefined {
  const parts = steps
    .filter((st) => st !== 'ensure-worker')
    .map((st) => (st.startsWith('#') ? st.replace(/^#\s*/, '') : `\`${st}\``));
  if (parts.length === 0) return steps.length ? steps.map((st) => `\`${st}\``).join(', then ') : undefined;
  return `${parts.join(', then ')}${steps.includes('ensure-worker') ? ' (and save: dev restarts the worker)' : ''}`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const firstLine = (v: unknown): string => {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? 'null');
  const line = text.split('\n')[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
};

/** Workflows of one task queue: a new run is `started`, a run that closes is `closed` (with its result's first line). */
export class WorkflowWatch {
  private readonly seen = new Map<string, string>();
  private seeded = false;
  private since = new Date(Date.now() - 2000).toISOString();

  constructor(private readonly h: TemporalHandle) {}

  async poll(taskQueue: string): Promise<Body[]> {
    const from = this.since;
    this.since = new Date(Date.now() - 5000).toISOString(); // overlap: visibility may lag a little
    const rows = await listExecutions(
      this.h,
      `TaskQueue = ${quoteValue(taskQueue)} AND (ExecutionStatus = "Running" OR CloseTime > ${quoteValue(from)})`,
      500,
    );
    const out: Body[] = [];
    for (const r of rows) {
      const before = this.seen.get(r.runId);
      this.seen.set(r.runId, r.status);
      if (!this.seeded || before === r.status) continue;
      if (before === undefined)
        out.push({ event: 'started', workflowId: r.workflowId, runId: r.runId, workflowType: r.type });
      if (r.status !== 'RUNNING') {
        const close = await fetchCloseEvent(this.h, r.workflowId, r.runId).catch(() => undefined);
        const failure = close?.failure?.[0]?.message ?? close?.reason;
        out.push({
          event: 'closed',
          status: r.status,
          workflowId: r.workflowId,
          runId: r.runId,
          workflowType: r.type,
          ...(close?.status === 'COMPLETED' ? { result: firstLine(close.result) } : {}),
          ...(failure ? { failure: firstLine(failure) } : {}),
        });
      }
    }
    this.seeded = true;
    return out;
  }
}

// The SDK's words for a failing activity attempt and a failing workflow task, with the ids in them.
const ACTIVITY_IDS = /'workflow_id': '([^']+)'.*'workflow_run_id': '([^']+)'/;
const ACTIVATION_IDS = /activation on workflow .*?with ID (\S+) and run ID ([\w-]+)/;
// Other lines about a run (the core's "Failing workflow task run_id=…", the SDK's traceback of it).
const RUN_ID = /run[_ ]id[=: ]+'?([0-9a-f]{8}-[\w-]+)/i;
/** The same traceback again within this long is not news. */
const REPEAT_MS = 60_000;

/** A workflow diagnosed, told once per run and class: its headline and the fix. */
export class Diagnoser {
  private readonly told = new Set<string>();
  /** Runs already told about: their tracebacks are that story, not a new one. */
  readonly runs = new Set<string>();

  constructor(private readonly settings: Settings) {}

  async failing(h: TemporalHandle, workflowId: string, runId: string): Promise<Body | undefined> {
    const { node } = await diagnoseDeep(h, this.settings, workflowId, runId, new EvidenceCache(this.settings)).catch(
      () => ({ node: undefined }),
    );
    const f = node?.findings.find((x) => classSpec(x.class).problem);
    if (!f || this.told.has(`${runId} ${f.class}`)) return undefined;
    this.told.add(`${runId} ${f.class}`);
    this.runs.add(runId);
    const fix = fixLine(f.procedure.steps);
    return {
      event: 'failing',
      workflowId,
      runId,
      class: f.class,
      summary: f.summary,
      ...(fix ? { fix } : {}),
      procedure: f.procedure,
    };
  }
}

/** Running workflows of the queue that stall with nothing in the log (work nobody picks up): a look every few seconds. */
export class StallWatch {
  private next = 0;

  constructor(
    private readonly settings: Settings,
    private readonly diagnoser: Diagnoser,
    private readonly everyMs = 5000,
  ) {}

  async poll(h: TemporalHandle, taskQueue: string): Promise<Body[]> {
    if (Date.now() < this.next) return [];
    this.next = Date.now() + this.everyMs;
    const { stalled } = await findStalled(this.settings, h, {
      query: `TaskQueue = ${quoteValue(taskQueue)}`,
      limit: 50,
    });
    const out: Body[] = [];
    for (const w of stalled) {
      const found = await this.diagnoser.failing(h, w.workflowId, w.runId);
      if (found) out.push(found);
    }
    return out;
  }
}

/** New error blocks of the worker log: a failing workflow (diagnosed, once per run and class) or a traceback. */
export class LogWatch {
  private offset: number;
  private pending = '';
  private lineNo = 0;
  private readonly lastSaid = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly settings: Settings,
    private readonly diagnoser: Diagnoser,
  ) {
    this.offset = existsSync(file) ? statSync(file).size : 0;
    this.lineNo = existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
  }

  /** Whole blocks only: text is read once the log has stopped growing since the last look. */
  async poll(h: TemporalHandle): Promise<Body[]> {
    if (!existsSync(this.file)) return [];
    const size = statSync(this.file).size;
    if (size < this.offset) this.offset = 0; // truncated
    if (size > this.offset) {
      this.pending += readFileSync(this.file).subarray(this.offset, size).toString('utf8');
      this.offset = size;
      return [];
    }
    if (!this.pending) return [];
    const lines = stripAnsi(this.pending).split('\n');
    this.pending = '';
    const first = this.lineNo + 1;
    this.lineNo += lines.length - 1;
    const out: Body[] = [];
    for (const block of errorBlocks(lines, first)) {
      const text = block.text.join('\n');
      const ids = ACTIVITY_IDS.exec(text) ?? ACTIVATION_IDS.exec(text);
      if (ids?.[1] && ids[2]) {
        const found = await this.diagnoser.failing(h, ids[1], ids[2]);
        if (found) out.push(found);
        continue;
      }
      const run = RUN_ID.exec(text)?.[1];
      if (run && this.diagnoser.runs.has(run)) continue;
      const message =
        [...block.text]
          .reverse()
          .find((l) => /^[\w.]+(Error|Exception)\b/.test(l.trim()))
          ?.trim() ??
        block.text[0]?.trim() ??
        '';
      if (Date.now() - (this.lastSaid.get(message) ?? 0) < REPEAT_MS) continue;
      this.lastSaid.set(message, Date.now());
      const frame = userFrames(text, this.settings.projectDir).at(-1);
      out.push({ event: 'traceback', message, logLine: block.line, ...(frame ? { frame } : {}) });
    }
    return out;
  }
}
