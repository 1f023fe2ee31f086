// The REPL's banner and first prompt, drawn by the launcher before the rest of tshell loads.
// scripts/build.mjs builds this file on its own into one file (dist/first-prompt.cjs): Node loads one
// module, not the dozen chunks the REPL shares with the other commands, and a person sees the prompt
// about as soon as Node itself has started; the REPL's modules load while they read it. Only text
// crosses back: this bundle's copies of the settings or error classes never meet the main bundle's.
import type { Writable } from 'node:stream';
import { colorWanted, loadColors, makeStyle } from '../render/style.js';
import { memorySessions } from './context.js';
import { bannerText, promptText } from './prompt.js';
import { parseLaunch } from './launch.js';

/**
 * For a launch that opens the REPL (no command word), writes the banner and the prompt and returns
 * the prompt. Otherwise, or when anything is wrong (a flag or setting that does not parse), it
 * writes nothing and returns undefined: cli.ts then does what the launch asks, and says what was wrong.
 */
export async function drawFirstPrompt(
  argv: string[],
  output: Writable & { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  // `temporal shell` maps the CLI's root flags first (cli.ts): that REPL draws its own prompt.
  if (env.TSHELL_TEMPORAL_EXTENSION === '1') return undefined;
  try {
    const launch = parseLaunch(argv);
    if (launch.mode !== 'repl') return undefined;
    const color = colorWanted(output, env, launch.flags.noColor);
    await loadColors(color);
    const style = makeStyle(color);
    const prompt = promptText({ env, overrides: launch.overrides, sessions: memorySessions() }, style);
    output.write(`${bannerText(style)}${prompt}`);
    return prompt;
  } catch {
    return undefined;
  }
}
