// An MCP client of `tshell mcp` (the SDK's own, over stdio) and a caller that reads a tool's JSON reply.
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN, HELLO, type Env } from './tshell.js';

export interface Reply {
  content: { type: string; text: string }[];
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}
export type Body = Record<string, unknown> & {
  error?: { code: string; message: string; hint?: string };
  plan?: { class: string; action: string; targets: Record<string, unknown>[] };
  token?: string;
};

/** `tshell mcp`, as a client configuration names it. */
export const MCP_ARGS = ['mcp'];

export async function connect(env: Env, cwd = HELLO): Promise<Client> {
  const client = new Client({ name: 'tshell-test', version: '1.0.0' });
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), ...env.env };
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, ...MCP_ARGS],
      cwd,
      env: childEnv,
      stderr: 'ignore',
    }),
  );
  return client;
}

export function caller(get: () => Client) {
  return async (name: string, args: Record<string, unknown> = {}) => {
    const r = (await get().callTool({ name, arguments: args }, undefined, { timeout: 180_000 })) as Reply;
    const body = JSON.parse(r.content[0]?.text ?? 'null') as Body;
    if (r.structuredContent) assert.deepEqual(r.structuredContent, body, 'structured content is the text content');
    return { isError: Boolean(r.isError), body };
  };
}
