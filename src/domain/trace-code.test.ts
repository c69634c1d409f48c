import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import {
  TRACE_CODE_ALPHABET,
  cartonSerial,
  formatTraceCode,
  newTraceCode,
  normaliseTraceCode,
  parseCartonCode,
  traceCodeCheckChar,
  validateTraceCode,
} from './trace-code.ts';

/** deterministicBytes is a seeded byte source (SHA-256 in counter mode), so every run tests the same codes. */
function deterministicBytes(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 32) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, n - i)), i);
    }
    return out;
  };
}

/**
 * referenceLuhnModN is the generating algorithm as published for Luhn mod N (Wikipedia, "Luhn mod N algorithm"),
 * written independently of the module so that the two check each other.
 */
function referenceLuhnModN(input: string, alphabet: string): string {
  const n = alphabet.length;
  let factor = 2;
  let sum = 0;
  for (let i = input.length - 1; i >= 0; i--) {
    let addend = factor * alphabet.indexOf(input.charAt(i));
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
  }
  return alphabet.charAt((n - (sum % n)) % n);
}

const MANY = 2000;
const codes = (() => {
  const next = deterministicBytes('trace-code-tests');
  return Array.from({ length: MANY }, () => newTraceCode(next));
})();

describe('traceCodeCheckChar', () => {
  it('uses an alphabet of 32 distinct characters without 0, O, 1 or I', () => {
    expect(TRACE_CODE_ALPHABET).toHaveLength(32);
    expect(new Set(TRACE_CODE_ALPHABET).size).toBe(32);
    for (const ch of '01IO') expect(TRACE_CODE_ALPHABET).not.toContain(ch);
  });

  it('the reference algorithm reproduces the published example (alphabet abcdef, input abcdef → e)', () => {
    expect(referenceLuhnModN('abcdef', 'abcdef')).toBe('e');
  });

  it('matches hand-computed answers', () => {
    // All values 0: the sum is 0, so the check value is 0.
    expect(traceCodeCheckChar('2222222222')).toBe('2');
    // '3' (value 1) in the rightmost data position is doubled: sum 2, check value 32 - 2 = 30 = 'Y'.
    expect(traceCodeCheckChar('2222222223')).toBe('Y');
    // 'Z' (31) doubled is 62 = 1·32 + 30, folded to 1 + 30 = 31: check value 1 = '3'.
    expect(traceCodeCheckChar('222222222Z')).toBe('3');
    // In the second position from the right it is not doubled: sum 31, check value 1.
    expect(traceCodeCheckChar('22222222Z2')).toBe('3');
  });

  it('agrees with the reference algorithm on many inputs', () => {
    for (const code of codes)
      expect(traceCodeCheckChar(code.slice(0, 10))).toBe(referenceLuhnModN(code.slice(0, 10), TRACE_CODE_ALPHABET));
  });

  it('throws on input outside its contract', () => {
    expect(() => traceCodeCheckChar('22222')).toThrow(RangeError);
    expect(() => traceCodeCheckChar('222222222O')).toThrow(RangeError);
    expect(() => traceCodeCheckChar('abcdefghjk')).toThrow(RangeError);
  });
});

