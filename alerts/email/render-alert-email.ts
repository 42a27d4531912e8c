import type { Config } from '../../core/load-config.ts';
import type { AlertState } from '../alert.ts';
import type { Receiver } from '../routing.ts';
import { toCsv } from './csv.ts';
import { dashboardLink } from './dashboard-link.ts';
import { displayTable, escapeHtml, formatInstant, htmlTable, textTable } from './html.ts';
import { seriesChartPng } from './series-chart.ts';

export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Buffer | string;
  /** Set for images shown inline in the HTML part (`<img src="cid:…">`). */
  cid?: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  attachments: EmailAttachment[];
}

export interface AlertNotification {
  receiver: Receiver;
  firing: AlertState[];
  resolved: AlertState[];
  createdAt: string;
}

const severityRank = { critical: 0, warning: 1, info: 2 } as const;
const severityColor = { critical: '#c4314b', warning: '#b26a00', info: '#2f6fde' } as const;
export const chartCid = 'chart@stocklens';

/** Most severe first, then the oldest: the subject names the alert that matters most. */
export function byImportance(a: AlertState, b: AlertState): number {
  return severityRank[a.severity] - severityRank[b.severity] || a.firstSeenAt.localeCompare(b.firstSeenAt) || a.key.localeCompare(b.key);
}

export function alertSubject(notification: AlertNotification): string {
  const firing = [...notification.firing].sort(byImportance);
  const resolved = [...notification.resolved].sort(byImportance);
  if (firing.length === 0) {
    return `[Stocklens] RESOLVED ${resolved[0].title}${resolved.length > 1 ? ` and ${resolved.length - 1} more` : ''}`;
  }
  const more = firing.length > 1 ? ` and ${firing.length - 1} more` : '';
  const fixed = resolved.length > 0 ? `, ${resolved.length} resolved` : '';
  return `[Stocklens] ${firing[0].title}${more}${fixed}`;
}

/** One email per receiver and state change: every firing alert with its rows, and what resolved. */
export function renderAlertEmail(config: Config, notification: AlertNotification): RenderedEmail {
  const firing = [...notification.firing].sort(byImportance);
  const resolved = [...notification.resolved].sort(byImportance);
  const when = (iso: string) => formatInstant(iso, config.timezone);
  const attachments: EmailAttachment[] = [];
  const charted = firing.find((alert) => alert.series && alert.series.points.length > 0);
  if (charted?.series) attachments.push({ filename: 'chart.png', contentType: 'image/png', content: seriesChartPng(charted.series), cid: chartCid });
  const csvName = (alert: AlertState) => `${alert.key.replace(/[^A-Za-z0-9_.=-]+/g, '_').replace(/=/g, '-')}.csv`;
  for (const alert of firing) {
    if (alert.rows.rows.length > 0) attachments.push({ filename: csvName(alert), contentType: 'text/csv; charset=utf-8', content: toCsv(alert.rows) });
  }

  const htmlSections = firing.map((alert) => {
    const link = dashboardLink(config, alert.view);
    const chart = alert === charted ? `<p><img src="cid:${chartCid}" width="640" height="240" alt="${escapeHtml(alert.series!.label)} over the last ${alert.series!.points.length} days"></p>\n` : '';
    const truncated = alert.totalRows > alert.rows.rows.length ? ` (the first ${alert.rows.rows.length} of ${alert.totalRows})` : '';
    const attachment = alert.rows.rows.length > 0 ? `<p style="color:#5b6475;font-size:13px">All ${alert.totalRows} affected rows${truncated} are attached as ${escapeHtml(csvName(alert))}.</p>\n` : '';
    return [
      `<h2 style="font-size:16px;margin:24px 0 4px"><span style="color:${severityColor[alert.severity]};text-transform:uppercase;font-size:12px">${escapeHtml(alert.severity)}</span> ${escapeHtml(alert.title)}</h2>`,
      `<p style="margin:4px 0">${escapeHtml(alert.summary)}</p>`,
      `<p style="margin:4px 0;color:#5b6475;font-size:13px">Firing since ${escapeHtml(when(alert.firstSeenAt))} · <a href="${escapeHtml(link)}">Open in the dashboard</a></p>`,
      `${chart}${htmlTable(displayTable(alert.top, config.timezone))}`,
      attachment,
    ].join('\n');
  });
  const resolvedHtml =
    resolved.length === 0
      ? ''
      : `<h2 style="font-size:16px;margin:24px 0 4px;color:#2e7d32">Resolved</h2>\n<ul>\n${resolved
          .map((alert) => `<li>${escapeHtml(alert.title)}: resolved ${escapeHtml(when(alert.resolvedAt ?? notification.createdAt))}, firing since ${escapeHtml(when(alert.firstSeenAt))}</li>`)
          .join('\n')}\n</ul>`;
  const silenceHint = silenceCommand(firing[0] ?? resolved[0]);
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(alertSubject(notification))}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#1d2330;max-width:760px">
<h1 style="font-size:18px;margin:0 0 4px">Stocklens alerts for ${escapeHtml(notification.receiver.label)}</h1>
<p style="margin:0;color:#5b6475;font-size:13px">${firing.length} firing, ${resolved.length} resolved · ${escapeHtml(when(notification.createdAt))}</p>
${htmlSections.join('\n')}
${resolvedHtml}
<p style="margin-top:32px;color:#5b6475;font-size:12px">Sent by Stocklens to ${escapeHtml(notification.receiver.to.join(', '))}. To mute these alerts for a day: <code>${escapeHtml(silenceHint)}</code></p>
</body>
</html>
`;

  const textSections = firing.map((alert) =>
    [
      `[${alert.severity.toUpperCase()}] ${alert.title}`,
      alert.summary,
      `Firing since ${when(alert.firstSeenAt)}`,
      `Dashboard: ${dashboardLink(config, alert.view)}`,
      '',
      textTable(displayTable(alert.top, config.timezone)),
      alert.rows.rows.length > 0 ? `\nAll ${alert.totalRows} affected rows: ${csvName(alert)}` : '',
    ].join('\n'),
  );
  const resolvedText = resolved.length === 0 ? '' : `Resolved:\n${resolved.map((alert) => `- ${alert.title}: resolved ${when(alert.resolvedAt ?? notification.createdAt)}`).join('\n')}`;
  const text = [
    `Stocklens alerts for ${notification.receiver.label}: ${firing.length} firing, ${resolved.length} resolved (${when(notification.createdAt)})`,
    '',
    ...textSections.flatMap((section) => [section, '']),
    resolvedText,
    '',
    `To mute these alerts for a day: ${silenceHint}`,
    '',
  ].join('\n');
  return { subject: alertSubject(notification), html, text, attachments };
}

function silenceCommand(alert: AlertState | undefined): string {
  const matchers = Object.entries(alert?.entity ?? {})
    .map(([name, value]) => `--match ${name}=${value}`)
    .join(' ');
  return `stocklens alerts silence ${matchers} --for 24h`.replace(/\s+/g, ' ');
}
