// The state dir and the dirs tshell creates for logs and PID files: always 0700, files 0600.
import { chmodSync, mkdirSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Settings } from './settings.js';

export function ensurePrivateDir(dir: string): string {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  return dir;
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
  const projectKey = `${settings.projectName}-${createHash('sha1').update(settings.projectDir).digest('hex').slice(0, 8)}`;
  return {
    stateDir: settings.stateDir,
    logDir: settings.logDir,
    pidDir: settings.pidDir,
    serverDir: join(settings.stateDir, 'server'),
    contextFile: join(settings.stateDir, 'context', `${projectKey}.json`),
  };
}
