// The shape of a command: declared once as data, read by the REPL, the one-shot parser, stdin
// scripts, help and completion. `run` returns data; `render` turns it into text; --json prints the data.
import type { ConsentPlan, ErrorData, ExitCodeValue, TshellError } from '../errors.js';
import type { Style } from '../render/style.js';
import type { Settings, ResolvedSettings } from '../config/settings.js';
import type { TemporalHandle } from '../temporal/connection.js';
import type { Project } from '../project/index.js';

export type FlagType = 'string' | 'boolean' | 'number' | 'json';

export interface FlagSpec {
  name: string;
  type: FlagType;
  description: string;
  short?: string;
  aliases?: readonly string[];
  default?: string | number | boolean;
  /** Allowed values (completion and validation). */
  choices?: readonly string[];
  multiple?: boolean;
  /** Placeholder shown in help, e.g. SECONDS. */
  metavar?: string;
  /** Numbers: the smallest value allowed. */
  min?: number;
  /** Numbers: whole numbers only. */
  integer?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  choices?: readonly string[];
}

export type CommandGroup =
  'server' | 'workers' | 'workflows' | 'monitoring' | 'diagnosis' | 'recipes' | 'setup' | 'shell';

/** The value a flag spec parses to: its type (or one of its choices), a list when repeatable. */
type ScalarOf<F extends FlagSpec> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'number' }
    ? number
    : F extends { type: 'json' }
      ? unknown
      : F extends { choices: readonly (infer C)[] }
        ? C
        : string;
type ValueOf<F extends FlagSpec> = F extends { multiple: true } ? ScalarOf<F>[] : ScalarOf<F>;
/** A flag with a default always has a value; any other may be absent. */
type SlotOf<F extends FlagSpec> = F extends { default: string | number | boolean }
  ? ValueOf<F>
  : ValueOf<F> | undefined;

/** Flags every command line takes (the setting flags are read through `ctx.settings`). */
export interface GlobalFlagValues {
  json?: boolean;
  yes?: boolean;
  /** The token of the plan a preview showed: carries out exactly that plan. */
  confirm?: string;
  'no-color'?: boolean;
  help?: boolean;
}

/** The flag values of a command, typed from its `as const` flag specs. */
export type FlagValues<Fs extends readonly FlagSpec[]> = {
  [F in Fs[number] as F['name']]: SlotOf<F>;
} & GlobalFlagValues;

export interface ParsedArgs<V = Record<string, unknown>> {
  /** Flag values by canonical name, defaults applied. */
  flags: V;
  positionals: string[];
}

/** Typed args for a command's own specs; plain ones for the registry's erased commands. */
export type ArgsOf<Fs extends readonly FlagSpec[]> = readonly FlagSpec[] extends Fs
  ? ParsedArgs
  : ParsedArgs<FlagValues<Fs>>;

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

/**
 * One session's context for one project. Each REPL, script, MCP connection and one-shot chain has
 * its own; the project's file only seeds a new session and remembers the last one.
 */
