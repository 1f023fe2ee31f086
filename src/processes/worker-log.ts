// Reading a worker's log: whole error/traceback blocks (not single grep lines), and the latest
// workflow-task failure for a run (the SDK logs every failed attempt; history keeps only the first).
import { existsSync, readFileSync } from 'node:fs';
import type { Settings } from '../config/settings.js';
import { userFrames } from '../temporal/history.js';
import { checkPidFile } from './pidfile.js';
import { stripAnsi } from '../ansi.js';
import { workerFiles } from '../config/state-dir.js';

export interface LogBlock {
  /** 1-based line number of the block's first line. */
  line: number;
  text: string[];
}

// Warnings are not errors: a WARN line alone is no error block.
const ERROR_LINE =
  /\b(ERROR|CRITICAL|FATAL)\b|^\w*(Error|Exception)\b|Failed (handling )?activation|Completing activity as failed|Failing workflow task/;

// The SDK's words: "Failed activation on workflow T with ID X and run ID R" (temporalio 1.35) and the
// older "Failed handling activation on workflow with run ID R".
const ACTIVATION_FAILED = /Failed (handling )?activation on workflow/;
const CHAIN = /^(The above exception was the direct cause|During handling of the above exception)/;

/** Error lines and whole tracebacks (with their chained causes), in order. */
export function errorBlocks(lines: string[], firstLineNo = 1): LogBlock[] {
  const blocks: LogBlock[] = [];
  let lastEnd = -1; // index of the last line already inside a traceback block
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.startsWith('Traceback (most recent call last):')) {
      // The log message just before a traceback belongs to it ("Failed activation on workflow …").
      const start = i > 0 && i - 1 > lastEnd && ERROR_LINE.test(lines[i - 1] ?? '') ? i - 1 : i;
      let j = i + 1;
      for (;;) {
        while (j < lines.length && /^\s/.test(lines[j] ?? '')) j++;
        // j is the exception line ("ValueError: boom"); a chained traceback may follow.
        const after = lines[j + 1] ?? '';
        const afterNext = lines[j + 2] ?? '';
        if (CHAIN.test(after.trim()) || (after.trim() === '' && CHAIN.test(afterNext.trim()))) {
          j = lines.findIndex((l, k) => k > j && l.startsWith('Traceback (most recent call last):'));
          if (j < 0) {
            j = lines.length - 1;
            break;
          }
          j++;
          continue;
        }
        break;
      }
      const end = Math.min(j, lines.length - 1);
      if (blocks.at(-1)?.line === start + firstLineNo) blocks.pop();
      blocks.push({ line: start + firstLineNo, text: lines.slice(start, end + 1) });
      lastEnd = end;
      i = end + 1;
      continue;
    }
    if (ERROR_LINE.test(line)) blocks.push({ line: i + firstLineNo, text: [line] });
    i++;
  }
  return blocks;
}

/** The last exception line of a traceback block ("ValueError: …"), with its line number. */
function exceptionLine(block: LogBlock, skip?: RegExp): { line: number; text: string } | undefined {
  for (let i = block.text.length - 1; i >= 0; i--) {
    const l = block.text[i] ?? '';
    if (/^[\w.]+(Error|Exception|Warning)?\b.*:/.test(l) && !skip?.test(l))
      return { line: block.line + i, text: l.trim() };
  }
  return undefined;
}

/** The exception line (and its line number) of the latest failed-activation traceback for this run. */
export function latestActivationFailureAt(
  lines: string[],
  runId: string,
  firstLineNo = 1,
): { line: number; text: string } | undefined {
  let found: { line: number; text: string } | undefined;
  for (const block of errorBlocks(lines, firstLineNo)) {
    if (!block.text.some((l) => ACTIVATION_FAILED.test(l) && l.includes(runId))) continue;
    found = exceptionLine(block, ACTIVATION_FAILED) ?? found;
  }
  return found;
}

/**
 * The latest "Completing activity as failed" traceback of this run's activity: its exception line
 * (with its line number) and the deepest frame in the project's own code.
 */
export function latestActivityFailureAt(
  lines: string[],
  runId: string,
  activityId: string,
  projectDir: string,
  firstLineNo = 1,
): { line: number; text: string } | undefined {
  let found: { line: number; text: string } | undefined;
  for (const block of errorBlocks(lines, firstLineNo)) {
    const head = block.text[0] ?? '';
    if (
      !head.includes('Completing activity as failed') ||
      !head.includes(`'workflow_run_id': '${runId}'`) ||
      !head.includes(`'activity_id': '${activityId}'`)
    )
      continue;
    const at = exceptionLine(block);
    if (!at) continue;
    // "<file>:<line> in <fn>: <code>" → "<file relative to the project>:<line> in <fn>"
    const frame = userFrames(block.text.join('\n'), projectDir).at(-1)?.replace(/: .*$/, '');
    const where = frame
      ? ` (at ${frame.startsWith(`${projectDir}/`) ? frame.slice(projectDir.length + 1) : frame})`
      : '';
    found = { line: at.line, text: `${at.text}${where}` };
  }
  return found;
}

export function latestActivationFailure(lines: string[], runId: string): string | undefined {
  return latestActivationFailureAt(lines, runId)?.text;
}

/**
 * The project's worker log since the running worker started (the whole file when none runs), with
 * the number of its first line so evidence can cite real line numbers.
 */
export function readWorkerLogSinceStart(settings: Settings): { file: string; lines: string[]; firstLine: number } {
  const { pidFile, logFile } = workerFiles(settings);
  const check = checkPidFile(pidFile);
  const file = check.state === 'alive' ? check.record.logFile : logFile;
  if (!existsSync(file)) return { file, lines: [], firstLine: 1 };
  const buf = readFileSync(file);
  const offset = check.state === 'alive' ? Math.min(check.record.logOffset, buf.length) : 0;
  const before = buf.subarray(0, offset).toString('utf8');
  const firstLine = offset === 0 ? 1 : before.split('\n').length;
  return { file, lines: stripAnsi(buf.subarray(offset).toString('utf8')).split('\n'), firstLine };
}
