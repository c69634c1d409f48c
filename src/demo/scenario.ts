import { gtinCheckDigit } from '../domain/digital-link.ts';
import { checkpointOnce } from '../app/write/checkpointer.ts';
import { receiveShipment, shipLot, transferLot } from '../app/custody/custody.ts';
import type { Deps } from '../app/deps.ts';
import { attachDocument } from '../app/border/documents.ts';
import { declareLot } from '../app/border/lots.ts';
import type { DeclarationInput } from '../app/border/lots.ts';
import { takeMarketSample } from '../app/recall/market-sampling.ts';
import { createProducer } from '../app/registry/producers.ts';
import { retailSell, sellLot } from '../app/custody/sales.ts';
import { acceptCarrierJob, offerCarrierJob } from '../app/custody/carrier-jobs.ts';
import { createToken } from '../app/registry/tokens.ts';
import { transformLots } from '../app/custody/transform.ts';
import {
  createBooking,
  issueExitCertificate,
  postResult,
  recordArrival,
  recordDisinfection,
  takeSample,
} from '../app/border/warehouse.ts';
import { addLocation, addParty, addVehicle, addWorker } from './cast.ts';
import type { Member } from './cast.ts';
import { DEMO_PDF } from './pdf.ts';
import { containerFor, plateFor, provinceByCode, residentIdFor, usccFor } from './names.ts';

const HOUR = 3_600_000;
/** STORY_HOURS is how long the story takes, from the first registration to the positive result. */
const STORY_HOURS = 120;

/**
 * StoryClock gives the story's events their own times, over the five days before now. The node records them now, as
 * a business typing in its paper records would: each fact keeps both its event time and its record time.
 */
class StoryClock {
  constructor(
    private readonly start: number,
    public at = 0,
  ) {}
  now(): number {
    return Math.round(this.start + this.at * HOUR);
  }
  /** to moves the story to hour h and returns the time. */
  to(h: number): number {
    this.at = Math.max(this.at, h);
    return this.now();
  }
}

/** DemoParty is a party of the scenario with the token made for it. */
export interface DemoParty {
  readonly key: string;
  readonly id: string;
  readonly name: { zh: string | null; en: string | null };
  readonly roles: readonly string[];
  readonly region: string;
  readonly token: string;
}

/** DemoResult is what the scenario made, for the CLI to print. */
export interface DemoResult {
  admin: { partyId: string; token: string } | null;
  parties: DemoParty[];
  lots: { key: string; id: string; code: string; product: string; kg: number; url: string }[];
  incident: { id: string; number: number; lots: number; holders: number; affectedKg: number };
  publicUrl: string;
}

type Who = Member & { key: string };

/**
 * runScenario plays the demo story on the node through the real use cases, each write its own commit, as the API would
 * make them: a Henan importer's Argentine frozen pork is declared with its documents, cleared through the supervision
 * warehouse, stored, shipped to wholesalers in Jiangsu, Zhejiang and Guangdong, partly repacked, sold to retailers and
 * restaurants and to consumers; then a Guangdong market sample tests positive and opens the incident that freezes it all.
 * The story's events happen over the five days before now, each stamped with its own time; the node records them as
 * they are played (see StoryClock). A second run on the same node makes a second, separate story with new parties
 * and lots. One more lot from another container goes its own way and stays green.
 */
