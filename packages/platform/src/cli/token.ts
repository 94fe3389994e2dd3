// `nopesight-platform token create|list|revoke`: tokens straight in the store (the server need
// not run; SQLite's lock and PostgreSQL's transactions keep both sides consistent).
import { PlatformError } from '../errors.js';
import { openStore, type TokenRole } from '../store/platform-store.js';
import { createToken } from '../tokens.js';
import { EXIT, parse, storeLocation, UsageError, type CliIo } from './options.js';

export const TOKEN_HELP = `Usage:
  nopesight-platform token create --name N [--role agent|admin] [--agent-id ID] [--data-dir DIR]
  nopesight-platform token list [--json] [--data-dir DIR]
  nopesight-platform token revoke NAME [--data-dir DIR]

create prints the new token as its last line; it is stored only as a SHA-256 hash and cannot be
shown again. An agent token without --agent-id is bound to the first agent id that uses it.
An admin token authorises the operator API (agents, commands, CMDB, scan logs).
The store is PostgreSQL when DATABASE_URL is set, else DATA_DIR/platform.db.`;

export async function tokenCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    name: { type: 'string' },
    role: { type: 'string' },
    'agent-id': { type: 'string' },
    json: { type: 'boolean' },
  } as const);
  if (values.help || sub === undefined) {
    io.stdout.write(`${TOKEN_HELP}\n`);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!['create', 'list', 'revoke'].includes(sub))
    throw new UsageError(`unknown token command '${sub}'`);
  const store = await openStore(storeLocation(values, io));
  try {
    if (sub === 'create') {
      if (typeof values.name !== 'string') throw new UsageError('token create needs --name N');
      const role = (values.role ?? 'agent') as TokenRole;
      if (role !== 'agent' && role !== 'admin') throw new UsageError('--role is agent or admin');
      const { token, info } = await createToken(store, {
        name: values.name,
        role,
        agentId: typeof values['agent-id'] === 'string' ? values['agent-id'] : null,
      });
      io.stdout.write(
        `created ${info.role} token ${JSON.stringify(info.name)}` +
          `${info.agentId ? ` for agent ${info.agentId}` : ''}; it is shown once, store it now:\n${token}\n`,
      );
      return EXIT.ok;
    }
    if (sub === 'list') {
      const tokens = await store.listTokens();
      if (values.json) {
        io.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
        return EXIT.ok;
      }
      const rows = [
        ['NAME', 'ROLE', 'AGENT', 'CREATED', 'LAST USED', 'STATE'],
        ...tokens.map((t) => [
          t.name,
          t.role,
          t.agentId ?? '-',
          t.createdAt,
          t.lastUsedAt ?? '-',
          t.revokedAt ? `revoked ${t.revokedAt}` : 'active',
        ]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows)
        io.stdout.write(
          `${r
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd()}\n`,
        );
      return EXIT.ok;
    }
    const name = positionals[0] ?? values.name;
    if (typeof name !== 'string') throw new UsageError('token revoke needs the token NAME');
    if (!(await store.revokeToken(name, new Date().toISOString()))) {
      io.stderr.write(`nopesight-platform: no active token named ${JSON.stringify(name)}\n`);
      return EXIT.failed;
    }
    io.stdout.write(`revoked token ${JSON.stringify(name)}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof PlatformError && err.code === 'bad_request')
      throw new UsageError(err.message);
    throw err;
  } finally {
    await store.close();
  }
}
