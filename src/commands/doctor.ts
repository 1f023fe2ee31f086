// doctor: the tools, the server, the state dir, and the project as discovery reads it (each value
// with where it came from; a command that cannot run is never shown as ✓).
import { ExitCode } from '../errors.js';
import { childEnv, findTool, toolVersion } from '../processes/tools.js';
import { splitCommand } from '../processes/spawn.js';
import { uvEnvironment, uvPython } from '../processes/project-env.js';
import { runnable } from '../project/runnable.js';
import { connectFor, tcpProbe } from '../temporal/connection.js';
import { defineCommand, type CommandContext } from '../cli-model/types.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** It could not check (not a pass, not a failure): rendered `!`, and `ok` is false. */
  unchecked?: true;
  detail: string;
  fix?: string;
}

export const doctorCommand = defineCommand({
  name: 'doctor',
  group: 'setup',
  effect: 'read',
  summary: 'Check node, python, uv, temporal, the server, the state dir and the project',
  flags: [],
  fields: { checks: '[{name, ok, unchecked, detail, fix}]' },
  async run(ctx): Promise<{ checks: DoctorCheck[] }> {
    const s = ctx.settings;
    const checks: DoctorCheck[] = [];
    checks.push({
      name: 'node',
      ok: Number(process.versions.node.split('.')[0]) >= 20,
      detail: `v${process.versions.node} (${process.execPath})`,
      fix: 'install Node 20 or newer',
    });
    const python = findTool('python3');
    checks.push({
      name: 'python',
      ok: Boolean(python),
      detail: python ? `${await toolVersion(python.path)} (${python.path})` : 'not found',
      fix: 'install Python 3.11+',
    });
    const uv = findTool('uv');
    checks.push({
      name: 'uv',
      ok: Boolean(uv),
      detail: uv ? `${await toolVersion(uv.path)} (${uv.path}, from ${uv.source})` : 'not found',
      fix: 'tshell setup',
    });
    const temporal = findTool('temporal', s.temporalCli || undefined);
    checks.push({
      name: 'temporal',
      ok: Boolean(temporal),
      detail: temporal
        ? `${await toolVersion(temporal.path)} (${temporal.path}, from ${temporal.source})`
        : 'not found',
      fix: 'tshell setup',
    });
    const t0 = Date.now();
    let serverOk = false;
    let serverDetail = 'not reachable';
    if (await tcpProbe(s.address, 1000)) {
      try {
        const h = await connectFor(s);
        await h.connection.withDeadline(Date.now() + 2000, () =>
          h.connection.workflowService.describeNamespace({ namespace: s.namespace }),
        );
        serverOk = true;
        serverDetail = `${s.address}, namespace ${s.namespace}, ${Date.now() - t0} ms`;
      } catch (err) {
        serverDetail = `${s.address}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      }
    }
    checks.push({ name: 'server', ok: serverOk, detail: serverDetail, fix: 'tshell ensure-server' });
    checks.push({ name: 'state dir', ok: true, detail: s.stateDir });
    checks.push(...(await projectChecks(ctx)));
    return { checks };
  },
  render(d, s) {
    return d.checks
      .map(
        (c) =>
          `${c.ok ? s.ok : c.unchecked ? s.warn : s.fail} ${c.name.padEnd(15)} ${c.detail}${c.ok || !c.fix ? '' : `\n  ${s.c.dim('fix:')} ${c.fix}`}`,
      )
      .join('\n');
  },
  exitCode: (d) => (d.checks.every((c) => c.ok || c.unchecked) ? ExitCode.ok : ExitCode.failure),
});

/**
 * Is temporalio importable where the worker runs? Asked of the project's Python without making one:
 * `uv run` would create a .venv and a lock file, so a uv project is asked through its own .venv or
 * tshell's environment for it, and one with neither is not checked.
 */
async function temporalioCheck(ctx: CommandContext): Promise<DoctorCheck> {
  const { plan } = ctx.project();
  const uv = plan.runner.kind === 'uv' ? uvEnvironment(plan.root, ctx.settings.stateDir) : undefined;
  const existing = uvPython(uv);
  const python = uv ? existing && [existing] : plan.runner.python;
  const where = existing && uv?.managed ? "tshell's environment for it" : `${plan.runner.kind} (${plan.runner.source})`;
  if (!python) {
    return {
      name: 'temporalio',
      ok: false,
      unchecked: true,
      detail: `not checked: ${plan.root} has no .venv, and tshell has not built its own environment for it yet`,
      fix: "`ensure-worker` builds it (outside the project), or `uv sync` makes the project's own",
    };
  }
  const { execa } = await import('execa');
  const [file, ...args] = python;
  const r = await execa(file as string, [...args, '-c', 'import temporalio; print(temporalio.__version__)'], {
    cwd: plan.root,
    reject: false,
    timeout: 120_000,
    env: childEnv({ PYTHONDONTWRITEBYTECODE: '1' }),
  });
  const ok = r.exitCode === 0;
  return {
    name: 'temporalio',
    ok,
    detail: ok ? `${String(r.stdout).trim()} in ${where}` : `not importable in ${where}`,
    fix: plan.runner.install,
  };
}

/** Where a setting came from, for a check's detail. */
function from(ctx: CommandContext, key: 'workerCmd' | 'starterCmd' | 'taskQueue'): string {
  const src = ctx.resolved.sources[key].source;
  return src === 'default' ? 'default' : src.replace(/^discovered /, '');
}

async function projectChecks(ctx: CommandContext): Promise<DoctorCheck[]> {
  const s = ctx.settings;
  const { plan, discovery } = ctx.project();
  const checks: DoctorCheck[] = [];
  const where = plan.root === plan.projectDir ? '' : `, root ${plan.root}`;
  checks.push({
    name: 'project',
    ok: plan.hasTemporalCode,
    detail: plan.hasTemporalCode
      ? `${s.projectName} (${s.projectDir}${where}): ${discovery.files} Python files, ${discovery.workflows.length} workflow(s), ${discovery.activities.length} activit${discovery.activities.length === 1 ? 'y' : 'ies'}`
      : `${s.projectDir}: no Temporal code here (no @workflow.defn, @activity.defn, Worker(...) or start_workflow)`,
    fix: 'cd into your Temporal project, or pass --project-dir DIR',
  });
  for (const w of discovery.workflows)
    checks.push({ name: '  workflow', ok: true, detail: `${w.name} (${w.file}:${w.line})` });
  checks.push({ name: 'python env', ok: true, detail: `${plan.runner.kind} (${plan.runner.source})` });
  if (plan.hasTemporalCode) checks.push(await temporalioCheck(ctx));
  const command = (
    key: 'workerCmd' | 'starterCmd',
    dirKey: 'workerDir' | 'starterDir',
    label: string,
    fix: string,
  ): DoctorCheck => {
    let argv: string[] = [];
    try {
      argv = splitCommand(s[key], label);
    } catch (err) {
      return { name: label, ok: false, detail: err instanceof Error ? err.message : String(err), fix };
    }
    const r = runnable(argv, s[dirKey], discovery.scripts);
    return { name: label, ok: r.ok, detail: `${s[key]} [${from(ctx, key)}]${r.ok ? '' : `: ${r.detail}`}`, fix };
  };
  const several = plan.workerChoices.length > 1 && ctx.resolved.sources.workerCmd.source === 'default';
  checks.push(
    several
      ? {
          name: 'worker command',
          ok: false,
          detail: `${plan.workerChoices.length} workers: ${plan.workerChoices.map((w) => w.where).join(', ')}`,
          fix: '`project <its folder>`, or --worker-cmd',
        }
      : command(
          'workerCmd',
          'workerDir',
          'worker command',
          'pass --worker-cmd "python path/to/worker.py" (or TSHELL_WORKER_CMD)',
        ),
  );
  const queue = plan.worker?.taskQueue;
  checks.push({
    name: 'task queue',
    ok: true,
    detail: s.taskQueue
      ? `${s.taskQueue} [${from(ctx, 'taskQueue')}]`
      : `set at run time${queue?.unknown ? ` (${queue.unknown}${queue.source ? ` at ${queue.source}` : ''})` : ''}: the worker's heartbeat tells`,
  });
  if (plan.starter || ctx.resolved.sources.starterCmd.source !== 'default')
    checks.push(command('starterCmd', 'starterDir', 'starter', 'pass --starter-cmd'));
  else
    checks.push({
      name: 'starter',
      ok: true,
      detail: plan.workflowTypes.length
        ? `none found: \`start\` starts ${plan.workflowTypes.length === 1 ? plan.workflowTypes[0] : 'a workflow with --type'} directly`
        : 'none found',
    });
  return checks;
}
