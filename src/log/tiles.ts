import { LogError } from './log-error.ts';

/** TILE_HEIGHT is the number of tree levels one tile spans. */
export const TILE_HEIGHT = 8;
/** TILE_WIDTH is the number of hashes in a full tile, and of entries in a full entry bundle. */
export const TILE_WIDTH = 256;
/** MAX_ENTRY_SIZE is the largest entry an entry bundle can hold, given its 16-bit length prefixes. */
export const MAX_ENTRY_SIZE = 0xffff;

/** TileId names a hash tile: `level` (0 holds leaf hashes), `index` within the level, `width` 1..256 hashes. */
export interface TileId {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** ParsedTilePath is a hash tile or an entry bundle named by a c2sp.org/tlog-tiles path. */
export type ParsedTilePath =
  ({ readonly kind: 'tile' } & TileId) | { readonly kind: 'entries'; readonly index: number; readonly width: number };

/**
 * tilePath returns the c2sp.org/tlog-tiles path of a hash tile, `tile/<L>/<N>[.p/<W>]`, with N in three-digit
 * groups (1234067 → x001/x234/067) and the `.p/<W>` suffix only for partial widths (below 256). Throws a RangeError
 * for a level outside 0..63, a negative or unsafe index, or a width outside 1..256.
 */
export function tilePath(level: number, index: number, width: number = TILE_WIDTH): string {
  if (!Number.isInteger(level) || level < 0 || level > 63) throw new RangeError(`tile level ${level} is not 0..63`);
  return `tile/${level}/${indexPath(index)}${widthSuffix(width)}`;
}

/** entriesPath returns the path of an entry bundle, `tile/entries/<N>[.p/<W>]`, with the same rules as tilePath. */
export function entriesPath(index: number, width: number = TILE_WIDTH): string {
  return `tile/entries/${indexPath(index)}${widthSuffix(width)}`;
}

/**
 * parseTilePath parses a tile or entry bundle path, accepting only the canonical form tilePath and entriesPath
 * produce: no leading zeroes in the level or width, exactly three digits per index group, an `x` on every group but
 * the last and no leading all-zero group, widths 1..255 after `.p/`. Throws a LogError with code MalformedTilePath.
 */
export function parseTilePath(path: string): ParsedTilePath {
  const match = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (match === null) throw malformed(path);
  const [, levelText = '', indexText = '', widthText] = match;
  const groups = indexText.split('/').map((group) => group.replace('x', ''));
  if (groups.length > 1 && groups[0] === '000') throw malformed(path);
  const index = Number(groups.join(''));
  // A full tile has no suffix, so an explicit width must be partial.
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (!Number.isSafeInteger(index) || (widthText !== undefined && width >= TILE_WIDTH)) throw malformed(path);
  if (levelText === 'entries') return { kind: 'entries', index, width };
  const level = Number(levelText);
  if (level > 63) throw malformed(path);
  return { kind: 'tile', level, index, width };
}

/**
 * encodeEntryBundle concatenates entries as big-endian uint16 length-prefixed records, the c2sp.org/tlog-tiles entry
 * bundle format. Throws a LogError with code EntryTooLarge for an entry over MAX_ENTRY_SIZE bytes, and a RangeError
 * for more than TILE_WIDTH entries.
 */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  if (entries.length > TILE_WIDTH) throw new RangeError(`an entry bundle holds at most ${TILE_WIDTH} entries`);
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    if (entry.length > MAX_ENTRY_SIZE) {
      throw new LogError('EntryTooLarge', `entry of ${entry.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    }
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(entry.length);
    parts.push(prefix, entry);
  }
  return Buffer.concat(parts);
}

/**
 * decodeEntryBundle splits an entry bundle into its entries (views into `bundle`, not copies). If `width` is given the
 * bundle must hold exactly that many. Throws a LogError with code MalformedEntryBundle on a truncated record, more
 * than TILE_WIDTH entries, or the wrong count.
 */
export function decodeEntryBundle(bundle: Uint8Array, width?: number): Buffer[] {
  const bytes = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.length);
  const entries: Buffer[] = [];
  for (let offset = 0; offset < bytes.length;) {
    if (offset + 2 > bytes.length) throw new LogError('MalformedEntryBundle', 'truncated length prefix');
    const length = bytes.readUInt16BE(offset);
    if (offset + 2 + length > bytes.length) throw new LogError('MalformedEntryBundle', 'truncated entry');
    entries.push(bytes.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
    if (entries.length > TILE_WIDTH) throw new LogError('MalformedEntryBundle', `more than ${TILE_WIDTH} entries`);
  }
  if (width !== undefined && entries.length !== width) {
    throw new LogError('MalformedEntryBundle', `bundle holds ${entries.length} entries, expected ${width}`);
  }
  return entries;
}

function indexPath(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`tile index ${index} is not a safe integer >= 0`);
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join('/');
}

function widthSuffix(width: number): string {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH)
    throw new RangeError(`tile width ${width} is not 1..256`);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

function malformed(path: string): LogError {
  return new LogError('MalformedTilePath', `not a canonical tile path: ${JSON.stringify(path)}`);
}
