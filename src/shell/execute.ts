// The single execution path shared by one-shot, REPL and script mode: words → command → flags →
// settings → run → render (text or JSON) → exit code. Errors end here as one line plus a hint.
import { SETTINGS, resolveSettings, validateSettings, type SettingKey } from '../config/settings.js';
import { contextFile } from '../config/state-dir.js';
import { ExitCode, InterruptedError, UsageError, toTshellError, type ExitCodeValue, type TshellError } from '../errors.js';
import { commandNames, findCommand, registry } from '../commands/registry.js';
import type { CommandContext, Prompter } from '../cli-model/types.js';
import { errorJson, formatError } from '../render/errors.js';
import { toJson } from '../render/format.js';
import { startSpinner, type Spinner } from '../render/spinner.js';
import { colorWanted, loadColors, makeStyle, terminalWidth } from '../render/style.js';
import { connectFor } from '../temporal/connection.js';
import { parseCommandArgs } from '../cli-model/args.js';
import { FileSessionStore } from './context.js';
import { applyProject, loadProject } from '../project/index.js';
import { bestMatches } from '../cli-model/suggest.js';
import { lineWords } from '../cli-model/completion.js';

export type { Sink } from '../render/sink.js';
import type { Sink } from '../render/sink.js';

/** What a shell (REPL, script, one-shot) provides to each command line. */
export interface ShellRuntime {
  stdout: Sink;
  stderr: Sink;
  env: NodeJS.ProcessEnv;
  /** Prompts are allowed (stdin and stdout are terminals). */
  interactive: boolean;
  /** How lines arrive: argv (one-shot), a script, the REPL; `nested` for lines another command runs. */
  mode?: 'one-shot' | 'script' | 'repl' | 'nested';
  /** Settings chosen for the whole session: launch flags and `project DIR`. */
  overrides: Partial<Record<SettingKey, string>>;
  /** Flags given at launch that apply to every line (--json, --yes, --no-color). */
  launchFlags: { json?: boolean; yes?: boolean; noColor?: boolean };
  /** Asks questions on the terminal (only when interactive). */
  prompter?: Prompter;
  /**
   * Receives each command's data or error instead of the JSON text on stdout (JSON Lines mode and
   * the MCP server wrap it in an envelope of their own).
   */
  emit?: (outcome: { command: string; data?: unknown; error?: TshellError }) => void;
  /** Sees each command's data or error, while the output is written as usual (nested lines). */
  observe?: (outcome: { command: string; data?: unknown; error?: TshellError }) => void;
}

/** Commands that never look at the project: they stay as fast as a bare start. */
const NO_PROJECT = new Set(['__complete', 'help', 'completions', 'mcp', 'setup', 'exit', 'ensure-server', 'server']);

export interface LineOutcome {
  exitCode: ExitCodeValue;
  exit?: boolean;
}

/** Completion candidates for a line, through the same path as `tshell __complete`. */
export async function completeLine(line: string, shell: ShellRuntime): Promise<[string[], string]> {
  const words = lineWords(line);
  let out = '';
  const quiet: ShellRuntime = { ...shell, stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true }, launchFlags: {} };
  await executeWords(['__complete', ...words], quiet, new AbortController().signal);
  return [out.split('\n').filter(Boolean), words[words.length - 1] ?? ''];
}

/** Questions stop the spinner while they wait for an answer. */
function pausingPrompter(p: Prompter, spin: Spinner): Prompter {
  const around = async <T>(ask: () => Promise<T>): Promise<T> => {
    spin.pause();
    try {
      return await ask();
    } finally {
      spin.resume();
    }
  };
  return {
    confirm: (m, d) => around(() => p.confirm(m, d)),
    select: (m, c) => around(() => p.select(m, c)),
    input: (m, d) => around(() => p.input(m, d)),
    pause: (m) => around(() => p.pause(m)),
  };
}

