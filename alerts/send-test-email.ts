import { randomUUID } from 'node:crypto';
import type { Config } from '../core/load-config.ts';
import { dashboardBaseUrl } from './email/dashboard-link.ts';
import { escapeHtml } from './email/html.ts';
import { openMailDrop } from './mail-drop.ts';
import { composeMessage } from './smtp-mailer.ts';

/** `stocklens alerts test-send --to ADDRESS`: proves the SMTP settings work, outside the outbox. */
export async function sendTestEmail(config: Config, to: string, now = new Date()): Promise<{ messageId: string; response: string }> {
  const domain = config.smtp.from.split('@').at(-1) ?? 'stocklens.local';
  const messageId = `<test-${randomUUID()}@${domain}>`;
  const drop = openMailDrop(config);
  const text = `This is a test email from Stocklens, sent through ${drop.where} at ${now.toISOString()}.\nAlert links will point to ${dashboardBaseUrl(config)}.\n`;
  const raw = await composeMessage(
    config,
    { subject: '[Stocklens] Test email', text, html: `<!doctype html><html><body><p>${escapeHtml(text).replace(/\n/g, '<br>')}</p></body></html>`, attachments: [] },
    { to: [to], messageId, date: now },
  );
  try {
    const info = await drop.send({ key: `test-${now.getTime()}`, createdAt: now.toISOString(), from: config.smtp.from, to: [to], raw });
    return { messageId, response: info.response };
  } finally {
    drop.close();
  }
}
