// The single execution path shared by one-shot, REPL and script mode: words → command → flags →
// settings → run → render (text or JSON) → exit code. Errors end here as one line plus a hint.
import { SETTINGS, resolveSettings, validateSettings, type SettingKey } from '../config/settings.js';
import {
  ConfirmationRequiredError,
  errorData,
  ExitCode,
  InterruptedError,
  UsageError,
  toTshellError,
  type ExitCodeValue,
  type TshellError,
} from '../errors.js';
import { commandNames, findCommand, registry } from '../commands/registry.js';
import type { Background, Command, CommandContext, LineResult, ParsedArgs, Prompter } from '../cli-model/types.js';
import { callFromValues } from '../cli-model/call.js';
import { planToken } from '../config/consent-key.js';
import { errorJson, formatError } from '../render/errors.js';
import { toJson } from '../render/format.js';
import { startSpinner, type Spinner } from '../render/spinner.js';
import { colorWanted, loadColors, makeStyle, terminalWidth } from '../render/style.js';
import { connectFor } from '../temporal/connection.js';
import { parseCommandArgs } from '../cli-model/args.js';
import type { SessionSource } from './context.js';
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
  /** This session's own context per project (its current workflow). */
  sessions: SessionSource;
  /** The project dir the session started in (set by its first line): code elsewhere asks first. */
  startDir?: string;
  /** Progress lines of a command also go here (MCP progress notifications). */
  onProgress?: (line: string) => void;
  /** The REPL's background command (`dev`), for `feed`. */
  background?: Background;
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
  const quiet: ShellRuntime = {
    ...shell,
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true },
    launchFlags: {},
  };
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

/** A command, its parsed args, and what the line or call chose besides its flags. */
interface Invocation {
  command: Command;
  args: ParsedArgs;
  /** Settings given with this line or call (flags, or a call's settings). */
  settings: Partial<Record<SettingKey, string>>;
  /** A plan token given with this line or call. */
  confirm?: string;
}

/** What a nested line takes from the line that runs it: its settings and the consent given to it. */
interface Inherited {
  settings: Partial<Record<SettingKey, string>>;
  yes: boolean;
  confirm?: string;
  /** The user agreed to this line already: its consents are granted (its own questions still ask). */
  consented?: boolean;
}

function unknownCommand(name: string): UsageError {
  const near = bestMatches(name, commandNames());
  return new UsageError(
    `unknown command: ${name}`,
    near.length ? `did you mean ${near.join(', ')}?` : 'type `help` for the list of commands',
  );
}

/** A text line: its words parse into the same invocation a typed call builds. */
export async function executeWords(
  words: string[],
  shell: ShellRuntime,
  signal: AbortSignal,
  inherited?: Inherited,
): Promise<LineOutcome> {
  const [name, ...rest] = words;
  if (!name) return { exitCode: ExitCode.ok };
  const noColor = Boolean(shell.launchFlags.noColor) || words.includes('--no-color');
  // --json anywhere on the line: even a line that fails to parse answers in JSON.
  const json = Boolean(shell.launchFlags.json) || words.includes('--json');
  return execute(
    () => {
      const command = findCommand(name);
      if (!command) throw unknownCommand(name);
      // `__complete` receives the line being completed: its words are data, not flags.
      const args = command.name === '__complete' ? { flags: {}, positionals: rest } : parseCommandArgs(command, rest);
      const settings: Partial<Record<SettingKey, string>> = {};
      for (const spec of SETTINGS) {
        const value = args.flags[spec.flag];
        if (typeof value === 'string') settings[spec.key] = value;
      }
      const confirm = typeof args.flags.confirm === 'string' ? args.flags.confirm : undefined;
      return { command, args, settings, ...(confirm ? { confirm } : {}) };
    },
    name,
    { json, noColor },
    shell,
    signal,
    inherited,
  );
}

/** A typed call (MCP, JSON Lines, a composing command): values checked against the command's spec. */
export async function executeCall(
  name: string,
  values: Record<string, unknown>,
  shell: ShellRuntime,
  signal: AbortSignal,
  inherited?: Inherited,
): Promise<LineOutcome> {
  return execute(
    () => {
      const command = findCommand(name);
      if (!command || command.name === '__complete') throw unknownCommand(name);
      const call = callFromValues(command, values);
      return { command, args: call.args, settings: call.settings, ...(call.confirm ? { confirm: call.confirm } : {}) };
    },
    name,
    { json: Boolean(shell.launchFlags.json), noColor: Boolean(shell.launchFlags.noColor) },
    shell,
    signal,
    inherited,
  );
}

