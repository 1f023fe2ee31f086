// Session context: each session (a REPL, a script, an MCP connection, a chain of one-shots in one
// terminal) has its own current workflow per project. The project's file in the state dir only
// seeds a new session and remembers the last one: nothing another session does changes what `{}`
// means in this one.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contextFile, ensurePrivateDir, fnv1a } from '../config/state-dir.js';
import type { Settings } from '../config/settings.js';
import type { SessionState, SessionStore } from '../cli-model/types.js';

/** A session's store for a project (the runtime keeps one per project it has seen). */
export type SessionSource = (settings: Settings) => SessionStore;

/**
 * Only the known fields, and only as strings: a hand-edited or foreign file cannot inject other
 * values, and one field of another type is dropped, not the whole file. Checked by hand, not with
 * zod: the REPL's first prompt shows this (see checked-json.ts).
 */
const FIELDS = [
  'workflowId',
  'runId',
  'namespace',
  'previousWorkflowId',
  'previousRunId',
  'lastStatus',
  'updatedAt',
] as const;

function load(file: string): SessionState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // none yet, or not JSON
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields: Record<string, unknown> = { ...value };
  const state: SessionState = {};
  for (const k of FIELDS) {
    const v = fields[k];
    if (typeof v === 'string') state[k] = v;
  }
  return state;
}

function save(file: string, state: SessionState): void {
  ensurePrivateDir(join(file, '..'));
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** The context in memory, seeded from the project's file; every change is also remembered there. */
class SessionContext implements SessionStore {
  protected state: SessionState;

  constructor(
    readonly lastFile: string,
    seed: SessionState | undefined,
  ) {
    this.state = { ...(seed ?? load(lastFile) ?? {}) };
  }

  get current(): Readonly<SessionState> {
    return this.state;
  }

  reload(): void {
    // In memory, this session's own: nothing to re-read.
  }

  setWorkflow(workflowId: string, runId: string | undefined, namespace: string): void {
    if (this.state.workflowId && this.state.workflowId !== workflowId) {
      this.state.previousWorkflowId = this.state.workflowId;
      this.state.previousRunId = this.state.runId;
    }
    this.state.workflowId = workflowId;
    this.state.runId = runId;
    this.state.namespace = namespace;
    delete this.state.lastStatus;
    this.state.updatedAt = new Date().toISOString();
    // The project's file remembers the last workflow any session chose (a new session starts there).
    save(this.lastFile, this.state);
    this.persist();
  }

  setStatus(status: string): void {
    if (this.state.lastStatus === status) return;
    this.state.lastStatus = status;
    this.persist();
  }

  /** Keeps this session's own context (in memory: nothing to write). */
  protected persist(): void {}
}

/** A REPL, script or MCP connection: one in-memory context per project for the session's life. */
export function memorySessions(): SessionSource {
  const byProject = new Map<string, SessionStore>();
  return (settings) => {
    const file = contextFile(settings);
    let store = byProject.get(file);
    if (!store) byProject.set(file, (store = new SessionContext(file, undefined)));
    return store;
  };
}

/** A chain of one-shots older than this starts afresh from the project's file. */
const CHAIN_IDLE_MS = 12 * 3600_000;

/** One-shots chain through a file of their own per calling terminal (its shell's pid, or TSHELL_SESSION). */
class ChainContext extends SessionContext {
  constructor(
    lastFile: string,
    readonly chainFile: string,
  ) {
    const own = fresh(chainFile) ? load(chainFile) : undefined;
    super(lastFile, own);
    // A new chain takes the project's last context once, then keeps its own.
    if (!own) save(chainFile, this.state);
  }

  override reload(): void {
    this.state = { ...(load(this.chainFile) ?? this.state) };
  }

  protected override persist(): void {
    save(this.chainFile, this.state);
  }
}

function fresh(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < CHAIN_IDLE_MS;
  } catch {
    return false;
  }
}

/** The key of a one-shot chain: TSHELL_SESSION when set, else the calling shell's pid. */
export function chainKey(env: NodeJS.ProcessEnv): string {
  return env.TSHELL_SESSION || env.TSHELL_CALLER_PID || String(process.ppid);
}

export function chainSessions(env: NodeJS.ProcessEnv): SessionSource {
  const key = fnv1a(chainKey(env));
  return (settings) => {
    const file = contextFile(settings);
    return new ChainContext(file, file.replace(/\.json$/, `.chain-${key}.json`));
  };
}
