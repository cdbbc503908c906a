// POST /mcp: the MCP server over streamable HTTP, behind the tenant API's own key check and rate limits.
//
// Stateless (no Mcp-Session-Id): every POST is authenticated by its API key anyway, the tools are plain request →
// answer calls, and HTTP workers (WEB_CONCURRENCY) share no memory, so a session kept in one worker would need
// sticky routing. Each request gets its own server and transport (a transport serves one connection) and JSON
// answers instead of an SSE stream. GET (the server→client stream) and DELETE (ending a session) are 405.
//
// Body: the house JSON parser (size and depth limits) runs after the key check, and the transport gets the parsed
// body; its own checks (Accept, Content-Type, JSON-RPC shape) still apply. Every refusal, the key check's
// included, is a JSON-RPC error body with the HTTP status the tenant API would give (401, 429, 413…).
import type Koa from 'koa';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { jsonBody } from '../http/body.js';
import { ApiError, UnsupportedMediaTypeError } from '../http/errors.js';
import { toApiError } from '../http/middleware/errors.js';
import { log } from '../log.js';
import type { TenantState } from '../tenants/api-key-auth.js';
import { createMcpServer, type McpCaller } from './server.js';
import type { McpServices } from './tools.js';

export const MCP_PATH = '/mcp';

/** JSON-RPC error codes for refusals made before the MCP server sees the message (server-defined range). */
export function jsonRpcCode(e: ApiError): number {
  if (e.code === 'invalid_json') return -32700;
  if (e.status === 401 || e.status === 403) return -32010;
  if (e.status === 429) return -32029;
  return e.status < 500 ? -32600 : -32603;
}

/** The request headers the transport reads; the body goes separately, parsed. */
const FORWARDED = ['accept', 'content-type', 'mcp-protocol-version', 'mcp-session-id', 'last-event-id'];

export function mcpRoutes(d: { services: McpServices; publicUrl: string; requireApiKey: Koa.Middleware }): Koa.Middleware {
  const parse = jsonBody();
  const serve = async (ctx: Koa.ParameterizedContext<TenantState>): Promise<void> => {
    await parse(ctx, async () => {
      if (!ctx.is('application/json')) throw new UnsupportedMediaTypeError('Send a JSON-RPC message (Content-Type: application/json).');
      const caller: McpCaller = { tenantId: ctx.state.tenantId, apiKeyId: ctx.state.apiKeyId, scopes: ctx.state.scopes, livemode: ctx.state.livemode };
      const server = createMcpServer({ services: d.services, publicUrl: d.publicUrl, caller: () => caller });
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      try {
        await server.connect(transport);
        const headers = new Headers();
        for (const h of FORWARDED) if (ctx.get(h)) headers.set(h, ctx.get(h));
        const res = await transport.handleRequest(new Request(new URL(MCP_PATH, d.publicUrl), { method: 'POST', headers }), { parsedBody: ctx.request.body });
        const text = await res.text();
        ctx.set('Cache-Control', 'no-store');
        const type = res.headers.get('content-type');
        if (text) {
          ctx.status = res.status;
          if (type) ctx.type = type;
          ctx.body = text;
        } else {
          // A notification or a response: 202 without a body (an explicit null keeps Koa from writing one).
          ctx.body = null;
          ctx.status = res.status;
        }
      } finally {
        await server.close();
      }
    });
  };

  // Every later request (pages, OIDC) passes through here: no async layer of its own for them.
  return (ctx, next) => (ctx.path === MCP_PATH || ctx.path === `${MCP_PATH}/` ? answer(ctx) : next());

  async function answer(ctx: Koa.Context): Promise<void> {
    try {
      if (ctx.method !== 'POST') {
        ctx.set('Allow', 'POST');
        throw new ApiError(405, 'method_not_allowed', 'This MCP endpoint is stateless: POST JSON-RPC messages (no GET stream, no sessions to DELETE).');
      }
      await d.requireApiKey(ctx, () => serve(ctx));
    } catch (err) {
      const e = toApiError(err);
      if (e.status >= 500) log.error('mcp request failed', { request_id: ctx.state.requestId, err: err instanceof Error ? err.message : String(err) });
      ctx.status = e.status;
      for (const [k, v] of Object.entries(e.headers ?? {})) ctx.set(k, v);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { jsonrpc: '2.0', id: null, error: { code: jsonRpcCode(e), message: e.message, data: { error: e.code, ...(e.details ? { details: e.details } : {}) } } };
    }
  }
}
