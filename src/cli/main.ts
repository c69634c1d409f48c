import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { AppError } from '../app/errors.ts';
import type { OpenMode } from '../app/write/node.ts';
import { nodeOptionsFrom, openNode, openNodeDialect, prepareNodeDatabase } from '../app/write/node.ts';
import { createParty, toParty } from '../app/registry/parties.ts';
import { recoverAdmin } from '../app/registry/admin-recovery.ts';
import { listParties as listPartyRows } from '../store/parties.ts';
import { createToken, revokeToken } from '../app/registry/tokens.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { addFederationCommands } from './federation-commands.ts';
import { runBackfills } from '../app/write/backfills.ts';
import { addDemoCommand } from './demo.ts';
import { addEpcisCommands } from './epcis-commands.ts';
import { addLogCommands } from './log-commands.ts';
import { addReportCommands } from './report-commands.ts';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('not an integer');
  return n;
};

/**
 * withNode opens the node for a one-shot command, runs fn, prints its JSON result and closes. Only
 * `party add` may start a new node; every other command needs one that is there (see OpenMode).
 */
async function withNode<T>(
  flags: { data?: string },
  fn: (deps: Awaited<ReturnType<typeof openNode>>) => Promise<T>,
  mode: OpenMode = { existing: true },
) {
  const deps = await openNode(nodeOptionsFrom(flags), mode);
  try {
    const out = await fn(deps);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await deps.dialect.close();
  }
}

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('coldtrace')
  .description('coldtrace: traceability for imported cold-chain food (进口冷链食品追溯)')
  .version(version, '-V, --version', 'print the version and exit')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the HTTP service (SQLite under --data, or PostgreSQL with DATABASE_URL)')
  .option('--port <n>', 'port to listen on (env PORT, default 8080)', int)
  .option('--host <addr>', 'address to bind (env HOST, default 127.0.0.1)')
  .option('--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)')
  // Loaded on use: the HTTP stack is most of the start-up time of the one-shot commands.
  .action(async (o) => (await import('./serve.ts')).serve(o));

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .option('--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)')
  .action(async (o: { data?: string }) => {
    // Not withNode: opening the node migrates, and this command must report what it applied itself.
    const opts = nodeOptionsFrom(o);
    await prepareNodeDatabase(opts);
    const dialect = openNodeDialect(opts);
    try {
      const applied = await migrateToLatest(dialect);
      const backfilled = await runBackfills(dialect.db);
      process.stdout.write(`${JSON.stringify({ database: dialect.label, applied, backfilled }, null, 2)}\n`);
    } finally {
      await dialect.close();
    }
  });

const party = program.command('party').description('administer parties');
party
  .command('add')
  .description('register a party and issue its first token; prints JSON with id and token')
  .requiredOption('--name <name>', 'name; Chinese and English may be given as "中文名|English name"')
  .requiredOption('--uscc <code>', 'unified social credit code (GB 32100-2015)')
  .requiredOption('--roles <list>', 'comma-separated roles, e.g. importer,cold_store')
  .requiredOption('--region <code>', 'GB/T 2260 province code, e.g. 410000')
  .option('--national', 'for a regulator: national rather than provincial level')
  .option('--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)')
  .action((o: { name: string; uscc: string; roles: string; region: string; national?: boolean; data?: string }) =>
    withNode(
      o,
      async (deps) => {
        const [a = '', b] = o.name.split('|');
        const name = b !== undefined ? { zh: a, en: b } : /[\u4e00-\u9fff]/.test(a) ? { zh: a } : { en: a };
        const roles = o.roles
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean);
        const { party: p, logIndex } = await createParty(deps, null, {
          uscc: o.uscc,
          name,
          roles,
          region: o.region,
          level: o.national ? 'national' : null,
        });
        const { secret } = await createToken(deps, null, p.id, 'cli');
        return { ...p, logIndex, token: secret };
      },
      {},
    ),
  );

party
  .command('list')
  .description('list every party on this node (as its operator), with id, code, names, roles and region; prints JSON')
  .option('--region <code>', 'only parties in this GB/T 2260 province code')
  .option('--role <role>', 'only parties with this role, e.g. regulator')
  .option('--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)')
  .action((o: { region?: string; role?: string; data?: string }) =>
    withNode(o, async (deps) => {
      const items = [];
      for (let after: string | null = null; ;) {
        const rows = await listPartyRows(deps.db, { region: o.region, role: o.role }, after, 500);
        items.push(...rows.slice(0, 500).map(toParty));
        if (rows.length <= 500) break;
        after = rows[499]!.id;
      }
      return { items };
    }),
  );

program
  .command('admin')
  .description('recover administration of this node')
  .command('recover')
  .description(
    'issue a new token for the national regulator admin (or --party), or create a new admin party if there is none; a log entry. Needs the data directory and database, nothing more',
  )
  .option('--party <id>', 'a national regulator party to issue the token for (default: the bootstrap admin)')
  .option('--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)')
  .action((o: { party?: string; data?: string }) =>
    withNode(o, async (deps) => {
      const r = await recoverAdmin(deps, o.party);
      return { ...r.party, created: r.created, tokenId: r.tokenId, token: r.token, logIndex: r.logIndex };
    }),
  );

const token = program.command('token').description('issue and revoke API tokens');
token
  .command('create')
  .description('issue a new token for a party; the token is printed once')
  .requiredOption('--party <id>', 'party id (pty_…)')
  .option('--label <text>', 'what the token is for')
  .option('--qa', "a token of the party's quality assurance (may close the party's temperature breaches)")
  .option('--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)')
  .action((o: { party: string; label?: string; qa?: boolean; data?: string }) =>
    withNode(o, async (deps) => {
      const r = await createToken(deps, null, o.party, o.label ?? null, undefined, { qa: o.qa === true });
      return { ...r.token, token: r.secret, logIndex: r.logIndex };
    }),
  );
token
  .command('revoke')
  .description('revoke a token at once')
  .argument('<tokenId>', 'token id (tok_…)')
  .option('--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)')
  .action((tokenId: string, o: { data?: string }) =>
    withNode(o, async (deps) => {
      const r = await revokeToken(deps, null, tokenId);
      return { ...r.token, logIndex: r.logIndex };
    }),
  );

addLogCommands(program);
addEpcisCommands(program);
addDemoCommand(program);
addReportCommands(program);
addFederationCommands(program, withNode);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof AppError) {
    process.stderr.write(`coldtrace: ${err.code}: ${JSON.stringify(err.details)}\n`);
    process.exit(2);
  }
  process.stderr.write(`coldtrace: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof Error && err.cause) process.stderr.write(`  cause: ${String(err.cause)}\n`);
  process.exit(1);
}
