import type { Kysely, Transaction } from 'kysely';
import { formatTraceCode } from '../../domain/trace-code.ts';
import type { LotRow, Schema } from '../../store/schema.ts';
import { transformationLotsWithCodes } from '../../store/transformations.ts';

/** lotParents are the lots a derived lot was made from (none for an imported lot), with codes, names and statuses. */
export async function lotParents(db: Kysely<Schema> | Transaction<Schema>, lot: Pick<LotRow, 'transformationId'>) {
  if (lot.transformationId === null) return [];
  const rows = await transformationLotsWithCodes(db, lot.transformationId);
  return rows
    .filter((r) => r.role === 'input')
    .map((r) => ({
      lotId: r.lotId,
      code: r.code,
      codeText: formatTraceCode(r.code),
      product: { zh: r.productNameZh, en: r.productNameEn },
      status: r.status,
      quantity: { kg: r.grams / 1000, cartons: r.cartons },
    }));
}