export async function executeWords(words: string[], shell: ShellRuntime, signal: AbortSignal): Promise<LineOutcome> {
  const noColorEarly = shell.launchFlags.noColor || words.includes('--no-color') || words.includes('--json') || Boolean(shell.launchFlags.json);
  const colorEarly = colorWanted(shell.stdout, shell.env, noColorEarly);
  await loadColors(colorEarly);
  let style = makeStyle(colorEarly);
  // --json anywhere on the line: even a line that fails to parse answers in JSON.
  let json = Boolean(shell.launchFlags.json) || words.includes('--json');
  let spinner: Spinner | undefined;
  try {
    const [name, ...rest] = words;
    if (!name) return { exitCode: ExitCode.ok };
    const command = findCommand(name);
    if (!command) {
      const near = bestMatches(name, commandNames());
      throw new UsageError(`unknown command: ${name}`, near.length ? `did you mean ${near.join(', ')}?` : 'type `help` for the list of commands');
    }
    // `__complete` receives the line being completed: its words are data, not flags.
    const args = command.name === '__complete' ? { flags: {}, positionals: rest } : parseCommandArgs(command, rest);
    json = json || Boolean(args.flags.json);
    style = makeStyle(!json && colorWanted(shell.stdout, shell.env, Boolean(shell.launchFlags.noColor || args.flags['no-color'])), terminalWidth(shell.stdout, shell.env));
    if (args.flags.help && command.name !== 'help') return executeWords(['help', command.name, ...(json ? ['--json'] : [])], shell, signal);
    const flagSettings: Partial<Record<SettingKey, string>> = {};
    for (const spec of SETTINGS) {
      const value = args.flags[spec.flag];
      if (typeof value === 'string') flagSettings[spec.key] = value;
    }
    const given = resolveSettings({ flags: flagSettings, session: shell.overrides, env: shell.env });
    validateSettings(given.values);
    // The project's own code supplies what was not given (worker and starter, the task queue).
    const project = NO_PROJECT.has(command.name) ? undefined : loadProject(given.values.projectDir, given.values.stateDir, shell.env);
    const resolved = project ? applyProject(given, project) : given;
    const settings = resolved.values;
    const yes = Boolean(shell.launchFlags.yes || args.flags.yes);
    const spin = startSpinner(shell.stderr, command.name, Boolean(shell.interactive && shell.stderr.isTTY && !json) && command.name !== '__complete');
    spinner = spin;
    const prompter = shell.interactive && shell.prompter ? pausingPrompter(shell.prompter, spin) : undefined;
    const ctx: CommandContext = {
      settings,
      resolved,
      session: new FileSessionStore(contextFile(settings)),
      registry,
      style,
      json,
      yes,
      interactive: shell.interactive,
      mode: shell.mode ?? 'one-shot',
      signal,
      print: (text) => {
        spin.clear();
        shell.stdout.write(text);
      },
      progress: (line) => {
        spin.clear();
        if (!json) shell.stderr.write(`${style.c.dim(`… ${line}`)}\n`);
      },
      temporal: () => connectFor(settings),
      project: () => project ?? loadProject(settings.projectDir, settings.stateDir, shell.env),
      confirm: async (question) => {
        if (yes) return true;
        if (!prompter) throw new UsageError(`${command.name} needs confirmation: ${question}`, 'rerun with --yes');
        return prompter.confirm(question);
      },
      ...(prompter ? { prompter } : {}),
      runLine: async (line, opts = {}) => {
        let output = '';
        const capture = { write: (t: string) => (output += t) };
        // Under an envelope (JSON Lines, MCP) nested lines are captured: one envelope per line given.
        const quiet = opts.quiet || Boolean(shell.emit);
        let emitted: { data?: unknown; error?: TshellError } | undefined;
        const target: ShellRuntime = quiet ? { ...shell, mode: 'nested', stdout: capture, stderr: capture, launchFlags: { ...shell.launchFlags, json: false }, emit: undefined, observe: undefined } : { ...shell, mode: 'nested' };
        target.observe = (o) => (emitted = o);
        // Settings given on this line (--project-dir, --starter-cmd, …) hold for the lines it runs.
        const inherited = SETTINGS.flatMap((spec) => (flagSettings[spec.key] !== undefined && !line.includes(`--${spec.flag}`) ? [`--${spec.flag}`, flagSettings[spec.key] as string] : []));
        if (yes && !line.includes('--yes')) inherited.push('--yes'); // consent given to the whole line
        spin.pause();
        try {
          const { exitCode } = await executeWords([...line, ...inherited], target, signal);
          const error = emitted?.error ? { code: emitted.error.code, message: emitted.error.message, ...(emitted.error.hint ? { hint: emitted.error.hint } : {}) } : undefined;
          return { exitCode, output, ...(emitted && 'data' in emitted ? { data: emitted.data } : {}), ...(error ? { error } : {}) };
        } finally {
          spin.resume();
        }
      },
      setSessionOverride: (key, value) => {
        if (value === undefined) delete shell.overrides[key];
        else shell.overrides[key] = value;
      },
    };
    const data = await command.run(ctx, args);
    spin.stop();
    shell.observe?.({ command: command.name, data });
    if (shell.emit) shell.emit({ command: command.name, data });
    else if (json) shell.stdout.write(`${toJson(data)}\n`);
    else {
      const text = command.render(data, style, args);
      if (text) shell.stdout.write(`${text}\n`);
    }
    return { exitCode: command.exitCode?.(data, args) ?? ExitCode.ok, exit: command.name === 'exit' };
  } catch (err) {
    spinner?.stop();
    // Whatever a cancelled call threw (gRPC CANCELLED, an AbortError…), the user pressed Ctrl-C.
    const te = signal.aborted ? new InterruptedError() : toTshellError(err);
    shell.observe?.({ command: words[0] ?? '', error: te });
    if (shell.emit) {
      shell.emit({ command: words[0] ?? '', error: te });
      return { exitCode: te.exitCode };
    }
    shell.stderr.write(`${formatError(te, style, err)}\n`);
    if (json) shell.stdout.write(`${errorJson(te)}\n`);
    return { exitCode: te.exitCode };
  }
}
