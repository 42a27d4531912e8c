import type { Config } from '../../core/load-config.ts';
import type { AlertState, AlertTable } from '../alert.ts';
import { dashboardLink } from '../email/dashboard-link.ts';
import { escapeHtml, formatInstant, htmlTable, textTable } from '../email/html.ts';
import type { EmailAttachment, RenderedEmail } from '../email/render-alert-email.ts';
import { seriesChartPng } from '../email/series-chart.ts';
import { addDays, percent } from '../rules/rule-context.ts';

export interface WeeklyHealthRow {
  location_id: string;
  total_units: number | null;
  ats_units: number | null;
  ats_share: number | null;
  mismatch_rate: number | null;
  oversell_lines: number | null;
  stock_cancellations: number | null;
  stock_cancel_rate: number | null;
  stock_delayed_lines: number | null;
  lost_revenue: number | null;
  hidden_units: number | null;
}

/** Mismatched comparisons of one location over a week. */
export interface LocationErrors {
  location_id: string;
  mismatched: number;
}

export interface DigestInput {
  scheduledAt: string;
  /** The previous digest's slot: alerts are new, still open or resolved relative to it. */
  since: string;
  recipients: string[];
  week: string | null;
  current: WeeklyHealthRow[];
  previous: WeeklyHealthRow[];
  trend: { day: string; value: number }[];
  /** This week's and last week's mismatched comparisons per location, most first. */
  errors: LocationErrors[];
  errorsBefore: LocationErrors[];
  states: AlertState[];
}

const digestCid = 'trend@stocklens';

