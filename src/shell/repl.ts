// The interactive shell: readline on injected streams (so tests can drive it), one command per
// line through the same execution path as one-shot and scripts. Ctrl-C cancels the running command,
// not the shell; Ctrl-D or `exit` leaves and says what still runs.
import { setMaxListeners } from 'node:events';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { resolveSettings } from '../config/settings.js';
import { ensurePrivateDir } from '../config/state-dir.js';
import { formatError } from '../render/errors.js';
import { colorWanted, loadColors, makeStyle } from '../render/style.js';
import { toTshellError } from '../errors.js';
import type { ShellRuntime } from './execute.js';
import { splitLine } from '../cli-model/line.js';
import { terminalPrompter } from './prompts.js';
import { installReverseSearch } from './reverse-search.js';
import { bannerText, promptText, refreshStatus } from './prompt.js';
import { BackgroundRun } from './background.js';

/**
 * The execution path (every command, the registry) loads after the first prompt is drawn: a person
 * sees the prompt at Node's own start-up speed, and the first line waits only if typed at once.
 */
let execution: Promise<typeof import('./execute.js')> | undefined;
const loadExecution = () => (execution ??= import('./execute.js'));

const SECRET = /--api-key|--password|--token|api[_-]?key=/i;

export interface ReplOptions {
  input: Readable;
  output: Writable & { isTTY?: boolean };
  shell: ShellRuntime;
  terminal: boolean;
  /** The prompt the launcher already drew, after the banner (first-prompt.ts); absent: draw both. */
  drawn?: string;
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

/**
 * The REPL's line source. It can be suspended around a terminal question (inquirer reads stdin with
 * its own readline) and resumed with the same history, without that close counting as Ctrl-D.
 */
class LineReader {
  private rl?: Interface;
  private readonly queue: string[] = [];
  private waiting?: (line: string | null) => void;
  private ended = false;
  private suspended = false;
  private history: string[];

  constructor(
    private readonly create: (history: string[]) => Interface,
    history: string[],
    /** Where the prompt goes once input has ended (piped lines still running): readline is closed by then. */
    private readonly output: NodeJS.WritableStream,
  ) {
    this.history = history;
    this.open();
  }

  get current(): Interface | undefined {
    return this.rl;
  }

  private open(): void {
    const rl = this.create(this.history);
    rl.on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.queue.push(line);
    });
    rl.on('close', () => {
      if (this.suspended) return;
      this.ended = true;
      this.waiting?.(null);
      this.waiting = undefined;
    });
    this.rl = rl;
  }

  suspend(): void {
    if (!this.rl || this.suspended) return;
    this.suspended = true;
    this.history = [...((this.rl as Interface & { history?: string[] }).history ?? this.history)];
    this.rl.close();
    this.rl = undefined;
  }

  resume(): void {
    if (!this.suspended) return;
    this.suspended = false;
    this.open();
  }

  /** Takes a prompt already on the screen as the current one, without writing it again. */
  adopt(text: string): void {
    this.rl?.setPrompt(text);
  }

  prompt(text: string): void {
    // Node 22+ throws on a closed interface (ERR_USE_AFTER_CLOSE); the transcript keeps its prompts.
    if (this.ended) {
      this.output.write(text);
      return;
    }
    this.rl?.setPrompt(text);
    this.rl?.prompt();
  }

  next(): Promise<string | null> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  close(): void {
    this.suspended = false;
    if (!this.ended) this.rl?.close();
  }
}

