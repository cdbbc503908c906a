// What the server answers while it starts and waits for its database or Redis (main.ts listens first, so an
// orchestrator sees a live process that is not ready yet, instead of one that exits and restart-loops).
import type http from 'node:http';
import { RETRY_AFTER_SECONDS } from '../db/outage.js';
import { messagePage } from './html.js';

export interface StartingState {
  database: 'ok' | 'fail';
  /** Present when Redis is configured. */
  redis?: 'ok' | 'fail';
}

export function startingHandler(state: StartingState): http.RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...(status === 503 ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : {}) });
      res.end(body);
    };
    if (path === '/health/live') return send(200, 'application/json', JSON.stringify({ status: 'ok' }));
    if (path === '/health/ready') return send(503, 'application/json', JSON.stringify({ status: 'unavailable', checks: state }));
    const waitingFor = state.database === 'fail' ? 'database' : 'session store';
    if (!path?.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html')) {
      return send(503, 'text/html; charset=utf-8', messagePage('Starting', `KYCPort is starting and waiting for its ${waitingFor}. Please try again in a few seconds.`));
    }
    send(503, 'application/json', JSON.stringify({ error: 'service_unavailable', message: `KYCPort is starting and waiting for its ${waitingFor}. Retry after ${RETRY_AFTER_SECONDS} s.` }));
  };
}
