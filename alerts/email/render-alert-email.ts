import type { Config } from '../../core/load-config.ts';
import type { AlertState } from '../alert.ts';
import type { Receiver } from '../routing.ts';
import { toCsv } from './csv.ts';
import { dashboardLink } from './dashboard-link.ts';
import { displayTable, escapeHtml, formatInstant, htmlTable, textTable } from './html.ts';
import { barChartPng } from './bar-chart.ts';
import { byImportance, sectionsOf, type EmailSection } from './email-sections.ts';
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

const severityColor = { critical: '#c4314b', warning: '#b26a00', info: '#2f6fde' } as const;
export const chartCid = 'chart@stocklens';
/** Charts in one email at most: the most important sections get one each. */
const maxCharts = 3;

export { byImportance };

export function alertSubject(config: Config, notification: AlertNotification): string {
  const firing = sectionsOf(config, notification.firing);
  const resolved = sectionsOf(config, notification.resolved);
  if (firing.length === 0) {
    return `[Stocklens] RESOLVED ${resolved[0].title}${resolved.length > 1 ? ` and ${resolved.length - 1} more` : ''}`;
  }
  const more = firing.length > 1 ? ` and ${firing.length - 1} more` : '';
  const fixed = notification.resolved.length > 0 ? `, ${notification.resolved.length} resolved` : '';
  return `[Stocklens] ${firing[0].title}${more}${fixed}`;
}

/** The PNG of a section's chart, if it has one. */
function chartOf(section: EmailSection): { png: Buffer; alt: string } | undefined {
  if (section.series && section.series.points.length > 0) {
    return { png: seriesChartPng(section.series), alt: `${section.series.label} over the last ${section.series.points.length} days` };
  }
  if (section.bars && section.bars.bars.length > 0) {
    return { png: barChartPng(section.bars), alt: `${section.bars.label}, one bar per ${section.bars.bars.length === 1 ? 'row' : `row (${section.bars.bars.length})`}` };
  }
  return undefined;
}