/** The CEO's Monday email: last week's health per location with week-over-week change, and what changed in the alerts. */
export function renderDigestEmail(config: Config, input: DigestInput): RenderedEmail {
  const when = (iso: string) => formatInstant(iso, config.timezone);
  const all = input.current.find((row) => row.location_id === 'ALL');
  const subject = input.week
    ? `[Stocklens] Weekly digest, week of ${input.week}: ${all ? `ATS ${fmtShare(all.ats_share)}, mismatch rate ${fmtShare(all.mismatch_rate)}, ${all.oversell_lines ?? 0} oversells, ${all.stock_cancellations ?? 0} stock cancellations` : `${input.current.length} locations`}`
    : '[Stocklens] Weekly digest: no weekly health yet';
  const table = healthTable(input.current, input.previous);
  // A mismatch alert inhibited by its stale source is a phantom, not news for the CEO.
  const states = input.states.filter((state) => !state.suppressedBy?.startsWith('inhibited'));
  const opened = states.filter((state) => state.firstSeenAt > input.since);
  const stillOpen = states.filter((state) => state.status === 'firing' && state.firstSeenAt <= input.since);
  const resolved = states.filter((state) => state.status === 'resolved' && state.resolvedAt !== null && state.resolvedAt > input.since && state.firstSeenAt <= input.since);
  const line = (state: AlertState) => `${state.title} (${state.status === 'firing' ? `firing since ${when(state.firstSeenAt)}` : `resolved ${when(state.resolvedAt!)}`})`;
  const sections: [string, AlertState[]][] = [
    ['New since the last digest', opened],
    ['Still open', stillOpen],
    ['Resolved', resolved],
  ];
  const link = input.week ? dashboardLink(config, { page: 'weekly', params: { from: input.week, to: addDays(input.week, 6) } }) : dashboardLink(config, { page: 'weekly', params: {} });
  const attachments: EmailAttachment[] = [];
  if (input.trend.length > 1) {
    attachments.push({ filename: 'mismatch-rate-trend.png', contentType: 'image/png', cid: digestCid, content: seriesChartPng({ label: 'weekly mismatch rate, all locations', points: input.trend }) });
  }
  const headlines = input.week ? headlinesOf(config, input) : [];
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#1d2330;max-width:820px">
<h1 style="font-size:18px;margin:0 0 4px">Stocklens weekly digest${input.week ? `, week of ${escapeHtml(input.week)}` : ''}</h1>
<p style="margin:0;color:#5b6475;font-size:13px">${escapeHtml(when(input.scheduledAt))} · <a href="${escapeHtml(link)}">Open the weekly health page</a></p>
${headlines.length > 0 ? `<ul style="margin:12px 0;padding-left:20px">\n${headlines.map((line) => `<li>${escapeHtml(line)}</li>`).join('\n')}\n</ul>` : ''}
<h2 style="font-size:16px;margin:24px 0 4px">Weekly health</h2>
${input.week ? htmlTable(table) : '<p>No weekly health yet: the marts have not covered a complete week.</p>'}
${attachments.length > 0 ? `<p><img src="cid:${digestCid}" width="640" height="240" alt="weekly mismatch rate of all locations over the last ${input.trend.length} weeks"></p>` : ''}
${sections
  .map(([title, states]) => `<h2 style="font-size:16px;margin:24px 0 4px">${escapeHtml(title)} (${states.length})</h2>\n${states.length === 0 ? '<p style="color:#5b6475">None.</p>' : `<ul>\n${states.map((state) => `<li>${escapeHtml(line(state))}</li>`).join('\n')}\n</ul>`}`)
  .join('\n')}
<p style="margin-top:32px;color:#5b6475;font-size:12px">Sent by Stocklens to ${escapeHtml(input.recipients.join(', '))}; changes since ${escapeHtml(when(input.since))}.</p>
</body>
</html>
`;
  const text = [
    `Stocklens weekly digest${input.week ? `, week of ${input.week}` : ''} (${when(input.scheduledAt)})`,
    `Weekly health: ${link}`,
    '',
    ...headlines.map((line) => `- ${line}`),
    ...(headlines.length > 0 ? [''] : []),
    input.week ? textTable(table) : 'No weekly health yet.',
    '',
    ...sections.flatMap(([title, states]) => [`${title} (${states.length}):`, ...(states.length === 0 ? ['  none'] : states.map((state) => `- ${line(state)}`)), '']),
    `Changes since ${when(input.since)}.`,
    '',
  ].join('\n');
  return { subject, html, text, attachments };
}

/** The two answers the CEO asks first: which warehouse made the most errors, and what stock cost in orders, week over week. */
function headlinesOf(config: Config, input: DigestInput): string[] {
  const name = (id: string) => `${config.locations.find((entry) => entry.id === id)?.name ?? id} (${id})`;
  const lines: string[] = [];
  const total = input.errors.reduce((sum, row) => sum + row.mismatched, 0);
  const top = input.errors[0];
  if (top) {
    const before = input.errorsBefore[0];
    lines.push(
      `Most errors: ${name(top.location_id)}, ${Math.round(top.mismatched).toLocaleString('en')} mismatched comparisons (${percent(top.mismatched / total)} of all)` +
        (before ? `; the week before, ${name(before.location_id)} with ${Math.round(before.mismatched).toLocaleString('en')}.` : '.'),
    );
  }
  const all = input.current.find((row) => row.location_id === 'ALL');
  const last = input.previous.find((row) => row.location_id === 'ALL');
  if (all) {
    const hit = (row: WeeklyHealthRow) => (row.stock_cancellations ?? 0) + (row.stock_delayed_lines ?? 0);
    const now = hit(all);
    const change = last ? `, against ${hit(last)} the week before (${now - hit(last) >= 0 ? '+' : '−'}${Math.abs(now - hit(last))})` : '';
    lines.push(`Orders hit by stock: ${now} order lines delayed or cancelled (${all.stock_cancellations ?? 0} cancelled, ${all.stock_delayed_lines ?? 0} delayed)${change}.`);
  }
  return lines;
}

function healthTable(current: WeeklyHealthRow[], previous: WeeklyHealthRow[]): AlertTable {
  const before = new Map(previous.map((row) => [row.location_id, row]));
  const delta = (now: number | null, then: number | null | undefined, format: (value: number) => string) =>
    now === null ? '' : then === null || then === undefined ? format(now) : `${format(now)} (${now - then >= 0 ? '+' : '−'}${format(Math.abs(now - then))})`;
  const share = (value: number) => fmtShare(value);
  const count = (value: number) => String(Math.round(value));
  const money = (value: number) => value.toFixed(2);
  return {
    columns: ['location', 'total units', 'ATS share', 'mismatch rate', 'oversell lines', 'stock cancellations', 'stock cancel rate', 'lost revenue', 'hidden units'],
    rows: current.map((row) => {
      const last = before.get(row.location_id);
      return [
        row.location_id,
        row.total_units,
        delta(row.ats_share, last?.ats_share, share),
        delta(row.mismatch_rate, last?.mismatch_rate, share),
        delta(row.oversell_lines, last?.oversell_lines, count),
        delta(row.stock_cancellations, last?.stock_cancellations, count),
        delta(row.stock_cancel_rate, last?.stock_cancel_rate, share),
        delta(row.lost_revenue, last?.lost_revenue, money),
        delta(row.hidden_units, last?.hidden_units, count),
      ];
    }),
  };
}

function fmtShare(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : percent(value);
}
