// The state dir and the dirs tshell creates for logs and PID files: always 0700, files 0600.
import { chmodSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from './settings.js';

export function ensurePrivateDir(dir: string): string {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  return dir;
}

/** A short stable hash of a path (FNV-1a; node:crypto costs start-up time for no gain here). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * What a project's state files are keyed by: its name (for people) and its full path (two checkouts
 * both called `app` never share a PID file, a log or a lock).
 */
export function projectKey(settings: Pick<Settings, 'projectName' | 'projectDir'>): string {
  return `${settings.projectName}-${fnv1a(settings.projectDir)}`;
}

/** Where a project's session context (current workflow and the one before) is saved. */
export function contextFile(settings: Settings): string {
  return join(settings.stateDir, 'context', `${projectKey(settings)}.json`);
}

/** The project's worker PID file and log (paths only: the prompt reads them before anything loads). */
export function workerFiles(settings: Settings): { pidFile: string; logFile: string } {
  return {
    pidFile: join(settings.pidDir, `worker-${projectKey(settings)}.pid`),
    logFile: join(settings.logDir, `worker-${projectKey(settings)}.log`),
  };
}
