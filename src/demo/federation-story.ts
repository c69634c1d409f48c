import type { Json } from './http-client.ts';
import { ApiRefusal, waitFor } from './http-client.ts';
import type { Member, NodeCast } from './federation-cast.ts';
import { DEMO_PDF } from './pdf.ts';
import { containerFor, plateFor, provinceByCode, residentIdFor } from './names.ts';

// The three-province story, played through the nodes' HTTP APIs as the businesses and regulators would: an import
// cleared in Henan, sold to Hubei and Zhejiang, received there by its code alone, repacked in Hubei and partly sent on
// to a Zhejiang restaurant; then a positive market sample in Zhejiang opens an incident that the nodes carry, by
// themselves, to every holder in all three provinces.

const HOUR = 3_600_000;

/** Quantities of the story, in kg and cartons; the test checks the nodes against them. */
export const STORY = {
  importKg: 12_000,
  importCartons: 600,
  toHubei: { kg: 3_000, cartons: 150 },
  toZhejiang: { kg: 2_000, cartons: 100 },
  repackIn: { kg: 1_000, cartons: 50 },
  repackOut: { kg: 990, cartons: 99 },
  repackLossKg: 10,
  toRestaurant: { kg: 300, cartons: 30 },
  /** destroyed is what the Zhejiang restaurant destroys under the incident: all it received. */
  destroyed: { kg: 300, cartons: 30 },
} as const;

/** ProvinceOutcome is what a province's node shows at the end of the story. */
export interface ProvinceOutcome {
  readonly key: string;
  readonly incidentId: string;
  readonly incidentNumber: number;
  readonly holdings: number;
  readonly affectedKg: number;
  readonly outstandingKg: number;
}

/** StoryResult is what the story made and what each province shows at its end. */
export interface StoryResult {
  readonly lots: {
    readonly import: { id: string; code: string };
    readonly repacked: { id: string; code: string };
  };
  readonly incident: { node: string; id: string; number: number };
  readonly provinces: ProvinceOutcome[];
}

/** StoryOptions: how long to wait for the federation at each step, and where to say what happens. */
export interface StoryOptions {
  readonly timeoutMs: number;
  readonly say: (line: string) => void;
  /** signal stops the story at its next wait (the demo is being stopped). */
  readonly signal?: AbortSignal;
}

/** StoryClock gives the story's events their own times over the three days before now, moving only forward. */
class StoryClock {
  private at = 0;
  constructor(private readonly start: number) {}
  /** to moves the story to hour h and returns the time as ISO 8601. */
  to(h: number): string {
    this.at = Math.max(this.at, h);
    return new Date(this.start + this.at * HOUR).toISOString();
  }
}

/**
 * playStory plays the story on the four nodes (henan, hubei, zhejiang, national) and returns what each province shows
 * at its end. Every step that depends on the federation (a party learnt from a peer's log, an incoming shipment, a
 * receipt whose shipment must first be witnessed, an incident followed) waits for it, at most timeoutMs, and a
 * timeout names what it waited for and what it saw last. progress receives the lots and the incident as they are
 * made, so that a story that stops part way still says what it made.
 */
