// Whether this process started from tshell's V8 startup snapshot (scripts/build-snapshot.mjs), and
// whether one is built. `doctor` shows it; bin/tshell decides when to use it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface SnapshotStatus {
  /** This process was started from a startup snapshot. */
  inUse: boolean;
  blob: string;
  built: boolean;
}

export function snapshotStatus(packageRoot: string): SnapshotStatus {
  const blob = join(packageRoot, 'dist', 'snapshot', 'tshell.blob');
  return { inUse: process.execArgv.includes('--snapshot-blob'), blob, built: existsSync(blob) };
}
