// Script mode (stdin that is not a terminal, or --file): one command per line, blank lines and
// # comments skipped, each command echoed before its output, stop at the first failing command
// with its exit code (--keep-going runs on), one session context across lines. Lines run as they
// arrive (a program may write one, wait for its answer, then write the next), and each answer is
// written out before the next line is read. With --json every input line, blank and comment lines
// too, gets exactly one compact JSON object on stdout (JSON Lines), in order, and nothing else is
// written there; a line that is a JSON object is a typed call:
// {"command": "describe", "args": {"id": "x", "address": "…"}, "id": 7} (its "id" is echoed back).
import { setMaxListeners } from 'node:events';
import {
  ConfirmationRequiredError,
  ExitCode,
  UsageError,
  errorData,
  toTshellError,
  type ErrorData,
  type ExitCodeValue,
  type TshellError,
} from '../errors.js';
import { formatError } from '../render/errors.js';
import { toJson } from '../render/format.js';
import { colorWanted, loadColors, makeStyle } from '../render/style.js';
import { executeCall, executeWords, type LineOutcome, type ShellRuntime } from './execute.js';
import { splitLine } from '../cli-model/line.js';

/** One line of JSON Lines output: which script line, which command, how it ended, and its data or error. */
export interface JsonLineEnvelope {
  line: number;
  /** The "id" of a typed call, echoed. */
  id?: unknown;
  command: string;
  exitCode: number;
  data?: unknown;
  error?: ErrorData;
  /** The call needs consent: `error.plan` is what it would do, `error.token` carries it out. */
  needsConfirmation?: true;
  /** A blank or comment line: nothing ran. */
  skipped?: 'blank' | 'comment';
}

/** A JSON Lines typed call: {"command": NAME, "args": {...}, "id": any}. */
interface TypedLine {
  command: string;
  args: Record<string, unknown>;
  id?: unknown;
}

function typedLine(line: string): TypedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new UsageError(
      `not a JSON object: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      'a typed call is {"command": "describe", "args": {"id": "…"}}',
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UsageError(
      'a typed call must be a JSON object',
      'a typed call is {"command": "describe", "args": {"id": "…"}}',
    );
  const { command, args, id, ...rest } = parsed as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new UsageError(`a typed call has no key "${extra}"`, 'it takes command, args and id');
  if (typeof command !== 'string' || !command)
    throw new UsageError(
      'a typed call needs "command", a string',
      'a typed call is {"command": "describe", "args": {"id": "…"}}',
    );
  if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args)))
    throw new UsageError(`${command}: "args" must be an object`);
  return { command, args: (args ?? {}) as Record<string, unknown>, ...(id !== undefined ? { id } : {}) };
}

export async function runScript(
  lines: Iterable<string> | AsyncIterable<string>,
  shell: ShellRuntime,
  opts: { keepGoing: boolean },
): Promise<ExitCodeValue> {
  const jsonLines = Boolean(shell.launchFlags.json);
  const color = colorWanted(shell.stdout, shell.env, Boolean(shell.launchFlags.noColor || jsonLines));
  // Listen before anything asynchronous: readline drops the lines (and the end) of a pipe that
  // arrive while no iterator listens, e.g. while chalk loads (FORCE_COLOR=1 then hung, exit 13).
  const source: AsyncIterator<string> =
    Symbol.asyncIterator in lines
      ? lines[Symbol.asyncIterator]()
      : (async function* () {
          yield* lines;
        })();
  const listened: AsyncIterable<string> = { [Symbol.asyncIterator]: () => source };
  await loadColors(color);
  const style = makeStyle(color);
  let ran = 0;
  let failed = 0;
  let firstFailure: ExitCodeValue = ExitCode.ok;
  let index = -1;
  const envelope = (e: JsonLineEnvelope) => shell.stdout.write(`${toJson(e, 0)}\n`);
  for await (const raw of listened) {
    index++;
    const line = raw.trim();
    if (!line || line.startsWith('#')) {
      // A program waiting for one answer per line gets one for these too.
      if (jsonLines)
        envelope({
          line: index + 1,
          command: '',
          exitCode: ExitCode.ok,
          data: null,
          skipped: line ? 'comment' : 'blank',
        });
      continue;
    }
    if (!jsonLines) shell.stdout.write(`${style.c.bold(`› ${line}`)}\n`);
    ran++;
    let words: string[] = [];
    let typed: TypedLine | undefined;
    try {
      if (jsonLines && line.startsWith('{')) typed = typedLine(line);
      else words = splitLine(line);
    } catch (err) {
      const te = toTshellError(err);
      if (jsonLines) envelope({ line: index + 1, command: '', exitCode: te.exitCode, error: errorData(te) });
      else shell.stderr.write(`${formatError(te, style)}\n`);
      failed++;
      firstFailure ||= ExitCode.error;
      if (!opts.keepGoing) return finish(ExitCode.error, index);
      continue;
    }
    const ac = new AbortController();
    setMaxListeners(0, ac.signal); // a command may make many cancellable calls
    let emitted: { command: string; data?: unknown; error?: TshellError } | undefined;
    const runtime: ShellRuntime = jsonLines ? { ...shell, emit: (o) => (emitted = o) } : shell;
    const outcome: LineOutcome = typed
      ? await executeCall(typed.command, typed.args, runtime, ac.signal)
      : await executeWords(words, runtime, ac.signal);
    if (jsonLines) {
      const e: JsonLineEnvelope = {
        line: index + 1,
        ...(typed && 'id' in typed ? { id: typed.id } : {}),
        command: emitted?.command || (typed?.command ?? words[0] ?? ''),
        exitCode: outcome.exitCode,
      };
      if (emitted?.error) {
        e.error = errorData(emitted.error);
        if (emitted.error instanceof ConfirmationRequiredError) e.needsConfirmation = true;
      } else e.data = emitted?.data ?? null;
      envelope(e);
    }
    if (outcome.exit) break;
    if (outcome.exitCode !== ExitCode.ok) {
      failed++;
      firstFailure ||= outcome.exitCode;
      if (!opts.keepGoing) return finish(outcome.exitCode, index);
    }
  }
  return finish(firstFailure);

  function finish(code: ExitCodeValue, stoppedAt?: number): ExitCodeValue {
    const where = stoppedAt !== undefined ? `, stopped at line ${stoppedAt + 1} (--keep-going runs on)` : '';
    shell.stderr.write(
      `${ran} command${ran === 1 ? '' : 's'}, ${ran - failed} ok${failed ? `, ${failed} failed` : ''}${where}\n`,
    );
    return code;
  }
}
