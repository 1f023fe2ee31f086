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

export interface StatePaths {
  stateDir: string;
  logDir: string;
  pidDir: string;
  serverDir: string;
  contextFile: string;
}

/** Paths only; directories are created by whoever writes into them. */
export function statePaths(settings: Settings): StatePaths {
  const projectKey = `${settings.projectName}-${fnv1a(settings.projectDir)}`;
  return {
    stateDir: settings.stateDir,
    logDir: settings.logDir,
    pidDir: settings.pidDir,
    serverDir: join(settings.stateDir, 'server'),
    contextFile: join(settings.stateDir, 'context', `${projectKey}.json`),
  };
}
