// `tshell mcp`: a Model Context Protocol server on stdio, so AI agents and editors drive tshell with
// the same commands and the same safety rules as a person. Every registry command is a tool whose
// input schema comes from its flag specs and whose result is its --json data; destructive commands
// return their preview unless called with `confirm: true`. The worker log and workflow histories
// are resources. Session context (current workflow, project) carries across calls as in the REPL.
import type { Command, CommandContext, FlagSpec, LineResult } from '../cli-model/types.js';
import { defineCommand } from '../cli-model/types.js';
import { toJson } from '../render/format.js';
import { UsageError } from '../errors.js';

/** Not offered as tools: the server itself, leaving, and the conversational walk-throughs. */
const NOT_TOOLS = new Set(['mcp', 'exit', 'tour', 'wizard', '__complete']);

/** Commands (and flags) that change or close workflows or stop the server: they need `confirm`. */
function isDestructive(name: string, input: Record<string, unknown>): boolean {
  return ['terminate', 'cancel', 'bulk-cancel', 'reset'].includes(name) || (name === 'kill-all-workers' && input['include-server'] === true);
}

type JsonSchema = Record<string, unknown>;

function flagSchema(f: FlagSpec): JsonSchema {
  const one: JsonSchema = f.type === 'boolean' ? { type: 'boolean' } : f.type === 'number' ? { type: 'number' } : f.type === 'json' ? {} : { type: 'string' };
  if (f.choices) one.enum = [...f.choices];
  const schema: JsonSchema = f.multiple ? { type: 'array', items: one } : one;
  return { ...schema, description: f.description + (f.type === 'json' ? ' (any JSON value)' : ''), ...(f.default !== undefined ? { default: f.default } : {}) };
}

/** The tool's input schema: its positionals and flags by name, plus `confirm`. */
export function toolSchema(command: Command): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of command.positionals ?? []) {
    properties[p.name] = { type: 'string', description: p.description, ...(p.choices ? { enum: [...p.choices] } : {}) };
    if (p.required) required.push(p.name);
  }
  for (const f of command.flags) properties[f.name] = flagSchema(f);
  properties.confirm = { type: 'boolean', description: 'carry out a destructive action (without it, destructive commands only return their preview)' };
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/** Tool input → the words of a command line (values are passed as words: no shell, no quoting). */
export function toolLine(command: Command, input: Record<string, unknown>): string[] {
  const words = [command.name];
  for (const p of command.positionals ?? []) {
    const v = input[p.name];
    if (v !== undefined && v !== null) words.push(String(v));
  }
  for (const f of command.flags) {
    const v = input[f.name];
    if (v === undefined || v === null) continue;
    const values = f.multiple && Array.isArray(v) ? v : [v];
    for (const one of values) {
      if (f.type === 'boolean') {
        if (one === true) words.push(`--${f.name}`);
      } else words.push(`--${f.name}`, f.type === 'json' ? JSON.stringify(one) : String(one));
    }
  }
  if (input.confirm === true) words.push('--yes');
  return words;
}

interface ToolReply {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

function reply(result: LineResult): ToolReply {
  if (result.error) {
    const preview = /needs confirmation: (.*)$/s.exec(result.error.message)?.[1];
    if (preview) {
      const body = { needsConfirmation: true, preview, hint: 'call again with confirm: true to carry it out' };
      return { content: [{ type: 'text', text: toJson(body, 0) }], structuredContent: body };
    }
    return { content: [{ type: 'text', text: toJson({ error: result.error, exitCode: result.exitCode }, 0) }], isError: true };
  }
  const body = { exitCode: result.exitCode, data: result.data ?? null };
  return { content: [{ type: 'text', text: toJson(body, 0) }], structuredContent: body, isError: result.exitCode !== 0 };
}

async function runTool(ctx: CommandContext, command: Command, input: Record<string, unknown>): Promise<ToolReply> {
  if (command.name === 'kill-all-workers' && isDestructive(command.name, input) && input.confirm !== true) {
    const body = { needsConfirmation: true, preview: 'stop every tshell worker and the dev server tshell started', hint: 'call again with confirm: true to carry it out' };
    return { content: [{ type: 'text', text: toJson(body, 0) }], structuredContent: body };
  }
  return reply(await ctx.runLine(toolLine(command, input), { quiet: true }));
}

export const mcpCommand = defineCommand({
  name: 'mcp',
  group: 'shell',
  summary: 'Serve every command as a Model Context Protocol tool on stdio (for AI agents and editors)',
  examples: ['mcp   # in an MCP client config: {"command": "tshell", "args": ["mcp"]}'],
  flags: [],
  fields: { served: 'the tools that were offered', calls: 'how many tool calls were answered' },
  async run(ctx): Promise<{ served: string[]; calls: number }> {
    // The protocol owns stdin and stdout: it cannot be one line among others.
    if (ctx.mode !== 'one-shot') throw new UsageError('mcp runs on its own, as `tshell mcp`', 'configure your MCP client with {"command": "tshell", "args": ["mcp"]}');
    const [{ Server }, { StdioServerTransport }, types] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/index.js'),
      import('@modelcontextprotocol/sdk/server/stdio.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    const tools = ctx.registry.visible().filter((c) => !NOT_TOOLS.has(c.name));
    const server = new Server({ name: 'tshell', version: '0.1.0' }, { capabilities: { tools: {}, resources: {} } });
    let calls = 0;
    server.setRequestHandler(types.ListToolsRequestSchema, async () => ({
      tools: tools.map((c) => ({
        name: c.name,
        description: `${c.summary}${isDestructive(c.name, { 'include-server': true }) ? ' (destructive: returns a preview unless confirm is true)' : ''}`,
        inputSchema: toolSchema(c) as { type: 'object' },
      })),
    }));
    server.setRequestHandler(types.CallToolRequestSchema, async (req) => {
      calls++;
      const command = tools.find((c) => c.name === req.params.name);
      if (!command) return { content: [{ type: 'text', text: `unknown tool ${req.params.name}` }], isError: true };
      return runTool(ctx, command, (req.params.arguments ?? {}) as Record<string, unknown>);
    });
    server.setRequestHandler(types.ListResourcesRequestSchema, async () => ({
      resources: [{ uri: 'tshell://worker-log', name: "the project's worker log", mimeType: 'application/json' }],
    }));
    server.setRequestHandler(types.ListResourceTemplatesRequestSchema, async () => ({
      resourceTemplates: [{ uriTemplate: 'tshell://history/{workflowId}', name: "a workflow's history", mimeType: 'application/json' }],
    }));
    server.setRequestHandler(types.ReadResourceRequestSchema, async (req) => {
      const uri = req.params.uri;
      const history = /^tshell:\/\/history\/(.+)$/.exec(uri);
      const line = uri === 'tshell://worker-log' ? ['logs', '--lines', '200'] : history ? ['history', '--id', decodeURIComponent(history[1] ?? '')] : undefined;
      if (!line) throw new Error(`unknown resource ${uri}`);
      const r = await ctx.runLine(line, { quiet: true });
      return { contents: [{ uri, mimeType: 'application/json', text: toJson(r.error ? { error: r.error } : r.data, 0) }] };
    });
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
      process.stdin.once('end', () => resolve());
    });
    await server.connect(transport);
    await closed;
    return { served: tools.map((t) => t.name), calls };
  },
  // stdout belongs to the protocol: nothing is printed when the server stops.
  render: () => '',
});
