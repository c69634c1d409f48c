import type { Writer } from '../app/write/commit.ts';
import { commit } from '../app/write/commit.ts';
import { checkpointOnce } from '../app/write/checkpointer.ts';
import { receiveWith, shipWith, disposeWith } from '../app/custody/custody.ts';
import type { Clock, Deps } from '../app/deps.ts';
import { attachWith } from '../app/border/documents.ts';
import { declareWith } from '../app/border/lots.ts';
import { createProducer } from '../app/registry/producers.ts';
import { retailSaleWith, sellWith } from '../app/custody/sales.ts';
import { transformWith } from '../app/custody/transform.ts';
import { arrivalWith, bookWith, disinfectWith, exitWith, resultWith, sampleWith } from '../app/border/warehouse.ts';
import { testWith } from '../app/registry/workers.ts';
import { acceptCarrierJob, offerCarrierJob } from '../app/custody/carrier-jobs.ts';
import { putBlob } from '../store/blobs.ts';
import { logSize } from '../store/log-store.ts';
import { addLocation, addVehicle, addWorker, appendMember } from './cast.ts';
import type { Member } from './cast.ts';
import {
  PROVINCES,
  containerFor,
  personName,
  plateFor,
  provinceByCode,
  residentIdFor,
  rng,
  shopName,
  usccFor,
} from './names.ts';
import type { Province } from './names.ts';
import { DEMO_PDF } from './pdf.ts';

/** SCALE_VERSION changes whenever the generator would make a different dataset from the same seed and size. */
export const SCALE_VERSION = 2;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Lots are declared over SPAN days; the last one's goods reach the shops about a week later, before now. */
const SPAN = 60 * DAY;
/** A lot in every WIDE_EVERY is spread to about a thousand buyers (the trace bench's lots). */
const WIDE_EVERY = 500;
/** Steps due within WINDOW of each other, BATCH at most, share a transaction. */
const WINDOW = 12 * HOUR;
const BATCH = 400;

export interface ScaleOptions {
  readonly lots: number;
  readonly seed: number;
  readonly progress?: (line: string) => void;
}

/** ScaleStats is what the generator made and how long it took. */
export interface ScaleStats {
  events: number;
  ms: number;
  parties: number;
  importLots: number;
  derivedLots: number;
  holdings: number;
  shipments: number;
  retailSales: number;
  wide: { holdings: number; lotIds: string[] };
  /** lots are a few lots to try: the widest, some imported and some repacked, with their trace codes and public pages. */
  lots: { id: string; code: string; origin: string; wide: boolean; url: string }[];
}

class TickClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

type Item = { due: number; seq: number; run: (w: Writer, at: number, later: Later) => Promise<void> };
type Later = (due: number, run: Item['run']) => void;

