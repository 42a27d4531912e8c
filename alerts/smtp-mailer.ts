import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Config } from '../core/load-config.ts';
import type { RenderedEmail } from './email/render-alert-email.ts';

/**
 * The SMTP transport of the config. nodemailer upgrades to STARTTLS whenever the server offers
 * it (secure: false) or talks TLS from the start (secure: true, port 465); the password comes
 * from the environment through the config's `${SMTP_PASSWORD}`.
 */
export function createSmtpTransport(config: Config) {
  const { host, port, secure, user, password } = config.smtp;
  return nodemailer.createTransport({
    host,
    port,
    secure,
    auth: user ? { user, pass: password ?? '' } : undefined,
    // Fail fast while the server is down: the outbox retries with backoff instead of a hanging round.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
}

export type SmtpTransport = ReturnType<typeof createSmtpTransport>;

/** Renders a complete MIME message once, so every retry sends the very same bytes and Message-ID. */
export async function composeMessage(config: Config, email: RenderedEmail, options: { to: string[]; messageId: string; date: Date }): Promise<string> {
  const composer = new MailComposer({
    from: config.smtp.from,
    to: options.to,
    subject: email.subject,
    messageId: options.messageId,
    date: options.date,
    text: email.text,
    html: email.html,
    attachments: email.attachments.map((attachment) => ({ filename: attachment.filename, content: attachment.content, contentType: attachment.contentType, cid: attachment.cid })),
  });
  const buffer = await new Promise<Buffer>((resolve, reject) => composer.compile().build((error, message) => (error ? reject(error) : resolve(message))));
  return buffer.toString('utf8');
}

/** The Message-ID of a notification, derived from its idempotency key: a resend is recognisably the same message. */
export function messageIdFor(config: Config, idempotencyKey: string, hash: string): string {
  const domain = config.smtp.from.split('@').at(-1)?.replace(/[>\s]/g, '') || 'stocklens.local';
  return `<${hash}.${idempotencyKey.split(':')[0]}@${domain}>`;
}

/**
 * Sends a stored message. `beforeEnd` runs when the transport has read the whole message and
 * before the stream ends: the server cannot have accepted a message whose terminating dot was
 * not sent, so a crash before `beforeEnd` completed is known not to have delivered it.
 */
export async function sendRaw(transport: SmtpTransport, options: { from: string; to: string[]; raw: string; beforeEnd?: () => Promise<void> }) {
  const bytes = Buffer.from(options.raw, 'utf8');
  let pushed = false;
  let ending = false;
  const stream = new Readable({
    read() {
      if (!pushed) {
        pushed = true;
        this.push(bytes);
        return;
      }
      if (ending) return;
      ending = true;
      const end = options.beforeEnd ? options.beforeEnd() : Promise.resolve();
      end.then(
        () => this.push(null),
        (error: Error) => this.destroy(error),
      );
    },
  });
  return transport.sendMail({ envelope: { from: options.from, to: options.to }, raw: stream });
}
