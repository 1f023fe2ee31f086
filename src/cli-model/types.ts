// The shape of a command: declared once as data, read by the REPL, the one-shot parser, stdin
// scripts, help and completion. `run` returns data; `render` turns it into text; --json prints the data.
import type { ExitCodeValue } from '../errors.js';
import type { Style } from '../render/style.js';
import type { Settings, ResolvedSettings } from '../config/settings.js';
import type { TemporalHandle } from '../temporal/connection.js';

export type FlagType = 'string' | 'boolean' | 'number' | 'json';

export interface FlagSpec {
  name: string;
  type: FlagType;
  description: string;
  short?: string;
  aliases?: string[];
  default?: string | number | boolean;
  /** Allowed values (completion and validation). */
  choices?: readonly string[];
  multiple?: boolean;
  /** Placeholder shown in help, e.g. SECONDS. */
  metavar?: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  choices?: readonly string[];
}

export type CommandGroup = 'server' | 'workers' | 'workflows' | 'monitoring' | 'diagnosis' | 'recipes' | 'setup' | 'shell';

export type FlagValue = string | number | boolean | unknown[] | undefined | unknown;

export interface ParsedArgs {
  /** Flag values by canonical name, defaults applied. */
  flags: Record<string, FlagValue>;
  positionals: string[];
}

/** The session context of a project: the current workflow and the previous one. */
export interface SessionState {
  workflowId?: string;
  runId?: string;
  namespace?: string;
  previousWorkflowId?: string;
  previousRunId?: string;
  /** Last status seen for the current workflow (for the prompt). */
  lastStatus?: string;
  updatedAt?: string;
}

/** Where the session context lives; the shell keeps it in a file per project. */
export interface SessionStore {
  readonly current: Readonly<SessionState>;
  /** Re-reads it (another command of the same session may have changed it). */
  reload(): void;
  setWorkflow(workflowId: string, runId: string | undefined, namespace: string): void;
  setStatus(status: string): void;
}

/** The command list, handed to the commands that talk about commands (help, completion). */
export interface CommandRegistry {
  all(): Command[];
  visible(): Command[];
  find(name: string): Command | undefined;
  /** Names and aliases, for "did you mean" and completion. */
  names(): string[];
  groupTitles: Record<CommandGroup, string>;
}

export interface Confirmer {
  (question: string): Promise<boolean>;
}

/** Questions on a terminal; absent off a TTY (scripts, pipes, CI), where nothing may wait for input. */
export interface Prompter {
  confirm(message: string, def?: boolean): Promise<boolean>;
  select<T extends string>(message: string, choices: { value: T; name: string; description?: string }[]): Promise<T>;
  /** Waits until the user says a manual step (editing code) is done. */
  pause(message: string): Promise<void>;
  input(message: string, def?: string): Promise<string>;
}

export interface CommandContext {
  settings: Settings;
  resolved: ResolvedSettings;
  session: SessionStore;
  registry: CommandRegistry;
  style: Style;
  json: boolean;
  /** --yes was given: every confirmation is answered yes. */
  yes: boolean;
  /** stdin and stdout are a terminal: prompts and spinners are allowed. */
  interactive: boolean;
  signal: AbortSignal;
  /** Writes output as it happens (streaming commands such as `logs --follow`). */
  print(text: string): void;
  /** A progress line for humans (stderr; silent with --json). */
  progress(line: string): void;
  /** Connects on first use, fails fast with a ConnectionError when the server is down. */
  temporal(): Promise<TemporalHandle>;
  confirm: Confirmer;
  /** Set only when stdin and stdout are a terminal. */
  prompter?: Prompter;
  /**
   * Runs another command line through the shell's one execution path (the wizard's fix steps);
   * `quiet` captures its output instead of printing it.
   */
  runLine(words: string[], opts?: { quiet?: boolean }): Promise<{ exitCode: number; output: string }>;
  /** Lets the REPL switch the project for the rest of the session. */
  setSessionOverride(key: 'projectDir' | 'projectName', value: string | undefined): void;
}

export interface Command<D = unknown> {
  name: string;
  aliases?: string[];
  group: CommandGroup;
  summary: string;
  /** Lines shown under "Examples" in `help <command>`. */
  examples?: string[];
  flags: FlagSpec[];
  positionals?: PositionalSpec[];
  /** Hidden from help and completion (e.g. `__complete`). */
  hidden?: boolean;
  run(ctx: CommandContext, args: ParsedArgs): Promise<D>;
  render(data: D, style: Style, args: ParsedArgs): string;
  /** The top-level fields of the --json output, with a line on each (documented in README.md). */
  fields?: Record<string, string>;
  /** 0 unless the data says the answer is a failure. */
  exitCode?(data: D, args: ParsedArgs): ExitCodeValue;
}

/** Erases the data type so commands of different shapes live in one registry. */
export function defineCommand<D>(command: Command<D>): Command {
  return command as unknown as Command;
}