describe('newTraceCode', () => {
  it('draws valid 11-character codes that are all different', () => {
    for (const code of codes) {
      expect(code).toMatch(/^[23456789A-HJ-NP-Z]{11}$/);
      expect(validateTraceCode(code)).toEqual({ ok: true, value: code });
    }
    expect(new Set(codes).size).toBe(MANY);
  });

  it('maps each byte to one character by its low 5 bits', () => {
    const bytes = Uint8Array.from([0, 1, 255, 33, 63, 97, 7, 8, 100, 37]);
    const code = newTraceCode(() => bytes);
    // 0→2, 1→3, 255→Z, 33→3, 63→Z, 97→3, 7→9, 8→A, 100 (=3·32+4)→6, 37→7.
    expect(code.slice(0, 10)).toBe('23Z3Z39A67');
  });

  it('uses each character about equally often', () => {
    const counts = new Map<string, number>();
    for (const code of codes) for (const ch of code.slice(0, 10)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    // 20 000 characters, 625 expected each; a deviation of 25% would be 6 standard deviations.
    for (const ch of TRACE_CODE_ALPHABET) expect(Math.abs((counts.get(ch) ?? 0) - 625)).toBeLessThan(156);
  });

  it('never issues a code with 2 and Z side by side, drawing again instead', () => {
    for (const code of codes) expect(code).not.toMatch(/2Z|Z2/);
    const draws = [
      Uint8Array.from([0, 31, 0, 0, 0, 0, 0, 0, 0, 0]),
      Uint8Array.from([8, 9, 10, 11, 12, 13, 14, 15, 16, 17]),
    ];
    let calls = 0;
    const code = newTraceCode(() => draws[calls++] ?? new Uint8Array(10));
    expect(calls).toBe(2);
    expect(code.slice(0, 10)).toBe('ABCDEFGHJK');
  });

  it('throws when randomBytes is short or clearly not random', () => {
    expect(() => newTraceCode(() => new Uint8Array(9))).toThrow(RangeError);
    // Nine 2s then a Z: every draw is rejected.
    expect(() => newTraceCode(() => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 31]))).toThrow(/does not look random/);
  });
});

describe('validateTraceCode', () => {
  const code = codes[0] ?? '';

  it('accepts a code in any case, with spaces, hyphens or full-width characters', () => {
    expect(validateTraceCode(code.toLowerCase())).toEqual({ ok: true, value: code });
    expect(validateTraceCode(` ${code.slice(0, 4)} ${code.slice(4, 8)}-${code.slice(8)}\n`)).toEqual({
      ok: true,
      value: code,
    });
    const fullWidth = Array.from(code, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    expect(validateTraceCode(fullWidth)).toEqual({ ok: true, value: code });
  });

  it('rejects a wrong length', () => {
    expect(validateTraceCode('')).toEqual({ ok: false, reason: 'must be 11 characters' });
    expect(validateTraceCode(code.slice(0, 10))).toEqual({ ok: false, reason: 'must be 11 characters' });
    expect(validateTraceCode(code + '2')).toEqual({ ok: false, reason: 'must be 11 characters' });
  });

  it('names a bad character and its position, with a hint for lookalikes', () => {
    expect(validateTraceCode(`${code.slice(0, 3)}O${code.slice(4)}`)).toEqual({
      ok: false,
      reason: "invalid character 'O' at position 4 (trace codes never contain 0, O, 1 or I)",
    });
    expect(validateTraceCode(`1${code.slice(1)}`)).toEqual({
      ok: false,
      reason: "invalid character '1' at position 1 (trace codes never contain 0, O, 1 or I)",
    });
    expect(validateTraceCode(`${code.slice(0, 10)}*`)).toEqual({
      ok: false,
      reason: "invalid character '*' at position 11",
    });
  });

  it('detects every single-character substitution of every sample code', () => {
    const missed: string[] = [];
    let tried = 0;
    for (const c of codes) {
      for (let i = 0; i < c.length; i++) {
        for (const ch of TRACE_CODE_ALPHABET) {
          if (ch === c[i]) continue;
          const typo = c.slice(0, i) + ch + c.slice(i + 1);
          const r = validateTraceCode(typo);
          tried++;
          if (r.ok || r.reason !== 'check character mismatch — probably a typo') missed.push(typo);
        }
      }
    }
    expect(tried).toBe(MANY * 11 * 31);
    expect(missed).toEqual([]);
  });

  it('detects every adjacent transposition of every sample code', () => {
    const missed: string[] = [];
    let tried = 0;
    for (const c of codes) {
      for (let i = 0; i + 1 < c.length; i++) {
        if (c[i] === c[i + 1]) continue;
        const swapped = c.slice(0, i) + c[i + 1] + c[i] + c.slice(i + 2);
        tried++;
        if (validateTraceCode(swapped).ok) missed.push(swapped);
      }
    }
    expect(tried).toBeGreaterThan(MANY * 9);
    expect(missed).toEqual([]);
  });

  it('2 ↔ Z is the only swap of neighbours that the Luhn sum cannot see, and the blind-pair rule catches it', () => {
    // Exhaustive over all pairs of values in both doubling phases: build a code whose data ends in (a, b), then swap.
    const blind: string[] = [];
    for (const a of TRACE_CODE_ALPHABET) {
      for (const b of TRACE_CODE_ALPHABET) {
        if (a >= b) continue;
        for (const pad of ['22222222', '2222222']) {
          const data = (pad + a + b).padEnd(10, '3');
          const swappedData = (pad + b + a).padEnd(10, '3');
          if (traceCodeCheckChar(data) === traceCodeCheckChar(swappedData)) blind.push(a + b);
        }
      }
    }
    expect(new Set(blind)).toEqual(new Set(['2Z']));
    const data = '3456782Z9A';
    expect(validateTraceCode(data + traceCodeCheckChar(data)).ok).toBe(false);
  });
});

describe('normaliseTraceCode and formatTraceCode', () => {
  it('normalises without validating', () => {
    expect(normaliseTraceCode(' ab-cd ef\t0 ')).toBe('ABCDEF0');
  });

  it('formats as XXXX-XXXX-XXX and round-trips', () => {
    for (const c of codes.slice(0, 50)) {
      const shown = formatTraceCode(c);
      expect(shown).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{3}$/);
      expect(shown.replace(/-/g, '')).toBe(c);
      expect(formatTraceCode(shown.toLowerCase())).toBe(shown);
    }
  });

  it('refuses to format an invalid code', () => {
    expect(() => formatTraceCode('not a code')).toThrow(RangeError);
    const c = codes[1] ?? '';
    expect(() => formatTraceCode(c.slice(0, 10) + (c[10] === '2' ? '3' : '2'))).toThrow(/check character mismatch/);
  });
});

