// Rewrites the generated parts of README.md from the registry.
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceJsonDoc } from '../src/commands/docs.js';

const file = new URL('../README.md', import.meta.url);
writeFileSync(file, replaceJsonDoc(readFileSync(file, 'utf8')));
