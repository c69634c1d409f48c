import { openScratchNode } from './bench/measure.ts';
import { captureDocument, validateCapture } from './src/app/epcis-capture.ts';
import { documentEvents, eventHashId } from './src/epcis/event-hash.ts';
const node = await openScratchNode('sqlite', '');
const { createParty, actorOf } = await import('./src/app/parties.ts');
const { findParty } = await import('./src/store/parties.ts');
const { benchUscc } = await import('./bench/measure.ts');
const { party } = await createParty(node.deps, null, { uscc: benchUscc(), name: { en: 'x' }, roles: ['cold_store'], region: '410000' });
const actor = actorOf((await findParty(node.deps.db, party.id))!);
const mk = (d: number) => ({ '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-01-01T00:00:00Z', epcisBody: { eventList: Array.from({ length: 1000 }, (_, i) => ({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting', eventTime: new Date(Date.now() - 10_000 + i).toISOString(), eventTimeZoneOffset: '+08:00', epcList: [`urn:epc:id:sgtin:4012345.011111.${d}x${i}`], readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' } })) } });
for (let d = 0; d < 4; d++) {
  const doc = mk(d);
  let t = performance.now();
  validateCapture(doc);
  const v = performance.now() - t; t = performance.now();
  for (const e of documentEvents(doc)) eventHashId(e.event, e.hashContext);
  const h = performance.now() - t; t = performance.now();
  await captureDocument(node.deps, actor, doc, 'rollback');
  console.log(`validate ${v.toFixed(0)} ms, hash ${h.toFixed(0)} ms, capture ${(performance.now() - t).toFixed(0)} ms`);
}
await node.close();
