// Small text formatters shared by renderers.
import { lazy } from '../lazy.js';
import { stripAnsi } from '../ansi.js';
import type { Style } from './style.js';

const visible = (text: string): number => [...stripAnsi(text)].length;

/** Cuts a cell to `width` visible characters with `…` (colour codes are dropped from a cut cell). */
function cut(text: string, width: number): string {
  if (visible(text) <= width) return text;
  return `${[...stripAnsi(text)].slice(0, Math.max(1, width - 1)).join('')}…`;
}

/**
 * Column widths that fit the terminal: the widest columns shrink first (never below 6), the kept
 * ones (ids) never. Undefined when everything fits or there is no terminal; `fits` false when even
 * the narrowest columns do not (the table is then wrapped, one record a row).
 */
export function fitWidths(
  natural: number[],
  width: number | undefined,
  keep: number[],
  gap = 2,
): { widths: number[]; fits: boolean } | undefined {
  if (!width) return undefined;
  const widths = [...natural];
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  if (total() <= width) return undefined;
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++)
      if (!keep.includes(i) && (widths[i] ?? 0) > 6 && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0)))
        widest = i;
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  return { widths, fits: total() <= width };
}

export function table(style: Style, head: string[], rows: (string | number)[][], keep: number[] = [0]): string {
  const cells = rows.map((r) => r.map(String));
  const natural = head.map((h, i) => Math.max(visible(h), ...cells.map((r) => visible(r[i] ?? ''))));
  // Each cell has one space of padding on either side, and columns are two spaces apart.
  const fit = fitWidths(
    natural.map((w) => w + 2),
    style.width,
    keep,
  );
  if (fit && !fit.fits && style.width) return wrapped(style, head, cells, keep, style.width);
  const fitted = fit?.widths.map((w) => w - 2);
  if (fitted) for (const r of cells) r.forEach((c, i) => (r[i] = cut(c, fitted[i] ?? c.length)));
  const Table = lazy.table();
  const t = new Table({
    head: head.map((h, i) => style.c.bold(fitted ? cut(h, fitted[i] ?? h.length) : h)),
    style: { head: [], border: [], compact: true },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
  });
  for (const row of cells) t.push(row);
  return t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/** Too wide for the terminal even when shrunk: each row as its kept cells, then the rest indented. */
function wrapped(style: Style, head: string[], cells: string[][], keep: number[], width: number): string {
  return cells
    .map((r) => {
      const first = keep.map((i) => r[i] ?? '').join('  ');
      const rest = r.flatMap((c, i) => (keep.includes(i) ? [] : [`${style.c.dim(`${head[i]}:`)} ${c}`])).join('  ');
      return `${first}\n  ${cut(rest, width - 2)}`;
    })
    .join('\n');
}

/** Aligned "key  value" lines. */
export function card(style: Style, pairs: [string, string | number | undefined][]): string {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${style.c.dim(k.padEnd(width))}  ${v}`).join('\n');
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

export function shortId(id: string, max = 24): string {
  return id.length <= max ? id : `${id.slice(0, max - 1)}…`;
}

/** An id cut from the middle, so both its start and its unique end stay readable. */
export function middleId(id: string, max = 24): string {
  if (id.length <= max) return id;
  const head = Math.ceil((max - 1) / 2);
  return `${id.slice(0, head)}…${id.slice(id.length - (max - 1 - head))}`;
}

export function tail(lines: string[], n: number): string[] {
  return lines.slice(Math.max(0, lines.length - n));
}

/** JSON text for --json: Dates as ISO strings, bigint/Long as numbers or strings. */
export function toJson(value: unknown, indent: number | undefined = 2): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
      if (v && typeof v === 'object' && 'low' in v && 'high' in v && 'unsigned' in v) return Number(String(v));
      return v;
    },
    indent,
  );
}

/** A workflow status, coloured: green done, cyan running, red anything else. */
export function paintStatus(s: Style, status: string): string {
  if (status === 'COMPLETED') return s.c.green(status);
  if (status === 'RUNNING') return s.c.cyan(status);
  return s.c.red(status);
}

/** Lines of at most `width` characters, broken at spaces (continuation lines indented). */
export function wrapWords(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The one time format of human output: `2026-11-29 18:42:31` (UTC, as the server records it), `.123` with ms. */
export function formatTime(iso: string | undefined, ms = false): string {
  if (!iso) return '-';
  const t = iso.replace('T', ' ').replace(/Z$/, '');
  return ms ? t.slice(0, 23) : t.slice(0, 19);
}

/** The warm helper in one line (`server status`, `list-workers`). */
export function helperLine(h: { pid?: number; served?: number; idleExitAt?: string }): string {
  return `pid ${h.pid ?? '?'}, ${h.served ?? 0} one-shot(s) answered, exits when idle at ${h.idleExitAt?.slice(11, 19) ?? '?'} UTC`;
}
