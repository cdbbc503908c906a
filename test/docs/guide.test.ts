// Issue 14 §7: llms.txt in the llmstxt.org layout (an H1, a blockquote, notes without headings, then H2 lists of
// links), every link served by this server, llms-full.txt holding the notes and every linked document, and the
// topics an integrator needs first (CLI bootstrap, webhook destinations, refresh-token reuse, t2 needs screening,
// the sandbox, the SDK and the MCP server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let llms: string;
beforeAll(async () => {
  server = await startTestServer();
  const res = await fetch(`${server.url}/llms.txt`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  llms = await res.text();
});
afterAll(() => server?.close());

/** The lines outside fenced code blocks (a `# comment` in a shell example is not a heading). */
function prose(text: string): string[] {
  let inFence = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) inFence = !inFence;
    return !inFence && !line.startsWith('```');
  });
}

describe('llms.txt and llms-full.txt', () => {
  it('follows the llmstxt.org layout: H1, blockquote, notes without headings, then H2 sections of links only', () => {
    const lines = prose(llms);
    expect(lines[0]).toBe('# KYCPort');
    expect(lines.slice(1).find((l) => l.trim())).toMatch(/^> /);
    expect(lines.filter((l) => /^# /.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^#{3,} /.test(l))).toEqual([]);
    const firstH2 = lines.findIndex((l) => l.startsWith('## '));
    expect(firstH2).toBeGreaterThan(0);
    const lists = lines.slice(firstH2).filter((l) => l.trim());
    for (const line of lists) expect(line).toMatch(/^(## \S.*|- \[[^\]]+\]\(https?:\/\/[^)\s]+\)(: .+)?)$/);
    expect(lists.filter((l) => l.startsWith('## ')).at(-1)).toBe('## Optional');
  });

  it('links only to documents this server serves, at its own public URL', async () => {
    const links = [...llms.matchAll(/^- \[[^\]]+\]\(([^)]+)\)/gm)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThanOrEqual(6);
    for (const link of links) {
      expect(link.startsWith(`${server.url}/`), link).toBe(true);
      expect((await fetch(link)).status, link).toBe(200);
    }
    expect((await fetch(`${server.url}/docs/nope.md`)).status).toBe(404);
  });

  it('llms-full.txt is the notes followed by every linked Markdown document', async () => {
    const res = await fetch(`${server.url}/llms-full.txt`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const full = await res.text();
    expect(full.startsWith(llms)).toBe(true);
    for (const [, link] of llms.matchAll(/\]\(([^)]+\.md)\)/g)) {
      const doc = await (await fetch(link!)).text();
      expect(full, link).toContain(doc);
    }
  });

  it('covers the topics an integrator needs first', () => {
    for (const topic of [
      'tenant create', 'client create', 'apikey create', // bootstrapping with the admin CLI
      'WEBHOOK_ALLOW_HOSTS', 'destination_refused', // refused webhook destinations, loopback in development
      'revokes the\n  whole grant', // refresh-token reuse detection
      'screening_unavailable', // t2 needs screening
      'kp_test_', 'livemode', 'sandbox create', '/docs/samples', // the sandbox
      '@kycport/sdk', 'verifyWebhook', '/mcp', 'kycport mcp', // the SDK and the MCP server
    ]) expect(llms, topic).toContain(topic);
  });
});