/** One email per receiver and state change: every firing alert with its rows, and what resolved. */
export function renderAlertEmail(config: Config, notification: AlertNotification): RenderedEmail {
  const firing = sectionsOf(config, notification.firing);
  const resolved = [...notification.resolved].sort(byImportance);
  const when = (iso: string) => formatInstant(iso, config.timezone);
  const attachments: EmailAttachment[] = [];
  // A notice that only says what cleared charts what cleared.
  const charted = firing.length > 0 ? firing : sectionsOf(config, notification.resolved);
  const charts = new Map<EmailSection, { cid: string; alt: string }>();
  for (const section of charted) {
    if (charts.size >= maxCharts) break;
    const chart = chartOf(section);
    if (!chart) continue;
    const cid = charts.size === 0 ? chartCid : `chart-${charts.size + 1}@stocklens`;
    attachments.push({ filename: charts.size === 0 ? 'chart.png' : `chart-${charts.size + 1}.png`, contentType: 'image/png', content: chart.png, cid });
    charts.set(section, { cid, alt: chart.alt });
  }
  for (const section of firing) {
    if (section.rows.rows.length > 0) attachments.push({ filename: section.csvName, contentType: 'text/csv; charset=utf-8', content: toCsv(section.rows) });
  }
  const chartImg = (section: EmailSection) => {
    const chart = charts.get(section);
    return chart ? `<p><img src="cid:${chart.cid}" width="640" alt="${escapeHtml(chart.alt)}"></p>\n` : '';
  };

  const htmlSections = firing.map((section) => {
    const link = dashboardLink(config, section.view);
    const truncated = section.totalRows > section.rows.rows.length ? ` (the first ${section.rows.rows.length} of ${section.totalRows})` : '';
    const attachment =
      section.rows.rows.length > 0
        ? `<p style="color:#5b6475;font-size:13px">${section.totalRows === 1 ? 'The affected row is' : `All ${section.totalRows} affected rows${truncated} are`} attached as ${escapeHtml(section.csvName)}.</p>\n`
        : '';
    return [
      `<h2 style="font-size:16px;margin:24px 0 4px"><span style="color:${severityColor[section.severity]};text-transform:uppercase;font-size:12px">${escapeHtml(section.severity)}</span> ${escapeHtml(section.title)}</h2>`,
      `<p style="margin:4px 0">${escapeHtml(section.summary)}</p>`,
      `<p style="margin:4px 0;color:#5b6475;font-size:13px">Firing since ${escapeHtml(when(section.firstSeenAt))} · <a href="${escapeHtml(link)}">Open in the dashboard</a></p>`,
      `${chartImg(section)}${htmlTable(displayTable(section.top, config.timezone))}`,
      attachment,
    ].join('\n');
  });
  const resolvedLinkHtml = firing.length === 0 && resolved.length > 0 ? `<p style="margin:4px 0;font-size:13px"><a href="${escapeHtml(dashboardLink(config, sectionsOf(config, resolved)[0].view))}">Open in the dashboard</a></p>\n` : '';
  const resolvedHtml =
    resolved.length === 0
      ? ''
      : `<h2 style="font-size:16px;margin:24px 0 4px;color:#2e7d32">Resolved</h2>\n${resolvedLinkHtml}${firing.length === 0 ? [...charts.keys()].map(chartImg).join('') : ''}<ul>\n${resolved
          .map((alert) => `<li>${escapeHtml(alert.title)}: resolved ${escapeHtml(when(alert.resolvedAt ?? notification.createdAt))}, firing since ${escapeHtml(when(alert.firstSeenAt))}</li>`)
          .join('\n')}\n</ul>`;
  const silenceHint = silenceCommand(notification.firing[0] ?? resolved[0]);
  const subject = alertSubject(config, notification);
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#1d2330;max-width:960px">
<h1 style="font-size:18px;margin:0 0 4px">Stocklens alerts for ${escapeHtml(notification.receiver.label)}</h1>
<p style="margin:0;color:#5b6475;font-size:13px">${notification.firing.length} firing, ${resolved.length} resolved · ${escapeHtml(when(notification.createdAt))}</p>
${htmlSections.join('\n')}
${resolvedHtml}
<p style="margin-top:32px;color:#5b6475;font-size:12px">Sent by Stocklens to ${escapeHtml(notification.receiver.to.join(', '))}. To mute these alerts for a day: <code>${escapeHtml(silenceHint)}</code></p>
</body>
</html>
`;

  const textSections = firing.map((section) =>
    [
      `[${section.severity.toUpperCase()}] ${section.title}`,
      section.summary,
      `Firing since ${when(section.firstSeenAt)}`,
      `Dashboard: ${dashboardLink(config, section.view)}`,
      '',
      textTable(displayTable(section.top, config.timezone)),
      section.rows.rows.length > 0 ? `\n${section.totalRows === 1 ? 'The affected row' : `All ${section.totalRows} affected rows`}: ${section.csvName}` : '',
    ].join('\n'),
  );
  const resolvedLink = firing.length === 0 && resolved.length > 0 ? dashboardLink(config, sectionsOf(config, resolved)[0].view) : undefined;
  const resolvedText =
    resolved.length === 0
      ? ''
      : `Resolved:\n${resolved.map((alert) => `- ${alert.title}: resolved ${when(alert.resolvedAt ?? notification.createdAt)}`).join('\n')}${resolvedLink ? `\nDashboard: ${resolvedLink}` : ''}`;
  const text = [
    `Stocklens alerts for ${notification.receiver.label}: ${notification.firing.length} firing, ${resolved.length} resolved (${when(notification.createdAt)})`,
    '',
    ...textSections.flatMap((section) => [section, '']),
    resolvedText,
    '',
    `To mute these alerts for a day: ${silenceHint}`,
    '',
  ].join('\n');
  return { subject, html, text, attachments };
}

function silenceCommand(alert: AlertState | undefined): string {
  // A location's open mismatches are one worklist: mute the list, not its first SKU.
  const entity = alert?.kind === 'open_mismatch' ? { rule: alert.rule, location: alert.labels.location } : (alert?.entity ?? {});
  const matchers = Object.entries(entity)
    .map(([name, value]) => `--match ${name}=${value}`)
    .join(' ');
  return `stocklens alerts silence ${matchers} --for 24h`.replace(/\s+/g, ' ');
}
