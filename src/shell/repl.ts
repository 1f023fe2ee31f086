// The interactive shell: readline on injected streams (so tests can drive it), one command per
// line through the same execution path as one-shot and scripts. Ctrl-C cancels the running command,
// not the shell; Ctrl-D or `exit` leaves and says what still runs.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { resolveSettings } from '../config/settings.js';
import { ensurePrivateDir } from '../config/state-dir.js';
import { findProjectWorkers } from '../processes/worker.js';
import { formatError } from '../render/errors.js';
import { colorWanted, loadColors, makeStyle } from '../render/style.js';
import { toTshellError } from '../errors.js';
import { completeLine, executeWords, type ShellRuntime } from './execute.js';
import { splitLine } from './line.js';
import { promptText } from './prompt.js';

const SECRET = /--api-key|--password|--token|api[_-]?key=/i;

export interface ReplOptions {
  input: Readable;
  output: Writable & { isTTY?: boolean };
  shell: ShellRuntime;
  terminal: boolean;
}

function historyFile(shell: ShellRuntime): string {
  const settings = resolveSettings({ flags: {}, session: shell.overrides, env: shell.env }).values;
  return join(settings.stateDir, 'history');
}

function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 1000);
  } catch {
    return [];
  }
}

export async function runRepl(opts: ReplOptions): Promise<number> {
  const { shell } = opts;
  const color = colorWanted(opts.output, shell.env, Boolean(shell.launchFlags.noColor));
  await loadColors(color);
  const style = makeStyle(color);
  const histFile = historyFile(shell);
  const { createInterface } = await import('node:readline');
  const rl = createInterface({
    input: opts.input,
    output: opts.output,
    terminal: opts.terminal,
    completer: (line: string, done: (err: null, result: [string[], string]) => void) => {
      completeLine(line, shell).then(([hits, current]) => {
        // readline only extends prefixes; a typo or abbreviation (`stld`) is replaced by the best match here.
        if (current && hits.length && !hits.some((h) => h.startsWith(current))) {
          done(null, [[], current]);
          setImmediate(() => {
            for (let i = 0; i < [...current].length; i++) rl.write(null, { name: 'backspace' });
            rl.write(hits[0] as string);
          });
          return;
        }
        done(null, [hits, current]);
      }, () => done(null, [[], line]));
    },
    history: loadHistory(histFile),
    historySize: 1000,
  });
  let running: AbortController | undefined;
  rl.on('SIGINT', () => {
    if (running) {
      running.abort();
      opts.output.write('\n^C (cancelling)\n');
    } else {
      rl.write(null, { ctrl: true, name: 'u' });
      opts.output.write('\n(Ctrl-D or `exit` leaves)\n');
      rl.setPrompt(promptText(shell, style));
      rl.prompt();
    }
  });
  opts.output.write(`${style.c.bold('tshell')} — the local Temporal loop. \`help\` lists commands, Tab completes, Ctrl-D leaves.\n`);
  rl.setPrompt(promptText(shell, style));
  rl.prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line && !line.startsWith('#')) {
      if (!SECRET.test(line)) {
        try {
          ensurePrivateDir(join(histFile, '..'));
          appendFileSync(histFile, `${line}\n`, { mode: 0o600 });
        } catch {
          // history is a convenience; never fail a command over it
        }
      }
      let words: string[] = [];
      try {
        words = splitLine(line);
      } catch (err) {
        opts.output.write(`${formatError(toTshellError(err), style)}\n`);
      }
      if (words.length) {
        running = new AbortController();
        const outcome = await executeWords(words, shell, running.signal);
        running = undefined;
        if (outcome.exit) break;
      }
    }
    rl.setPrompt(promptText(shell, style));
    rl.prompt();
  }
  rl.close();
  const settings = resolveSettings({ flags: {}, session: shell.overrides, env: shell.env }).values;
  const workers = findProjectWorkers(settings).workers.length;
  if (workers > 0) opts.output.write(`${workers} worker${workers > 1 ? 's' : ''} still running for ${settings.projectName}: \`exit --cleanup\` (or \`tshell kill-worker\`) stops ${workers > 1 ? 'them' : 'it'}\n`);
  return 0;
}
