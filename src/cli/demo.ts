import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { NodeOptions } from '../app/write/node.ts';
import { bootstrapAdmin, nodeOptionsFrom, openNode } from '../app/write/node.ts';
import { runScenario } from '../demo/scenario.ts';
import type { DemoResult } from '../demo/scenario.ts';
import { generateScale } from '../demo/scale.ts';

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('not a positive integer');
  return n;
};

/** addDemoCommand adds `coldtrace demo [--scale N]` and `coldtrace demo federation`. */
export function addDemoCommand(program: Command): void {
  const demo = program
    .command('demo')
    .description(
      'load a demo scenario (Argentine pork from Henan to three provinces, then a positive market sample), or with --scale N a national dataset of N import lots',
    )
    .option('--scale <lots>', 'generate a national dataset of this many import lots instead of the story', positive)
    .option('--seed <n>', 'seed of the --scale dataset: the same seed gives the same shape (default 1)', positive)
    .option('--json', 'print what was made as JSON')
    .option('--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)')
    .action(async (o: { scale?: number; seed?: number; json?: boolean; data?: string }) => {
      const opts = nodeOptionsFrom(o);
      const deps = await openNode(opts);
      try {
        const admin = await bootstrapAdmin(deps);
        if (o.scale !== undefined) {
          const stats = await generateScale(deps, {
            lots: o.scale,
            seed: o.seed ?? 1,
            progress: (line) => process.stderr.write(`${line}\n`),
          });
          process.stdout.write(o.json ? `${JSON.stringify({ admin, ...stats }, null, 2)}\n` : scaleText(stats, admin));
          return;
        }
        const result: DemoResult = { admin, ...(await runScenario(deps)) };
        process.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : demoText(result, opts));
      } finally {
        await deps.dialect.close();
      }
    });
  demo
    .command('federation')
    .description(
      'start three provincial nodes (Henan, Hubei, Zhejiang) and the national node on local ports, peered and witnessing each other, play the three-province story through their APIs, write DIR/federation.json, and keep them running until stopped',
    )
    .option(
      '--data <dir>',
      "the demo's directory (required): one data directory per node under it, and federation.json",
    )
    .option(
      '--base-port <n>',
      'the nodes listen on n … n+3 (Henan, Hubei, Zhejiang, national); default: free ports',
      port,
    )
    .option('--wait <seconds>', 'how long each step of the story waits for the federation (default 30)', positive)
    // Loaded on use, as `serve` is: the HTTP stack is most of the start-up time of the other commands.
    .action(async (_o: unknown, cmd: Command) => {
      // `demo` takes --data too, and commander gives it to the parent: read it with the parent's options.
      const o = cmd.optsWithGlobals<{ data?: string; basePort?: number; wait?: number }>();
      if (!o.data) cmd.error("error: required option '--data <dir>' not specified");
      await (await import('./demo-federation.ts')).runFederationDemo({ ...o, data: o.data });
    });
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65532) throw new InvalidArgumentError('not a port from 1 to 65532');
  return n;
};

function scaleText(
  s: Awaited<ReturnType<typeof generateScale>>,
  admin: { partyId: string; token: string } | null,
): string {
  const lines = [
    `coldtrace demo --scale: ${s.events.toLocaleString('en-US')} log events in ${(s.ms / 1000).toFixed(1)} s (${Math.round(s.events / (s.ms / 1000)).toLocaleString('en-US')} a second)`,
    `  parties ${s.parties.toLocaleString('en-US')}, import lots ${s.importLots.toLocaleString('en-US')}, repacked lots ${s.derivedLots.toLocaleString('en-US')}, holdings ${s.holdings.toLocaleString('en-US')}, shipments ${s.shipments.toLocaleString('en-US')}, retail sales ${s.retailSales.toLocaleString('en-US')}`,
    `  widest lots (about ${s.wide.holdings} holdings each): ${s.wide.lotIds.join(', ')}`,
    '',
    'Some lots to trace (trace code, public page a consumer scan opens):',
    ...s.lots.map(
      (l) => `  ${l.id}  code ${l.code}  ${l.wide ? 'widest' : l.origin}\n  ${''.padEnd(l.id.length)}  ${l.url}`,
    ),
  ];
  if (admin)
    lines.push('', `First start: national regulator admin ${admin.partyId}, token (shown once): ${admin.token}`);
  return `${lines.join('\n')}\n`;
}

