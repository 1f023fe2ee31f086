// The session context of a project: the current workflow (and the previous one), saved per project
// in the state dir so one-shot commands chain like REPL lines and a new REPL resumes where the last
// one stopped.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../config/state-dir.js';
import type { SessionState, SessionStore } from '../cli-model/types.js';

export class FileSessionStore implements SessionStore {
  private state: SessionState;

  constructor(readonly file: string) {
    this.state = FileSessionStore.load(file);
  }

  private static load(file: string): SessionState {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as SessionState;
    } catch {
      return {};
    }
  }

  /** Re-reads the file (another command of the same session may have changed it). */
  reload(): void {
    this.state = FileSessionStore.load(this.file);
  }

  get current(): Readonly<SessionState> {
    return this.state;
  }

  setWorkflow(workflowId: string, runId: string | undefined, namespace: string): void {
    if (this.state.workflowId && this.state.workflowId !== workflowId) {
      this.state.previousWorkflowId = this.state.workflowId;
      this.state.previousRunId = this.state.runId;
    }
    this.state.workflowId = workflowId;
    this.state.runId = runId;
    this.state.namespace = namespace;
    this.state.lastStatus = undefined;
    this.save();
  }

  setStatus(status: string): void {
    if (this.state.lastStatus === status) return;
    this.state.lastStatus = status;
    this.save();
  }

  private save(): void {
    this.state.updatedAt = new Date().toISOString();
    ensurePrivateDir(join(this.file, '..'));
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
