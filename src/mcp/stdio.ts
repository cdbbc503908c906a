// `kycport mcp`: the MCP server over stdio, for an assistant that spawns it on the operator's machine. It opens
// the database itself and composes the same services the server does: on Postgres (any number of processes), or
// on an embedded (PGlite) data dir that no server holds. A running server on the embedded database owns its files;
// then this process relays to that server's /mcp (relay.ts).
//
// The key comes from KYCPORT_API_KEY, never argv (`ps` shows argv to every user). It is checked on every call,
// like a request's key (the API's key cache, so a revocation takes effect here too), and counted against the
// same per-key limit; a missing or bad key is an error result of the call, never a crash.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { compose } from '../compose.js';
import type { Config } from '../config.js';
import { DatabaseInUseError } from '../db/index.js';
import { RateLimitedError, UnauthorizedError } from '../http/errors.js';
import { openInfra, type Infra } from '../infra.js';
import { loadKeyMaterial } from '../oidc/keys.js';
import { apiKeyLimit } from '../tenants/api-key-auth.js';
import { ApiKeyCache } from '../tenants/api-key-cache.js';
import { localMcpUrl, relayStdio } from './relay.js';
import { createMcpServer, type McpCaller } from './server.js';

export const API_KEY_ENV = 'KYCPORT_API_KEY';

/** Serves until stdin ends (the assistant closed the connection) or a signal; resolves with the exit code. */
export async function serveStdio(config: Config, apiKey: string | undefined): Promise<{ code: 0 | 1 | 2; stderr?: string }> {
  let infra: Infra;
  try {
    infra = await openInfra(config);
  } catch (err) {
    if (!(err instanceof DatabaseInUseError)) throw err;
    // A server on this machine holds the embedded database: it answers for it (relay.ts).
    return relayStdio(localMcpUrl(config), apiKey);
  }
  const services = compose(infra, await loadKeyMaterial(config));
  const keys = new ApiKeyCache(infra.db.knex, infra.invalidations);
  const key = apiKey?.trim();

  async function caller(): Promise<McpCaller> {
    if (!key) throw new UnauthorizedError(`Set ${API_KEY_ENV} to a tenant API key (kp_live_…) in the assistant's configuration.`);
    const row = await keys.authenticate(key);
    if (!row) throw new UnauthorizedError('The API key is invalid or revoked.');
    const counted = await infra.apiLimiter.hit([apiKeyLimit(row.id, config.rateLimit.apiPerMinute)]);
    if (!counted.allowed) throw new RateLimitedError(counted.retryAfter);
    return { tenantId: row.tenant_id, apiKeyId: row.id, scopes: row.scopes, livemode: row.livemode };
  }

  const server = createMcpServer({ services: services, publicUrl: config.publicUrl, caller });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
  });
  await server.connect(transport);
  const stop = () => void server.close();
  process.stdin.once('end', stop);
  process.once('SIGTERM', stop).once('SIGINT', stop);
  await closed;
  await services.close();
  await infra.close();
  return { code: 0 };
}
