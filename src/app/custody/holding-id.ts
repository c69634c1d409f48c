/**
 * holdingId names the holding of a lot by a party at a location (null: not at one of its locations,
 * e.g. at the port or in a shop without a registered location). It is deterministic, so every entry
 * that changes the same holding writes the same row.
 */
export function holdingId(lotId: string, partyId: string, locationId: string | null): string {
  return `${lotId}|${partyId}|${locationId ?? '-'}`;
}
