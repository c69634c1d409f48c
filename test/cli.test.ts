import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { logSize } from '../src/store/log-store.ts';
import { countParties } from '../src/store/parties.ts';
import { uscc } from './support/http.ts';
import type { Target } from './support/processes.ts';
import {
  childEnv,
  dbArgs,
  dbEnv,
  freePort,
  http,
  json,
  killAll,
  openTarget,
  runCli,
  startServer,
} from './support/processes.ts';
import { dropPostgresDatabase, openPostgres } from '../src/store/dialect.ts';
import { DIALECTS, PG_ADMIN_URL, freshDatabase } from './support/test-node.ts';

const SLOW = 120_000;

afterEach(killAll);

for (const kind of DIALECTS) {
  describe(`coldtrace CLI [${kind}]`, () => {
    let target: Target;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const db = await freshDatabase(kind);
      target = { kind, dataDir: db.dataDir, databaseUrl: db.databaseUrl };
      drop = db.drop;
    });
    afterAll(async () => {
      await killAll();
      await drop?.();
    });

    const cli = (...args: string[]) =>
      runCli([...args, ...dbArgs(target)], { env: childEnv(dbEnv(target)), cwd: target.dataDir });

    /** counts reads the party count and log size straight from the database. */
    const counts = async () => {
      const d = openTarget(target);
      try {
        return { parties: await countParties(d.db), log: await logSize(d.db) };
      } finally {
        await d.close();
      }
    };

    it(
      'migrate applies the migrations on a fresh database, then has nothing to do',
      async () => {
        const first = json(await cli('migrate'));
        expect(first.database).toBe(kind);
        expect(first.applied[0]).toBe('0001-foundation');
        // It reports exactly what the database now records as applied.
        const d = openTarget(target);
        try {
          const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(d.db);
          expect(first.applied).toEqual(rows.rows.map((r) => r.name));
        } finally {
          await d.close();
        }
        if (kind === 'sqlite') expect(existsSync(join(target.dataDir, 'coldtrace.db'))).toBe(true);
        const second = json(await cli('migrate'));
        expect(second).toEqual({ database: kind, applied: [], backfilled: [] });
        expect(await counts()).toEqual({ parties: 0, log: 0 });
      },
      SLOW,
    );

    it(
      'party add registers a party and prints its id and first token',
      async () => {
        const code = uscc();
        const out = json(
          await cli(
            'party',
            'add',
            '--name',
            '郑州冷链|Zhengzhou Cold Chain',
            '--uscc',
            code,
            '--roles',
            'importer,cold_store',
            '--region',
            '410000',
          ),
        );
        expect(out.id).toMatch(/^pty_[0-9A-Z]{26}$/);
        expect(out.token).toMatch(/^ct_[A-Za-z0-9_-]{43}$/);
        expect(out).toMatchObject({
          uscc: code,
          name: { zh: '郑州冷链', en: 'Zhengzhou Cold Chain' },
          roles: ['cold_store', 'importer'],
          region: '410000',
          level: null,
          logIndex: expect.any(Number),
        });
        // The party and its token: two log entries.
        expect(await counts()).toEqual({ parties: 1, log: 2 });
      },
      SLOW,
    );

    it(
      'party add refuses a bad code, region or role, names the problem and writes nothing',
      async () => {
        const before = await counts();
        const good = { name: 'Bad Input Co', uscc: uscc(), roles: 'importer', region: '410000' };
        const bad = uscc();
        const cases = [
          { field: 'uscc', flags: { ...good, uscc: bad.slice(0, 17) + (bad.endsWith('0') ? '1' : '0') } },
          { field: 'uscc', flags: { ...good, uscc: '12345' } },
          { field: 'region', flags: { ...good, region: '999999' } },
          { field: 'roles', flags: { ...good, roles: 'importer,smuggler' } },
        ];
        const results = await Promise.all(
          cases.map(({ flags }) =>
            cli(
              'party',
              'add',
              '--name',
              flags.name,
              '--uscc',
              flags.uscc,
              '--roles',
              flags.roles,
              '--region',
              flags.region,
            ),
          ),
        );
        results.forEach((r, i) => {
          const { field } = cases[i]!;
          expect(r.code, r.stderr).not.toBe(0);
          expect(r.stdout).toBe('');
          expect(r.stderr).toMatch(/ValidationFailed/);
          expect(r.stderr).toContain(`"field":"${field}"`);
        });
        expect(results[3]!.stderr).toContain('smuggler');
        expect(await counts()).toEqual(before);
      },
      SLOW,
    );

    it(
      'party add with a missing option exits non-zero and names it',
      async () => {
        const before = await counts();
        const r = await cli('party', 'add', '--name', 'No Code Co', '--roles', 'importer', '--region', '410000');
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain('--uscc');
        expect(await counts()).toEqual(before);
      },
      SLOW,
    );

    it(
      'token create and revoke; a server on the same database refuses the revoked token only',
      async () => {
        const p = json(
          await cli(
            'party',
            'add',
            '--name',
            '洛阳冻品',
            '--uscc',
            uscc(),
            '--roles',
            'wholesaler',
            '--region',
            '410000',
          ),
        );
        expect(p.name).toEqual({ zh: '洛阳冻品', en: null });

        const extra = json(await cli('token', 'create', '--party', p.id, '--label', 'scanner 2'));
        expect(extra).toMatchObject({
          partyId: p.id,
          label: 'scanner 2',
          revokedAt: null,
          logIndex: expect.any(Number),
        });
        expect(extra.id).toMatch(/^tok_/);
        expect(extra.token).toMatch(/^ct_/);
        expect(extra.token).not.toBe(p.token);

        const revoked = json(await cli('token', 'revoke', extra.id));
        expect(revoked).toMatchObject({ id: extra.id, partyId: p.id, revokedAt: expect.any(String) });
        expect(revoked).not.toHaveProperty('token');
        // Revoking twice is a no-op that answers the same.
        expect(json(await cli('token', 'revoke', extra.id))).toEqual(revoked);

        const [missing, noParty] = await Promise.all([
          cli('token', 'revoke', 'tok_00000000000000000000000000'),
          cli('token', 'create', '--party', 'pty_00000000000000000000000000'),
        ]);
        expect(missing.code).not.toBe(0);
        expect(missing.stderr).toMatch(/TokenNotFound/);
        expect(noParty.code).not.toBe(0);
        expect(noParty.stderr).toMatch(/PartyNotFound/);

        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const srv = await startServer(['--port', String(port), ...dbArgs(target)], {
          env: childEnv(dbEnv(target)),
          cwd: target.dataDir,
          base,
        });
        const me = await http(base, 'GET', '/v1/me', { token: p.token });
        expect(me.status, JSON.stringify(me.body)).toBe(200);
        expect(me.body).toMatchObject({ id: p.id, roles: ['wholesaler'] });
        const gone = await http(base, 'GET', '/v1/me', { token: extra.token });
        expect(gone.status).toBe(401);
        expect(gone.body.error.code).toBe('Unauthenticated');

        // A token issued by the CLI while the server runs works at once; revoked, it stops at once.
        const live = json(await cli('token', 'create', '--party', p.id));
        expect((await http(base, 'GET', '/v1/me', { token: live.token })).status).toBe(200);
        json(await cli('token', 'revoke', live.id));
        expect((await http(base, 'GET', '/v1/me', { token: live.token })).status).toBe(401);
        expect((await http(base, 'GET', '/v1/me', { token: p.token })).status).toBe(200);

        expect(await srv.stop()).toEqual({ code: 0, signal: null });
      },
      SLOW,
    );

    it(
      'party list shows every party; admin recover makes an admin when there is none, then new tokens for it, each a log entry',
      async () => {
        const listed = json(await cli('party', 'list'));
        const before = await counts();
        expect(listed.items.length).toBe(before.parties);
        expect(listed.items[0]).toMatchObject({ id: expect.stringMatching(/^pty_/), uscc: expect.any(String) });
        const importers = json(await cli('party', 'list', '--role', 'importer'));
        expect(importers.items.length).toBeGreaterThan(0);
        for (const p of importers.items) expect(p.roles).toContain('importer');

        // This node was started by `party add`, so it has no admin yet: recovery creates one.
        const first = json(await cli('admin', 'recover'));
        expect(first).toMatchObject({ created: true, roles: ['regulator'], level: 'national', region: '110000' });
        expect(first.token).toMatch(/^ct_/);
        expect(await counts()).toEqual({ parties: before.parties + 1, log: before.log + 2 });
        const again = json(await cli('admin', 'recover'));
        expect(again).toMatchObject({ created: false, id: first.id });
        expect(again.token).not.toBe(first.token);
        expect(await counts()).toEqual({ parties: before.parties + 1, log: before.log + 3 });
        const notRegulator = await cli('admin', 'recover', '--party', importers.items[0].id);
        expect(notRegulator.code).not.toBe(0);
        expect(notRegulator.stderr).toMatch(/Forbidden.*not a national regulator/);
        expect(
          json(await cli('party', 'list', '--role', 'regulator')).items.map((p: { id: string }) => p.id),
        ).toContain(first.id);

        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const srv = await startServer(['--port', String(port), ...dbArgs(target)], {
          env: childEnv(dbEnv(target)),
          cwd: target.dataDir,
          base,
        });
        for (const t of [first.token, again.token]) {
          const me = await http(base, 'GET', '/v1/me', { token: t });
          expect(me.status, JSON.stringify(me.body)).toBe(200);
          expect(me.body).toMatchObject({ id: first.id, roles: ['regulator'] });
        }
        expect(await srv.stop()).toEqual({ code: 0, signal: null });
      },
      SLOW,
    );
  });

  describe(`coldtrace CLI, given the wrong place [${kind}]`, () => {
    let target: Target;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const db = await freshDatabase(kind);
      target = { kind, dataDir: db.dataDir, databaseUrl: db.databaseUrl };
      drop = db.drop;
    });
    afterAll(async () => {
      await drop?.();
    });
    const run = (args: string[], env: Record<string, string | undefined> = dbEnv(target)) =>
      runCli(args, { env: childEnv(env), cwd: target.dataDir });

    it(
      'read commands refuse a data directory with no node in it, name the path, and create nothing there',
      async () => {
        const missing = join(target.dataDir, 'mistyped');
        const READS = [
          ['verify'],
          ['report', 'incident', 'inc_00000000000000000000000000'],
          ['report', 'fsma204', '--lots', 'lot_00000000000000000000000000'],
          ['export', '--epcis'],
          ['token', 'create', '--party', 'pty_00000000000000000000000000'],
          ['party', 'list'],
          ['admin', 'recover'],
        ];
        const results = await Promise.all(READS.map((args) => run([...args, '--data', missing])));
        results.forEach((r, i) => {
          const what = `coldtrace ${READS[i]!.join(' ')}\n${r.stdout}${r.stderr}`;
          expect(r.code, what).not.toBe(0);
          expect(r.stderr, what).toContain(`no coldtrace node in ${missing} (the directory does not exist)`);
        });
        expect(existsSync(missing)).toBe(false);
        // An empty directory that exists is no node either.
        const empty = mkdtempSync(join(target.dataDir, 'empty-'));
        const [verify, list] = await Promise.all([
          run(['verify', '--data', empty]),
          run(['party', 'list', '--data', empty]),
        ]);
        for (const r of [verify, list]) {
          expect(r.code).not.toBe(0);
          expect(r.stderr).toContain(
            `no coldtrace node in ${empty} (it has no ${kind === 'sqlite' ? 'coldtrace.db' : 'node.key'})`,
          );
        }
        expect(readdirSync(empty)).toEqual([]);
      },
      SLOW,
    );

    it(
      'a file given as --data gets a plain message, not ENOTDIR',
      async () => {
        const file = join(target.dataDir, 'a-file');
        writeFileSync(file, 'not a directory');
        const results = await Promise.all([
          run(['verify', '--data', file]),
          run(['migrate', '--data', file]),
          run([
            'party',
            'add',
            '--name',
            'X',
            '--uscc',
            uscc(),
            '--roles',
            'importer',
            '--region',
            '410000',
            '--data',
            file,
          ]),
        ]);
        for (const r of results) {
          expect(r.code).not.toBe(0);
          expect(r.stderr).toContain(`${file} is a file, not a data directory`);
          expect(r.stderr).not.toContain('ENOTDIR');
        }
      },
      SLOW,
    );

    if (kind === 'postgres') {
      it(
        'creates a PostgreSQL database that does not exist yet, and a read command says how instead of creating it',
        async () => {
          const name = `ct_test_missing_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
          const url = new URL(PG_ADMIN_URL);
          url.pathname = `/${name}`;
          const dir = mkdtempSync(join(target.dataDir, 'pg-'));
          try {
            const refused = await run(['verify', '--data', dir], { DATABASE_URL: url.toString() });
            expect(refused.code).not.toBe(0);
            expect(refused.stderr).toContain(`the PostgreSQL database "${name}" does not exist`);
            expect(refused.stderr).toContain(`createdb -h ${url.hostname} -p ${url.port || '5432'}`);
            expect(readdirSync(dir)).toEqual([]);

            const made = json(
              await run(
                [
                  'party',
                  'add',
                  '--name',
                  'Y',
                  '--uscc',
                  uscc(),
                  '--roles',
                  'importer',
                  '--region',
                  '410000',
                  '--data',
                  dir,
                ],
                { DATABASE_URL: url.toString() },
              ),
            );
            expect(made.id).toMatch(/^pty_/);
            expect(json(await run(['verify', '--data', dir], { DATABASE_URL: url.toString() })).ok).toBe(true);
          } finally {
            await dropPostgresDatabase(PG_ADMIN_URL, name);
          }
        },
        SLOW,
      );

      it(
        'a user who may not create the database is told what to run, and no node key is written',
        async () => {
          const admin = openPostgres(PG_ADMIN_URL, 1);
          try {
            await sql`do $$ begin if not exists (select 1 from pg_roles where rolname = 'ct_test_nocreatedb') then create role ct_test_nocreatedb login nocreatedb; end if; end $$`.execute(
              admin.db,
            );
          } finally {
            await admin.close();
          }
          const url = new URL(PG_ADMIN_URL);
          url.username = 'ct_test_nocreatedb';
          url.pathname = `/ct_test_never_${process.pid}`;
          const dir = mkdtempSync(join(target.dataDir, 'pg-'));
          const r = await run(['serve', '--port', String(await freePort()), '--data', dir], {
            DATABASE_URL: url.toString(),
          });
          expect(r.code).not.toBe(0);
          expect(r.stderr).toContain(`could not be created as ct_test_nocreatedb`);
          expect(r.stderr).toContain(`createdb -h ${url.hostname}`);
          expect(readdirSync(dir)).toEqual([]);
        },
        SLOW,
      );
    }
  });
}

describe('coldtrace --version', () => {
  it('prints the package version and exits 0, opening no database', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'coldtrace-version-'));
    try {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
      for (const flag of ['--version', '-V']) {
        const r = await runCli([flag], { env: childEnv(), cwd });
        expect(r, flag).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
      }
      expect(existsSync(join(cwd, 'data'))).toBe(false);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('coldtrace --help', () => {
  const HELP: { args: string[]; mentions: string[] }[] = [
    { args: [], mentions: ['serve', 'migrate', 'party', 'token', 'admin', '--version'] },
    { args: ['serve'], mentions: ['--port', '--host', '--data', 'PORT', 'HOST', 'COLDTRACE_DATA'] },
    { args: ['migrate'], mentions: ['--data'] },
    { args: ['party'], mentions: ['add', 'list'] },
    { args: ['party', 'list'], mentions: ['--region', '--role', '--data'] },
    { args: ['admin'], mentions: ['recover'] },
    { args: ['admin', 'recover'], mentions: ['--party', '--data'] },
    { args: ['party', 'add'], mentions: ['--name', '--uscc', '--roles', '--region', '--national', '--data'] },
    { args: ['token'], mentions: ['create', 'revoke'] },
    { args: ['token', 'create'], mentions: ['--party', '--label', '--data'] },
    { args: ['token', 'revoke'], mentions: ['<tokenId>', '--data'] },
    { args: ['report'], mentions: ['incident', 'fsma204'] },
    { args: ['report', 'incident'], mentions: ['--format', '--out'] },
    { args: ['report', 'fsma204'], mentions: ['--lots', '--from', '--to', '--out'] },
  ];

  it(
    'prints usage naming the options for every command and subcommand, and exits 0',
    async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'coldtrace-help-'));
      try {
        // Four at a time: all at once, on a busy two-core machine, some would run into runCli's timeout.
        const results: Awaited<ReturnType<typeof runCli>>[] = [];
        for (let i = 0; i < HELP.length; i += 4)
          results.push(
            ...(await Promise.all(
              HELP.slice(i, i + 4).map(({ args }) => runCli([...args, '--help'], { env: childEnv(), cwd })),
            )),
          );
        results.forEach((r, i) => {
          const { args, mentions } = HELP[i]!;
          const what = `coldtrace ${args.join(' ')} --help\n${r.stdout}${r.stderr}`;
          expect(r.code, what).toBe(0);
          expect(r.stdout, what).toMatch(new RegExp(`^Usage: coldtrace${args.map((a) => ` ${a}`).join('')} `));
          for (const m of mentions) expect(r.stdout, what).toContain(m);
        });
        // Help opens no database: nothing appears under the default ./data.
        expect(existsSync(join(cwd, 'data'))).toBe(false);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
    SLOW,
  );
});
