import { describe, expect, it } from 'vitest';
import { eventsOf, platformFacts } from './facts.ts';

const commissioning = {
  type: 'ObjectEvent',
  action: 'ADD',
  bizStep: 'commissioning',
  epcList: ['urn:zjll:lot:ZJ-LL-2026-000123'],
  quantityList: [{ epcClass: 'urn:zjll:class:beef', quantity: 1250.5, uom: 'KGM' }],
  certificationInfo: ['https://cert.example/IQ-2026-0001', { certificationIdentification: 'NA-2026-0002' }],
  ilmd: {
    'cbvmda:lotNumber': 'LL-000123',
    'https://ref.gs1.org/cbv/countryOfOrigin': 'BR',
    'cbvmda:manufacturerOfTradeItemPartyName': [{ '@value': 'Frigorifico Exemplo', '@language': 'pt' }],
    'zj:productName': '冷冻牛肉',
    'cbvmda:itemExpirationDate': '2027-05-01',
  },
};

describe('platformFacts', () => {
  it('reads what a platform says of its goods, whatever prefix its terms have', () => {
    const f = platformFacts([commissioning]);
    expect(f).toEqual({
      product: '冷冻牛肉',
      originCountry: 'BR',
      producer: 'Frigorifico Exemplo',
      lot: 'LL-000123',
      expiryDate: '2027-05-01',
      productionDate: null,
      certificates: ['https://cert.example/IQ-2026-0001', 'NA-2026-0002'],
      grams: 1_250_500,
      recalled: false,
      recallEvent: null,
      events: 1,
    });
  });

  it.each([
    ['recalled', true],
    ['https://ref.gs1.org/cbv/Disp-recalled', true],
    ['urn:epcglobal:cbv:disp:recalled', true],
    ['active', false],
    ['not_recalled_really', false],
  ])('takes disposition %s as a recall: %s', (disposition, recalled) => {
    expect(platformFacts([commissioning, { type: 'ObjectEvent', eventID: 'e2', disposition }]).recalled).toBe(recalled);
  });

  it('takes an error declaration as a recall, naming the event', () => {
    const f = platformFacts([{ ...commissioning, eventID: 'ni:///x', errorDeclaration: { declarationTime: 'x' } }]);
    expect(f).toMatchObject({ recalled: true, recallEvent: 'ni:///x' });
  });

  it('reads the wrong types as absent, never as a crash', () => {
    const f = platformFacts([{ ilmd: { 'cbvmda:lotNumber': 7, 'x:productName': { no: 'value' } }, quantityList: 'x' }]);
    expect(f).toMatchObject({ lot: null, product: null, grams: 0, certificates: [] });
  });
});

describe('eventsOf', () => {
  it('finds the events of a query document and of a capture document', () => {
    const e = { type: 'ObjectEvent' };
    expect(eventsOf({ epcisBody: { queryResults: { resultsBody: { eventList: [e] } } } })).toEqual([e]);
    expect(eventsOf({ epcisBody: { eventList: [e, null, 3] } })).toEqual([e]);
    expect(eventsOf(null)).toEqual([]);
  });
});
