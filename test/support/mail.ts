// The mail a test server spooled (DATA_DIR/mail, no SMTP_URL), and the one-time links in it.
import fs from 'node:fs';
import path from 'node:path';
import type { TestServer } from './server.js';

export interface SpooledMail {
  file: string;
  to: string;
  subject: string;
  text: string;
}

/** Every spooled mail to `to`, oldest first. */
export function mailsTo(server: TestServer, to: string): SpooledMail[] {
  const dir = path.join(server.deps.config.dataDir, 'mail');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .sort()
    .map((file) => ({ file, raw: fs.readFileSync(path.join(dir, file), 'utf8') }))
    .map(({ file, raw }) => {
      const [head = '', ...body] = raw.split('\r\n\r\n');
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(head)?.[1] ?? '';
      return { file, to: field('To'), subject: field('Subject'), text: body.join('\r\n\r\n') };
    })
    .filter((m) => m.to.toLowerCase() === to.toLowerCase());
}

/** The newest spooled mail to `to` (throws when there is none). */
export function lastMailTo(server: TestServer, to: string): SpooledMail {
  const all = mailsTo(server, to);
  const last = all[all.length - 1];
  if (!last) throw new Error(`no mail to ${to}`);
  return last;
}

/** The link to `pathname` (e.g. /verify-email) in a mail's text, or undefined. */
export function linkIn(text: string, pathname: string): string | undefined {
  return new RegExp(`(https?://\\S+${pathname.replace(/\//g, '\\/')}\\?token=[\\w%.-]+)`).exec(text)?.[1];
}

/** Opens a "choose your password" link and submits the form on it; returns the answer to the POST. */
export async function choosePassword(link: string, password: string): Promise<Response> {
  const page = await fetch(link);
  if (page.status !== 200) return page;
  const html = await page.text();
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '', link).href;
  return fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, password }).toString(), redirect: 'manual' });
}
