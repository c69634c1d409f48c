import type { Actor } from '../../domain/access.ts';
import { canManage, mayAttempt } from '../../domain/access.ts';
import { detectFileKind } from '../../domain/file-kind.ts';
import { findLot } from '../../store/border.ts';
import { getBlob, putBlob } from '../../store/blobs.ts';
import type { DocumentRow } from '../../store/schema.ts';
import { AppError, invalid, notFound } from '../errors.ts';
import { forbid } from '../access/authorize.ts';
import { commit } from '../write/commit.ts';
import type { Writer } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';
import { REQUIRED_DOCUMENTS, collectFacts, statusPatch } from './lot-facts.ts';
import type { DocumentKind } from './lot-facts.ts';
import { toLot, visibleLot } from './lots.ts';
import { iso } from '../access/paging.ts';

/** MAX_DOCUMENT_BYTES is the largest uploaded document: 10 MB. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export interface DocumentInput {
  kind: DocumentKind;
  number: string;
  issuer: string;
  issuedOn: string;
}

const toDocument = (d: DocumentRow) => ({
  id: d.id,
  lotId: d.lotId,
  kind: d.kind,
  number: d.number,
  issuer: d.issuer,
  issuedOn: d.issuedOn,
  sha256: d.sha256,
  mediaType: d.mediaType,
  sizeBytes: d.sizeBytes,
  createdAt: iso(d.createdAt),
  logIndex: d.logIndex,
});
export type LotDocument = ReturnType<typeof toDocument>;

function check(input: DocumentInput, file: Uint8Array) {
  if (!(REQUIRED_DOCUMENTS as readonly string[]).includes(input.kind)) {
    throw invalid('kind', `must be one of ${REQUIRED_DOCUMENTS.join(', ')}`);
  }
  // Multipart fields skip the JSON text guard, and a part may declare a charset (UTF-16) that decodes
  // to an unpaired surrogate, which the database would store as U+FFFD while the log keeps the original.
  for (const f of ['kind', 'number', 'issuer', 'issuedOn'] as const) {
    if (/[\u0000\ud800-\udfff]/u.test(String(input[f] ?? '')))
      throw invalid(f, 'contains a NUL character or an unpaired surrogate');
  }
  const number = input.number?.trim();
  if (!number || number.length > 60) throw invalid('number', 'must be 1 to 60 characters');
  const issuer = input.issuer?.trim();
  if (!issuer || issuer.length > 200) throw invalid('issuer', 'must be 1 to 200 characters');
  // Date.parse rolls 2026-02-30 over to March; a calendar date must read back as itself.
  const issued = Date.parse(`${input.issuedOn}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(input.issuedOn ?? '') ||
    Number.isNaN(issued) ||
    new Date(issued).toISOString().slice(0, 10) !== input.issuedOn
  ) {
    throw invalid('issuedOn', 'must be a calendar date YYYY-MM-DD');
  }
  if (file.length === 0) throw invalid('file', 'is empty');
  if (file.length > MAX_DOCUMENT_BYTES) {
    throw new AppError('PayloadTooLarge', { field: 'file', reason: `is ${file.length} bytes; the limit is 10 MB` });
  }
  const kind = detectFileKind(file);
  if (!kind)
    throw new AppError('InvalidFile', {
      field: 'file',
      reason: 'the content is not a PDF, PNG or JPEG (checked by content, not by name)',
    });
  return { number, issuer, issuedOn: input.issuedOn, mediaType: kind.mediaType };
}

/**
 * attachDocument completes a declaration with one of its documents. The file is stored by its
 * SHA-256 in the blob store; only the hash and the metadata go on the log. The lot's status is
 * recomputed in the same entry.
 */
export async function attachDocument(deps: Deps, actor: Actor, lotId: string, input: DocumentInput, file: Uint8Array) {
  if (!mayAttempt(actor, 'document.attach')) throw forbid('document.attach');
  // Refuse a bad request before storing its file; attachWith checks it again, as every writer-level form does.
  check(input, file);
  const lot0 = await visibleLot(deps.db, actor, lotId);
  if (!canManage(actor, { ownerPartyId: lot0.importerPartyId, region: lot0.region })) throw forbid('document.attach');
  const sha256 = await putBlob(deps.blobDir, file);
  return commit(deps, undefined, (w) => attachWith(w, deps, actor, lotId, input, file, sha256));
}

/**
 * attachWith is attachDocument inside the writer's transaction, for callers that batch many writes in one commit. The
 * caller has stored file in the blob store (putBlob), which named it sha256.
 */
export async function attachWith(
  w: Writer,
  deps: Deps,
  actor: Actor,
  lotId: string,
  input: DocumentInput,
  file: Uint8Array,
  sha256: string,
) {
  if (!mayAttempt(actor, 'document.attach')) throw forbid('document.attach');
  const v = check(input, file);
  const lot = await visibleLot(w.trx, actor, lotId);
  if (!canManage(actor, { ownerPartyId: lot.importerPartyId, region: lot.region })) throw forbid('document.attach');
  const document = {
    id: newId('doc'),
    lotId,
    kind: input.kind,
    ...v,
    sha256,
    sizeBytes: file.length,
    createdAt: w.now,
  };
  const facts = await collectFacts(w.trx, lot);
  const lotStatus = statusPatch(
    lot,
    { ...facts, presentDocuments: [...new Set([...facts.presentDocuments, input.kind])] },
    w.now,
  );
  const logIndex = await w.append('document.attached', actor.partyId, { document, lotStatus });
  const row = await w.trx.selectFrom('documents').selectAll().where('id', '=', document.id).executeTakeFirstOrThrow();
  return { document: toDocument(row), lot: toLot((await findLot(w.trx, lotId))!), logIndex };
}

/** listDocuments lists a lot's documents. */
export async function listDocuments(deps: Deps, actor: Actor, lotId: string): Promise<LotDocument[]> {
  await visibleLot(deps.db, actor, lotId);
  const rows = await deps.db.selectFrom('documents').selectAll().where('lotId', '=', lotId).orderBy('id').execute();
  return rows.map(toDocument);
}

/** documentFile returns a document's file and media type, to those who may see its lot. */
export async function documentFile(deps: Deps, actor: Actor, documentId: string) {
  const d = await deps.db.selectFrom('documents').selectAll().where('id', '=', documentId).executeTakeFirst();
  if (!d) throw notFound('DocumentNotFound', 'id', documentId);
  await visibleLot(deps.db, actor, d.lotId).catch(() => {
    throw notFound('DocumentNotFound', 'id', documentId);
  });
  const bytes = await getBlob(deps.blobDir, d.sha256);
  if (!bytes) throw new AppError('InternalError', { reason: `blob ${d.sha256} is missing` });
  return { bytes, mediaType: d.mediaType, document: toDocument(d) };
}
