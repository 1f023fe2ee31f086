// The REPL's one background command (`dev`): it runs beside the prompt, and what it prints appears
// above the line being typed. `feed off` holds its output (printed when `feed on` comes), `feed stop`
// ends it as Ctrl-C would, and leaving the REPL stops it.
import type { Background } from '../cli-model/types.js';
import type { Sink } from '../render/sink.js';

const HELD_LINES = 2000;

export class BackgroundRun implements Background {
  running: string | undefined;
  feedOn = true;
  private held: string[] = [];
  private ac: AbortController | undefined;
  private done: Promise<void> = Promise.resolve();

  /** `print` puts text above the prompt (or just writes it while a command runs in front). */
  constructor(private readonly print: (text: string) => void) {}

  /** What the background command writes to (stdout and stderr alike). */
  readonly sink: Sink = { isTTY: true, write: (text: string) => this.write(text) };

  private write(text: string): void {
    if (this.feedOn) {
      this.print(text);
      return;
    }
    this.held.push(text);
    if (this.held.length > HELD_LINES) this.held.shift();
  }

  /** Starts `run` unless one runs already (then false). */
  start(line: string, run: (signal: AbortSignal) => Promise<unknown>): boolean {
    if (this.running) return false;
    const ac = new AbortController();
    this.ac = ac;
    this.running = line;
    this.done = run(ac.signal)
      .catch(() => undefined)
      .then(() => {
        this.running = undefined;
        this.ac = undefined;
        this.setFeed(true);
      });
    return true;
  }

  setFeed(on: boolean): void {
    this.feedOn = on;
    if (on) this.held.splice(0).forEach((t) => this.print(t));
  }

  async stop(): Promise<void> {
    this.ac?.abort();
    await this.done;
  }
}