/** Runs one invocation: settings → project → context → run → render or data → exit code. */
async function execute(
  invoke: () => Invocation,
  name: string,
  early: { json: boolean; noColor: boolean },
  shell: ShellRuntime,
  signal: AbortSignal,
  inherited: Inherited | undefined,
): Promise<LineOutcome> {
  const colorEarly = colorWanted(shell.stdout, shell.env, early.noColor || early.json);
  await loadColors(colorEarly);
  let style = makeStyle(colorEarly);
  let json = early.json;
  let spinner: Spinner | undefined;
  try {
    const { command, args, settings: own, confirm: ownToken } = invoke();
    json = json || Boolean(args.flags.json);
    style = makeStyle(
      !json && colorWanted(shell.stdout, shell.env, Boolean(shell.launchFlags.noColor || args.flags['no-color'])),
      terminalWidth(shell.stdout, shell.env),
    );
    if (args.flags.help && command.name !== 'help')
      return executeWords(['help', command.name, ...(json ? ['--json'] : [])], shell, signal);
    // Settings given on the line that runs this one hold for it, unless it gives its own.
    const lineSettings = { ...(inherited?.settings ?? {}), ...own };
    const given = resolveSettings({ flags: lineSettings, session: shell.overrides, env: shell.env });
    validateSettings(given.values, given.sources);
    shell.startDir ??=
      shell.mode === 'one-shot' || !shell.mode
        ? given.values.projectDir
        : resolveSettings({ flags: {}, session: shell.overrides, env: shell.env }).values.projectDir;
    const startDir = shell.startDir;
    // The project's own code supplies what was not given (worker and starter, the task queue).
    const project = NO_PROJECT.has(command.name)
      ? undefined
      : loadProject(given.values.projectDir, given.values.stateDir, shell.env);
    const resolved = project ? applyProject(given, project) : given;
    const settings = resolved.values;
    const yes = Boolean(shell.launchFlags.yes || args.flags.yes || inherited?.yes);
    const token = ownToken ?? inherited?.confirm;
    const spin = startSpinner(
      shell.stderr,
      command.name,
      Boolean(shell.interactive && shell.stderr.isTTY && !json) && command.name !== '__complete' && !command.streams,
    );
    spinner = spin;
    const prompter = shell.interactive && shell.prompter ? pausingPrompter(shell.prompter, spin) : undefined;
    const nested = (opts: { quiet?: boolean }): { target: ShellRuntime; take: () => Omit<LineResult, 'exitCode'> } => {
      let output = '';
      const capture = { write: (t: string) => (output += t) };
      // Under an envelope (JSON Lines, MCP) nested lines are captured: one envelope per line given.
      const quiet = opts.quiet || Boolean(shell.emit);
      let emitted: { data?: unknown; error?: TshellError } | undefined;
      const target: ShellRuntime = quiet
        ? {
            ...shell,
            mode: 'nested',
            stdout: capture,
            stderr: capture,
            launchFlags: { ...shell.launchFlags, json: false },
            emit: undefined,
            observe: undefined,
          }
        : { ...shell, mode: 'nested' };
      target.observe = (o) => (emitted = o);
      return {
        target,
        take: () => {
          const failure = emitted?.error;
          const error = failure ? errorData(failure) : undefined;
          return {
            output,
            ...(emitted && 'data' in emitted ? { data: emitted.data } : {}),
            ...(error && failure ? { error, failure } : {}),
          };
        },
      };
    };
    const consented = Boolean(inherited?.consented);
    const inherit: Inherited = {
      settings: lineSettings,
      yes,
      ...(token ? { confirm: token } : {}),
      ...(consented ? { consented } : {}),
    };
    const ctx: CommandContext = {
      settings,
      resolved,
      session: shell.sessions(settings),
      registry,
      style,
      json,
      yes,
      interactive: shell.interactive,
      mode: shell.mode ?? 'one-shot',
      signal,
      startDir,
      ...(shell.background ? { background: shell.background } : {}),
      print: (text) => {
        spin.clear();
        shell.stdout.write(text);
      },
      progress: (line) => {
        spin.clear();
        shell.onProgress?.(line);
        if (!json) shell.stderr.write(`${style.c.dim(`… ${line}`)}\n`);
      },
      temporal: () => connectFor(settings),
      project: () => project ?? loadProject(settings.projectDir, settings.stateDir, shell.env),
      consent: async (request) => {
        const plan = { command: command.name, ...request };
        const expected = planToken(settings.stateDir, plan);
        if (token) {
          if (token === expected) return true;
          throw new ConfirmationRequiredError(plan, expected, true);
        }
        if (yes || consented) return true;
        if (!prompter) throw new ConfirmationRequiredError(plan, expected);
        return prompter.confirm(request.action);
      },
      ...(prompter ? { prompter } : {}),
      runLine: async (line, opts = {}) => {
        const { target, take } = nested(opts);
        spin.pause();
        try {
          const { exitCode } = await executeWords(
            line,
            target,
            signal,
            opts.consented ? { ...inherit, consented: true } : inherit,
          );
          return { exitCode, ...take() };
        } finally {
          spin.resume();
        }
      },
      call: async (name, values, opts = {}) => {
        const { target, take } = nested({ quiet: opts.quiet ?? true });
        if (opts.onProgress) target.onProgress = opts.onProgress;
        const both = opts.signal ? AbortSignal.any([signal, opts.signal]) : signal;
        const { exitCode } = await executeCall(name, values, target, both, inherit);
        return { exitCode, ...take() };
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
    else if (json) shell.stdout.write(`${toJson(data, command.streams ? 0 : 2)}\n`);
    else {
      const text = command.render(data, style, args);
      if (text) shell.stdout.write(`${text}\n`);
    }
    return { exitCode: command.exitCode?.(data, args) ?? ExitCode.ok, exit: command.name === 'exit' };
  } catch (err) {
    spinner?.stop();
    // Whatever a cancelled call threw (gRPC CANCELLED, an AbortError…), the user pressed Ctrl-C.
    const te = signal.aborted ? new InterruptedError() : toTshellError(err);
    shell.observe?.({ command: name, error: te });
    if (shell.emit) {
      shell.emit({ command: name, error: te });
      return { exitCode: te.exitCode };
    }
    shell.stderr.write(`${formatError(te, style, err)}\n`);
    if (json) shell.stdout.write(`${errorJson(te)}\n`);
    return { exitCode: te.exitCode };
  }
}

/** The line names a command that the REPL runs in the background (`dev`, `watch`). */
export function runsInBackground(words: string[]): boolean {
  return Boolean(findCommand(words[0] ?? '')?.background);
}
