// Entry point: argv → one-shot command, REPL (stdin is a terminal, or -i) or script (stdin is not a
// terminal, or --file).
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { fileURLToPath } from 'node:url';
import { defaultStateDir, helperAllowed } from './config/helper-paths.js';
import { ExitCode, toTshellError } from './errors.js';
import { parseLaunch } from './shell/launch.js';
import type { ShellRuntime } from './shell/execute.js';
import { fdSink, streamsInUse } from './shell/sink.js';
import { chainSessions, memorySessions } from './shell/context.js';

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
  await (await import('./temporal/connection.js')).closeConnections();
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
  await spawnHelper(stateDir, fileURLToPath(new URL('../bin/tshell.cjs', import.meta.url))).catch(() => undefined);
}

/** The lines of stdin as they arrive (readline buffers what comes while a command runs). */
async function stdinLines(): Promise<AsyncIterable<string>> {
  const { createInterface } = await import('node:readline');
  return createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
}

/**
 * `drawn`: the banner and prompt the launcher already drew for this argv (bin/tshell.cjs, through
 * first-prompt.ts), so the REPL starts from it; absent, the REPL draws them.
 */
export async function main(given: string[], drawn?: string): Promise<void> {
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
      if (shell.interactive)
        shell.prompter = (await import('./shell/prompts.js')).terminalPrompter(process.stdin, process.stdout);
      // An MCP connection is a session of its own, like a REPL.
      if (argv[0] === 'mcp') shell.sessions = memorySessions();
      const { executeWords } = await import('./shell/execute.js');
      const outcome = await executeWords(argv, shell, ac.signal);
      await startHelperFor(argv);
      return finish(outcome.exitCode);
    }
    const launch = parseLaunch(argv);
    if (launch.mode === 'version') {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
      shell.stdout.write(`tshell ${pkg.version}\n`);
      return finish(0);
    }
    if (launch.mode === 'help')
      return finish(
        (await (await import('./shell/execute.js')).executeWords(['help'], shell, new AbortController().signal))
          .exitCode,
      );
    shell.overrides = launch.overrides;
    shell.launchFlags = launch.flags;
    shell.sessions = memorySessions();
    if (launch.mode === 'script') {
      shell.interactive = false;
      shell.mode = 'script';
      // A file is read whole; piped stdin line by line as it arrives (programs wait for each answer).
      // Loaded before stdin is read: lines that arrive while a module loads would be missed.
      const { runScript } = await import('./shell/script.js');
      const { file } = launch;
      const lines = file && file !== '-' ? readFileSync(file, 'utf8').split(/\r?\n/) : await stdinLines();
      return finish(await runScript(lines, shell, { keepGoing: launch.keepGoing }));
    }
    const { runRepl } = await import('./shell/repl.js');
    const code = await runRepl({ input: process.stdin, output: process.stdout, shell, terminal: isatty(0), drawn });
    return finish(code, true);
  } catch (err) {
    const te = toTshellError(err);
    const [{ formatError }, { makeStyle, colorWanted }] = await Promise.all([
      import('./render/errors.js'),
      import('./render/style.js'),
    ]);
    const style = makeStyle(colorWanted(process.stderr, process.env, false));
    process.stderr.write(`${formatError(te, style, err)}\n`);
    return finish(te.exitCode ?? ExitCode.error);
  }
}
