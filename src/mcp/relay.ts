// `kycport mcp` while a server holds the embedded (PGlite) database: the files are that process's alone, so the
// stdio process relays each JSON-RPC message to the server's own POST /mcp on the loopback address, with the key
// from KYCPORT_API_KEY. The server checks the key, counts the limits and runs the tools, as for any HTTP client.
// What the HTTP endpoint refuses (401, 429…) comes back as the stdio server's own refusals do: an error result
// for a tool call, else a JSON-RPC error carrying the request's id.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config.js';
import { ApiError } from '../http/errors.js';
import { MCP_PATH } from './http.js';
import { toolError } from './server.js';

/** The server's /mcp on this machine: its listen address, a wildcard one read as loopback. */
export function localMcpUrl(config: Pick<Config, 'host' | 'port'>): string {
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}${MCP_PATH}`;
}

interface Refusal {
  error: { code: number; message: string; data?: { error?: string } };
}

export async function relayStdio(url: string, apiKey: string | undefined): Promise<{ code: 0 }> {
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  const key = apiKey?.trim();

  async function forward(message: JSONRPCMessage): Promise<JSONRPCMessage | undefined> {
    const request = isJSONRPCRequest(message) ? message : undefined;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify(message),
      });
    } catch {
      return request && { jsonrpc: '2.0', id: request.id, error: { code: -32603, message: `The KYCPort server that holds the database does not answer at ${url}.` } };
    }
    const text = await res.text();
    if (!request || !text) return undefined;
    const body = JSON.parse(text) as JSONRPCMessage;
    // Refused before the MCP server saw the message (key, limits, body): the HTTP layer could not know its id.
    if (!res.ok && 'error' in body && (body as { id?: unknown }).id === null) {
      const { error } = body as Refusal;
      if (request.method === 'tools/call') return { jsonrpc: '2.0', id: request.id, result: toolError(new ApiError(res.status, error.data?.error ?? 'error', error.message), String(request.params?.name)) };
      return { jsonrpc: '2.0', id: request.id, error };
    }
    return body;
  }

  transport.onmessage = (message) => {
    void forward(message).then((answer) => (answer ? transport.send(answer) : undefined));
  };
  await transport.start();
  const stop = () => void transport.close();
  process.stdin.once('end', stop);
  process.once('SIGTERM', stop).once('SIGINT', stop);
  await closed;
  return { code: 0 };
}
