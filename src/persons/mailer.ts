// Outgoing mail. The built-in mailer drops RFC 822 messages into DATA_DIR/mail (a maildir-style spool an
// operator's MTA or a developer can pick up); it never writes message bodies to the log.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { log } from '../log.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export class SpoolMailer implements Mailer {
  constructor(private readonly dir: string, private readonly from = 'KYCPort <no-reply@kycport.local>') {}
  async send(mail: Mail): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const id = `${Date.now()}-${crypto.randomBytes(6).toString('hex')}`;
    const body = [`From: ${this.from}`, `To: ${mail.to}`, `Subject: ${mail.subject}`, `Date: ${new Date().toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '', mail.text, ''].join('\r\n');
    fs.writeFileSync(path.join(this.dir, `${id}.eml`), body, { mode: 0o600 });
    log.info('mail queued', { id, subject: mail.subject });
  }
}
