// The REPL prompt shows the context: namespace, project, current workflow (short id + last status),
// worker up/down (from the OS, never from a stale poller).
import { resolveSettings } from '../config/settings.js';
import { workerFiles } from '../config/state-dir.js';
import { checkPidFile } from '../processes/pidfile.js';
import type { Style } from '../render/style.js';
import { middleId } from '../render/format.js';
import type { ShellRuntime } from './execute.js';

/** The line above the REPL's first prompt. */
export function bannerText(style: Style): string {
  return `${style.c.bold('tshell')} — the local Temporal loop. \`help\` lists commands, Tab completes, Ctrl-D leaves.\n`;
}

/** What the prompt needs of a shell (the first prompt is drawn before a whole runtime exists). */
export type PromptShell = Pick<ShellRuntime, 'env' | 'overrides' | 'sessions'>;

export function promptText(shell: PromptShell, style: Style): string {
  const settings = resolveSettings({ flags: {}, session: shell.overrides, env: shell.env }).values;
  const session = shell.sessions(settings).current;
  const workerUp = checkPidFile(workerFiles(settings).pidFile).state === 'alive';
  const parts = [settings.namespace, settings.projectName];
  if (session.workflowId)
    parts.push(
      `${middleId(session.workflowId, 24)}${session.lastStatus ? ` ${session.lastStatus.toLowerCase()}` : ''}`,
    );
  parts.push(workerUp ? style.c.green('worker ▲') : style.c.dim('worker ▽'));
  return `${style.c.cyan('tshell')} ${parts.join(style.c.dim(' · '))} ${style.c.bold('›')} `;
}

/** Re-reads a RUNNING current workflow's status for the prompt (bounded: the prompt never waits long). */
export async function refreshStatus(shell: ShellRuntime): Promise<void> {
  const settings = resolveSettings({ flags: {}, session: shell.overrides, env: shell.env }).values;
  const store = shell.sessions(settings);
  const { workflowId, runId, lastStatus } = store.current;
  if (!workflowId || (lastStatus !== undefined && lastStatus !== 'RUNNING')) return;
  try {
    // Loaded here, not at the top: the first prompt is drawn before the Temporal modules load.
    const [{ connectFor, tcpProbe }, { describeWorkflow }] = await Promise.all([
      import('../temporal/connection.js'),
      import('../temporal/workflows.js'),
    ]);
    if (!(await tcpProbe(settings.address, 150))) return;
    const h = await connectFor(settings);
    const d = await h.connection.withDeadline(Date.now() + 400, () => describeWorkflow(h, workflowId, runId));
    store.setStatus(d.status);
  } catch {
    // the prompt keeps what it knew
  }
}
