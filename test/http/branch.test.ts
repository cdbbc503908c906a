// routerChain runs only the router that has the request's route, and keeps the 405/OPTIONS answers and the
// fall-through of a chain of routers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routerChain } from '../../src/http/branch.js';

describe('routerChain', () => {
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    const a = new Router();
    a.get('/x', (ctx) => (ctx.body = 'a get'));
    const b = new Router({ prefix: '/b' });
    b.get('/:id', (ctx) => (ctx.body = `b ${ctx.params.id}`));
    const c = new Router();
    c.post('/x', (ctx) => (ctx.body = 'c post'));
    const app = new Koa();
    for (const mw of routerChain(a, b, c)) app.use(mw);
    app.use((ctx) => {
      if (ctx.path === '/elsewhere') ctx.body = `after ${ctx.method} ${ctx.path}`;
    });
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const call = async (method: string, path: string) => {
    const res = await fetch(url + path, { method });
    return { status: res.status, allow: res.headers.get('allow'), body: await res.text() };
  };

  it('answers from whichever router has the route, with its params', async () => {
    expect(await call('GET', '/x')).toMatchObject({ status: 200, body: 'a get' });
    expect(await call('GET', '/b/42')).toMatchObject({ status: 200, body: 'b 42' });
    // An earlier router knows the path with another method: the later router's route still answers.
    expect(await call('POST', '/x')).toMatchObject({ status: 200, body: 'c post' });
  });

  it('passes a path no router knows on to the next middleware', async () => {
    expect(await call('GET', '/elsewhere')).toMatchObject({ status: 200, body: 'after GET /elsewhere' });
  });

  it('answers a known path with an unknown method as 405 with Allow, and OPTIONS with Allow', async () => {
    const wrong = await call('DELETE', '/b/42');
    expect(wrong.status).toBe(405);
    expect(wrong.allow).toContain('GET');
    const options = await call('OPTIONS', '/b/42');
    expect(options.status).toBe(200);
    expect(options.allow).toContain('GET');
  });
});
