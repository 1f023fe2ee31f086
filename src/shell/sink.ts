// Output for one-shot and script mode written straight to the file descriptor: no stream objects
// (creating process.stdout for a pipe loads node:net and costs start-up time), and nothing buffered
// that could be lost when tshell exits.
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { Sink } from './execute.js';

let streamsUsed = false;

/** True once output went through process.stdout/stderr (then it must be flushed before exit). */
export function streamsInUse(): boolean {
  return streamsUsed;
}

export function fdSink(fd: 1 | 2): Sink {
  const stream = () => (fd === 1 ? process.stdout : process.stderr);
  let useStream = false;
  return {
    isTTY: isatty(fd),
    write(text: string) {
      if (useStream) return stream().write(text);
      const buf = Buffer.from(text);
      let off = 0;
      try {
        while (off < buf.length) off += writeSync(fd, buf, off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // The reader went away (`tshell … | head`): nothing more can be said; stop quietly, as cat does.
        if (code === 'EPIPE') process.exit(0);
        // A non-blocking pipe that is full: hand the rest to the stream, which waits for it.
        if (code !== 'EAGAIN') throw err;
        useStream = true;
        streamsUsed = true;
        stream().write(buf.subarray(off));
      }
      return true;
    },
  };
}
