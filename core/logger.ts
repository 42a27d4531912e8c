import pino from 'pino';

/**
 * Structured logs go to stderr so that stdout stays clean for data (`stocklens sql --format csv`).
 * The CLI keeps them quiet by default (warn); `--verbose` or STOCKLENS_LOG_LEVEL raise them.
 */
export const logger = pino(
  { level: process.env.STOCKLENS_LOG_LEVEL ?? 'warn', base: undefined },
  pino.destination({ fd: 2, sync: true }),
);

export function setLogLevel(level: pino.LevelWithSilent): void {
  logger.level = level;
}
