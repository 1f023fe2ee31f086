// Small text formatters shared by renderers.
import { lazy } from '../lazy.js';
import type { Style } from './style.js';

export function table(style: Style, head: string[], rows: (string | number)[][]): string {
  const Table = lazy.table();
  const t = new Table({
    head: head.map((h) => style.c.bold(h)),
    style: { head: [], border: [], compact: true },
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '',
      'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '',
      'right-mid': '', middle: '  ' },
  });
  for (const row of rows) t.push(row.map(String));
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
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

