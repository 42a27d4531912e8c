import pino from 'pino';

export type LogFormat = 'text' | 'json';

/**
 * Structured logs go to stderr so that stdout stays clean for data (`stocklens sql --format csv`).
 * The CLI keeps them quiet by default (warn); `--verbose` or STOCKLENS_LOG_LEVEL raise them.
 * On a terminal each entry is one readable line; piped (a service manager, a log shipper) or with
 * `--log-format json` it is pino's JSON line. Stack traces only with `--verbose`: a user reads the
 * message, a developer asks for the stack.
 */
const settings = {
  format: (process.env.STOCKLENS_LOG_FORMAT as LogFormat | undefined) ?? (process.stderr.isTTY ? 'text' : 'json'),
  stacks: false,
};

const stderr = pino.destination({ fd: 2, sync: true });

export const logger = pino(
  {
    level: process.env.STOCKLENS_LOG_LEVEL ?? 'warn',
    base: undefined,
    serializers: { err: (error: Error) => (settings.stacks ? pino.stdSerializers.err(error) : { type: error?.name, message: error?.message ?? String(error) }) },
  },
  { write: (line: string) => stderr.write(settings.format === 'json' ? line : `${readableLine(line)}\n`) },
);

export function setLogLevel(level: pino.LevelWithSilent): void {
  logger.level = level;
}

/** `--verbose`: every entry down to debug (what each step failed on), with stack traces. */
export function setVerbose(): void {
  logger.level = 'debug';
  settings.stacks = true;
}

export function setLogFormat(format: LogFormat): void {
  settings.format = format;
}

const levelNames: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/** One pino JSON entry as `stocklens warning: message: cause (key=value …)`, with the stack on the lines after it when kept. */
export function readableLine(json: string): string {
  const { level, time, msg, err, req, res, responseTime, ...fields } = JSON.parse(json) as {
    level: number;
    time?: number;
    msg?: string;
    err?: { message?: string; stack?: string };
    req?: { method?: string; url?: string };
    res?: { statusCode?: number };
    responseTime?: number;
  } & Record<string, unknown>;
  void time;
  // An access line (pino-http) reads as the request and its answer.
  if (req) return `stocklens ${levelNames[level] ?? level}: ${req.method} ${req.url} → ${res?.statusCode ?? '-'}${responseTime !== undefined ? ` in ${responseTime} ms` : ''}`;
  const context = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const cause = err?.message && !msg?.includes(err.message) ? `: ${err.message}` : '';
  const stack = err?.stack ? `\n${err.stack}` : '';
  return `stocklens ${levelNames[level] ?? level}: ${msg ?? ''}${cause}${context ? ` (${context})` : ''}${stack}`;
}
