// One error family: every failure the user sees is a TshellError with a code, an exit code and a hint.
// Commands throw; src/shell/execute.ts is the only place that turns an error into output.

/** Exit codes, the same in one-shot, REPL and script mode (documented in README.md). */
export const ExitCode = {
  ok: 0,
  /** The command ran and the answer is a failure (workflow failed, wait timed out, problem found). */
  failure: 1,
  /** It could not do its job: usage error, unknown workflow, server unreachable, missing tool. */
  error: 2,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const ErrorCodes = {
  usage: 'TSHELL-USAGE',
  unknownCommand: 'TSHELL-UNKNOWN-COMMAND',
  connection: 'TSHELL-CONN',
  notFound: 'TSHELL-NOT-FOUND',
  toolMissing: 'TSHELL-TOOL-MISSING',
  process: 'TSHELL-PROCESS',
  server: 'TSHELL-SERVER',
  interrupted: 'TSHELL-INTERRUPTED',
  needsConfirmation: 'TSHELL-NEEDS-CONFIRMATION',
  internal: 'TSHELL-INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class TshellError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
    readonly hint?: string,
    readonly exitCode: ExitCodeValue = ExitCode.error,
    /** Extra lines shown under the message (e.g. a log tail). */
    readonly details?: string[],
  ) {
    super(message);
    this.name = 'TshellError';
  }
}

/** Bad flags, arguments or values. */
export class UsageError extends TshellError {
  constructor(message: string, hint?: string) {
    super(message, ErrorCodes.usage, hint);
  }
}

/** The Temporal server cannot be reached at the configured address. */
export class ConnectionError extends TshellError {
  constructor(
    readonly address: string,
    reason?: string,
  ) {
    super(
      `cannot reach Temporal at ${address}${reason ? ` (${reason})` : ''}`,
      ErrorCodes.connection,
      'run `ensure-server` to start a local dev server, or pass --address',
    );
  }
}

/** A workflow (or other named thing) does not exist. */
export class NotFoundError extends TshellError {
  constructor(message: string, hint?: string) {
    super(message, ErrorCodes.notFound, hint);
  }
}

/** `temporal` or `uv` could not be found. */
export class ToolMissingError extends TshellError {
  constructor(tool: string, hint: string) {
    super(`${tool} not found`, ErrorCodes.toolMissing, hint);
  }
}

/** A supervised process (server, worker, starter) failed. */
export class ProcessError extends TshellError {
  constructor(message: string, details?: string[], hint?: string, exitCode: ExitCodeValue = ExitCode.failure) {
    super(message, ErrorCodes.process, hint, exitCode, details);
  }
}

/** What a destructive call would touch, exactly: shown before consent, bound to its token. */
export interface ConsentPlan {
  /** The command that would act. */
  command: string;
  /** The consent class (one row of the README's consent table). */
  class: 'workflows' | 'stop-foreign' | 'foreign-code' | 'server' | 'schedules';
  /** What would happen, in one line. */
  action: string;
  /** The exact targets: workflow ids with run ids, pids, the server's address, a folder. */
  targets: Record<string, string | number>[];
}

/**
 * A call that needs consent and got none (or a token of another plan): carries the plan and the
 * token that carries it out, so programs read them instead of matching a message.
 */
export class ConfirmationRequiredError extends TshellError {
  constructor(
    readonly plan: ConsentPlan,
    readonly token: string,
    readonly changed = false,
  ) {
    super(
      `${changed ? 'the targets changed since the preview: ' : ''}${plan.command} needs confirmation: ${plan.action}`,
      ErrorCodes.needsConfirmation,
      "answer the question on a terminal, add --yes, or pass this plan's token (--confirm TOKEN; MCP: confirm)",
    );
  }
}

/** An error as data (--json, JSON Lines, MCP): a needed confirmation carries its plan and token. */
export interface ErrorData {
  code: string;
  message: string;
  hint?: string;
  details?: string[];
  plan?: ConsentPlan;
  token?: string;
}

export function errorData(err: TshellError): ErrorData {
  return {
    code: err.code,
    message: err.message,
    ...(err.hint ? { hint: err.hint } : {}),
    ...(err.details?.length ? { details: err.details } : {}),
    ...(err instanceof ConfirmationRequiredError ? { plan: err.plan, token: err.token } : {}),
  };
}

export class InterruptedError extends TshellError {
  constructor() {
    super('interrupted', ErrorCodes.interrupted, undefined, ExitCode.failure);
  }
}

/** Wraps anything unexpected so the user still sees one line, never a stack trace. */
export function toTshellError(err: unknown): TshellError {
  if (err instanceof TshellError) return err;
  if (isAbortError(err)) return new InterruptedError();
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    // A system error (a path too long, a dir not writable…): the user's setting, not a tshell bug.
    return new TshellError(
      message.split('\n')[0] ?? code,
      ErrorCodes.process,
      'check the paths in `config` (state, log and PID dirs, project dir)',
    );
  }
  if (code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE') {
    return new TshellError(
      (message.split('\n')[0] ?? code).replace(/\0/g, '\\0'),
      ErrorCodes.usage,
      'a value holds characters a path cannot take',
    );
  }
  return new TshellError(
    message.split('\n')[0] ?? 'unknown error',
    ErrorCodes.internal,
    'this looks like a tshell bug: rerun with TSHELL_DEBUG=1 for the stack trace and report it',
  );
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'CancelledFailure');
}
