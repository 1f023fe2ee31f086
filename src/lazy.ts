// CommonJS libraries loaded on first use with require(), so one-shot commands that never draw a
// table or fuzzy-match pay nothing for them at start-up.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const lazy = {
  table: () => require('cli-table3') as typeof import('cli-table3'),
  fuse: () => require('fuse.js') as typeof import('fuse.js').default,
  shellQuote: () => require('shell-quote') as typeof import('shell-quote'),
};
