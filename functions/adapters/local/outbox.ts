import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';

/** One email to send. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** Stable id of what the email is about (alert or digest id): names the file, dedupes sends. */
  id: string;
  /** A JSON copy attached for machines (the alert or digest document). */
  json?: unknown;
}

/** Where emails go on one machine. */
export interface MailSender {
  /** Sends (or writes) the email and says where it went. */
  send(email: OutgoingEmail): Promise<string>;
}

/** The sender address of local emails, unless `NEWSWATCH_MAIL_FROM` says otherwise. */
export const DEFAULT_MAIL_FROM = 'newswatch <newswatch@localhost>';

const message = (email: OutgoingEmail, from: string) => ({
  from,
  to: email.to,
  subject: email.subject,
  text: email.text,
  messageId: `<${email.id}@newswatch.local>`,
  ...(email.json === undefined
    ? {}
    : {
        attachments: [
          {
            filename: `${email.id}.json`,
            content: JSON.stringify(email.json, null, 2),
            contentType: 'application/json',
          },
        ],
      }),
});

/** Writes each email as an RFC 5322 `.eml` file any mail program opens. */
export class EmlOutbox implements MailSender {
  private readonly dir: string;
  private readonly from: string;
  private readonly transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(dir: string, from = DEFAULT_MAIL_FROM) {
    this.dir = dir;
    this.from = from;
  }

  async send(email: OutgoingEmail): Promise<string> {
    const info = await this.transport.sendMail(message(email, this.from));
    await mkdir(this.dir, { recursive: true });
    const safeTo = email.to.replace(/[^A-Za-z0-9@._-]/g, '_');
    const path = join(this.dir, `${email.id}--${safeTo}.eml`);
    // Rewriting the same alert to the same person leaves one file: a retry is not a second email.
    await writeFile(path, info.message as Buffer);
    return path;
  }
}

/** Sends through an SMTP server given as a URL (`smtp://user:pass@host:587`, `smtps://…`). */
export class SmtpSender implements MailSender {
  private readonly transport: ReturnType<typeof createTransport>;
  private readonly from: string;

  constructor(url: string, from = DEFAULT_MAIL_FROM) {
    this.transport = createTransport(url);
    this.from = from;
  }

  async send(email: OutgoingEmail): Promise<string> {
    const info = (await this.transport.sendMail(message(email, this.from))) as { messageId?: string };
    return `smtp ${info.messageId ?? ''} to ${email.to}`;
  }
}