export async function playStory(
  nodes: Record<string, NodeCast>,
  o: StoryOptions,
  progress: Partial<StoryResult> = {},
): Promise<StoryResult> {
  const ha = nodes.henan!;
  const hb = nodes.hubei!;
  const zj = nodes.zhejiang!;
  const m = (n: NodeCast, key: string): Member => n.members[key]!;
  const clock = new StoryClock(Date.now() - 72 * HOUR);
  const henan = provinceByCode('410000');
  const hubei = provinceByCode('420000');

  // Henan's master data: the producer, the warehouse and its operator, the carrier's truck and driver, the carrier hired.
  o.say('河南：报关、查验、检测、出库 / Henan: declared, inspected, tested, released');
  const producer = await ha.api.post('/v1/producers', m(ha, 'customs').token, {
    country: 'AR',
    registrationNo: '2401',
    name: 'Frigorífico La Pampa S.A.',
    nameZh: '潘帕肉类加工厂',
  });
  const bonded = await ha.api.post('/v1/locations', m(ha, 'warehouse').token, {
    filingNo: '豫监冷备2026-0001',
    name: '郑州航空港集中监管仓 1号库',
    address: '郑州市航空港区四港联动大道 88 号',
    region: '410000',
    kind: 'supervision_warehouse',
    tempClass: 'frozen',
  });
  const truck = await ha.api.post('/v1/vehicles', m(ha, 'carrier').token, {
    plate: plateFor(henan, 1),
    refrigerated: true,
  });
  const worker = async (n: NodeCast, employer: string, name: string, role: string, born: string, i: number) => {
    const w = await n.api.post('/v1/workers', m(n, employer).token, {
      name,
      role,
      idNumber: residentIdFor(n === ha ? '410100' : '420100', born, i),
    });
    await n.api.post(`/v1/workers/${w.id}/tests`, m(n, employer).token, {
      sampledAt: clock.to(0),
      result: 'negative',
      institution: n === ha ? '郑州市疾病预防控制中心 Zhengzhou CDC' : '武汉市疾病预防控制中心 Wuhan CDC',
    });
    return w.id as string;
  };
  const driver = await worker(ha, 'carrier', '王建国', 'driver', '19790315', 1);
  const operator = await worker(ha, 'warehouse', '赵敏', 'warehouse_handler', '19920510', 2);
  const job = await ha.api.post('/v1/carrier-jobs', m(ha, 'importer').token, {
    carrierPartyId: m(ha, 'carrier').id,
    validFrom: clock.to(1),
    note: '郑州—武汉、杭州 冷链干线 Trunk routes',
  });
  await ha.api.post(`/v1/carrier-jobs/${job.id}/accept`, m(ha, 'carrier').token);

  // The import: declared with its four certificates, booked into the warehouse, disinfected, sampled, negative, released.
  const lot = await ha.api.post('/v1/lots', m(ha, 'importer').token, {
    declarationNo: '020220260410000001',
    portOfEntry: '天津港 Tianjin Port',
    arrivalDate: clock.to(2).slice(0, 10),
    containerNo: containerFor('MSKU', 731001),
    billOfLading: 'MAEU224501',
    product: { zh: '冷冻猪前腿肉', en: 'Frozen pork shoulder, boneless' },
    category: 'meat',
    hsCode: '0203290090',
    batchNo: 'AR2026F01',
    originCountry: 'AR',
    producerId: producer.id,
    netKg: STORY.importKg,
    cartons: STORY.importCartons,
    productionDate: new Date(Date.now() - 80 * 24 * HOUR).toISOString().slice(0, 10),
    shelfLifeDays: 720,
  });
  const docs = [
    ['customs_declaration', '天津新港海关 Tianjin Xingang Customs'],
    ['inspection_quarantine', '天津海关 Tianjin Customs'],
    ['nucleic_acid', '天津海关技术中心 Tianjin Customs Technical Center'],
    ['disinfection', '天津港口岸消毒站 Tianjin Port Disinfection Station'],
  ] as const;
  for (const [kind, issuer] of docs)
    await ha.api.upload(
      `/v1/lots/${lot.id}/documents`,
      m(ha, 'importer').token,
      { kind, number: `${kind.slice(0, 3).toUpperCase()}-AR2026F01`, issuer, issuedOn: lot.arrivalDate },
      { name: `${kind}.pdf`, type: 'application/pdf', bytes: DEMO_PDF },
    );
  const booking = await ha.api.post(`/v1/lots/${lot.id}/bookings`, m(ha, 'importer').token, {
    warehousePartyId: m(ha, 'warehouse').id,
    locationId: bonded.id,
    carrierPartyId: m(ha, 'carrier').id,
    vehicleId: truck.id,
    driverWorkerId: driver,
    destination: '豫鑫冷库（中牟）',
    slotStart: clock.to(4),
    slotEnd: clock.to(6),
  });
  await ha.api.post(`/v1/bookings/${booking.id}/arrival`, m(ha, 'warehouse').token, { arrivedAt: clock.to(6) });
  await ha.api.post(`/v1/lots/${lot.id}/disinfections`, m(ha, 'warehouse').token, {
    agent: '过氧乙酸 peracetic acid',
    concentration: '0.2%',
    operatorWorkerId: operator,
    performedAt: clock.to(7),
  });
  for (const point of ['outer_pack', 'inner_pack', 'content', 'environment']) {
    const s = await ha.api.post(`/v1/lots/${lot.id}/samples`, m(ha, 'warehouse').token, {
      point,
      labPartyId: m(ha, 'lab').id,
      takenAt: clock.to(8),
    });
    await ha.api.post(`/v1/samples/${s.id}/result`, m(ha, 'lab').token, {
      result: 'negative',
      ctValue: null,
      method: 'RT-PCR (GB/T 28642)',
      resultedAt: clock.to(20),
    });
  }
  await ha.api.post(`/v1/lots/${lot.id}/exit-certificate`, m(ha, 'warehouse').token);
  const cleared = await ha.api.get(`/v1/lots/${lot.id}`, m(ha, 'importer').token);
  if (cleared.status !== 'green')
    throw new Error(`demo: the import is ${cleared.status} after clearance: ${JSON.stringify(cleared.statusReasons)}`);
  o.say(`  批次 lot ${lot.code}: ${STORY.importKg} kg, green`);

  // Sold to Hubei and Zhejiang: Henan's node learns their wholesalers from their nodes' logs.
  o.say('河南 → 湖北、浙江：跨省销售 / Henan → Hubei, Zhejiang: sold across provinces');
  const known = (n: NodeCast, p: Member, where: string) =>
    waitFor(
      `party ${p.id} (${p.name.en}) to appear in /v1/parties on ${where}`,
      async (note) => {
        const r = await n.api.get(`/v1/parties?uscc=${p.uscc}`, n.node.adminToken);
        note(r.items);
        return r.items.some((x: Json) => x.id === p.id) ? true : undefined;
      },
      o,
    );
  await known(ha, m(hb, 'wholesaler'), 'henan');
  await known(ha, m(zj, 'wholesaler'), 'henan');
  const ship = (to: Member, q: { kg: number; cartons: number }, h: number, doc: string) =>
    ha.api.post(`/v1/lots/${lot.id}/shipments`, m(ha, 'importer').token, {
      fromLocationId: null,
      toPartyId: to.id,
      toLocationId: null,
      quantity: q,
      carrierPartyId: m(ha, 'carrier').id,
      vehicleId: truck.id,
      driverWorkerId: driver,
      departedAt: clock.to(h),
      referenceDoc: doc,
    });
  await ship(m(hb, 'wholesaler'), STORY.toHubei, 24, 'YX-DN-0801');
  await ship(m(zj, 'wholesaler'), STORY.toZhejiang, 25, 'YX-DN-0802');

  // Received there by the code on the goods: nothing of the lot's papers is entered again.
  const receive = async (n: NodeCast, who: string, code: string, q: { kg: number; cartons: number }, h: number) => {
    const p = m(n, who);
    await waitFor(
      `an incoming shipment of ${code} for ${p.name.en} in /v1/shipments?direction=in on ${n.node.key}`,
      async (note) => {
        const r = await n.api.get('/v1/shipments?direction=in', p.token);
        note(r.items);
        return r.items.some((s: Json) => s.status === 'in_transit') ? true : undefined;
      },
      o,
    );
    // The shipment may be received once the sender's checkpoint that holds it meets this node's policy.
    return waitFor(
      `${n.node.key} to accept the receipt of ${code} by ${p.name.en} (POST /v1/receipts)`,
      async (note) => {
        try {
          return await n.api.post('/v1/receipts', p.token, { code, quantity: q, receivedAt: clock.to(h) });
        } catch (err) {
          if (err instanceof ApiRefusal && err.code === 'NotYetWitnessed') {
            note(err.message);
            return undefined;
          }
          throw err;
        }
      },
      o,
    );
  };
  await receive(hb, 'wholesaler', lot.code, STORY.toHubei, 34);
  o.say(`  湖北收货 Hubei received ${STORY.toHubei.kg} kg by code ${lot.code}`);
  await receive(zj, 'wholesaler', lot.code, STORY.toZhejiang, 36);
  o.say(`  浙江收货 Zhejiang received ${STORY.toZhejiang.kg} kg by code ${lot.code}`);

  // Repacked in Hubei into a new lot, part of which goes on to a restaurant in Hangzhou.
  o.say('湖北：分装为新批次，转销浙江餐馆 / Hubei: repacked into a new lot, part sold on to a Hangzhou restaurant');
  const repack = await hb.api.post('/v1/transformations', m(hb, 'wholesaler').token, {
    kind: 'repack',
    at: clock.to(40),
    lossKg: STORY.repackLossKg,
    referenceDoc: 'EX-FZ-2026-031',
    inputs: [{ lotId: lot.id, quantity: STORY.repackIn }],
    outputs: [
      {
        quantity: STORY.repackOut,
        productNameZh: '冷冻猪前腿肉（分装 1kg×10）',
        productNameEn: 'Frozen pork shoulder, repacked 10 × 1 kg',
      },
    ],
  });
  const repacked = repack.outputs[0] as { lotId: string; code: string };
  const lots = {
    import: { id: lot.id as string, code: lot.code as string },
    repacked: { id: repacked.lotId, code: repacked.code },
  };
  Object.assign(progress, { lots });
  const van = await hb.api.post('/v1/vehicles', m(hb, 'wholesaler').token, {
    plate: plateFor(hubei, 2),
    refrigerated: true,
  });
  const hbDriver = await worker(hb, 'wholesaler', '陈涛', 'driver', '19850101', 3);
  await known(hb, m(zj, 'restaurant'), 'hubei');
  await hb.api.post(`/v1/lots/${repacked.lotId}/shipments`, m(hb, 'wholesaler').token, {
    fromLocationId: null,
    toPartyId: m(zj, 'restaurant').id,
    toLocationId: null,
    quantity: STORY.toRestaurant,
    carrierPartyId: null,
    vehicleId: van.id,
    driverWorkerId: hbDriver,
    departedAt: clock.to(44),
    referenceDoc: 'EX-FP-0417',
  });
  await receive(zj, 'restaurant', repacked.code, STORY.toRestaurant, 54);
  o.say(`  浙江餐馆收货 the restaurant received ${STORY.toRestaurant.kg} kg by code ${repacked.code}`);

  // Zhejiang's market surveillance samples the shoulder at the Hangzhou wholesaler; the lab's positive opens an incident.
  o.say('浙江：市场抽检阳性，事件开启 / Zhejiang: a market sample tests positive; an incident opens');
  const sample = await zj.api.post(`/v1/lots/${lot.id}/market-samples`, m(zj, 'regulator').token, {
    point: 'content',
    labPartyId: m(zj, 'lab').id,
    takenAt: clock.to(60),
    heldBy: m(zj, 'wholesaler').id,
  });
  const positive = await zj.api.post(`/v1/samples/${sample.id}/result`, m(zj, 'lab').token, {
    result: 'positive',
    ctValue: 32.4,
    method: 'RT-PCR (GB/T 28642)',
    resultedAt: clock.to(66),
  });
  if (!positive.incident) throw new Error('demo: the positive result in Zhejiang opened no incident');
  const rootId = positive.incident.id as string;
  const incident = { node: 'zhejiang', id: rootId, number: positive.incident.number as number };
  Object.assign(progress, { incident });

  // The nodes carry it by themselves: every province's node follows the incident and freezes its own holdings.
  const incidentOn = (n: NodeCast) =>
    waitFor(
      `an open incident on ${n.node.key} (GET /v1/incidents as its regulator) that ${
        n === zj ? `is ${rootId}` : `follows ${zj.node.origin}'s incident ${rootId}`
      }`,
      async (note) => {
        const r = await n.api.get('/v1/incidents?status=open', m(n, 'regulator').token);
        note(r.items.map((i: Json) => ({ id: i.id, trigger: i.trigger })));
        return r.items.find(
          (i: Json) =>
            i.id === rootId || (i.trigger?.rootIncidentId === rootId && i.trigger?.rootOrigin === zj.node.origin),
        )?.id as string | undefined;
      },
      o,
    );
  const redOn = (n: NodeCast, l: { id: string; code: string }) =>
    waitFor(
      `lot ${l.code} to turn red on ${n.node.key}`,
      async (note) => {
        const r = await n.api.get(`/v1/lots/${l.id}`, m(n, 'regulator').token);
        note({ status: r.status, reasons: r.statusReasons });
        return r.status === 'red' ? true : undefined;
      },
      o,
    );
  const incidents: Record<string, string> = {};
  for (const n of [ha, hb, zj]) incidents[n.node.key] = await incidentOn(n);
  for (const n of [ha, hb, zj]) await redOn(n, { id: lot.id, code: lot.code });
  for (const n of [hb, zj]) await redOn(n, { id: repacked.lotId, code: repacked.code });
  // Every holding of the story's lots on each node must be in that node's incident: frozen, and to be accounted for.
  for (const n of [ha, hb, zj]) await coveredOn(n, incidents[n.node.key]!, [lots.import, lots.repacked], o);
  o.say('  三省均已冻结 frozen in all three provinces');

  // The restaurant destroys what it received, and records it on its own node.
  const zjIncident = incidents.zhejiang!;
  await zj.api.post(`/v1/incidents/${zjIncident}/actions`, m(zj, 'restaurant').token, {
    lotId: repacked.lotId,
    locationId: null,
    action: 'destroyed',
    quantity: STORY.destroyed,
    at: new Date().toISOString(),
    referenceDoc: 'HZ-XH-2026-009',
    note: '监督销毁 destroyed under supervision',
  });

  const provinces: ProvinceOutcome[] = [];
  for (const n of [ha, hb, zj]) {
    const inc = await n.api.get(`/v1/incidents/${incidents[n.node.key]}`, m(n, 'regulator').token);
    provinces.push({
      key: n.node.key,
      incidentId: inc.id,
      incidentNumber: inc.number,
      holdings: inc.holdings.length,
      affectedKg: inc.total.affected.kg,
      outstandingKg: inc.total.outstanding.kg,
    });
  }
  return { lots, incident, provinces };
}

/**
 * coveredOn waits until the node's incident covers every holding of lots that the node shows (GET
 * /v1/lots/{id}/holdings as its regulator): each holder and lot among the incident's holdings.
 */
async function coveredOn(n: NodeCast, incidentId: string, lots: { id: string; code: string }[], o: StoryOptions) {
  const reg = n.members.regulator!.token;
  const held: { partyId: string; lotId: string; code: string; kg: number }[] = [];
  for (const l of lots) {
    let items: Json[] = [];
    try {
      items = (await n.api.get(`/v1/lots/${l.id}/holdings`, reg)).items;
    } catch (err) {
      // A lot this node never heard of has no holdings here.
      if (!(err instanceof ApiRefusal && err.status === 404)) throw err;
    }
    for (const h of items)
      if (h.quantity.kg > 0) held.push({ partyId: h.partyId, lotId: l.id, code: l.code, kg: h.quantity.kg });
  }
  await waitFor(
    `incident ${incidentId} on ${n.node.key} to cover every holding of the story's lots there: ${held
      .map((h) => `${h.partyId} holds ${h.kg} kg of ${h.code}`)
      .join('; ')}`,
    async (note) => {
      const inc = await n.api.get(`/v1/incidents/${incidentId}`, reg);
      const missing = held.filter(
        (h) => !inc.holdings.some((x: Json) => x.partyId === h.partyId && x.lotId === h.lotId),
      );
      note({
        missing: missing.map((h) => `${h.partyId} ${h.kg} kg of ${h.code}`),
        incidentLots: inc.lots.map((l: Json) => l.code),
        incidentHoldings: inc.holdings.map((x: Json) => `${x.partyId} ${x.affected.kg} kg of ${x.lotId}`),
      });
      return missing.length === 0 ? true : undefined;
    },
    o,
  );
}
