// A spinner with the elapsed time for commands that take a while, on a terminal only (never in
// scripts, pipes or --json). Output written while it spins clears its line first, so the two never mix.
import type { Sink } from './sink.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Spinner {
  /** Clears the spinner's line (call before writing anything). */
  clear(): void;
  /** Stops spinning until resume() (around a question). */
  pause(): void;
  resume(): void;
  stop(): void;
}

const NONE: Spinner = {
  clear: () => undefined,
  pause: () => undefined,
  resume: () => undefined,
  stop: () => undefined,
};

export function startSpinner(out: Sink, label: string, enabled: boolean, delayMs = 400): Spinner {
  if (!enabled) return NONE;
  const started = Date.now();
  let quietSince = started;
  let shown = false;
  let paused = false;
  let frame = 0;
  const clear = () => {
    if (shown) out.write('\r\x1b[K');
    shown = false;
    quietSince = Date.now();
  };
  const timer = setInterval(() => {
    // Only while nothing else is being said: streamed output (logs --follow) stays clean.
    if (paused || Date.now() - quietSince < delayMs) return;
    out.write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${label} ${((Date.now() - started) / 1000).toFixed(1)}s`);
    shown = true;
  }, 100);
  timer.unref();
  return {
    clear,
    pause: () => {
      paused = true;
      clear();
    },
    resume: () => {
      paused = false;
    },
    stop: () => {
      clearInterval(timer);
      clear();
    },
  };
}
