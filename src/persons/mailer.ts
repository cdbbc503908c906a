// Outgoing mail: SMTP when SMTP_URL is set, else RFC 822 files in DATA_DIR/mail (a maildir-style spool an
// operator's MTA or a developer can pick up). Neither writes message bodies (they hold verification links) or
// SMTP credentials to the log.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Config } from '../config.js';
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
  constructor(
    private readonly dir: string,
    private readonly from = 'KYCPort <no-reply@kycport.local>',
  ) {}
  async send(mail: Mail): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const id = `${Date.now()}-${crypto.randomBytes(6).toString('hex')}`;
    const body = [`From: ${this.from}`, `To: ${mail.to}`, `Subject: ${mail.subject}`, `Date: ${new Date().toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '', mail.text, ''].join('\r\n');
    await fs.promises.writeFile(path.join(this.dir, `${id}.eml`), body, { mode: 0o600 });
    log.info('mail queued', { id, subject: mail.subject });
  }
}

export class SmtpMailer implements Mailer {
  private readonly transport: nodemailer.Transporter<SMTPTransport.SentMessageInfo>;
  /** host:port only, for logs. */
  readonly describe: string;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.describe = describeSmtp(smtpUrl);
    // Bounded waits: a sign-up request must not hang on a dead mail server.
    this.transport = nodemailer.createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  }

  async send(mail: Mail): Promise<void> {
    try {
      const info = await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
      log.info('mail sent', { message_id: info.messageId, subject: mail.subject, server: this.describe });
    } catch (err) {
      // nodemailer errors may quote the server's reply, never our credentials; keep the code and response.
      const e = err as { code?: string; responseCode?: number; message?: string };
      log.error('mail failed', { server: this.describe, code: e.code, response_code: e.responseCode });
      throw new Error(`mail to ${mail.to} failed: ${e.code ?? 'error'}`);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** scheme://host:port of an SMTP URL, without credentials (for logs). */
export function describeSmtp(smtpUrl: string): string {
  const u = new URL(smtpUrl);
  return `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`;
}

/** The configured mailer: SMTP with SMTP_URL, else the spool. */
export function mailerFor(config: Pick<Config, 'mail' | 'dataDir'>): Mailer {
  return config.mail.smtpUrl ? new SmtpMailer(config.mail.smtpUrl, config.mail.from) : new SpoolMailer(path.join(config.dataDir, 'mail'), config.mail.from);
}
