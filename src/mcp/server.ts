// One MCP server over the tenant API's domain services: the tools of tools.ts and llms.txt as a resource.
// Built per caller (per HTTP request, or once for a stdio process): the server only learns who calls through
// `caller`, which each transport resolves with the tenant API's own key check.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { InsufficientScopeError } from '../http/errors.js';
import { toApiError } from '../http/middleware/errors.js';
import { log } from '../log.js';
import type { MaybePromise } from '../maybe-promise.js';
import { packageVersion } from '../paths.js';
import { guide } from '../docs/guide.js';
import { TOOLS, type McpServices } from './tools.js';
import type { ApiScope } from '../http/scopes.js';

/** Who calls: the key's tenant and its scopes (each tool needs the one its API route needs). */
export interface McpCaller {
  tenantId: string;
  apiKeyId: string;
  scopes: readonly ApiScope[];
  /** The key's mode: a test key's tools read and make test data only. */
  livemode: boolean;
}

export interface McpServerDeps {
  services: McpServices;
  publicUrl: string;
  /** The caller of this request; throws the API's UnauthorizedError / RateLimitedError when it may not call. */
  caller: () => MaybePromise<McpCaller>;
}

// Made once (a server is built per HTTP request). MCP wants `type: object` at a schema's root: extend({}) is the
// same object without the component name (e.g. KycStatus) that would make the root a $ref.
const REGISTERED = TOOLS.map((t) => ({ t, input: t.input.extend({}), output: t.output.extend({}) }));

export function createMcpServer(d: McpServerDeps): McpServer {
  const server = new McpServer(
    { name: 'kycport', title: 'KYCPort', version: packageVersion },
    { instructions: `KYCPort's tenant API for your API key's tenant: person status, hosted verification sessions, case outcomes, webhook deliveries. Read ${d.publicUrl}/llms.txt (resource) for how the API works.` },
  );

  for (const { t, input, output } of REGISTERED) {
    server.registerTool(
      t.name,
      { title: t.title, description: t.description, inputSchema: input, outputSchema: output, annotations: { readOnlyHint: t.readOnly, openWorldHint: false }, _meta: { 'kycport/scope': t.scope } },
      async (args: unknown): Promise<CallToolResult> => {
        try {
          const caller = await d.caller();
          if (!caller.scopes.includes(t.scope)) throw new InsufficientScopeError(t.scope, caller.scopes);
          const result = await t.run(d.services, { tenantId: caller.tenantId, livemode: caller.livemode }, args as never);
          return { content: [{ type: 'text', text: t.text(result) }], structuredContent: result };
        } catch (err) {
          return toolError(err, t.name);
        }
      },
    );
  }

  server.registerResource(
    'llms.txt',
    `${d.publicUrl}/llms.txt`,
    { title: 'KYCPort for developers and assistants (llms.txt)', description: 'How to integrate KYCPort: OIDC, the tenant API, webhooks, hosted verification.', mimeType: 'text/plain' },
    // Public documentation (also served at /llms.txt): no key check of its own.
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: guide(d.publicUrl).llms }] }),
  );
  return server;
}

/**
 * A tool's failure as a tool error result whose text is the tenant API's error body ({error, message, details?}).
 * Not structured content: the SDK's client checks that against the tool's output schema, error or not.
 */
export function toolError(err: unknown, tool: string): CallToolResult {
  const e = toApiError(err);
  if (e.status >= 500) log.error('mcp tool failed', { tool, err: err instanceof Error ? err.message : String(err) });
  const body = { error: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] };
}