export interface SessionStore {
  readonly current: Readonly<SessionState>;
  /** Re-reads what this session saved (a nested command of the same session may have changed it). */
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

/** Questions on a terminal; absent off a TTY (scripts, pipes, CI), where nothing may wait for input. */
export interface Prompter {
  confirm(message: string, def?: boolean): Promise<boolean>;
  select<T extends string>(message: string, choices: { value: T; name: string; description?: string }[]): Promise<T>;
  /** Waits until the user says a manual step (editing code) is done. */
  pause(message: string): Promise<void>;
  input(message: string, def?: string): Promise<string>;
}

/** What running a nested line gave: its exit code, its captured text, and its data or error. */
export interface LineResult {
  exitCode: number;
  output: string;
  /** The command's data (what --json prints), when it succeeded. */
  data?: unknown;
  /** The error it ended with, one line and a hint. */
  error?: ErrorData;
  /** The same error, typed (a ConfirmationRequiredError carries its plan and token). */
  failure?: TshellError;
}

/** What a consent asks about: the plan without its command (the context adds it). */
export type ConsentRequest = Omit<ConsentPlan, 'command'>;

/**
 * What a command does to the world, for MCP annotations and the consent table: `read` only looks;
 * `act` starts or changes things the caller asked for; `destructive` may end, replace or stop
 * something (and asks first where the consent table says so).
 */
export type CommandEffect = 'read' | 'act' | 'destructive';

/** A command the REPL runs in the background (`dev`): its feed prints above the prompt. */
export interface Background {
  /** The command line running, if any. */
  readonly running: string | undefined;
  /** Whether its output prints now (off: it waits, and prints when turned on). */
  readonly feedOn: boolean;
  setFeed(on: boolean): void;
  /** Ends it, as Ctrl-C would (it says `stopped`). */
  stop(): Promise<void>;
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
  /** How this line arrived: argv (one-shot), a script line, a REPL line, or run by another command. */
  mode: 'one-shot' | 'script' | 'repl' | 'nested';
  signal: AbortSignal;
  /** Writes output as it happens (streaming commands such as `logs --follow`). */
  print(text: string): void;
  /** A progress line for humans (stderr; silent with --json). */
  progress(line: string): void;
  /** The project as discovery reads it (its run plan, workflows, activities), read on first use. */
  project(): Project;
  /** Connects on first use, fails fast with a ConnectionError when the server is down. */
  temporal(): Promise<TemporalHandle>;
  /**
   * Consent for a plan: true when given (--yes, the plan's token, or yes on the terminal), false when
   * the terminal said no; without a way to ask it throws ConfirmationRequiredError with the plan.
   */
  consent(plan: ConsentRequest): Promise<boolean>;
  /** The project dir this session started in: project code elsewhere runs only with consent. */
  startDir: string;
  /** Set only when stdin and stdout are a terminal. */
  prompter?: Prompter;
  /**
   * Runs another command line through the shell's one execution path (the wizard's fix steps);
   * `quiet` captures its output instead of printing it; `consented`: the user agreed to exactly this
   * line already (the tour's "do it"), so it asks nothing more.
   */
  runLine(words: string[], opts?: { quiet?: boolean; consented?: boolean }): Promise<LineResult>;
  /**
   * Runs another command with typed values (checked against its spec), output captured unless
   * `quiet` is false; `signal` cancels it too, `onProgress` sees its progress lines.
   */
  call(
    name: string,
    values: Record<string, unknown>,
    opts?: { signal?: AbortSignal; onProgress?: (line: string) => void; quiet?: boolean },
  ): Promise<LineResult>;
  /** The REPL's background command (absent elsewhere). */
  background?: Background;
  /** Lets the REPL switch the project for the rest of the session. */
  setSessionOverride(key: 'projectDir' | 'projectName' | 'workerCmd' | 'workerDir', value: string | undefined): void;
}

export interface Command<D = unknown, Fs extends readonly FlagSpec[] = readonly FlagSpec[]> {
  name: string;
  aliases?: readonly string[];
  group: CommandGroup;
  summary: string;
  /** What it does to the world (MCP annotations, the consent table). */
  effect: CommandEffect;
  /** Lines shown under "Examples" in `help <command>`. */
  examples?: string[];
  flags: Fs;
  positionals?: PositionalSpec[];
  /**
   * Safe for the warm helper to answer a one-shot of: it only reads, never asks, never starts a
   * process that outlives it, and gives the same answer when run again.
   */
  warm?: boolean;
  /** Hidden from help and completion (e.g. `__complete`). */
  hidden?: boolean;
  /** Its --json output is JSON Lines: events as they happen (ctx.print), then its data on one line. */
  streams?: boolean;
  /** In the REPL on a terminal it runs in the background, its output above the prompt (`feed` controls it). */
  background?: boolean;
  run(ctx: CommandContext, args: ArgsOf<Fs>): Promise<D>;
  render(data: D, style: Style, args: ArgsOf<Fs>): string;
  /** The top-level fields of the --json output, with a line on each (documented in README.md). */
  fields?: Record<string, string>;
  /** 0 unless the data says the answer is a failure. */
  exitCode?(data: D, args: ArgsOf<Fs>): ExitCodeValue;
}

/**
 * Declares a command: the flag values its `run` sees are typed from its flag specs (`const`
 * inference keeps their names, types and defaults). The types are then erased so commands of
 * different shapes live in one registry; the parser produces exactly what the specs say.
 */
export function defineCommand<D, const Fs extends readonly FlagSpec[]>(command: Command<D, Fs>): Command {
  return command as unknown as Command;
}