/** shellQuote quotes s for a POSIX shell when it holds anything but plain characters. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * nodeCommand is the command line that reaches this same node: its database (DATABASE_URL), public URL
 * and port as the demo used them, so that following the printed steps never opens another database.
 */
function nodeCommand(opts: NodeOptions, args: string, withPort: boolean): string {
  const env = [
    opts.databaseUrl ? `DATABASE_URL=${shellQuote(opts.databaseUrl)}` : '',
    process.env.COLDTRACE_PUBLIC_URL ? `COLDTRACE_PUBLIC_URL=${shellQuote(opts.publicUrl)}` : '',
    process.env.COLDTRACE_LOG_ORIGIN ? `COLDTRACE_LOG_ORIGIN=${shellQuote(process.env.COLDTRACE_LOG_ORIGIN)}` : '',
  ].filter(Boolean);
  const u = new URL(opts.publicUrl);
  // Behind COLDTRACE_PUBLIC_URL the listening port is the operator's business; otherwise it is the URL's.
  const port = withPort && !process.env.COLDTRACE_PUBLIC_URL ? ` --port ${u.port || '80'}` : '';
  return [...env, `npx coldtrace ${args} --data ${shellQuote(opts.dataDir)}${port}`].join(' ');
}

function demoText(r: DemoResult, opts: NodeOptions): string {
  const by = (key: string) => r.parties.find((p) => p.key === key)!;
  const reg = by('regulator_guangdong');
  const shop = by('retailer_guangzhou');
  const shoulder = r.lots.find((l) => l.key === 'import_shoulder')!;
  const out: string[] = [];
  out.push(
    'coldtrace demo: 阿根廷冷冻猪肉 从河南到三省，市场抽检阳性 / Argentine frozen pork from Henan to three provinces, then a positive market sample',
    '',
  );
  if (r.admin)
    out.push(
      `National regulator admin (first start; this token is shown only once): ${r.admin.partyId}`,
      `  ${r.admin.token}`,
      '',
    );
  out.push('Parties and their tokens (one each; call the API as any of them):');
  for (const p of r.parties)
    out.push(
      `  ${p.key.padEnd(22)} ${p.id}  ${p.region}  ${p.name.zh ?? ''} / ${p.name.en ?? ''}`,
      `  ${''.padEnd(22)} ${p.token}`,
    );
  out.push('', 'Lots:');
  for (const l of r.lots)
    out.push(`  ${l.key.padEnd(18)} ${l.id}  code ${l.code}  ${l.kg} kg  ${l.product}`, `  ${''.padEnd(18)} ${l.url}`);
  out.push(
    '',
    `Incident ${r.incident.number} (${r.incident.id}): ${r.incident.lots} lots frozen, ${r.incident.holders} holders, ${r.incident.affectedKg} kg to account for.`,
    '',
    'Next (start the node, then call it as the Guangdong regulator and the Guangzhou supermarket):',
    `  ${nodeCommand(opts, 'serve', true)}`,
    `  export API=${r.publicUrl} REG=${reg.token} SHOP=${shop.token}`,
    `  curl -s "$API/v1/lots/${shoulder.id}/trace?direction=forward" -H "authorization: Bearer $REG"`,
    `  curl -s "$API/v1/lots/${shoulder.id}/trace?direction=backward" -H "authorization: Bearer $REG"`,
    `  curl -s $API/v1/incidents/${r.incident.id} -H "authorization: Bearer $REG"`,
    `  curl -s $API/v1/incidents/${r.incident.id} -H "authorization: Bearer $SHOP"      # the supermarket sees its own quantities`,
    `  curl -s "$API/v1/alerts" -H "authorization: Bearer $SHOP"`,
    `  curl -s ${shoulder.url}.json      # the public page a consumer's scan opens (HTML without .json)`,
    `  ${nodeCommand(opts, 'verify', false)}`,
  );
  return `${out.join('\n')}\n`;
}
