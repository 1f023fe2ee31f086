// Script mode (stdin that is not a terminal, or --file): one command per line, blank lines and
// # comments skipped, each command echoed before its output, stop at the first failing command
// with its exit code (--keep-going runs on), one session context across lines.
import { setMaxListeners } from 'node:events';
import { ExitCode, toTshellError, type ExitCodeValue } from '../errors.js';
import { formatError } from '../render/errors.js';
import { colorWanted, loadColors, makeStyle } from '../render/style.js';
import { executeWords, type ShellRuntime } from './execute.js';
import { splitLine } from '../cli-model/line.js';

export async function runScript(text: string, shell: ShellRuntime, opts: { keepGoing: boolean }): Promise<ExitCodeValue> {
  const color = colorWanted(shell.stdout, shell.env, Boolean(shell.launchFlags.noColor || shell.launchFlags.json));
  await loadColors(color);
  const style = makeStyle(color);
  let ran = 0;
  let failed = 0;
  let firstFailure: ExitCodeValue = ExitCode.ok;
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (!shell.launchFlags.json) shell.stdout.write(`${style.c.bold(`› ${line}`)}\n`);
    ran++;
    let words: string[];
    try {
      words = splitLine(line);
    } catch (err) {
      shell.stderr.write(`${formatError(toTshellError(err), style)}\n`);
      words = [];
      failed++;
      firstFailure ||= ExitCode.error;
      if (!opts.keepGoing) return finish(ExitCode.error, index);
      continue;
    }
    const ac = new AbortController();
    setMaxListeners(0, ac.signal); // a command may make many cancellable calls
    const outcome = await executeWords(words, shell, ac.signal);
    if (outcome.exit) break;
    if (outcome.exitCode !== ExitCode.ok) {
      failed++;
      firstFailure ||= outcome.exitCode;
      if (!opts.keepGoing) return finish(outcome.exitCode, index);
    }
  }
  return finish(firstFailure);

  function finish(code: ExitCodeValue, stoppedAt?: number): ExitCodeValue {
    if (!shell.launchFlags.json) {
      const where = stoppedAt !== undefined ? `, stopped at line ${stoppedAt + 1} (--keep-going runs on)` : '';
      shell.stderr.write(`${ran} command${ran === 1 ? '' : 's'}, ${ran - failed} ok${failed ? `, ${failed} failed` : ''}${where}\n`);
    }
    return code;
  }
}
