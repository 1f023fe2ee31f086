// Stopping a process we have proved is ours: SIGTERM to its process group (or to each process of its
// tree when it does not lead a group), then SIGKILL after a grace period. Every signal is sent only
// to a pid whose start time still matches what we recorded a moment before.
import { allProcs, processTree, readProc, sleep, type ProcInfo } from './proc.js';

function stillSame(p: ProcInfo): boolean {
  const now = readProc(p.pid);
  return now !== undefined && now.startTicks === p.startTicks;
}

function signalTree(root: ProcInfo, tree: ProcInfo[], signal: NodeJS.Signals): void {
  if (root.pgid === root.pid && stillSame(root)) {
    try {
      process.kill(-root.pgid, signal);
      return;
    } catch {
      // fall through to per-process signals
    }
  }
  for (const p of tree) {
    if (!stillSame(p)) continue;
    try {
      process.kill(p.pid, signal);
    } catch {
      // already gone
    }
  }
}

export interface StopResult {
  pid: number;
  how: 'SIGTERM' | 'SIGKILL' | 'already gone';
  ms: number;
}

export async function stopProcessTree(root: ProcInfo, graceMs = 5000): Promise<StopResult> {
  const started = Date.now();
  const tree = processTree(root.pid, allProcs()).filter((p) => p.startTicks >= root.startTicks);
  if (tree.length === 0 || !stillSame(root)) return { pid: root.pid, how: 'already gone', ms: 0 };
  signalTree(root, tree, 'SIGTERM');
  while (Date.now() - started < graceMs) {
    if (!tree.some(stillSame)) return { pid: root.pid, how: 'SIGTERM', ms: Date.now() - started };
    await sleep(50);
  }
  signalTree(root, tree.filter(stillSame), 'SIGKILL');
  for (let i = 0; i < 40 && tree.some(stillSame); i++) await sleep(50);
  return { pid: root.pid, how: 'SIGKILL', ms: Date.now() - started };
}
