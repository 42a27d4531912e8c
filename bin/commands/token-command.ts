import { Command, Option } from 'commander';
import { roles, type Role } from '../../server/auth/roles.ts';
import { TokenStore, type TokenInfo } from '../../server/auth/token-store.ts';
import { configFrom, openDatabase, type GlobalOptions } from '../context.ts';
import { formatTable, say } from '../terminal.ts';
import { callServer, findServer } from './server-client.ts';

/** `stocklens token create|list|revoke`: through the running server when there is one, else on the file. */
export function tokenCommand(): Command {
  const command = new Command('token').description('create, list and revoke API tokens (viewer < analyst < admin)');

  command
    .command('create')
    .description('create a token and print it on stdout (it is shown once; only its hash is stored)')
    .addOption(new Option('-r, --role <role>', 'what the token may do').choices(roles).makeOptionMandatory())
    .option('-l, --label <label>', 'who or what the token is for')
    .action(async (options: { role: Role; label?: string }, sub: Command) => {
      const config = configFrom(sub.optsWithGlobals<GlobalOptions>());
      const server = await findServer(config);
      let created: { token: string; tokenId: string };
      if (server) {
        const body = (await (await callServer(server, '/api/tokens', { method: 'POST', body: JSON.stringify({ role: options.role, label: options.label }) })).json()) as { token: string; token_id: string };
        created = { token: body.token, tokenId: body.token_id };
      } else {
        const store = await TokenStore.open(await openDatabase(config, { mustExist: true }));
        created = await store.create(options.role, options.label);
      }
      say(`created ${options.role} token ${created.tokenId}${options.label ? ` (${options.label})` : ''}: keep it secret, it is not shown again`);
      process.stdout.write(`${created.token}\n`);
    });

  command
    .command('list')
    .description('list tokens (ids, roles, labels, last use; never the tokens themselves)')
    .action(async (_options: object, sub: Command) => {
      const config = configFrom(sub.optsWithGlobals<GlobalOptions>());
      const server = await findServer(config);
      const tokens: TokenInfo[] = server
        ? ((await (await callServer(server, '/api/tokens')).json()) as { tokens: TokenInfo[] }).tokens
        : await (await TokenStore.open(await openDatabase(config, { mustExist: true }))).list();
      process.stdout.write(`${formatTable(['token_id', 'role', 'label', 'created_at', 'last_used_at', 'revoked_at'], tokens.map((t) => [t.token_id, t.role, t.label, t.created_at, t.last_used_at, t.revoked_at]))}\n`);
    });

  command
    .command('revoke')
    .description('revoke a token by id; its browser sessions end too')
    .argument('<token-id>', 'the id `token list` shows (tok_…)')
    .action(async (tokenId: string, _options: object, sub: Command) => {
      const config = configFrom(sub.optsWithGlobals<GlobalOptions>());
      const server = await findServer(config);
      if (server) await callServer(server, `/api/tokens/${encodeURIComponent(tokenId)}`, { method: 'DELETE' });
      else if (!(await (await TokenStore.open(await openDatabase(config, { mustExist: true }))).revoke(tokenId))) throw new Error(`no active token ${tokenId}: see stocklens token list`);
      say(`revoked ${tokenId}`);
    });

  return command;
}
