import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/load-config.ts';
import type { TokenStore } from './token-store.ts';

/**
 * The admin token behind the sign-in link a server prints (`serve`, `demo`), kept in
 * `<data_dir>/sign-in.json` (mode 0600, like the database beside it) so that every start prints
 * the same link instead of minting one more admin token. Revoking it (`stocklens token revoke`)
 * makes the next start mint and keep a new one.
 */
export async function signInToken(config: Config, tokens: TokenStore): Promise<string> {
  const file = path.join(config.data_dir, 'sign-in.json');
  const kept = readKept(file);
  if (kept && (await tokens.authenticateToken(kept.token))?.role === 'admin') return kept.token;
  const { token, tokenId } = await tokens.create('admin', 'sign-in link');
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ token, token_id: tokenId, created_at: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  return token;
}

function readKept(file: string): { token: string } | undefined {
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { token?: unknown };
    return typeof kept.token === 'string' ? { token: kept.token } : undefined;
  } catch {
    return undefined;
  }
}
