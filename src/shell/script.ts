// Script mode (stdin that is not a terminal, or --file): one command per line, blank lines and
// # comments skipped, each command echoed before its output, stop at the first failing command
// with its exit code (--keep-going runs on), one session context across lines. Lines run as they
// arrive (a program may write one, wait for its answer, then write the next), and each answer is
// written out before the next line is read. With --json every line gets exactly one compact JSON
// object on stdout (JSON Lines) and nothing else is written there.
import { setMaxListeners } from 'node:events';
import { ExitCode, toTshellError, type ExitCodeValue, type TshellError } from '../errors.js';
import { formatError } from '../render/errors.js';
import { toJson } from '../render/format.js';
import { colorWanted, loadColors, makeStyle } from '../render/style.js';
import { executeWords, type ShellRuntime } from './execute.js';
import { splitLine } from '../cli-model/line.js';

/** One line of JSON Lines output: which script line, which command, how it ended, and its data or error. */
export interface JsonLineEnvelope {
  line: number;
  command: string;
  exitCode: number;
  data?: unknown;
  error?: { code: string; message: string; hint?: string };
}

function errorOf(e: TshellError): JsonLineEnvelope['error'] {
  return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
}

export async function runScript(lines: Iterable<string> | AsyncIterable<string>, shell: ShellRuntime, opts: { keepGoing: boolean }): Promise<ExitCodeValue> {
  const jsonLines = Boolean(shell.launchFlags.json);
  const color = colorWanted(shell.stdout, shell.env, Boolean(shell.launchFlags.noColor || jsonLines));
  // Listen before anything asynchronous: readline drops the lines (and the end) of a pipe that
  // arrive while no iterator listens, e.g. while chalk loads (FORCE_COLOR=1 then hung, exit 13).
  const source: AsyncIterator<string> = Symbol.asyncIterator in lines ? lines[Symbol.asyncIterator]() : (async function* () { yield* lines; })();
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
    if (!line || line.startsWith('#')) continue;
    if (!jsonLines) shell.stdout.write(`${style.c.bold(`› ${line}`)}\n`);
    ran++;
    let words: string[];
    try {
      words = splitLine(line);
    } catch (err) {
      const te = toTshellError(err);
      if (jsonLines) envelope({ line: index + 1, command: '', exitCode: te.exitCode, error: errorOf(te) });
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
    const outcome = await executeWords(words, runtime, ac.signal);
    if (jsonLines) {
      const e: JsonLineEnvelope = { line: index + 1, command: emitted?.command || (words[0] ?? ''), exitCode: outcome.exitCode };
      if (emitted?.error) e.error = errorOf(emitted.error);
      else e.data = emitted?.data ?? null;
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
    shell.stderr.write(`${ran} command${ran === 1 ? '' : 's'}, ${ran - failed} ok${failed ? `, ${failed} failed` : ''}${where}\n`);
    return code;
  }
}
