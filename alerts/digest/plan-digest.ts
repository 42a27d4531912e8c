import type { Config } from '../../core/load-config.ts';
import type { Connection } from '../../db/database.ts';
export interface PlannedDigest { idempotencyKey: string; to: string[]; subject: string; scheduledAt: string }
export async function planDigest(_config: Config, _connection: Connection, _now: Date): Promise<PlannedDigest | null> {
  return null;
}
