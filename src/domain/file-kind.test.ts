import { deflateSync } from 'node:zlib';
import { describe, it, expect } from 'vitest';
import { FILE_KIND_MEDIA_TYPES, detectFileKind, validateFileKind } from './file-kind.ts';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** minimalPdf is a complete one-page PDF 1.4 with a correct cross-reference table. */
function minimalPdf(): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return ascii(body);
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  new DataView(head.buffer).setUint32(0, data.length);
  head.set(ascii(type), 4);
  const crc = new Uint8Array(4);
  new DataView(crc.buffer).setUint32(0, crc32(concat(ascii(type), data)));
  return concat(head, data, crc);
}

/** onePixelPng is a valid 1×1 8-bit greyscale PNG: signature, IHDR, IDAT (one filter byte, one pixel) and IEND. */
function onePixelPng(): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, 1);
  v.setUint32(4, 1);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return concat(
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', new Uint8Array(deflateSync(Uint8Array.from([0, 0x80])))),
    chunk('IEND', new Uint8Array(0)),
  );
}

/** jfifHeader is the start of a JFIF JPEG: SOI, the APP0 JFIF segment, and a DQT marker. */
function jfifHeader(): Uint8Array {
  return Uint8Array.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00, 0xff, 0xdb, 0x00, 0x43, 0x00,
  ]);
}

/** A ZIP archive's local file header, as a .docx or a zipped scan starts. */
const zip = Uint8Array.from([
  0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00, 0x00, 0x00,
]);

describe('detectFileKind', () => {
  it('recognises a minimal PDF', () => {
    expect(detectFileKind(minimalPdf())).toEqual({ kind: 'pdf', mediaType: 'application/pdf' });
    expect(detectFileKind(ascii('%PDF-2.0\n'))).toEqual({ kind: 'pdf', mediaType: 'application/pdf' });
  });

  it('recognises a 1×1 PNG', () => {
    const png = onePixelPng();
    expect(png.length).toBeGreaterThan(50);
    expect(detectFileKind(png)).toEqual({ kind: 'png', mediaType: 'image/png' });
  });

  it('recognises JPEG whatever its first segment (JFIF, Exif, or a bare quantisation table)', () => {
    expect(detectFileKind(jfifHeader())).toEqual({ kind: 'jpeg', mediaType: 'image/jpeg' });
    expect(detectFileKind(Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x18, 0x45, 0x78, 0x69, 0x66]))?.kind).toBe(
      'jpeg',
    );
    expect(detectFileKind(Uint8Array.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x43]))?.kind).toBe('jpeg');
  });

  it('accepts a Node Buffer, which is a Uint8Array', () => {
    expect(detectFileKind(Buffer.from(minimalPdf()))?.kind).toBe('pdf');
  });

  it('returns null for a ZIP named .pdf, text, HTML, empty or truncated files', () => {
    expect(detectFileKind(zip)).toBeNull();
    expect(detectFileKind(ascii('This is not a PDF, just a note.\n'))).toBeNull();
    expect(detectFileKind(ascii('<!DOCTYPE html><html></html>'))).toBeNull();
    expect(detectFileKind(new Uint8Array(0))).toBeNull();
    expect(detectFileKind(ascii('%PDF'))).toBeNull();
    expect(detectFileKind(onePixelPng().subarray(0, 8))).toBeNull();
    expect(detectFileKind(Uint8Array.from([0xff, 0xd8, 0xff]))).toBeNull();
  });

  it('is not fooled by a signature that is not at the start, or is almost right', () => {
    expect(detectFileKind(concat(ascii(' '), minimalPdf()))).toBeNull();
    expect(detectFileKind(ascii('%pdf-1.4\n'))).toBeNull();
    const png = onePixelPng();
    png[12] = 0x49 + 1;
    expect(detectFileKind(png)).toBeNull();
    // FF D8 FF followed by a byte that is not a marker code.
    expect(detectFileKind(Uint8Array.from([0xff, 0xd8, 0xff, 0x00, 0x10]))).toBeNull();
    expect(detectFileKind(Uint8Array.from([0xff, 0xd8, 0xff, 0xff, 0x10]))).toBeNull();
  });

  it('maps each kind to its registered media type', () => {
    expect(FILE_KIND_MEDIA_TYPES).toEqual({ pdf: 'application/pdf', png: 'image/png', jpeg: 'image/jpeg' });
  });
});

describe('validateFileKind', () => {
  it('returns the kind and media type of a good file', () => {
    expect(validateFileKind(onePixelPng())).toEqual({ ok: true, value: { kind: 'png', mediaType: 'image/png' } });
    expect(validateFileKind(minimalPdf(), 'application/pdf')).toEqual({
      ok: true,
      value: { kind: 'pdf', mediaType: 'application/pdf' },
    });
  });

  it('accepts common aliases and an unknown declared type', () => {
    expect(validateFileKind(jfifHeader(), 'image/jpg').ok).toBe(true);
    expect(validateFileKind(jfifHeader(), 'IMAGE/JPEG; charset=binary').ok).toBe(true);
    expect(validateFileKind(minimalPdf(), 'application/x-pdf').ok).toBe(true);
    expect(validateFileKind(minimalPdf(), 'application/octet-stream').ok).toBe(true);
  });

  it('says what a wrong file looks like', () => {
    expect(validateFileKind(new Uint8Array(0))).toEqual({ ok: false, reason: 'is empty' });
    expect(validateFileKind(zip, 'application/pdf')).toEqual({
      ok: false,
      reason: 'must be a PDF, PNG or JPEG file; it looks like a ZIP archive or an Office document (docx, xlsx)',
    });
    expect(validateFileKind(ascii('检验检疫证明 (typed, not scanned)\n'))).toEqual({
      ok: false,
      reason: 'must be a PDF, PNG or JPEG file; it looks like text',
    });
    expect(validateFileKind(ascii('GIF89a\x01\x00'))).toEqual({
      ok: false,
      reason: 'must be a PDF, PNG or JPEG file; it looks like a GIF image',
    });
    const heic = concat(Uint8Array.from([0, 0, 0, 0x18]), ascii('ftypheic'));
    expect(validateFileKind(heic)).toEqual({
      ok: false,
      reason: 'must be a PDF, PNG or JPEG file; it looks like a HEIC photo or a video',
    });
    expect(validateFileKind(Uint8Array.from([0, 1, 2, 3]))).toEqual({
      ok: false,
      reason: 'must be a PDF, PNG or JPEG file; it looks like an unknown format',
    });
  });

  it('refuses content that contradicts the declared type', () => {
    expect(validateFileKind(onePixelPng(), 'application/pdf')).toEqual({
      ok: false,
      reason: 'is declared as application/pdf but its content is PNG',
    });
  });
});