export async function runScenario(deps: Deps): Promise<Omit<DemoResult, 'admin'>> {
  const clock = new StoryClock(deps.clock.now() - STORY_HOURS * HOUR);
  // Every identifier that must be unique takes this run's offset, so a second run never collides with the first.
  const run = Number(
    (
      await deps.db
        .selectFrom('parties')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where((eb) => eb.or([eb('nameEn', '=', 'Zhengzhou Customs'), eb('nameEn', 'like', 'Zhengzhou Customs (%)')]))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const henan = provinceByCode('410000');
  const js = provinceByCode('320000');
  const zj = provinceByCode('330000');
  const gd = provinceByCode('440000');
  let n = 0;
  const party = async (
    key: string,
    city: string,
    region: string,
    zh: string,
    en: string,
    roles: string[],
  ): Promise<Who> => ({
    key,
    ...(await addParty(deps, { uscc: usccFor(city, 'D', run * 40 + n++), name: { zh, en }, roles, region })),
  });
  const suffix = run > 0 ? `（${run}）` : '';
  const nth = (s: string) => (run > 0 ? `${s} (${run})` : s);

  // Day 0: who is who.
  const customs = await party('customs', '410100', '410000', `郑州海关${suffix}`, nth('Zhengzhou Customs'), [
    'customs',
  ]);
  const importer = await party(
    'importer',
    '410100',
    '410000',
    `河南豫鑫进口食品有限公司${suffix}`,
    nth('Henan Yuxin Imported Food Co., Ltd.'),
    ['importer'],
  );
  const warehouse = await party(
    'warehouse',
    '410100',
    '410000',
    `郑州航空港进口冷链食品集中监管仓${suffix}`,
    nth('Zhengzhou Airport Imported Cold-Chain Supervision Warehouse'),
    ['supervision_warehouse'],
  );
  const portLab = await party(
    'lab',
    '410100',
    '410000',
    `郑州海关技术中心实验室${suffix}`,
    nth('Zhengzhou Customs Technical Center Laboratory'),
    ['lab'],
  );
  const carrier = await party(
    'carrier',
    '410100',
    '410000',
    `郑州顺冷物流有限公司${suffix}`,
    nth('Zhengzhou Shunleng Logistics Co., Ltd.'),
    ['carrier'],
  );
  const wsJs = await party(
    'wholesaler_jiangsu',
    '320100',
    '320000',
    `南京苏鲜冻品批发有限公司${suffix}`,
    nth('Nanjing Suxian Frozen Food Wholesale Co., Ltd.'),
    ['wholesaler', 'carrier'],
  );
  const wsZj = await party(
    'wholesaler_zhejiang',
    '330100',
    '330000',
    `杭州浙冷食品批发有限公司${suffix}`,
    nth('Hangzhou Zheleng Food Wholesale Co., Ltd.'),
    ['wholesaler', 'carrier'],
  );
  const wsGd = await party(
    'wholesaler_guangdong',
    '440100',
    '440000',
    `广州粤港冻品批发有限公司${suffix}`,
    nth('Guangzhou Yuegang Frozen Food Wholesale Co., Ltd.'),
    ['wholesaler', 'carrier'],
  );
  const superGz = await party(
    'retailer_guangzhou',
    '440100',
    '440000',
    `广州天河鲜丰生鲜超市${suffix}`,
    nth('Xianfeng Fresh Supermarket, Tianhe, Guangzhou'),
    ['retailer'],
  );
  const restGz = await party(
    'restaurant_guangzhou',
    '440100',
    '440000',
    `广州粤味烧腊茶餐厅${suffix}`,
    nth('Yuewei Roast Meat Tea Restaurant, Guangzhou'),
    ['restaurant'],
  );
  const retailHz = await party(
    'retailer_hangzhou',
    '330100',
    '330000',
    `杭州西湖惠民超市${suffix}`,
    nth('Huimin Supermarket, West Lake, Hangzhou'),
    ['retailer'],
  );
  const restHz = await party(
    'restaurant_hangzhou',
    '330100',
    '330000',
    `杭州老灶火锅店${suffix}`,
    nth('Laozao Hotpot, Hangzhou'),
    ['restaurant'],
  );
  const restNj = await party(
    'restaurant_nanjing',
    '320100',
    '320000',
    `南京金陵涮肉坊${suffix}`,
    nth('Jinling Hotpot House, Nanjing'),
    ['restaurant'],
  );
  const gdLab = await party(
    'lab_guangzhou',
    '440100',
    '440000',
    `广州市疾病预防控制中心检验所${suffix}`,
    nth('Guangzhou CDC Laboratory'),
    ['lab'],
  );
  const regHn = await party(
    'regulator_henan',
    '410100',
    '410000',
    `河南省市场监督管理局${suffix}`,
    nth('Henan Administration for Market Regulation'),
    ['regulator'],
  );
  const regGd = await party(
    'regulator_guangdong',
    '440100',
    '440000',
    `广东省市场监督管理局${suffix}`,
    nth('Guangdong Administration for Market Regulation'),
    ['regulator'],
  );
  const regJs = await party(
    'regulator_jiangsu',
    '320100',
    '320000',
    `江苏省市场监督管理局${suffix}`,
    nth('Jiangsu Administration for Market Regulation'),
    ['regulator'],
  );
  const regZj = await party(
    'regulator_zhejiang',
    '330100',
    '330000',
    `浙江省市场监督管理局${suffix}`,
    nth('Zhejiang Administration for Market Regulation'),
    ['regulator'],
  );
  const everyone = [
    customs,
    importer,
    warehouse,
    portLab,
    carrier,
    wsJs,
    wsZj,
    wsGd,
    superGz,
    restGz,
    retailHz,
    restHz,
    restNj,
    gdLab,
    regHn,
    regGd,
    regJs,
    regZj,
  ];

  const year = new Date(clock.now()).getUTCFullYear();
  const filing = (short: string, i: number) => `${short}冷备${year}-${String(run * 10 + i).padStart(4, '0')}`;
  const bonded = await addLocation(deps, warehouse, {
    filingNo: filing('豫监', 1),
    name: '郑州航空港集中监管仓 1号库',
    address: '郑州市航空港区四港联动大道 88 号',
    region: '410000',
    kind: 'supervision_warehouse',
    tempClass: 'frozen',
  });
  const yuxinStore = await addLocation(deps, importer, {
    filingNo: filing('豫', 2),
    name: '豫鑫冷库（中牟）',
    address: '郑州市中牟县官渡镇冷链产业园 6 号',
    region: '410000',
    kind: 'cold_store',
    tempClass: 'frozen',
  });
  const njStore = await addLocation(deps, wsJs, {
    filingNo: filing('苏', 3),
    name: '苏鲜众彩冷库',
    address: '南京市雨花台区绿都大道 2 号',
    region: '320000',
    kind: 'cold_store',
    tempClass: 'frozen',
  });
  const hzStore = await addLocation(deps, wsZj, {
    filingNo: filing('浙', 4),
    name: '浙冷勾庄冷库',
    address: '杭州市余杭区勾庄农副产品物流中心',
    region: '330000',
    kind: 'cold_store',
    tempClass: 'frozen',
  });
  const gzStore = await addLocation(deps, wsGd, {
    filingNo: filing('粤', 5),
    name: '粤港江南冷库',
    address: '广州市白云区江南果菜批发市场冷库区',
    region: '440000',
    kind: 'cold_store',
    tempClass: 'frozen',
  });

  const testedAt = clock.now() - 6 * HOUR;
  const cdc = (p: typeof henan) => `${p.zh}市疾病预防控制中心 ${p.en} CDC`;
  const truck = await addVehicle(deps, carrier, plateFor(henan, run * 10 + 1));
  const van = {
    [wsJs.id]: await addVehicle(deps, wsJs, plateFor(js, run * 10 + 2)),
    [wsZj.id]: await addVehicle(deps, wsZj, plateFor(zj, run * 10 + 3)),
    [wsGd.id]: await addVehicle(deps, wsGd, plateFor(gd, run * 10 + 4)),
  };
  let person = run * 20;
  const worker = (employer: Who, name: string, role: 'driver' | 'warehouse_handler', city: string, born: string) =>
    addWorker(deps, employer, {
      name,
      role,
      idNumber: residentIdFor(city, born, person++),
      testedAt,
      institution: cdc(provinceByCode(employer.region)),
    });
  const driver = await worker(carrier, '王建国', 'driver', '410100', '19790315');
  // The importer hires the carrier for the season: once it accepts, its truck and driver may carry the importer's goods.
  const job = await offerCarrierJob(deps, importer.actor, {
    carrierPartyId: carrier.id,
    validFrom: clock.now(),
    note: '郑州—南京、杭州、广州 冷链干线 Trunk routes',
  });
  await acceptCarrierJob(deps, carrier.actor, job.id);
  const handler = await worker(importer, '李强', 'warehouse_handler', '410100', '19880722');
  const operator = await worker(warehouse, '赵敏', 'warehouse_handler', '410100', '19920510');
  const localDriver = {
    [wsJs.id]: await worker(wsJs, '陈涛', 'driver', '320100', '19850101'),
    [wsZj.id]: await worker(wsZj, '周磊', 'driver', '330100', '19870808'),
    [wsGd.id]: await worker(wsGd, '黄志强', 'driver', '440100', '19830412'),
  };

  const producer = (
    await createProducer(deps, customs.actor, {
      country: 'AR',
      registrationNo: String(2400 + run),
      name: 'Frigorífico La Pampa S.A.',
      nameZh: '潘帕肉类加工厂',
    })
  ).producer;

  // Day 0, morning: the container arrives at Tianjin, the importer declares its two lots and attaches the certificates.
  clock.to(2);
  const container = containerFor('MSKU', 731000 + run);
  const gtinBody = `0779${String(4100000 + run).padStart(7, '0')}01`;
  const declare = (over: Partial<DeclarationInput>) =>
    declareLot(deps, importer.actor, {
      declarationNo: `0202${year}${String(41_000_000 + run * 10).padStart(10, '0')}`.slice(0, 18),
      portOfEntry: '天津港 Tianjin Port',
      arrivalDate: new Date(clock.now()).toISOString().slice(0, 10),
      containerNo: container,
      billOfLading: `MAEU${String(224_500 + run)}`,
      product: { zh: '冷冻猪前腿肉', en: 'Frozen pork shoulder, boneless' },
      category: 'meat',
      hsCode: '0203290090',
      batchNo: `AR${year}${String(run).padStart(3, '0')}A`,
      originCountry: 'AR',
      producerId: producer.id,
      netKg: 14_000,
      cartons: 700,
      productionDate: new Date(clock.now() - 70 * 86_400_000).toISOString().slice(0, 10),
      shelfLifeDays: 720,
      ...over,
    });
  const lotA = (await declare({ gtin: gtinBody + gtinCheckDigit(gtinBody) })).lot;
  const lotB = (
    await declare({
      product: { zh: '冷冻猪五花肉', en: 'Frozen pork belly, skin-on' },
      batchNo: `AR${year}${String(run).padStart(3, '0')}B`,
      netKg: 10_000,
      cartons: 500,
    })
  ).lot;
  // Another container of the same importer: Argentine beef, which goes its own way and stays green.
  const beefContainer = containerFor('MSKU', 751000 + run);
  const lotC = (
    await declare({
      declarationNo: `0202${year}${String(41_000_001 + run * 10).padStart(10, '0')}`.slice(0, 18),
      containerNo: beefContainer,
      billOfLading: `MAEU${String(226_500 + run)}`,
      product: { zh: '冷冻去骨牛腩', en: 'Frozen boneless beef brisket' },
      hsCode: '0202300090',
      batchNo: `AR${year}${String(run).padStart(3, '0')}C`,
      netKg: 6_000,
      cartons: 300,
      productionDate: new Date(clock.now() - 50 * 86_400_000).toISOString().slice(0, 10),
    })
  ).lot;
  const docs = [
    ['customs_declaration', '报关单 Customs declaration', '天津新港海关 Tianjin Xingang Customs'],
    ['inspection_quarantine', '入境货物检验检疫证明 Inspection & quarantine', '天津海关 Tianjin Customs'],
    ['nucleic_acid', '核酸检测报告 Nucleic-acid test report', '天津海关技术中心 Tianjin Customs Technical Center'],
    ['disinfection', '消毒证明 Disinfection certificate', '天津港口岸消毒站 Tianjin Port Disinfection Station'],
  ] as const;
  for (const lot of [lotA, lotB, lotC]) {
    for (const [kind, , issuer] of docs) {
      await attachDocument(
        deps,
        importer.actor,
        lot.id,
        { kind, number: `${kind.slice(0, 3).toUpperCase()}-${lot.batchNo}`, issuer, issuedOn: lot.arrivalDate },
        DEMO_PDF,
      );
    }
  }

  // Day 0–1: booked into the supervision warehouse, disinfected, sampled, tested negative, released.
  for (const lot of [lotA, lotB, lotC]) {
    const b = await createBooking(deps, importer.actor, lot.id, {
      warehousePartyId: warehouse.id,
      locationId: bonded,
      carrierPartyId: carrier.id,
      vehicleId: truck,
      driverWorkerId: driver,
      destination: '豫鑫冷库（中牟）',
      slotStart: clock.to(4),
      slotEnd: clock.now() + 2 * HOUR,
    });
    await recordArrival(deps, warehouse.actor, b.id, clock.to(6));
    await recordDisinfection(deps, warehouse.actor, lot.id, {
      agent: '过氧乙酸 peracetic acid',
      concentration: '0.2%',
      operatorWorkerId: operator,
      performedAt: clock.to(7),
    });
    const samples = [];
    for (const point of ['outer_pack', 'inner_pack', 'content', 'environment'] as const) {
      samples.push(
        (await takeSample(deps, warehouse.actor, lot.id, { point, labPartyId: portLab.id, takenAt: clock.to(8) })).id,
      );
    }
    for (const s of samples)
      await postResult(deps, portLab.actor, s, {
        result: 'negative',
        method: 'RT-PCR (GB/T 28642)',
        resultedAt: clock.to(30),
      });
    await issueExitCertificate(deps, warehouse.actor, lot.id);
  }

  // Day 1–2: into the importer's cold store, then out to wholesalers in three provinces.
  clock.to(32);
  for (const lot of [lotA, lotB, lotC])
    await transferLot(deps, importer.actor, lot.id, {
      fromLocationId: null,
      toLocationId: yuxinStore,
      quantity: { kg: lot.quantity.kg, cartons: lot.quantity.cartons },
      at: clock.now(),
    });
  const ship = async (
    from: Who,
    lotId: string,
    fromLocationId: string | null,
    to: Who,
    toLocationId: string | null,
    kg: number,
    cartons: number,
    vehicleId: string,
    driverWorkerId: string,
    o: { arriveAt?: number; doc: string },
  ) => {
    const s = await shipLot(deps, from.actor, lotId, {
      fromLocationId,
      toPartyId: to.id,
      toLocationId,
      quantity: { kg, cartons },
      carrierPartyId: vehicleId === truck ? carrier.id : null,
      vehicleId,
      driverWorkerId,
      handlerWorkerIds: from === importer ? [handler] : [],
      departedAt: clock.now(),
      referenceDoc: o.doc,
    });
    if (o.arriveAt !== undefined)
      await receiveShipment(deps, to.actor, s.id, { quantity: { kg, cartons }, receivedAt: clock.to(o.arriveAt) });
    return s.id;
  };
  clock.to(34);
  await ship(importer, lotA.id, yuxinStore, wsJs, njStore, 4000, 200, truck, driver, {
    doc: 'YX-DN-0801',
    arriveAt: 44,
  });
  clock.to(35);
  await ship(importer, lotA.id, yuxinStore, wsZj, hzStore, 4000, 200, truck, driver, {
    doc: 'YX-DN-0802',
    arriveAt: 46,
  });
  clock.to(36);
  await ship(importer, lotA.id, yuxinStore, wsGd, gzStore, 4000, 200, truck, driver, {
    doc: 'YX-DN-0803',
    arriveAt: 54,
  });
  clock.to(37);
  await ship(importer, lotB.id, yuxinStore, wsGd, gzStore, 3000, 150, truck, driver, {
    doc: 'YX-DN-0804',
    arriveAt: 55,
  });
  clock.to(38);
  await ship(importer, lotB.id, yuxinStore, wsJs, njStore, 2000, 100, truck, driver, {
    doc: 'YX-DN-0805',
    arriveAt: 45,
  });
  clock.to(39);
  await ship(importer, lotC.id, yuxinStore, wsJs, njStore, 2000, 100, truck, driver, {
    doc: 'YX-DN-0806',
    arriveAt: 47,
  });

  // Day 2–3: Hangzhou repacks part of the shoulder into 1 kg retail packs (10 per carton).
  clock.to(60);
  const repack = await transformLots(deps, wsZj.actor, {
    kind: 'repack',
    locationId: hzStore,
    at: clock.now(),
    lossKg: 10,
    referenceDoc: 'ZL-FZ-2026-118',
    inputs: [{ lotId: lotA.id, quantity: { kg: 1000, cartons: 50 } }],
    outputs: [
      {
        quantity: { kg: 990, cartons: 99 },
        productNameZh: '冷冻猪前腿肉（分装 1kg×10）',
        productNameEn: 'Frozen pork shoulder, repacked 10 × 1 kg',
      },
    ],
  });
  const lotR = repack.outputs[0]!;

  // Day 3: wholesalers sell to retailers and restaurants, delivered or collected at the market.
  clock.to(64);
  const deliver = (from: Who, lotId: string, loc: string, to: Who, kg: number, cartons: number, doc: string) =>
    sellLot(deps, from.actor, lotId, {
      toPartyId: to.id,
      locationId: loc,
      quantity: { kg, cartons },
      soldAt: clock.now(),
      referenceDoc: doc,
      vehicleId: van[from.id]!,
      driverWorkerId: localDriver[from.id]!,
    });
  const handOver = (from: Who, lotId: string, loc: string, to: Who, kg: number, cartons: number, doc: string) =>
    sellLot(deps, from.actor, lotId, {
      toPartyId: to.id,
      locationId: loc,
      quantity: { kg, cartons },
      soldAt: clock.now(),
      referenceDoc: doc,
    });
  const toSuper = await deliver(wsGd, lotA.id, gzStore, superGz, 600, 30, 'YG-FP-30117');
  await receiveShipment(deps, superGz.actor, toSuper.id, {
    quantity: { kg: 600, cartons: 30 },
    receivedAt: clock.to(66),
  });
  const bToSuper = await deliver(wsGd, lotB.id, gzStore, superGz, 300, 15, 'YG-FP-30118');
  await receiveShipment(deps, superGz.actor, bToSuper.id, {
    quantity: { kg: 300, cartons: 15 },
    receivedAt: clock.now(),
  });
  await handOver(wsGd, lotA.id, gzStore, restGz, 200, 10, 'YG-FP-30121');
  await handOver(wsZj, lotR.lotId, hzStore, retailHz, 200, 20, 'ZL-FP-55012');
  const toRest = await deliver(wsZj, lotR.lotId, hzStore, restHz, 100, 10, 'ZL-FP-55013');
  await receiveShipment(deps, restHz.actor, toRest.id, {
    quantity: { kg: 100, cartons: 10 },
    receivedAt: clock.to(67),
  });
  await handOver(wsJs, lotC.id, njStore, restNj, 100, 5, 'SX-FP-77020');
  // Day 3–4: consumers buy at the counters.
  let hour = 68;
  for (const kg of [2.5, 1.2, 3.0, 0.8, 5.0])
    await retailSell(deps, superGz.actor, lotA.id, { quantity: { kg, cartons: 0 }, soldAt: clock.to((hour += 3)) });
  await retailSell(deps, superGz.actor, lotA.id, {
    quantity: { kg: 20, cartons: 1 },
    soldAt: clock.to((hour += 2)),
    buyer: { name: '林小姐', phone: '13800138000' },
  });
  for (const kg of [1, 1, 2])
    await retailSell(deps, retailHz.actor, lotR.lotId, { quantity: { kg, cartons: 0 }, soldAt: clock.to((hour += 2)) });
  // Nanjing's delivery to the hotpot house is still on the road when the result comes in.
  clock.to(96);
  await deliver(wsJs, lotA.id, njStore, restNj, 300, 15, 'SX-FP-77031');

  // Day 4: Guangdong's market surveillance samples the shoulder at the supermarket; the lab's positive opens the incident.
  const sample = await takeMarketSample(deps, regGd.actor, lotA.id, {
    point: 'content',
    labPartyId: gdLab.id,
    takenAt: clock.to(100),
    heldBy: superGz.id,
  });
  const positive = await postResult(deps, gdLab.actor, sample.id, {
    result: 'positive',
    ctValue: 32.4,
    method: 'RT-PCR (GB/T 28642)',
    resultedAt: clock.to(STORY_HOURS - 2),
  });
  if (!positive.incident) throw new Error('demo: the positive result opened no incident');
  await checkpointOnce(deps.db, deps.log, deps.clock);

  const parties: DemoParty[] = [];
  for (const p of everyone) {
    const { secret } = await createToken(deps, null, p.id, 'coldtrace demo');
    parties.push({ key: p.key, id: p.id, name: p.name, roles: p.actor.roles, region: p.region, token: secret });
  }
  await checkpointOnce(deps.db, deps.log, deps.clock);
  const url = (code: string) => `${deps.config.publicUrl}/t/${code}`;
  const lotLine = (
    key: string,
    l: { id: string; code: string; product: { zh: string | null; en: string | null }; quantity: { kg: number } },
  ) => ({
    key,
    id: l.id,
    code: l.code,
    product: `${l.product.zh ?? ''} ${l.product.en ?? ''}`.trim(),
    kg: l.quantity.kg,
    url: url(l.code),
  });
  return {
    parties,
    lots: [
      lotLine('import_shoulder', lotA),
      lotLine('import_belly', lotB),
      lotLine('import_beef_green', lotC),
      {
        key: 'repacked_shoulder',
        id: lotR.lotId,
        code: lotR.code,
        product: `${lotR.product.zh ?? ''} ${lotR.product.en ?? ''}`.trim(),
        kg: lotR.quantity.kg,
        url: url(lotR.code),
      },
    ],
    incident: {
      id: positive.incident.id,
      number: positive.incident.number,
      lots: positive.incident.lots,
      holders: positive.incident.holders,
      affectedKg: positive.incident.affectedKg,
    },
    publicUrl: deps.config.publicUrl,
  };
}
