// Questions on the terminal (@inquirer/prompts), only ever asked when stdin and stdout are a TTY.
// The REPL suspends its own readline around each question: inquirer opens its own on the same
// stdin, and two readers would both receive the keystrokes: every key would arrive twice.
import type { Readable, Writable } from 'node:stream';
import { InterruptedError } from '../errors.js';
import type { Prompter } from '../cli-model/types.js';

export interface PromptHooks {
  /** Called before a question (the REPL closes its readline here). */
  before?(): void;
  /** Called after it (the REPL opens a fresh readline here). */
  after?(): void;
}

type Inquirer = typeof import('@inquirer/prompts');
let inquirer: Promise<Inquirer> | undefined;
const load = (): Promise<Inquirer> => (inquirer ??= import('@inquirer/prompts'));

export function terminalPrompter(input: Readable, output: Writable, hooks: PromptHooks = {}): Prompter {
  const context = { input, output, clearPromptOnDone: false };
  async function ask<T>(question: (q: Inquirer) => Promise<T>): Promise<T> {
    const q = await load();
    hooks.before?.();
    try {
      return await question(q);
    } catch (err) {
      // Ctrl-C inside a question: the command stops, the shell stays.
      if (err instanceof Error && err.name === 'ExitPromptError') throw new InterruptedError();
      throw err;
    } finally {
      hooks.after?.();
    }
  }
  return {
    confirm: (message, def = false) => ask((q) => q.confirm({ message, default: def }, context)),
    select: (message, choices) =>
      ask((q) =>
        q.select(
          { message, choices: choices.map((c) => ({ value: c.value, name: c.name, description: c.description })) },
          context,
        ),
      ),
    input: (message, def) => ask((q) => q.input({ message, ...(def !== undefined ? { default: def } : {}) }, context)),
    pause: async (message) => {
      await ask((q) => q.input({ message: `${message} (press Enter when done)` }, context));
    },
  };
}
