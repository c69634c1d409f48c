import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { declareLot } from '../src/app/border/lots.ts';
import { actorOf, createParty } from '../src/app/registry/parties.ts';
import { createProducer } from '../src/app/registry/producers.ts';
import { buildApp } from '../src/http/app.ts';
import { findParty } from '../src/store/parties.ts';
import type { BenchOptions, Figure, ScratchNode } from './measure.ts';
import { benchUscc, elapsed, figure, openScratchNode, qualified } from './measure.ts';

const CONCURRENCY = 8;
const ROUNDS = 3;

/** publicLot makes an importer, a producer and a declared lot on node, and returns the lot's code. */
async function publicLot(node: ScratchNode): Promise<string> {
  const admin = actorOf((await findParty(node.deps.db, node.adminId))!);
  const mk = async (roles: string[]) => {
    const { party } = await createParty(node.deps, admin, {
      uscc: benchUscc(),
      name: { zh: '基准企业', en: 'Bench Co' },
      roles,
      region: '410000',
    });
    return actorOf((await findParty(node.deps.db, party.id))!);
  };
  const [importer, customs] = [await mk(['importer']), await mk(['customs'])];
  const { producer } = await createProducer(node.deps, customs, {
    country: 'AR',
    registrationNo: '4001',
    name: 'Frigorífico Bench S.A.',
  });
  const { lot } = await declareLot(node.deps, importer, {
    declarationNo: '460120260000099999',
    portOfEntry: '天津港',
    arrivalDate: '2026-11-20',
    containerNo: 'CSQU3054383',
    billOfLading: 'MEDU000001',
    product: { zh: '冷冻去骨猪肉', en: 'Frozen boneless pork' },
    category: 'meat',
    hsCode: '0203290090',
    batchNo: 'B1',
    originCountry: 'AR',
    producerId: producer.id,
    netKg: 24000,
    cartons: 1200,
    productionDate: '2026-09-01',
    shelfLifeDays: 730,
  });
  return lot.code;
}

async function load(app: FastifyInstance, url: string, count: number): Promise<void> {
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const res = await app.inject({ method: 'GET', url, headers: { 'accept-language': 'zh-CN' } });
      if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/**
 * benchPublic times the public lot JSON (GET /t/{code}.json: lookup, status, documents, journey) against
 * a bare Fastify route answering a JSON body of the same size, in the same run.
 */
export async function benchPublic(opts: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  process.env.COLDTRACE_PUBLIC_RATE_LIMIT ??= '100000000';
  const requests = opts.quick ? 300 : 3000;
  for (const kind of opts.kinds) {
    const node = await openScratchNode(kind, opts.pgAdminUrl);
    const app = await buildApp(node.deps);
    const bare = Fastify();
    try {
      const code = await publicLot(node);
      const url = `/t/${code}.json`;
      const sample = await app.inject({ method: 'GET', url });
      const body = JSON.parse(sample.body) as unknown;
      bare.get('/t/:code', async () => body);
      await Promise.all([app.ready(), bare.ready()]);
      await load(app, url, requests / 10);
      await load(bare, url, requests / 10);
      let appMs = 0;
      let bareMs = 0;
      for (let r = 0; r < ROUNDS; r++) {
        appMs += await elapsed(() => load(app, url, requests / ROUNDS));
        bareMs += await elapsed(() => load(bare, url, requests / ROUNDS));
      }
      opts.say(
        `${kind}: ${requests} public lot JSON GETs (${sample.body.length} B), ${(appMs / requests).toFixed(3)} ms each, bare ${(bareMs / requests).toFixed(3)} ms`,
      );
      figures.push(
        figure(qualified('public.lotJson', kind), 'requests/s', (requests * 1000) / appMs, (requests * 1000) / bareMs),
      );
    } finally {
      await Promise.all([app.close(), bare.close()]);
      await node.close();
    }
  }
  return figures;
}
