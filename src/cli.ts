// Entry point: argv → one-shot command, REPL (stdin is a terminal, or -i) or script (stdin is not a
// terminal, or --file).
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { SETTINGS, type SettingKey } from './config/settings.js';
import { defaultStateDir, helperAllowed } from './config/helper-paths.js';
import { GLOBAL_FLAGS } from './cli-model/option-sets.js';
import { ExitCode, UsageError, toTshellError } from './errors.js';
import { formatError } from './render/errors.js';
import { makeStyle, colorWanted } from './render/style.js';
import { closeConnections } from './temporal/connection.js';
import type { ShellRuntime } from './shell/execute.js';
import { terminalPrompter } from './shell/prompts.js';
import { fdSink, streamsInUse } from './shell/sink.js';
import { chainSessions, memorySessions } from './shell/context.js';

const LAUNCH_FLAGS = {
  file: { type: 'string', short: 'f' },
  'keep-going': { type: 'boolean' },
  interactive: { type: 'boolean', short: 'i' },
  version: { type: 'boolean', short: 'v' },
} as const;

function baseRuntime(): ShellRuntime {
  return {
    stdout: fdSink(1),
    stderr: fdSink(2),
    env: process.env,
    interactive: isatty(0) && isatty(1),
    overrides: {},
    launchFlags: {},
    // A one-shot chains with the others from the same terminal; a REPL or script gets its own below.
    sessions: chainSessions(process.env),
  };
}

async function finish(code: number, flush = streamsInUse()): Promise<never> {
  await closeConnections();
  if (!flush) process.exit(code);
  // Flush anything written through the streams (pipes are asynchronous there).
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
  process.exit(code);
}

/**
 * A warm one-shot ran in-process, so no helper answered it: start one for the next (unless asked not
 * to, or the state dir was given as a flag, which the thin client cannot see without parsing).
 */
async function startHelperFor(argv: string[]): Promise<void> {
  if (!helperAllowed(argv, process.env)) return;
  const { findCommand } = await import('./commands/registry.js');
  if (!findCommand(argv[0] ?? '')?.warm) return;
  const stateDir = defaultStateDir(process.env);
  const { helperStatus, spawnHelper } = await import('./processes/helper.js');
  if (helperStatus(stateDir).running) return;
  await spawnHelper(stateDir, fileURLToPath(new URL('../bin/tshell.js', import.meta.url))).catch(() => undefined);
}

/** The lines of stdin as they arrive (readline buffers what comes while a command runs). */
async function stdinLines(): Promise<AsyncIterable<string>> {
  const { createInterface } = await import('node:readline');
  return createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
}

export async function main(given: string[]): Promise<void> {
  const shell = baseRuntime();
  let argv = given;
  try {
    let commandTimeoutMs: number | undefined;
    if (process.env.TSHELL_TEMPORAL_EXTENSION === '1') {
      // Run as `temporal shell`: the CLI's root flags, wherever they are, mapped onto tshell's.
      const { takeRootFlags, rootFlagWords } = await import('./cli-model/temporal-root-flags.js');
      const root = takeRootFlags(given);
      if (root.configFile) process.env.TEMPORAL_CONFIG_FILE = root.configFile;
      if (root.color === 'always') process.env.FORCE_COLOR = '1';
      commandTimeoutMs = root.commandTimeoutMs;
      const word = root.argv[0] !== undefined && !root.argv[0].startsWith('-');
      argv = word ? [...root.argv, ...rootFlagWords(root)] : [...rootFlagWords(root), ...root.argv];
    }
    if (argv[0] === '__helper') {
      // The warm helper (started by startHelperFor below); it runs until idle, then exits.
      const { serveWarm } = await import('./shell/warm/serve.js');
      return await serveWarm(argv[2] ?? defaultStateDir(process.env), fileURLToPath(import.meta.url));
    }
    if (argv[0] !== undefined && !argv[0].startsWith('-')) {
      const ac = new AbortController();
      setMaxListeners(0, ac.signal); // a command may make many cancellable calls
      process.once('SIGINT', () => ac.abort());
      if (commandTimeoutMs !== undefined) setTimeout(() => ac.abort(), commandTimeoutMs).unref();
      if (shell.interactive) shell.prompter = terminalPrompter(process.stdin, process.stdout);
      // An MCP connection is a session of its own, like a REPL.
      if (argv[0] === 'mcp') shell.sessions = memorySessions();
      const { executeWords } = await import('./shell/execute.js');
      const outcome = await executeWords(argv, shell, ac.signal);
      await startHelperFor(argv);
      return finish(outcome.exitCode);
    }
    const options: NonNullable<Parameters<typeof parseArgs>[0]>['options'] = { ...LAUNCH_FLAGS };
    for (const f of GLOBAL_FLAGS)
      options[f.name] = { type: f.type === 'boolean' ? 'boolean' : 'string', ...(f.short ? { short: f.short } : {}) };
    let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
    try {
      values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
    } catch (err) {
      throw new UsageError(
        err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err),
        'usage: tshell [COMMAND [FLAGS]] | tshell [--file SCRIPT] [--keep-going] [-i]',
      );
    }
    if (values.version) {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
      shell.stdout.write(`tshell ${pkg.version}\n`);
      return finish(0);
    }
    if (values.help)
      return finish(
        (await (await import('./shell/execute.js')).executeWords(['help'], shell, new AbortController().signal))
          .exitCode,
      );
    for (const spec of SETTINGS) {
      const v = values[spec.flag];
      if (typeof v === 'string') shell.overrides[spec.key as SettingKey] = v;
    }
    shell.launchFlags = { json: Boolean(values.json), yes: Boolean(values.yes), noColor: Boolean(values['no-color']) };
    shell.sessions = memorySessions();
    const file = values.file as string | undefined;
    if (file || (!isatty(0) && !values.interactive)) {
      shell.interactive = false;
      shell.mode = 'script';
      // A file is read whole; piped stdin line by line as it arrives (programs wait for each answer).
      // Loaded before stdin is read: lines that arrive while a module loads would be missed.
      const { runScript } = await import('./shell/script.js');
      const lines = file && file !== '-' ? readFileSync(file, 'utf8').split(/\r?\n/) : await stdinLines();
      return finish(await runScript(lines, shell, { keepGoing: Boolean(values['keep-going']) }));
    }
    const { runRepl } = await import('./shell/repl.js');
    const code = await runRepl({ input: process.stdin, output: process.stdout, shell, terminal: isatty(0) });
    return finish(code, true);
  } catch (err) {
    const te = toTshellError(err);
    const style = makeStyle(colorWanted(process.stderr, process.env, false));
    process.stderr.write(`${formatError(te, style, err)}\n`);
    return finish(te.exitCode ?? ExitCode.error);
  }
}
