// Shell commands: help, project, exit.
import { consentToStop } from './resolve.js';
import { stopHelper } from '../processes/helper.js';
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { wrapWords } from '../render/format.js';
import { validateSettings } from '../config/settings.js';
import { findProjectWorkers, stopWorkers } from '../processes/worker-find.js';
import { allFlags, usageLine } from '../cli-model/args.js';
import { bestMatches } from '../cli-model/suggest.js';
import { defineCommand, type Command } from '../cli-model/types.js';

interface HelpData {
  command?: {
    name: string;
    aliases: string[];
    summary: string;
    usage: string;
    flags: { flag: string; description: string; default?: unknown }[];
    globalFlags: string[];
    examples: string[];
  };
  groups?: { group: string; title: string; commands: { name: string; aliases: string[]; summary: string }[] }[];
}

function flagLabel(f: Command['flags'][number]): string {
  const names = [f.short ? `-${f.short}` : '', `--${f.name}`, ...(f.aliases ?? []).map((a) => `--${a}`)]
    .filter(Boolean)
    .join(', ');
  return f.type === 'boolean' ? names : `${names} ${f.metavar ?? f.name.toUpperCase().replace(/-/g, '_')}`;
}

export const helpCommand = defineCommand({
  name: 'help',
  aliases: ['?'],
  group: 'shell',
  effect: 'read',
  summary: 'List the commands, or show the flags and examples of one',
  examples: ['help', 'help wait'],
  flags: [],
  positionals: [{ name: 'command', description: 'the command to explain' }],
  fields: {
    command: 'help <command>: {name, aliases, summary, usage, flags[], globalFlags[], examples[]}',
    groups: 'help: [{group, title, commands[]}]',
  },
  async run(ctx, args): Promise<HelpData> {
    const { find, names, visible, groupTitles } = ctx.registry;
    const name = args.positionals[0];
    if (name) {
      const cmd = find(name);
      if (!cmd) {
        const near = bestMatches(name, names());
        throw new UsageError(
          `unknown command: ${name}`,
          near.length ? `did you mean ${near.join(', ')}?` : 'type `help` for the list',
        );
      }
      const own = new Set(cmd.flags.map((f) => f.name));
      return {
        command: {
          name: cmd.name,
          aliases: [...(cmd.aliases ?? [])],
          summary: cmd.summary,
          usage: usageLine(cmd),
          flags: cmd.flags.map((f) => ({
            flag: flagLabel(f),
            description: f.description + (f.choices ? ` (${f.choices.join('|')})` : ''),
            default: f.default,
          })),
          globalFlags: allFlags(cmd)
            .filter((f) => !own.has(f.name))
            .map((f) => `--${f.name}`),
          examples: cmd.examples ?? [],
        },
      };
    }
    const groups = Object.entries(groupTitles).map(([group, title]) => ({
      group,
      title,
      commands: visible()
        .filter((c) => c.group === group)
        .map((c) => ({ name: c.name, aliases: [...(c.aliases ?? [])], summary: c.summary })),
    }));
    return { groups: groups.filter((g) => g.commands.length > 0) };
  },
  render(d, s) {
    if (d.command) {
      const c = d.command;
      const lines = [
        s.c.bold(c.name) + (c.aliases.length ? s.c.dim(` (aliases: ${c.aliases.join(', ')})`) : ''),
        c.summary,
        '',
        `usage: ${c.usage}`,
      ];
      if (c.flags.length) {
        const width = Math.max(...c.flags.map((f) => f.flag.length));
        lines.push(
          '',
          'flags:',
          ...c.flags.map(
            (f) =>
              `  ${f.flag.padEnd(width)}  ${f.description}${f.default !== undefined ? s.c.dim(` (default ${String(f.default)})`) : ''}`,
          ),
        );
      }
      if (c.examples.length) lines.push('', 'examples:', ...c.examples.map((e) => `  ${e}`));
      lines.push(
        '',
        ...wrapWords(`global flags: ${c.globalFlags.join(' ')}`, Math.min(s.width ?? 100, 100), '  ').map((l) =>
          s.c.dim(l),
        ),
      );
      return lines.join('\n');
    }
    const lines: string[] = [];
    for (const g of d.groups ?? []) {
      lines.push(s.c.bold(g.title));
      const width = Math.max(...g.commands.map((c) => c.name.length));
      for (const c of g.commands) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}`);
      lines.push('');
    }
    lines.push(
      s.c.dim(
        '`help <command>` shows its flags; every command takes --json, --yes and the setting flags (see `config`).',
      ),
    );
    return lines.join('\n');
  },
});

export const projectCommand = defineCommand({
  name: 'project',
  aliases: ['cd'],
  group: 'shell',
  effect: 'act',
  summary: "Show the session's project, or switch to another project dir",
  examples: ['project', 'project ../orders-service'],
  flags: [],
  positionals: [{ name: 'dir', description: 'the project dir to switch to' }],
  fields: { projectDir: 'project dir', projectName: 'project name' },
  async run(ctx, args): Promise<{ projectDir: string; projectName: string }> {
    const dir = args.positionals[0];
    if (!dir) return { projectDir: ctx.settings.projectDir, projectName: ctx.settings.projectName };
    const full = resolve(ctx.settings.projectDir, dir);
    if (!existsSync(full) || !statSync(full).isDirectory()) throw new UsageError(`no such directory: ${full}`);
    const name = ctx.resolved.sources.projectName.source === 'default' ? basename(full) : ctx.settings.projectName;
    validateSettings({ ...ctx.settings, projectDir: full, projectName: name }); // refuse before switching
    ctx.setSessionOverride('projectDir', full);
    ctx.setSessionOverride('projectName', undefined);
    return {
      projectDir: full,
      projectName: ctx.resolved.sources.projectName.source === 'default' ? basename(full) : ctx.settings.projectName,
    };
  },
  render(d, s) {
    return `${s.ok} project ${s.c.bold(d.projectName)} (${d.projectDir})`;
  },
});

export const exitCommand = defineCommand({
  name: 'exit',
  aliases: ['quit'],
  group: 'shell',
  effect: 'destructive',
  summary:
    "Leave the shell (workers and server keep running; --cleanup stops this project's workers and the warm helper)",
  flags: [
    { name: 'cleanup', type: 'boolean', description: "stop this project's workers (and tshell's warm helper) first" },
  ],
  fields: {
    exit: 'always true',
    stopped: 'pids of the workers stopped by --cleanup',
    helperStopped: 'pid of the warm helper stopped by --cleanup',
  },
  async run(ctx, args): Promise<{ exit: true; stopped: number[]; helperStopped?: number }> {
    if (!args.flags.cleanup) return { exit: true, stopped: [] };
    const found = findProjectWorkers(ctx.settings).workers;
    await consentToStop(ctx, found);
    const stopped = await stopWorkers(found);
    const helper = await stopHelper(ctx.settings.stateDir);
    return { exit: true, stopped: stopped.map((w) => w.pid), ...(helper ? { helperStopped: helper.pid } : {}) };
  },
  render: (d, s) =>
    [
      ...d.stopped.map((pid) => `${s.ok} stopped worker pid ${pid}`),
      ...(d.helperStopped ? [`${s.ok} stopped the warm helper (pid ${d.helperStopped})`] : []),
    ].join('\n'),
});

export const clearCommand = defineCommand({
  name: 'clear',
  aliases: ['cls'],
  group: 'shell',
  effect: 'read',
  summary: 'Clear the terminal screen (nothing off a terminal)',
  flags: [],
  fields: { cleared: 'the screen was cleared (false off a terminal)' },
  async run(ctx): Promise<{ cleared: boolean }> {
    if (!ctx.interactive) ctx.progress('not a terminal: nothing to clear');
    return { cleared: ctx.interactive };
  },
  // Erase the screen and the scrollback, cursor home: what `clear` does in a shell.
  render: (d) => (d.cleared ? '\x1b[H\x1b[2J\x1b[3J' : ''),
});

export const feedCommand = defineCommand({
  name: 'feed',
  group: 'shell',
  effect: 'read',
  summary: "The REPL's background `dev`: pause its feed, print it again, or stop it",
  examples: ['feed off', 'feed on', 'feed stop'],
  flags: [],
  positionals: [
    { name: 'state', description: 'on, off, stop (default: say what runs)', choices: ['on', 'off', 'stop'] },
  ],
  fields: { running: 'the command running in the background, or null', feed: 'on or off' },
  async run(ctx, args): Promise<{ running: string | null; feed: 'on' | 'off' }> {
    const bg = ctx.background;
    if (!bg?.running)
      throw new UsageError(
        'nothing runs in the background',
        '`dev` (or `watch`) in the REPL runs there, with its feed above the prompt',
      );
    const state = args.positionals[0];
    if (state === 'on' || state === 'off') bg.setFeed(state === 'on');
    if (state === 'stop') await bg.stop();
    return { running: bg.running ?? null, feed: bg.feedOn ? 'on' : 'off' };
  },
  render: (d, s) =>
    d.running
      ? `${s.ok} ${d.running} runs in the background; its feed is ${d.feed}`
      : `${s.ok} stopped: nothing runs in the background`,
});
