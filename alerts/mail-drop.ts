import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../core/load-config.ts';
import { createSmtpTransport, sendRaw } from './smtp-mailer.ts';

export interface OutgoingMessage {
  /** The outbox's idempotency key: a file's name, so a resend overwrites rather than duplicates. */
  key: string;
  createdAt: string;
  from: string;
  to: string[];
  raw: string;
  beforeEnd?: () => Promise<void>;
}

/** Where rendered messages go: the SMTP server of the config, or .eml files (`smtp.deliver: files`). */
export interface MailDrop {
  /** `localhost:2525` or the folder, for messages to the user. */
  where: string;
  send(message: OutgoingMessage): Promise<{ response: string }>;
  close(): void;
}

/** `<data_dir>/outbox`: where `smtp.deliver: files` writes each message. */
export function emlFolder(config: Config): string {
  return path.join(config.data_dir, 'outbox');
}

export function openMailDrop(config: Config): MailDrop {
  if (config.smtp.deliver === 'files') {
    const folder = emlFolder(config);
    return {
      where: folder,
      async send(message) {
        mkdirSync(folder, { recursive: true });
        const stamp = message.createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
        const file = path.join(folder, `${stamp}-${message.key.replace(/[^A-Za-z0-9_.-]+/g, '_')}.eml`);
        await message.beforeEnd?.();
        // Written whole under a temporary name and renamed: a mail client never opens half a message.
        writeFileSync(`${file}.tmp`, message.raw);
        renameSync(`${file}.tmp`, file);
        return { response: `written to ${file}` };
      },
      close() {},
    };
  }
  const transport = createSmtpTransport(config);
  return {
    where: `${config.smtp.host}:${config.smtp.port}`,
    async send(message) {
      const info = await sendRaw(transport, { from: message.from, to: message.to, raw: message.raw, beforeEnd: message.beforeEnd });
      return { response: String(info.response ?? '') };
    },
    close: () => transport.close(),
  };
}
