import { describe, expect, it } from 'vitest';
import type { Entry } from './entry.ts';
import { rowsFor } from './projection.ts';

const entry = (type: Entry['type'], record: Record<string, unknown>): Entry => ({
  v: 1,
  type,
  party: 'pty_a',
  time: 1,
  record,
});
const holding = { id: 'h1', lotId: 'lot_a', partyId: 'pty_a', locationId: null, grams: 0, cartons: 0, updatedAt: 1 };
// Custody entries also project into the EPCIS event tables; these tests look at the custody tables only.
const custodyRows = (e: Entry, index: number) => rowsFor(e, index).filter((w) => !w.table.startsWith('epcis'));

describe('custody projections', () => {
  it('projects a disposal into disposals, and a disposal logged before it had an id into its holdings only', () => {
    const disposal = {
      id: 'dsp_1',
      lotId: 'lot_a',
      partyId: 'pty_a',
      locationId: null,
      grams: 5,
      cartons: 1,
      method: 'destroyed',
      referenceDoc: 'XH',
      at: 1,
      createdAt: 1,
    };
    expect(custodyRows(entry('holding.disposed', { disposal, holdings: [holding] }), 7).map((w) => w.table)).toEqual([
      'disposals',
      'holdings',
    ]);
    const { id: _, partyId: __, createdAt: ___, ...legacy } = disposal;
    expect(custodyRows(entry('holding.disposed', { disposal: legacy, holdings: [holding] }), 7)).toEqual([
      { table: 'holdings', row: { ...holding, logIndex: 7 } },
    ]);
  });

  it('stores a sale handed over without a vehicle as empty vehicle and driver columns', () => {
    const shipment = {
      id: 'shp_1',
      vehicleId: null,
      driverWorkerId: null,
      handlerWorkerIds: [],
      flags: [],
      mode: 'handover',
    };
    const [row] = custodyRows(entry('sale.handed_over', { shipment, holdings: [] }), 3);
    expect(row).toEqual({
      table: 'shipments',
      row: { ...shipment, vehicleId: '', driverWorkerId: '', handlerWorkerIds: '[]', flags: '[]', logIndex: 3 },
    });
  });

  it('writes a transformation, then its new lots, then its lot rows, then holdings', () => {
    const lot = { id: 'lot_b', statusReasons: [] };
    const rows = custodyRows(
      entry('lot.transformed', {
        transformation: { id: 'trf_1' },
        derivedLots: [lot],
        transformationLots: [{ transformationId: 'trf_1', lotId: 'lot_b', role: 'output' }],
        holdings: [holding],
      }),
      9,
    );
    expect(rows.map((w) => w.table)).toEqual(['transformations', 'lots', 'transformationLots', 'holdings']);
    expect(rows[1]!.row).toEqual({ id: 'lot_b', statusReasons: '[]', logIndex: 9 });
  });
});
