// The worker log: tail, errors as whole tracebacks, follow.
import { requireForInScripts } from './resolve.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { NotFoundError, UsageError } from '../errors.js';
import { sleep } from '../processes/proc.js';
import { errorBlocks, type LogBlock } from '../processes/worker-log.js';
import { stripAnsi } from '../ansi.js';
import { workerFiles } from '../config/state-dir.js';
import { defineCommand } from '../cli-model/types.js';

// ---- logs -----------------------------------------------------------------------------------

interface LogsData {
  file: string;
  lines: { line: number; text: string }[];
  blocks?: LogBlock[];
}

export const logsCommand = defineCommand({
  name: 'logs',
  aliases: ['log'],
  group: 'monitoring',
  effect: 'read',
  summary: 'The worker log: last lines, error blocks whole, a grep, or follow it',
  examples: ['logs -n 100', 'logs --errors', 'logs --grep "activity"', 'logs --follow', 'logs --project-name orders'],
  flags: [
    { name: 'lines', type: 'number', min: 1, integer: true, short: 'n', default: 50, description: 'how many lines' },
    { name: 'errors', type: 'boolean', description: 'only error lines and whole tracebacks' },
    { name: 'grep', type: 'string', metavar: 'REGEX', description: 'only lines matching the regular expression' },
    { name: 'follow', type: 'boolean', description: 'keep printing new lines until Ctrl-C (or --for)' },
    {
      name: 'for',
      type: 'number',
      min: 0,
      metavar: 'SECONDS',
      description: 'with --follow: stop after this many seconds',
    },
  ],
  fields: { file: 'the log file', lines: 'lines shown: {line, text}', blocks: 'with --errors: {line, text[]} blocks' },
  async run(ctx, args): Promise<LogsData> {
    const file = workerFiles(ctx.settings).logFile;
    if (!existsSync(file))
      throw new NotFoundError(
        `no worker log for project ${ctx.settings.projectName} (${file})`,
        'start one with `ensure-worker`, or pass --project-name',
      );
    let re: RegExp | undefined;
    if (args.flags.grep) {
      try {
        re = new RegExp(args.flags.grep, 'i');
      } catch (err) {
        throw new UsageError(`--grep: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const all = stripAnsi(readFileSync(file, 'utf8')).split('\n');
    if (all.at(-1) === '') all.pop();
    const n = args.flags.lines;
    const numbered = all.map((text, i) => ({ line: i + 1, text }));
    const data: LogsData = { file, lines: [] };
    if (args.flags.errors) {
      const blocks = errorBlocks(all).filter((b) => !re || b.text.some((t) => re.test(t)));
      data.blocks = blocks.slice(-n);
      data.lines = data.blocks.flatMap((b) => b.text.map((text, k) => ({ line: b.line + k, text })));
    } else {
      data.lines = numbered.filter((l) => !re || re.test(l.text)).slice(-n);
    }
    if (args.flags.follow) {
      requireForInScripts(ctx, args.flags.for);
      // Print what we have, then stream appended lines (text mode only makes sense here).
      const print = (l: { line: number; text: string }) => ctx.print(`${l.text}\n`);
      data.lines.forEach(print);
      let size = statSync(file).size;
      let lineNo = all.length;
      const stopAt = args.flags.for !== undefined ? Date.now() + args.flags.for * 1000 : Number.POSITIVE_INFINITY;
      let partial = '';
      while (Date.now() < stopAt && !ctx.signal.aborted) {
        await sleep(200, ctx.signal).catch(() => undefined);
        const now = statSync(file).size;
        if (now < size) size = 0; // truncated or rotated
        if (now > size) {
          const chunk = partial + stripAnsi(readFileSync(file).subarray(size, now).toString('utf8'));
          size = now;
          const parts = chunk.split('\n');
          partial = parts.pop() ?? '';
          for (const text of parts) {
            lineNo++;
            if (!re || re.test(text)) print({ line: lineNo, text });
          }
        }
      }
      return { file, lines: [] };
    }
    return data;
  },
  render(d, s, args) {
    if (args.flags.follow) return '';
    if (d.lines.length === 0)
      return s.c.dim(`(nothing${args.flags.errors ? ' that looks like an error' : ''} in ${d.file})`);
    if (d.blocks)
      return d.blocks
        .map((b) => b.text.map((t, k) => `${s.c.dim(String(b.line + k).padStart(6))} ${t}`).join('\n'))
        .join('\n\n');
    return d.lines.map((l) => l.text).join('\n');
  },
});

// ---- errors ---------------------------------------------------------------------------------
