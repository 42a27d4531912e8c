import type { Config } from '../../core/load-config.ts';
import type { AlertState } from '../alert.ts';
import { toCsv } from '../email/csv.ts';
import { dashboardLink } from '../email/dashboard-link.ts';
import { sectionsOf } from '../email/email-sections.ts';
import { displayTable, escapeHtml, formatInstant, htmlTable, textTable } from '../email/html.ts';
import type { EmailAttachment, RenderedEmail } from '../email/render-alert-email.ts';
import { seriesChartPng } from '../email/series-chart.ts';
import type { Receiver } from '../routing.ts';
import { agree, percent, plural } from '../rules/rule-context.ts';

export interface LeadWeek {
  mismatchRate: number | null;
  mismatchRateBefore: number | null;
  stockCancellations: number;
  stockCancellationsBefore: number;
  daily: { day: string; value: number }[];
}

export interface LeadDigestInput {
  receiver: Receiver;
  location: string;
  scheduledAt: string;
  since: string;
  open: AlertState[];
  cleared: AlertState[];
  week: LeadWeek;
}

const chartCid = 'lead-trend@stocklens';

/** A lead's morning email: what is open at their location, what cleared, and the week against the one before. */
export function renderLeadDigest(config: Config, input: LeadDigestInput): RenderedEmail {
  const when = (iso: string) => formatInstant(iso, config.timezone);
  const sections = sectionsOf(config, input.open);
  const name = config.locations.find((entry) => entry.id === input.location)?.name ?? input.location;
  const share = (value: number | null) => (value === null ? 'n/a' : percent(value));
  const change = (now: number | null, before: number | null, format: (value: number) => string) =>
    now === null || before === null ? '' : ` (${now - before >= 0 ? '+' : '−'}${format(Math.abs(now - before))} on the 7 days before)`;
  const rateLine = `Mismatch rate, last 7 days: ${share(input.week.mismatchRate)}${change(input.week.mismatchRate, input.week.mismatchRateBefore, percent)}.`;
  const cancelLine = `Order lines cancelled for stock, last 7 days: ${input.week.stockCancellations}${change(input.week.stockCancellations, input.week.stockCancellationsBefore, (value) => String(value))}.`;
  const subject = `[Stocklens] ${input.location} daily: ${plural(sections.length, 'open exception')}, ${plural(input.cleared.length, 'cleared', 'cleared')}, mismatch rate ${share(input.week.mismatchRate)}`;
  const link = dashboardLink(config, { page: 'alerts', params: { location: input.location } });
  const attachments: EmailAttachment[] = [];
  if (input.week.daily.length > 1) {
    attachments.push({ filename: 'mismatch-rate.png', contentType: 'image/png', cid: chartCid, content: seriesChartPng({ label: `daily mismatch rate at ${input.location}`, points: input.week.daily }) });
  }
  for (const section of sections) if (section.rows.rows.length > 0) attachments.push({ filename: section.csvName, contentType: 'text/csv; charset=utf-8', content: toCsv(section.rows) });
  const openHtml =
    sections.length === 0
      ? '<p style="color:#5b6475">Nothing open.</p>'
      : sections.map((section) => `<h3 style="font-size:14px;margin:16px 0 4px">${escapeHtml(section.title)}</h3>\n${htmlTable(displayTable(section.top, config.timezone))}`).join('\n');
  const clearedHtml =
    input.cleared.length === 0 ? '<p style="color:#5b6475">Nothing cleared.</p>' : `<ul>\n${input.cleared.map((state) => `<li>${escapeHtml(state.title)}: cleared ${escapeHtml(when(state.resolvedAt!))}</li>`).join('\n')}\n</ul>`;
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#1d2330;max-width:960px">
<h1 style="font-size:18px;margin:0 0 4px">${escapeHtml(name)} (${escapeHtml(input.location)}): your daily Stocklens digest</h1>
<p style="margin:0;color:#5b6475;font-size:13px">${escapeHtml(when(input.scheduledAt))} · <a href="${escapeHtml(link)}">Open your alerts</a></p>
<p style="margin:12px 0 4px">${escapeHtml(rateLine)}<br>${escapeHtml(cancelLine)}</p>
${attachments.some((attachment) => attachment.cid === chartCid) ? `<p><img src="cid:${chartCid}" width="640" alt="daily mismatch rate at ${escapeHtml(input.location)} over ${input.week.daily.length} days"></p>` : ''}
<h2 style="font-size:16px;margin:24px 0 4px">Open (${sections.length})</h2>
${openHtml}
<h2 style="font-size:16px;margin:24px 0 4px">Cleared since ${escapeHtml(when(input.since))} (${input.cleared.length})</h2>
${clearedHtml}
<p style="margin-top:32px;color:#5b6475;font-size:12px">Sent by Stocklens to ${escapeHtml(input.receiver.to.join(', '))}, who ${agree(input.receiver.to.length, 'is', 'are')} the lead of ${escapeHtml(input.location)}.</p>
</body>
</html>
`;
  const text = [
    `${name} (${input.location}): your daily Stocklens digest (${when(input.scheduledAt)})`,
    `Your alerts: ${link}`,
    '',
    rateLine,
    cancelLine,
    '',
    `Open (${sections.length}):`,
    ...(sections.length === 0 ? ['  nothing'] : sections.flatMap((section) => [section.title, textTable(displayTable(section.top, config.timezone)), ''])),
    '',
    `Cleared since ${when(input.since)} (${input.cleared.length}):`,
    ...(input.cleared.length === 0 ? ['  nothing'] : input.cleared.map((state) => `- ${state.title}: cleared ${when(state.resolvedAt!)}`)),
    '',
  ].join('\n');
  return { subject, html, text, attachments };
}