/** Queue is a min-heap of work by due time (then by the order it was scheduled). */
class Queue {
  private heap: Item[] = [];
  private seq = 0;
  get size() {
    return this.heap.length;
  }
  push(due: number, run: Item['run']) {
    const h = this.heap;
    h.push({ due, seq: this.seq++, run });
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  peek() {
    return this.heap[0];
  }
  pop(): Item {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
const less = (a: Item, b: Item) => a.due < b.due || (a.due === b.due && a.seq < b.seq);

type Crew = { carrier: Member; vehicles: string[]; drivers: string[]; handlers: string[] };
type Place = Member & { locationId: string; province: Province };
type Buyer = Member & { province: Province };
/** WholesalerPlan is what one wholesaler does with its part of a lot: whole cartons to each buyer, a repack, a disposal. */
type WholesalerPlan = {
  ws: Place;
  buyers: { b: Buyer; cartons: number; retail: number[] }[];
  keep: number;
  repack: number;
  derivedBuyers: { b: Buyer; cartons: number }[];
  dispose: number;
  total: number;
};
type StorePlan = { cs: Place; wplans: WholesalerPlan[]; keep: number; total: number };

const PRODUCTS = [
  {
    zh: '冷冻去骨猪前腿肉',
    en: 'Frozen boneless pork shoulder',
    hs: '0203290090',
    kg: 20,
    countries: ['AR', 'BR', 'ES', 'DE', 'DK', 'NL', 'US', 'CA'],
  },
  { zh: '冷冻猪五花肉', en: 'Frozen pork belly', hs: '0203290090', kg: 20, countries: ['ES', 'DE', 'DK', 'NL', 'BR'] },
  {
    zh: '冷冻去骨牛肉',
    en: 'Frozen boneless beef',
    hs: '0202300090',
    kg: 25,
    countries: ['AR', 'BR', 'UY', 'AU', 'NZ'],
  },
  { zh: '冷冻鸡翅中', en: 'Frozen chicken mid-joint wings', hs: '0207142200', kg: 10, countries: ['BR', 'AR', 'US'] },
  { zh: '冷冻白虾', en: 'Frozen whiteleg shrimp', hs: '0306170090', kg: 12, countries: ['EC', 'AR'] },
] as const;
const PORTS: Readonly<Record<string, string>> = {
  '120000': '天津港 Tianjin Port',
  '310000': '上海洋山港 Shanghai Yangshan',
  '370000': '青岛港 Qingdao Port',
  '440000': '广州南沙港 Guangzhou Nansha',
  '410000': '郑州铁路口岸 Zhengzhou Rail Port',
};
const DOCS = ['customs_declaration', 'inspection_quarantine', 'nucleic_acid', 'disinfection'] as const;
const METHOD = 'RT-PCR (GB/T 28642)';

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(n)));

/**
 * generateScale fills a fresh node with a national dataset of `lots` import lots, through the use cases' writer-level
 * forms, many to a transaction: importers in five port provinces declare lots of frozen pork, beef, chicken and shrimp
 * from registered overseas producers with their four certificates; supervision warehouses book, disinfect and sample
 * them and labs clear them; each lot then goes importer → one or two cold stores → three to six wholesalers → retailers
 * and restaurants, in refrigerated vehicles with tested crews, some of it repacked into new lots, some sold over the
 * counter, a little destroyed and a little still on the road. One lot in WIDE_EVERY reaches about a thousand buyers.
 * Time runs on a clock of its own: lots are declared over the sixty days before a week ago, and every step of a lot
 * happens at its own hour, so the log reads like a node that ran for two months. The same seed and size give the same
 * shape (parties, quantities, routes); ids and trace codes are random, as always. A node that already has data is
 * refused, so that two datasets never mix.
 */
export async function generateScale(base: Deps, o: ScaleOptions): Promise<ScaleStats> {
  const started = performance.now();
  const size0 = await logSize(base.db);
  if (size0 > 2)
    throw new Error(
      `coldtrace demo --scale needs a fresh node; this one's log already has ${size0} entries (use another --data directory or database)`,
    );
  const say = o.progress ?? (() => {});
  const r = rng(o.seed);
  const end = base.clock.now() - DAY;
  const t0 = end - SPAN - 8 * DAY;
  const clock = new TickClock(t0);
  const deps: Deps = { ...base, clock };
  const N = o.lots;

  // Who is who, at the start.
  const ports = ['120000', '310000', '370000', '440000', '410000'].map(provinceByCode);
  const provinces = PROVINCES;
  let serial = 0;
  const specs: { key: string; province: Province; zh: string; en: string; roles: string[]; level?: 'national' }[] = [];
  const spec = (key: string, province: Province, zh: string, en: string, roles: string[], level?: 'national') =>
    specs.push({ key, province, zh, en, roles, ...(level ? { level } : {}) });
  spec('customs', provinceByCode('110000'), '海关总署进出口食品安全局', 'GACC Import and Export Food Safety Bureau', [
    'customs',
  ]);
  for (const p of provinces)
    spec('regulator', p, `${p.zh}市场监督管理局`, `${p.en} Administration for Market Regulation`, ['regulator']);
  for (const p of ports) {
    spec('warehouse', p, `${p.zh}进口冷链食品集中监管仓`, `${p.en} Imported Cold-Chain Supervision Warehouse`, [
      'supervision_warehouse',
    ]);
    spec('lab', p, `${p.zh}海关技术中心实验室`, `${p.en} Customs Technical Center Laboratory`, ['lab']);
  }
  const nImporters = clamp(N / 200, 2, 50);
  for (let i = 0; i < nImporters; i++) {
    const p = ports[i % ports.length]!;
    spec('importer', p, `${p.zh}第${i + 1}进口食品贸易有限公司`, `${p.en} Imported Food Trading Co. No. ${i + 1}`, [
      'importer',
    ]);
  }
  for (const p of provinces)
    spec('carrier', p, `${p.zh}冷链物流有限公司`, `${p.en} Cold Chain Logistics Co., Ltd.`, ['carrier']);
  const nColdStores = clamp(N / 100, 3, 100);
  for (let i = 0; i < nColdStores; i++) {
    const p = provinces[i % provinces.length]!;
    spec('cold_store', p, `${p.zh}第${i + 1}冷库有限公司`, `${p.en} Cold Store Co. No. ${i + 1}`, ['cold_store']);
  }
  const nWholesalers = clamp(N / 30, 6, 360);
  for (let i = 0; i < nWholesalers; i++) {
    const p = provinces[i % provinces.length]!;
    spec('wholesaler', p, `${p.zh}第${i + 1}冻品批发商行`, `${p.en} Frozen Food Wholesale No. ${i + 1}`, [
      'wholesaler',
    ]);
  }
  const nBuyers = clamp(N * 0.6, 30, 6000);
  for (let i = 0; i < nBuyers; i++) {
    const p = provinces[i % provinces.length]!;
    const kind = i % 3 === 2 ? 'restaurant' : 'retailer';
    const name = shopName(p, kind, i + 1);
    spec(kind, p, name.zh, name.en, [kind]);
  }
  const members: (Member & { key: string; province: Province })[] = [];
  for (let i = 0; i < specs.length; i += 2000) {
    const batch = specs.slice(i, i + 2000);
    members.push(
      ...(await commit(deps, undefined, async (w) => {
        const out = [];
        for (const s of batch) {
          const m = await appendMember(w, {
            uscc: usccFor(s.province.city, 'G', serial++),
            name: { zh: s.zh, en: s.en },
            roles: s.roles,
            region: s.province.code,
            level: s.level ?? null,
          });
          out.push({ ...m, key: s.key, province: s.province });
        }
        return out;
      })),
    );
  }
  say(`scale: ${members.length} parties`);
  const of = (key: string) => members.filter((m) => m.key === key);
  const customs = of('customs')[0]!;
  let filing = 0;
  const place = async (
    m: (typeof members)[number],
    kind: 'cold_store' | 'supervision_warehouse',
    name: string,
  ): Promise<Place> => ({
    ...m,
    locationId: await addLocation(deps, m, {
      filingNo: `${m.province.short}冷备2026-${String(++filing).padStart(5, '0')}`,
      name,
      address: `${m.province.zh}市冷链物流园 ${filing} 号`,
      region: m.province.code,
      kind,
      tempClass: 'frozen',
    }),
  });
  const warehouses = new Map<string, Place & { operator: string }>();
  const labs = new Map<string, Member>();
  let person = 0;
  const workers: { id: string; employer: Member; institution: string }[] = [];
  const worker = async (employer: Member & { province: Province }, role: 'driver' | 'warehouse_handler') => {
    const institution = `${employer.province.zh}市疾病预防控制中心 ${employer.province.en} CDC`;
    const id = await addWorker(deps, employer, {
      name: personName(r),
      role,
      idNumber: residentIdFor(employer.province.city, `19${r.int(70, 99)}0${r.int(1, 9)}1${r.int(0, 9)}`, person++),
      testedAt: t0,
      institution,
    });
    workers.push({ id, employer, institution });
    return id;
  };
  for (const m of of('warehouse')) {
    const p = await place(m, 'supervision_warehouse', `${m.province.zh}集中监管仓`);
    warehouses.set(m.province.code, { ...p, operator: await worker(m, 'warehouse_handler') });
  }
  for (const m of of('lab')) labs.set(m.province.code, m);
  const coldStores: Place[] = [];
  for (const m of of('cold_store')) coldStores.push(await place(m, 'cold_store', `${m.name.zh}一号库`));
  const wholesalers: Place[] = [];
  for (const m of of('wholesaler')) wholesalers.push(await place(m, 'cold_store', `${m.name.zh}冷库`));
  const crews = new Map<string, Crew>();
  let plates = 0;
  for (const m of of('carrier')) {
    const crew: Crew = { carrier: m, vehicles: [], drivers: [], handlers: [] };
    for (let i = 0; i < 3; i++) {
      crew.vehicles.push(await addVehicle(deps, m, plateFor(m.province, plates++)));
      crew.drivers.push(await worker(m, 'driver'));
      crew.handlers.push(await worker(m, 'warehouse_handler'));
    }
    crews.set(m.province.code, crew);
  }
  const buyers: Buyer[] = members.filter((m) => m.key === 'retailer' || m.key === 'restaurant');
  const importers = of('importer');
  // Every shipper hires its province's carrier for the whole story, so that it may name that carrier's vehicles and crews.
  for (const m of [...importers, ...coldStores, ...wholesalers]) {
    const carrier = crews.get(m.province.code)!.carrier;
    const job = await offerCarrierJob(deps, m.actor, { carrierPartyId: carrier.id, validFrom: t0 });
    await acceptCarrierJob(deps, carrier.actor, job.id);
  }
  const producers: { id: string; country: string }[] = [];
  const countries = [...new Set(PRODUCTS.flatMap((p) => p.countries))];
  for (let i = 0; i < 40; i++) {
    const country = countries[i % countries.length]!;
    const p = await createProducer(deps, customs.actor, {
      country,
      registrationNo: `${country}-${String(1000 + i)}`,
      name: `Establishment ${1000 + i} (${country}) — frozen meat and seafood`,
      nameZh: `${country} 第${1000 + i}号注册企业`,
    });
    producers.push({ id: p.producer.id, country });
  }
  const sha256 = await putBlob(deps.blobDir, DEMO_PDF);
  say(
    `scale: master data done (${coldStores.length} cold stores, ${wholesalers.length} wholesalers, ${buyers.length} retailers and restaurants, ${workers.length} workers)`,
  );

  const queue = new Queue();
  // Crews keep a negative test at most six days old, as the default rule (drivers and handlers: 7 days) requires.
  for (const wk of workers) {
    const retest: Item['run'] = async (w, at, later) => {
      await testWith(w, deps, wk.employer.actor, wk.id, {
        sampledAt: at,
        result: 'negative',
        institution: wk.institution,
      });
      if (at + 6 * DAY < end) later(at + 6 * DAY, retest);
    };
    queue.push(t0 + 5 * DAY + r.int(0, DAY), retest);
  }
  const stats = { importLots: 0, derivedLots: 0, wide: [] as string[] };
  const near = new Map<readonly unknown[], Map<string, readonly unknown[]>>();
  const byProvince = <T extends { province: Province }>(xs: readonly T[], p: Province): readonly T[] => {
    const m = near.get(xs) ?? new Map<string, readonly unknown[]>();
    near.set(xs, m);
    if (!m.has(p.code)) {
      const here = xs.filter((x) => x.province.code === p.code);
      m.set(p.code, here.length > 0 ? here : xs);
    }
    return m.get(p.code) as readonly T[];
  };
  const distinct = <T>(xs: readonly T[], k: number): T[] => {
    const pool = [...xs];
    const out: T[] = [];
    while (out.length < k && pool.length > 0) out.push(pool.splice(r.int(0, pool.length - 1), 1)[0]!);
    return out;
  };
  const crewFor = (p: Province) => {
    const c = crews.get(p.code)!;
    const i = r.int(0, c.vehicles.length - 1);
    return {
      carrierPartyId: c.carrier.id,
      vehicleId: c.vehicles[i]!,
      driverWorkerId: c.drivers[i]!,
      handlerWorkerIds: [c.handlers[i]!],
    };
  };
  let wideBuyer = 0;
  const byCountry = new Map<string, { id: string; country: string }[]>();
  for (const p of producers) byCountry.set(p.country, [...(byCountry.get(p.country) ?? []), p]);
  // Carton weights by lot, so the later steps sell whole cartons of the right weight.
  const weights = new Map<string, number>();
  const wOf = (lotId: string) => weights.get(lotId)!;

  for (let i = 0; i < N; i++) {
    const wide = i % WIDE_EVERY === 0;
    const importer = importers[i % importers.length]!;
    const product = r.pick(PRODUCTS);
    const country = r.pick(product.countries);
    const producer = r.pick(byCountry.get(country) ?? producers);
    const w8 = product.kg;
    // The plan, bottom-up in whole cartons: buyers, then wholesalers, cold stores and the importer's own stock.
    const stores = distinct(coldStores, wide ? 2 : r.next() < 0.3 ? 2 : 1);
    const plan: StorePlan[] = stores.map((cs) => {
      const ws = wide
        ? distinct(wholesalers, Math.min(10, Math.floor(wholesalers.length / stores.length)))
        : distinct(r.next() < 0.7 ? byProvince(wholesalers, cs.province) : wholesalers, r.int(3, 6));
      const wplans: WholesalerPlan[] = ws.map((x) => {
        const perWide = Math.max(1, Math.min(50, Math.floor(buyers.length / (stores.length * ws.length))));
        const chosen = wide
          ? Array.from({ length: perWide }, () => buyers[wideBuyer++ % buyers.length]!)
          : distinct(byProvince(buyers, x.province), r.int(4, 10));
        const bs = chosen.map((b) => {
          const cartons = wide ? 1 : r.int(1, 4);
          const retail =
            r.next() < 0.5
              ? Array.from({ length: r.int(1, 3) }, () => r.int(5, 50) / 10).filter(
                  (_, k, a) => a.slice(0, k + 1).reduce((s, v) => s + v, 0) <= (cartons * w8) / 2,
                )
              : [];
          return { b, cartons, retail };
        });
        const repack = !wide && r.next() < 0.2 ? r.int(4, 10) : 0;
        const derivedBuyers =
          repack > 0
            ? distinct(byProvince(buyers, x.province), r.int(2, 3)).map((b) => ({ b, cartons: r.int(1, 2) }))
            : [];
        const dispose = !wide && r.next() < 0.03 ? 1 : 0;
        const keep = wide ? 12 : r.int(2, 10);
        return {
          ws: x,
          buyers: bs,
          keep,
          repack,
          derivedBuyers,
          dispose,
          total: bs.reduce((s, y) => s + y.cartons, 0) + keep + repack + dispose,
        };
      });
      const keep = wide ? 30 : r.int(2, 20);
      return { cs, wplans, keep, total: wplans.reduce((s, y) => s + y.total, 0) + keep };
    });
    const keep = wide ? 50 : r.int(0, 50);
    const cartons = plan.reduce((s, y) => s + y.total, 0) + keep;
    const at = t0 + DAY + Math.floor((i * SPAN) / N);
    const warehouse = warehouses.get(importer.province.code)!;
    const lab = labs.get(importer.province.code)!;
    const crew0 = crewFor(importer.province);

    queue.push(at, async (w, now, later) => {
      const day = new Date(now).toISOString().slice(0, 10);
      const { lot } = await declareWith(w, deps, importer.actor, {
        declarationNo: `${importer.province.city.slice(0, 4)}${day.slice(0, 4)}${String(10_000_000_000 + i).slice(-10)}`,
        portOfEntry: PORTS[importer.province.code]!,
        arrivalDate: day,
        containerNo: containerFor('MSCU', 100_000 + i),
        billOfLading: `MEDU${String(5_000_000 + i)}`,
        product: { zh: product.zh, en: product.en },
        category: product.hs.startsWith('03') ? 'seafood' : 'meat',
        hsCode: product.hs,
        batchNo: `B${String(o.seed).slice(-4)}-${i}`,
        originCountry: country,
        producerId: producer.id,
        netKg: cartons * w8,
        cartons,
        productionDate: new Date(now - r.int(40, 120) * DAY).toISOString().slice(0, 10),
        shelfLifeDays: 540,
      });
      stats.importLots++;
      weights.set(lot.id, w8);
      if (wide) stats.wide.push(lot.id);
      for (const kind of DOCS)
        await attachWith(
          w,
          deps,
          importer.actor,
          lot.id,
          {
            kind,
            number: `${kind.slice(0, 3).toUpperCase()}-${day.replace(/-/g, '')}-${i}`,
            issuer: `${importer.province.zh}海关 Customs`,
            issuedOn: day,
          },
          DEMO_PDF,
          sha256,
        );
      const booking = await bookWith(w, deps, importer.actor, lot.id, {
        warehousePartyId: warehouse.id,
        locationId: warehouse.locationId,
        carrierPartyId: crew0.carrierPartyId,
        vehicleId: crew0.vehicleId,
        driverWorkerId: crew0.driverWorkerId,
        destination: plan[0]!.cs.name.zh ?? 'cold store',
        slotStart: now + 2 * HOUR,
        slotEnd: now + 4 * HOUR,
      });
      later(now + 3 * HOUR, async (w, now, later) => {
        await arrivalWith(w, deps, warehouse.actor, booking.id, now);
        await disinfectWith(w, deps, warehouse.actor, lot.id, {
          agent: '过氧乙酸 peracetic acid',
          concentration: '0.2%',
          operatorWorkerId: warehouse.operator,
          performedAt: now,
        });
        const samples: string[] = [];
        for (const point of ['outer_pack', 'content'] as const)
          samples.push(
            (await sampleWith(w, deps, warehouse.actor, lot.id, { point, labPartyId: lab.id, takenAt: now })).id,
          );
        later(now + r.int(18, 30) * HOUR, async (w, now, later) => {
          for (const s of samples)
            await resultWith(w, deps, lab.actor, s, { result: 'negative', method: METHOD, resultedAt: now });
          await exitWith(w, deps, warehouse.actor, lot.id);
          later(now + r.int(2, 8) * HOUR, async (w, now, later) => {
            for (const c of plan) {
              const s = await shipWith(w, deps, importer.actor, lot.id, {
                fromLocationId: null,
                toPartyId: c.cs.id,
                toLocationId: c.cs.locationId,
                quantity: { kg: c.total * w8, cartons: c.total },
                ...crewFor(importer.province),
                departedAt: now,
              });
              later(now + r.int(6, 30) * HOUR, async (w, now, later) => {
                await receiveWith(w, deps, c.cs.actor, s.id, {
                  quantity: { kg: c.total * w8, cartons: c.total },
                  receivedAt: now,
                });
                later(now + r.int(12, 48) * HOUR, (w, now, later) => fromColdStore(w, now, later, lot.id, c));
              });
            }
          });
        });
      });
    });
  }

  async function fromColdStore(w: Writer, now: number, later: Later, lotId: string, c: StorePlan) {
    for (const p of c.wplans) {
      const s = await shipWith(w, deps, c.cs.actor, lotId, {
        fromLocationId: c.cs.locationId,
        toPartyId: p.ws.id,
        toLocationId: p.ws.locationId,
        quantity: { kg: p.total * wOf(lotId), cartons: p.total },
        ...crewFor(c.cs.province),
        departedAt: now,
      });
      later(now + r.int(4, 24) * HOUR, async (w, now, later) => {
        await receiveWith(w, deps, p.ws.actor, s.id, {
          quantity: { kg: p.total * wOf(lotId), cartons: p.total },
          receivedAt: now,
        });
        later(now + r.int(12, 48) * HOUR, (w, now, later) => fromWholesaler(w, now, later, lotId, p));
      });
    }
  }

  async function fromWholesaler(w: Writer, now: number, later: Later, lotId: string, p: WholesalerPlan) {
    const w8 = wOf(lotId);
    const sell = async (id: string, b: Buyer, cartons: number, kgEach: number, retail: number[]) => {
      const delivered = r.next() < 0.5;
      const s = await sellWith(w, deps, p.ws.actor, id, {
        toPartyId: b.id,
        locationId: p.ws.locationId,
        quantity: { kg: cartons * kgEach, cartons },
        soldAt: now,
        ...(delivered ? crewFor(p.ws.province) : {}),
      });
      const shop = async (w: Writer, now: number, later: Later) => {
        let t = now;
        for (const kg of retail) {
          t += r.int(2, 20) * HOUR;
          later(t, (w, at) =>
            retailSaleWith(w, deps, b.actor, id, { quantity: { kg, cartons: 0 }, soldAt: at }).then(() => {}),
          );
        }
      };
      if (!delivered) return shop(w, now, later);
      // A few deliveries are still on the road when the data ends.
      if (r.next() < 0.03) return;
      later(now + r.int(2, 6) * HOUR, async (w, now, later) => {
        await receiveWith(w, deps, b.actor, s.id, { quantity: { kg: cartons * kgEach, cartons }, receivedAt: now });
        await shop(w, now, later);
      });
    };
    for (const x of p.buyers) await sell(lotId, x.b, x.cartons, w8, x.retail);
    if (p.repack > 0) {
      const lossKg = Math.round(p.repack * w8 * 5) / 1000;
      const t = await transformWith(w, deps, p.ws.actor, {
        kind: 'repack',
        locationId: p.ws.locationId,
        at: now,
        lossKg,
        referenceDoc: `FZ-${lotId.slice(-6)}`,
        inputs: [{ lotId, quantity: { kg: p.repack * w8, cartons: p.repack } }],
        outputs: [{ quantity: { kg: p.repack * w8 - lossKg, cartons: p.repack * 2 } }],
      });
      stats.derivedLots++;
      const derived = t.outputs[0]!.lotId;
      const half = (p.repack * w8 - lossKg) / (p.repack * 2);
      weights.set(derived, half);
      for (const x of p.derivedBuyers)
        await sell(
          derived,
          x.b,
          x.cartons,
          Math.round(half * 1000) / 1000,
          r.next() < 0.5 ? [Math.round(half * 500) / 1000] : [],
        );
    }
    if (p.dispose > 0)
      await disposeWith(w, deps, p.ws.actor, lotId, {
        locationId: p.ws.locationId,
        quantity: { kg: w8, cartons: 1 },
        method: 'destroyed',
        referenceDoc: `XH-${lotId.slice(-8)}`,
        at: now,
      });
  }

  // Run the queue in order, the steps due within WINDOW of the first (up to BATCH of them) in one transaction, whose
  // time is the last one's due time: every step's own time is then at or before its entry's.
  let lastSay = performance.now();
  let events = size0;
  for (let batch = 0; queue.size > 0; batch++) {
    const first = queue.peek()!.due;
    const items: Item[] = [];
    let steps = 0;
    while (queue.size > 0 && queue.peek()!.due < first + WINDOW && steps < BATCH) {
      items.push(queue.pop());
      steps++;
    }
    clock.t = Math.max(clock.t, items[items.length - 1]!.due);
    const scheduled: [number, Item['run']][] = [];
    await commit(deps, undefined, async (w) => {
      scheduled.length = 0;
      for (const it of items) await it.run(w, it.due, (due, run) => scheduled.push([Math.max(due, clock.t + 1), run]));
    });
    for (const [due, run] of scheduled) queue.push(due, run);
    if (performance.now() - lastSay > 10_000) {
      events = await logSize(deps.db);
      const s = (performance.now() - started) / 1000;
      say(
        `scale: ${events.toLocaleString('en-US')} events, ${stats.importLots}/${N} lots declared, story day ${Math.floor((clock.t - t0) / DAY)}, ${Math.round(events / s)} events/s`,
      );
      lastSay = performance.now();
    }
  }
  await checkpointOnce(deps.db, deps.log, base.clock);
  events = await logSize(deps.db);
  const count = async (table: 'holdings' | 'shipments' | 'retailSales') => {
    const q = deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n'));
    return Number((await (table === 'holdings' ? q.where('grams', '>', 0) : q).executeTakeFirstOrThrow()).n);
  };
  const wideHoldings =
    stats.wide.length > 0
      ? Number(
          (
            await deps.db
              .selectFrom('holdings')
              .select((eb) => eb.fn.countAll<number | string>().as('n'))
              .where('lotId', '=', stats.wide[0]!)
              .where('grams', '>', 0)
              .executeTakeFirstOrThrow()
          ).n,
        )
      : 0;
  const pick = async (origin: string, n: number) =>
    deps.db
      .selectFrom('lots')
      .select(['id', 'code', 'origin'])
      .where('origin', '=', origin)
      .orderBy('createdAt')
      .orderBy('id')
      .limit(n)
      .execute();
  const wideRows = stats.wide.length
    ? await deps.db
        .selectFrom('lots')
        .select(['id', 'code', 'origin'])
        .where('id', 'in', stats.wide.slice(0, 3))
        .execute()
    : [];
  const unique = new Map(
    [...wideRows, ...(await pick('imported', 3)), ...(await pick('derived', 2))].map((l) => [l.id, l] as const),
  );
  const lots = [...unique.values()].map((l) => ({
    id: l.id,
    code: l.code,
    origin: l.origin,
    wide: stats.wide.includes(l.id),
    url: `${deps.config.publicUrl}/t/${l.code}`,
  }));
  return {
    events,
    ms: Math.round(performance.now() - started),
    parties: members.length,
    importLots: stats.importLots,
    derivedLots: stats.derivedLots,
    holdings: await count('holdings'),
    shipments: await count('shipments'),
    retailSales: await count('retailSales'),
    wide: { holdings: wideHoldings, lotIds: stats.wide },
    lots,
  };
}
