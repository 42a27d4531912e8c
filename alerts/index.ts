/** The alerts stage's surface: evaluate after every build, deliver on a timer. */
export { evaluateAlerts, type EvaluationSummary } from './evaluate-alerts.ts';
export { deliverDue, type DeliverySummary } from './deliver-due.ts';
export { previewAlerts, type AlertPreview } from './preview-alerts.ts';
export { backtestAlerts, type BacktestRow } from './backtest.ts';
export { sendTestEmail } from './send-test-email.ts';
export { addSilence, activeSilences, expireSilence, type Silence } from './silences.ts';
export { ensureAlertTables } from './alert-store.ts';
export { startAlerting } from './alert-scheduler.ts';
export { alertsOverview, type AlertsOverview, type AlertOverviewEntry } from './alerts-overview.ts';
export { evaluationTime, latestCapture } from './data-clock.ts';
export { emlFolder } from './mail-drop.ts';