describe('cartonSerial and parseCartonCode', () => {
  const lot = codes[2] ?? '';

  it('appends a zero-padded 5-digit serial', () => {
    expect(cartonSerial(lot, 1)).toBe(`${lot}-00001`);
    expect(cartonSerial(lot, 42)).toBe(`${lot}-00042`);
    expect(cartonSerial(lot.toLowerCase(), 99_999)).toBe(`${lot}-99999`);
  });

  it('throws on a bad lot code or serial', () => {
    expect(() => cartonSerial('ABC', 1)).toThrow(RangeError);
    for (const n of [0, -1, 1.5, 100_000, Number.NaN]) expect(() => cartonSerial(lot, n)).toThrow(RangeError);
  });

  it('parses the stored and the printed forms, and round-trips', () => {
    expect(parseCartonCode(`${lot}-00042`)).toEqual({ ok: true, value: { lotCode: lot, serial: 42 } });
    expect(parseCartonCode(`${formatTraceCode(lot).toLowerCase()} - 00042`)).toEqual({
      ok: true,
      value: { lotCode: lot, serial: 42 },
    });
    for (const n of [1, 7, 1234, 99_999])
      expect(parseCartonCode(cartonSerial(lot, n))).toEqual({ ok: true, value: { lotCode: lot, serial: n } });
  });

  it('rejects malformed carton codes', () => {
    const shape = 'must be an 11-character trace code followed by a 5-digit serial';
    expect(parseCartonCode(lot)).toEqual({ ok: false, reason: shape });
    expect(parseCartonCode(`${lot}-0042`)).toEqual({ ok: false, reason: shape });
    expect(parseCartonCode(`${lot}-000042`)).toEqual({ ok: false, reason: shape });
    expect(parseCartonCode(`${lot}-0004A`)).toEqual({ ok: false, reason: shape });
    expect(parseCartonCode(`${lot}-00000`)).toEqual({ ok: false, reason: 'carton serial must start at 1' });
    const typo = lot.slice(0, 10) + (lot[10] === '2' ? '3' : '2');
    expect(parseCartonCode(`${typo}-00001`)).toEqual({
      ok: false,
      reason: 'lot code check character mismatch — probably a typo',
    });
  });
});