export async function runRepl(opts: ReplOptions): Promise<number> {
  const { shell } = opts;
  shell.mode = 'repl';
  const color = colorWanted(opts.output, shell.env, Boolean(shell.launchFlags.noColor));
  await loadColors(color);
  const style = makeStyle(color);
  const histFile = historyFile(shell);
  const { createInterface } = await import('node:readline');
  let running: AbortController | undefined;
  const reader: LineReader = new LineReader(
    (history) => {
      const rl = createInterface({
        input: opts.input,
        output: opts.output,
        terminal: opts.terminal,
        completer: (line: string, done: (err: null, result: [string[], string]) => void) => {
          loadExecution()
            .then(({ completeLine }) => completeLine(line, shell))
            .then(
              ([hits, current]) => {
                // readline only extends prefixes; a typo or abbreviation (`stld`) is replaced by the best match here.
                if (current && hits.length && !hits.some((h) => h.startsWith(current))) {
                  done(null, [[], current]);
                  setImmediate(() => {
                    for (let i = 0; i < [...current].length; i++) rl.write(null, { name: 'backspace' });
                    rl.write(hits[0] as string);
                  });
                  return;
                }
                // An empty value (`wait --status ␠`): readline would list the choices only on a second Tab.
                if (!current && hits.length > 1) {
                  done(null, [[], current]);
                  setImmediate(() => {
                    opts.output.write(`\r\n${hits.join('  ')}\r\n`);
                    rl.prompt(true);
                  });
                  return;
                }
                done(null, [hits, current]);
              },
              () => done(null, [[], line]),
            );
        },
        history,
        historySize: 1000,
      });
      if (opts.terminal) installReverseSearch(rl, opts.output);
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
      return rl;
    },
    loadHistory(histFile),
    opts.output,
  );
  if (opts.terminal && shell.interactive) {
    shell.prompter = terminalPrompter(opts.input, opts.output, {
      before: () => reader.suspend(),
      after: () => reader.resume(),
    });
  }
  // A background `dev` prints above the prompt and redraws it with what was being typed.
  const background = new BackgroundRun((text) => {
    const rl = reader.current;
    if (running || !rl || !opts.terminal) {
      opts.output.write(text);
      return;
    }
    opts.output.write(`\r\x1b[K${text}`);
    rl.prompt(true);
  });
  shell.background = background;
  if (opts.drawn === undefined) {
    opts.output.write(bannerText(style));
    reader.prompt(promptText(shell, style));
  } else reader.adopt(opts.drawn);
  void loadExecution();
  for (let raw = await reader.next(); raw !== null; raw = await reader.next()) {
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
      const { runsInBackground } = await loadExecution();
      if (words.length && opts.terminal && runsInBackground(words)) {
        const { executeWords } = await loadExecution();
        const bgShell: ShellRuntime = {
          ...shell,
          stdout: background.sink,
          stderr: background.sink,
          interactive: false,
          prompter: undefined,
          background: undefined,
        };
        const started = background.start(line, (signal) => executeWords(words, bgShell, signal));
        opts.output.write(
          started
            ? `${style.ok} ${line} runs in the background: its feed prints above the prompt (\`feed off\` pauses it, \`feed stop\` ends it)\n\n`
            : `${style.warn} ${background.running ?? ''} already runs in the background (\`feed stop\` ends it)\n\n`,
        );
        words = [];
      }
      if (words.length) {
        running = new AbortController();
        // One command may make many cancellable calls (the wizard runs whole procedures).
        setMaxListeners(0, running.signal);
        const { executeWords } = await loadExecution();
        const outcome = await executeWords(words, shell, running.signal);
        running = undefined;
        // Chat-style: each command and its answer form one block, a blank line apart.
        if (opts.terminal) opts.output.write('\n');
        if (outcome.exit) break;
        // The workflow may have closed meanwhile (completed, canceled): the prompt says so.
        await refreshStatus(shell);
      }
    }
    reader.prompt(promptText(shell, style));
  }
  reader.close();
  await background.stop();
  const settings = resolveSettings({ flags: {}, session: shell.overrides, env: shell.env }).values;
  const { findProjectWorkers } = await import('../processes/worker-find.js');
  const workers = findProjectWorkers(settings).workers.length;
  if (workers > 0)
    opts.output.write(
      `${workers} worker${workers > 1 ? 's' : ''} still running for ${settings.projectName}: \`exit --cleanup\` (or \`tshell kill-worker\`) stops ${workers > 1 ? 'them' : 'it'}\n`,
    );
  return 0;
}
