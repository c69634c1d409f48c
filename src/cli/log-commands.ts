import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadNodeKey, initNodeKey, originOf } from '../app/write/node-key.ts';
import { SQLITE_FILE, checkDataDir, nodeOptionsFrom, prepareNodeDatabase } from '../app/write/node.ts';
import { verifyDatabase } from '../app/audit/verify.ts';
import { verifyRemote } from '../app/audit/verify-remote.ts';
import type { NoteVerifier } from '../log/note-key.ts';
import { parseVerifierKey } from '../log/note-key.ts';
import { parsePolicy } from '../log/policy.ts';
import { openDialect } from '../store/dialect.ts';

const dataOpt = ['--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)'] as const;

/** addLogCommands adds `keys init`, `keys show` and `verify` to the CLI. */
export function addLogCommands(program: Command): void {
  const keys = program.command('keys').description("manage the node's Ed25519 checkpoint key");
  keys
    .command('init')
    .description('create the node key in the data directory (mode 0600) and print its verifier key')
    .option(...dataOpt)
    .option('--name <name>', 'key name and checkpoint origin (default: the public URL without its scheme)')
    .action((o: { data?: string; name?: string }) => {
      const opts = nodeOptionsFrom(o);
      checkDataDir(opts);
      const { path, verifierKey } = initNodeKey(opts.dataDir, o.name ?? opts.origin ?? originOf(opts.publicUrl));
      process.stdout.write(`${JSON.stringify({ path, verifierKey }, null, 2)}\n`);
    });
  keys
    .command('show')
    .description('print the verifier key (name+hash+base64) that checks this node’s checkpoints')
    .option(...dataOpt)
    .action((o: { data?: string }) => {
      const opts = nodeOptionsFrom(o);
      checkDataDir(opts);
      const signer = loadNodeKey(opts.dataDir, opts.origin ?? originOf(opts.publicUrl), { create: false });
      process.stdout.write(`${signer.verifierKey}\n`);
    });

  program
    .command('verify')
    .description(
      'recompute the log from its entries and check checkpoints, tiles and every projected row; exit 0 if all holds',
    )
    .option(...dataOpt)
    .option('--url <url>', 'verify a node over HTTP with the tlog-tiles API instead of a database')
    .option('--token <token>', 'bearer token for --url (a regulator, auditor or peer node)')
    .option(
      '--vkey <vkey>',
      'verifier key to trust (default: the node key in the data dir, or GET /log/vkey with --url)',
    )
    .option('--origin <origin>', 'expected checkpoint origin (default: the verifier key name)')
    .option('--policy <file>', 'with --url: a c2sp.org/tlog-policy file whose witness quorum the checkpoint must meet')
    .action(
      async (o: { data?: string; url?: string; token?: string; vkey?: string; origin?: string; policy?: string }) => {
        const started = performance.now();
        const policy = o.policy ? parsePolicy(readFileSync(o.policy, 'utf8')) : undefined;
        if (policy && !o.url) throw new Error('--policy checks a node over HTTP: give --url too');
        // A database or key that is not there is a mistyped --data or DATABASE_URL, not a log that fails.
        if (!o.url) await prepareNodeDatabase(nodeOptionsFrom(o), { existing: true });
        let verifier: NoteVerifier & { name: string };
        if (o.vkey) verifier = parseVerifierKey(o.vkey);
        else if (policy && policy.logs.length === 1) verifier = policy.logs[0]!.verifier;
        else if (o.url) {
          const res = await fetch(`${o.url.replace(/\/+$/, '')}/log/vkey`);
          verifier = parseVerifierKey((await res.text()).trim());
          process.stderr.write(
            `warning: trusting the key the node itself serves (${verifier.name}); pass --vkey to pin it\n`,
          );
        } else {
          const opts = nodeOptionsFrom(o);
          const signer = loadNodeKey(opts.dataDir, opts.origin ?? originOf(opts.publicUrl), { create: false });
          verifier = parseVerifierKey(signer.verifierKey);
        }
        const origin = o.origin ?? verifier.name;
        let report;
        if (o.url) {
          report = await verifyRemote(o.url, o.token, origin, [verifier], policy);
        } else {
          const opts = nodeOptionsFrom(o);
          const dialect = openDialect({ databaseUrl: opts.databaseUrl, sqlitePath: join(opts.dataDir, SQLITE_FILE) });
          try {
            report = await verifyDatabase(dialect.db, origin, [verifier]);
          } finally {
            await dialect.close();
          }
        }
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(`${JSON.stringify({ ...report, seconds: Number(seconds.toFixed(3)) }, null, 2)}\n`);
        if (!report.ok) {
          process.stderr.write(`verify: FAILED: ${report.problem}\n`);
          process.exitCode = 1;
        }
      },
    );
}
