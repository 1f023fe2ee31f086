// The MCP server's stdio transport: newline-delimited JSON-RPC, with the protocol errors the spec
// asks for answered here, before the SDK sees a message it would drop without a reply: a line that
// is not JSON (-32700), a batch or a non-request (-32600, MCP 2025-06-18 has no batches), and
// `tools/call` without a tool name (-32602).
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

type Id = string | number | null;

function idOf(message: Record<string, unknown>): Id {
  const id = message.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

type Checked = { kind: 'error'; id: Id; code: number; message: string } | { kind: 'message'; message: JSONRPCMessage };

function fail(id: Id, code: number, message: string): Checked {
  return { kind: 'error', id, code, message };
}

/** A raw line: the protocol error it earns, or the message for the SDK. */
export function checkLine(line: string): Checked {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    return fail(null, -32700, `parse error: ${err instanceof Error ? err.message.split('\n')[0] : 'not JSON'}`);
  }
  if (Array.isArray(parsed))
    return fail(
      null,
      -32600,
      'batch requests are not supported (MCP 2025-06-18 removed JSON-RPC batching): send one message per line',
    );
  if (!parsed || typeof parsed !== 'object') return fail(null, -32600, 'a JSON-RPC message must be an object');
  const m = parsed as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return fail(idOf(m), -32600, 'not a JSON-RPC 2.0 message ("jsonrpc": "2.0" is missing)');
  if (m.method === 'tools/call' && 'id' in m) {
    const params = m.params as Record<string, unknown> | undefined;
    if (!params || typeof params !== 'object' || typeof params.name !== 'string')
      return fail(idOf(m), -32602, 'tools/call needs params.name (the tool) and params.arguments (an object)');
    if (
      params.arguments !== undefined &&
      (params.arguments === null || typeof params.arguments !== 'object' || Array.isArray(params.arguments))
    ) {
      return fail(idOf(m), -32602, `${params.name}: params.arguments must be an object`);
    }
  }
  return { kind: 'message', message: parsed as JSONRPCMessage };
}

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private buffer = '';
  private closed = false;

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {}

  async start(): Promise<void> {
    this.input.setEncoding?.('utf8');
    this.input.on('data', this.onData);
    this.input.once('end', () => void this.close());
  }

  private readonly onData = (chunk: string | Buffer): void => {
    this.buffer += String(chunk);
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim()) this.receive(line);
    }
  };

  private receive(line: string): void {
    const checked = checkLine(line);
    if (checked.kind === 'message') this.onmessage?.(checked.message);
    else this.write({ jsonrpc: '2.0', id: checked.id, error: { code: checked.code, message: checked.message } });
  }

  private write(message: unknown): void {
    if (!this.closed) this.output.write(`${JSON.stringify(message)}\n`);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.write(message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.onclose?.();
  }
}
