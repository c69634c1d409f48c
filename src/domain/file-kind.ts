import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

/** The kinds of file accepted as documents: scans and PDFs of certificates, declarations and lab reports. */
export const FILE_KINDS = ['pdf', 'png', 'jpeg'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** The media type (RFC 2046) to store and serve each kind under. */
export const FILE_KIND_MEDIA_TYPES: Readonly<Record<FileKind, string>> = Object.freeze({
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
});

/** A detected file kind with its media type. */
export type DetectedFile = { readonly kind: FileKind; readonly mediaType: string };

// ISO 32000: a PDF begins with its header line, "%PDF-" followed by the version.
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d];
// PNG (ISO/IEC 15948): the 8-byte signature, then the first chunk, which must be IHDR: a 4-byte length, then its type.
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_IHDR = [0x49, 0x48, 0x44, 0x52];
// JPEG (ITU T.81): the SOI marker FF D8, then the next marker's FF and its code, which is C0 to FE.
const JPEG = [0xff, 0xd8, 0xff];

// Formats people upload by mistake, named in the refusal so they know what they sent.
const OTHERS: readonly (readonly [string, readonly number[]])[] = [
  ['a ZIP archive or an Office document (docx, xlsx)', [0x50, 0x4b, 0x03, 0x04]],
  ['an old Office document (doc, xls)', [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a RAR archive', [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]],
  ['a 7-Zip archive', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['a TIFF image', [0x49, 0x49, 0x2a, 0x00]],
  ['a TIFF image', [0x4d, 0x4d, 0x00, 0x2a]],
];

// Media types that browsers and scanners send for these kinds, or send when they do not know.
const MEDIA_TYPE_ALIASES: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/x-pdf': 'application/pdf',
};
const UNKNOWN_MEDIA_TYPES: ReadonlySet<string> = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

/**
 * detectFileKind tells a PDF, PNG or JPEG file by its content, never by its name or declared type, and returns its kind
 * and media type, or null for anything else (including an empty or truncated file). It reads only the first 16
 * bytes: %PDF- at offset 0; the PNG signature followed by an IHDR chunk; or FF D8 FF and a marker code (C0–FE). It
 * does not check that the rest of the file is well formed.
 */
export function detectFileKind(bytes: Uint8Array): DetectedFile | null {
  let kind: FileKind | null = null;
  if (startsWith(bytes, PDF)) kind = 'pdf';
  else if (startsWith(bytes, PNG) && startsWith(bytes, PNG_IHDR, 12)) kind = 'png';
  else if (startsWith(bytes, JPEG) && (bytes[3] ?? 0) >= 0xc0 && (bytes[3] ?? 0xff) <= 0xfe) kind = 'jpeg';
  return kind === null ? null : { kind, mediaType: FILE_KIND_MEDIA_TYPES[kind] };
}

function describeOther(bytes: Uint8Array): string {
  for (const [name, sig] of OTHERS) if (startsWith(bytes, sig)) return name;
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return 'a WebP image';
  if (startsWith(bytes, [0x66, 0x74, 0x79, 0x70], 4)) return 'a HEIC photo or a video';
  const head = bytes.subarray(0, 512);
  if (head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || b >= 0x20)) return 'text';
  return 'an unknown format';
}

/**
 * validateFileKind accepts a PDF, PNG or JPEG file, recognised by detectFileKind, and returns its kind and media type.
 * When `declaredMediaType` is given (the upload's Content-Type, parameters ignored), the content must agree with it;
 * common aliases (image/jpg, image/pjpeg, application/x-pdf) count as their kind, and application/octet-stream as no
 * declaration. The reason names what the file looks like instead ('…it looks like a ZIP archive…', '…it looks like
 * text'), so the uploader can tell what went wrong.
 */
export function validateFileKind(bytes: Uint8Array, declaredMediaType?: string): Check<DetectedFile> {
  if (bytes.length === 0) return fail('is empty');
  const found = detectFileKind(bytes);
  if (found === null) return fail(`must be a PDF, PNG or JPEG file; it looks like ${describeOther(bytes)}`);
  if (declaredMediaType !== undefined) {
    const raw = (declaredMediaType.split(';')[0] ?? '').trim().toLowerCase();
    const declared = MEDIA_TYPE_ALIASES[raw] ?? raw;
    if (!UNKNOWN_MEDIA_TYPES.has(declared) && declared !== found.mediaType) {
      return fail(`is declared as ${raw} but its content is ${found.kind.toUpperCase()}`);
    }
  }
  return ok(found);
}
