/** The alerts stage's surface: evaluate after every build, deliver on a timer. */
export { evaluateAlerts, type EvaluationSummary } from './evaluate-alerts.ts';
export { deliverDue, type DeliverySummary } from './deliver-due.ts';
