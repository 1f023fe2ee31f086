// What an MCP client sees of a command: its input schema (the same spec a call is checked against),
// its output schema (from the --json fields it declares), annotations and a title (from its effect),
// and the reply: the data as structured content, a needed confirmation as its plan and token.
import type { Command, FlagSpec, LineResult } from '../cli-model/types.js';
import { CALL_SETTINGS, CONFIRM_KEY } from '../cli-model/call.js';
import { ConfirmationRequiredError, ErrorCodes } from '../errors.js';
import { toJson } from '../render/format.js';

type JsonSchema = Record<string, unknown>;

/** A description cut to its first clause: the listing stays small enough to read. */
function brief(text: string): string {
  const cut = text.split(/ \(|; | — /)[0] ?? text;
  return cut.length > 90 ? `${cut.slice(0, 87)}…` : cut;
}

function flagSchema(f: FlagSpec): JsonSchema {
  const number: JsonSchema = {
    type: f.integer ? 'integer' : 'number',
    ...(f.min !== undefined ? { minimum: f.min } : {}),
  };
  const one: JsonSchema =
    f.type === 'boolean'
      ? { type: 'boolean' }
      : f.type === 'number'
        ? number
        : f.type === 'json'
          ? {}
          : { type: 'string' };
  if (f.choices) one.enum = [...f.choices];
  const schema: JsonSchema = f.multiple ? { type: 'array', items: one } : one;
  return { ...schema, description: brief(f.description), ...(f.default !== undefined ? { default: f.default } : {}) };
}

/** The tool's input schema: positionals, flags, the per-call settings, and the plan token. */
export function toolSchema(command: Command): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of command.positionals ?? []) {
    properties[p.name] = {
      type: 'string',
      description: brief(p.description),
      ...(p.choices ? { enum: [...p.choices] } : {}),
    };
    if (p.required) required.push(p.name);
  }
  for (const f of command.flags) properties[f.name] = flagSchema(f);
  // The per-call settings are named as the flags are, and described once (the server's instructions).
  for (const s of CALL_SETTINGS) properties[s.name] ??= { type: 'string' };
  if (command.effect !== 'read')
    properties[CONFIRM_KEY] = { type: 'string', description: "the plan's token from a call without it" };
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/** Without consent nothing is done: the reply is the plan (exact targets) and the token that carries it out. */
const PLAN_PROPERTIES = {
  needsConfirmation: { type: 'boolean' },
  plan: { type: 'object' },
  token: { type: 'string' },
  hint: { type: 'string' },
};

/** The data's shape (its declared --json fields, described in the README), plus a plan to confirm. */
export function outputSchema(command: Command): JsonSchema | undefined {
  if (!command.fields) return undefined;
  const properties: Record<string, JsonSchema> = {};
  for (const k of Object.keys(command.fields)) properties[k] = {};
  return { type: 'object', properties: command.effect === 'read' ? properties : { ...properties, ...PLAN_PROPERTIES } };
}

function title(command: Command): string {
  const words = command.name.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** MCP tool annotations from the command's effect; a hint at its spec default is left out. */
export function annotations(command: Command): Record<string, boolean> {
  const idempotent = command.effect === 'read' || ['ensure-server', 'use', 'project'].includes(command.name);
  return {
    ...(command.effect === 'read' ? { readOnlyHint: true } : { destructiveHint: command.effect === 'destructive' }),
    ...(idempotent ? { idempotentHint: true } : {}),
    openWorldHint: false,
  };
}

export function toolListing(command: Command): Record<string, unknown> {
  const out = outputSchema(command);
  return {
    name: command.name,
    title: title(command),
    description: command.summary,
    inputSchema: toolSchema(command),
    ...(out ? { outputSchema: out } : {}),
    annotations: annotations(command),
  };
}

export interface ToolReply {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

/** A call's outcome as MCP content: data (structured), a plan to confirm, or an error. */
export function toolReply(result: LineResult): ToolReply {
  const failure = result.failure;
  if (failure instanceof ConfirmationRequiredError) {
    const body = {
      needsConfirmation: true,
      plan: failure.plan,
      token: failure.token,
      hint: failure.changed
        ? 'the targets changed since that preview: this is the new plan'
        : 'call again with confirm set to this token to carry it out',
    };
    return {
      content: [{ type: 'text', text: toJson(body, 0) }],
      structuredContent: body,
      _meta: { 'tshell/exitCode': result.exitCode, 'tshell/code': ErrorCodes.needsConfirmation },
    };
  }
  if (result.error)
    return {
      content: [{ type: 'text', text: toJson({ error: result.error }, 0) }],
      isError: true,
      _meta: { 'tshell/exitCode': result.exitCode },
    };
  const data = result.data ?? null;
  const structured =
    data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : { value: data };
  return {
    content: [{ type: 'text', text: toJson(structured, 0) }],
    structuredContent: structured,
    isError: result.exitCode !== 0,
    _meta: { 'tshell/exitCode': result.exitCode },
  };
}

/** Said once, in the initialize reply, instead of in every tool. */
export const INSTRUCTIONS = [
  "tshell drives the local Temporal loop (dev server, the project's Python worker, workflows, diagnosis).",
  `Every tool takes these settings for that call only: ${CALL_SETTINGS.map((s) => `${s.name} (${s.short})`).join(', ')}.`,
  'A call that needs consent does nothing and returns {needsConfirmation, plan, token}: plan names the exact targets;',
  'call again with confirm set to that token to carry out exactly that plan (refused if the targets changed).',
  'This connection has its own current workflow: a call without an id acts on the one its last start or use chose.',
].join(' ');
