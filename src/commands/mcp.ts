// `tshell mcp`: a Model Context Protocol server on stdio, so AI agents and editors drive tshell with
// the same commands and the same safety rules as a person. Every registry command is a tool whose
// input schema is its spec (checked as a typed call: nothing is turned back into words), whose result
// is its --json data as structured content, and whose consent is a plan with a token: a destructive
// call without `confirm` returns the plan; with the plan's token it carries out exactly that plan.
// The connection is a session of its own (its current workflow and project). Long calls send
// progress and stop when the client cancels them. The worker log and histories are resources.
import type { Command, CommandContext, LineResult } from '../cli-model/types.js';
import { defineCommand } from '../cli-model/types.js';
import { toJson } from '../render/format.js';
import { UsageError } from '../errors.js';
import { LineTransport } from './mcp-transport.js';
import { INSTRUCTIONS, toolListing, toolReply } from './mcp-tools.js';

/** Not offered as tools: the server itself, leaving, the walk-throughs, and what changes the tools folder. */
// `dev` runs until stopped: an agent runs `tshell dev --json` beside it and reads its JSON Lines.
const NOT_TOOLS = new Set([
  'dev',
  'feed',
  'mcp',
  'exit',
  'tour',
  'wizard',
  '__complete',
  'setup',
  'clear',
  'completions',
]);

/** How often a long call tells a client with a progress token that it is still working. */
const PROGRESS_EVERY_MS = 2000;

async function runTool(
  ctx: CommandContext,
  command: Command,
  input: Record<string, unknown>,
  extra: ToolExtra,
): Promise<LineResult> {
  const token = extra.progressToken;
  if (token === undefined) return ctx.call(command.name, input, { signal: extra.signal });
  let progress = 0;
  const notify = (message: string) =>
    void extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: ++progress, message },
      })
      .catch(() => undefined);
  const started = Date.now();
  const beat = setInterval(
    () => notify(`${command.name} still running (${Math.round((Date.now() - started) / 1000)} s)`),
    PROGRESS_EVERY_MS,
  );
  try {
    return await ctx.call(command.name, input, { signal: extra.signal, onProgress: notify });
  } finally {
    clearInterval(beat);
  }
}

interface ToolExtra {
  signal: AbortSignal;
  progressToken?: string | number;
  sendNotification(n: { method: string; params: Record<string, unknown> }): Promise<void>;
}

export const mcpCommand = defineCommand({
  name: 'mcp',
  group: 'shell',
  effect: 'act',
  summary: 'Serve every command as a Model Context Protocol tool on stdio (for AI agents and editors)',
  examples: ['mcp   # in an MCP client config: {"command": "tshell", "args": ["mcp"]}'],
  flags: [],
  fields: { served: 'the tools that were offered', calls: 'how many tool calls were answered' },
  async run(ctx): Promise<{ served: string[]; calls: number }> {
    // The protocol owns stdin and stdout: it cannot be one line among others.
    if (ctx.mode !== 'one-shot')
      throw new UsageError(
        'mcp runs on its own, as `tshell mcp`',
        'configure your MCP client with {"command": "tshell", "args": ["mcp"]}',
      );
    // Consent over MCP is a plan's token, call by call: a blanket yes would approve what nobody saw.
    if (ctx.yes)
      throw new UsageError(
        'mcp takes no --yes',
        'a call that needs consent returns its plan; the client passes its token as confirm',
      );
    const [{ Server }, types] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/index.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    const tools = ctx.registry.visible().filter((c) => !NOT_TOOLS.has(c.name));
    const server = new Server(
      { name: 'tshell', version: '0.1.0' },
      { capabilities: { tools: {}, resources: {}, logging: {} }, instructions: INSTRUCTIONS },
    );
    let calls = 0;
    const listing = tools.map(toolListing) as { name: string; inputSchema: { type: 'object' } }[];
    server.setRequestHandler(types.ListToolsRequestSchema, async () => ({ tools: listing }));
    server.setRequestHandler(types.CallToolRequestSchema, async (req, extra) => {
      calls++;
      const command = tools.find((c) => c.name === req.params.name);
      if (!command)
        throw new types.McpError(types.ErrorCode.InvalidParams, `unknown tool: ${req.params.name}`, {
          tools: tools.map((t) => t.name),
        });
      const progressToken = req.params._meta?.progressToken;
      const result = await runTool(ctx, command, req.params.arguments ?? {}, {
        signal: extra.signal,
        ...(progressToken !== undefined ? { progressToken } : {}),
        sendNotification: (n) => extra.sendNotification(n as Parameters<typeof extra.sendNotification>[0]),
      });
      if (extra.signal.aborted) {
        // No reply goes to a cancelled request (the spec): say what happened in the log instead.
        const what = result.error ? result.error.message : 'it had finished';
        void server
          .sendLoggingMessage({ level: 'notice', logger: 'tshell', data: `${command.name} cancelled: ${what}` })
          .catch(() => undefined);
      }
      return toolReply(result);
    });
    server.setRequestHandler(types.ListResourcesRequestSchema, async () => ({
      resources: [{ uri: 'tshell://worker-log', name: "the project's worker log", mimeType: 'application/json' }],
    }));
    server.setRequestHandler(types.ListResourceTemplatesRequestSchema, async () => ({
      resourceTemplates: [
        { uriTemplate: 'tshell://history/{workflowId}', name: "a workflow's history", mimeType: 'application/json' },
      ],
    }));
    server.setRequestHandler(types.ReadResourceRequestSchema, async (req, extra) => {
      const uri = req.params.uri;
      const history = /^tshell:\/\/history\/(.+)$/.exec(uri);
      const call =
        uri === 'tshell://worker-log'
          ? (['logs', { lines: 200 }] as const)
          : history
            ? (['history', { id: decodeURIComponent(history[1] ?? '') }] as const)
            : undefined;
      if (!call) throw new types.McpError(types.ErrorCode.InvalidParams, `unknown resource: ${uri}`);
      const r = await ctx.call(call[0], call[1], { signal: extra.signal });
      return {
        contents: [{ uri, mimeType: 'application/json', text: toJson(r.error ? { error: r.error } : r.data, 0) }],
      };
    });
    const transport = new LineTransport(process.stdin, process.stdout);
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
    });
    await server.connect(transport);
    await closed;
    return { served: tools.map((t) => t.name), calls };
  },
  // stdout belongs to the protocol: nothing is printed when the server stops.
  render: () => '',
});
