// Which of several workers the project itself says it runs: a Makefile or justfile recipe, a Procfile
// line, a compose `command:`, a `[project.scripts]` entry a recipe calls, or a README code block that
// runs one of the candidate files or modules. Files are read as text, never run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What is needed of a candidate: the file it runs (relative to the project root). */
interface Candidate {
  file: string;
}

/** Files that run things, most authoritative first; READMEs only say how. */
const RUNNERS = [
  'Makefile',
  'makefile',
  'GNUmakefile',
  'justfile',
  'Justfile',
  'Procfile',
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
];
const READMES = ['README.md', 'README.rst', 'README.txt', 'README'];
const MAX_BYTES = 256 * 1024;

function read(root: string, name: string): string | undefined {
  try {
    const text = readFileSync(join(root, name), 'utf8');
    return text.length <= MAX_BYTES ? text : undefined;
  } catch {
    return undefined;
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How a line of a project file would run this entry: its file path, its module, or its script name. */
function mentions(entry: Candidate, scripts: Record<string, string>): RegExp[] {
  const file = entry.file.replace(/\\/g, '/');
  const module = file
    .replace(/\.py$/, '')
    .replace(/\//g, '.')
    .replace(/^src\./, '');
  const named = Object.entries(scripts)
    .filter(([, target]) => module.endsWith(target.split(':')[0] ?? '\0'))
    .map(([name]) => name);
  return [
    new RegExp(`(^|[\\s/'"=])${escape(file)}\\b`),
    new RegExp(`-m\\s+${escape(module)}\\b`),
    ...named.map((n) => new RegExp(`\\b(uv|poetry|pdm|hatch)\\s+run\\s+${escape(n)}\\b`)),
  ];
}

/**
 * A README's fenced or indented code blocks only: a command shown in a sentence (a repository of
 * samples saying how any sample runs) is an example, a code block is how to run this project.
 */
function codeBlockLines(text: string): string[] {
  let inFence = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      return '';
    }
    return inFence || /^( {4}|\t)\S/.test(line) ? line : '';
  });
}

export interface Declared<T extends Candidate> {
  entry: T;
  /** Where the project says so, e.g. `Makefile: run-worker: uv run scripts/run_worker.py`. */
  by: string;
}

/** The one entry the project's own files run (runners first, then READMEs); undefined when none or several. */
export function declaredEntry<T extends Candidate>(
  root: string,
  choices: T[],
  scripts: Record<string, string>,
): Declared<T> | undefined {
  for (const names of [RUNNERS, READMES]) {
    const found = new Map<T, string>();
    for (const name of names) {
      const text = read(root, name);
      if (!text) continue;
      const lines = names === READMES ? codeBlockLines(text) : text.split('\n');
      for (const entry of choices) {
        if (found.has(entry)) continue;
        const patterns = mentions(entry, scripts);
        const i = lines.findIndex((l) => !/^\s*#/.test(l) && patterns.some((p) => p.test(l)));
        if (i < 0) continue;
        // A Makefile recipe reads better with its target: the nearest `name:` line above.
        const target =
          name.toLowerCase().includes('make') || name.toLowerCase() === 'justfile'
            ? lines
                .slice(0, i)
                .reverse()
                .find((l) => /^[\w.-]+:/.test(l))
                ?.split(':')[0]
            : undefined;
        found.set(entry, `${name}${target ? `: ${target}` : ''}: ${(lines[i] ?? '').trim()}`);
      }
    }
    if (found.size === 1) {
      const [[entry, by]] = [...found.entries()] as [[T, string]];
      return { entry, by };
    }
    if (found.size > 1) return undefined;
  }
  return undefined;
}
