import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

/** The kinds of motor-vehicle plate (GA 36) that validatePlate accepts. */
export const PLATE_KINDS = ['ordinary', 'new_energy', 'trailer', 'coach', 'police', 'consulate', 'hk_macao'] as const;
export type PlateKind = (typeof PLATE_KINDS)[number];

const PROVINCE_ABBREVIATIONS = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
const SUFFIX_KINDS: Readonly<Record<string, PlateKind>> = {
  挂: 'trailer',
  学: 'coach',
  警: 'police',
  领: 'consulate',
  港: 'hk_macao',
  澳: 'hk_macao',
};
// Plates issued for cross-border vehicles of Hong Kong and Macao are all registered under 粤Z.
const HK_MACAO_PREFIX = '粤Z';

const AUTHORITY_LETTER = /^[A-HJ-NP-Z]$/;
const ALNUM = /^[A-Z0-9]+$/;
const SMALL_NEW_ENERGY = /^[DF][A-Z0-9]\d{4}$/;
const LARGE_NEW_ENERGY = /^\d{5}[DF]$/;
// Separators people type or print between the authority letter and the serial: spaces and assorted middle dots.
const SEPARATORS = /[\s.\u00B7\u2022\u2027\u2219\u30FB]/g;

type Parsed = { readonly plate: string; readonly kind: PlateKind };

function parse(s: string): Check<Parsed> {
  // NFKC folds full-width letters and digits, which Chinese input methods often produce, to ASCII.
  const plate = s.normalize('NFKC').replace(SEPARATORS, '').toUpperCase();
  const chars = Array.from(plate);
  if (chars.length === 0) return fail('must not be empty');
  if (!PROVINCE_ABBREVIATIONS.includes(chars[0] ?? '')) {
    return fail('must start with a province abbreviation such as 京 or 粤');
  }
  if (!AUTHORITY_LETTER.test(chars[1] ?? '')) return fail('second character must be a letter A-Z other than I and O');

  const suffixKind = SUFFIX_KINDS[chars[chars.length - 1] ?? ''];
  const kind: PlateKind = suffixKind ?? (chars.length === 8 ? 'new_energy' : 'ordinary');
  if (suffixKind !== undefined) {
    if (chars.length !== 7) return fail(`must have 4 letters or digits before the ${chars[chars.length - 1]}`);
  } else if (chars.length !== 7 && chars.length !== 8) {
    return fail('must be 7 characters (8 for new-energy plates)');
  }

  const serial = suffixKind === undefined ? chars.slice(2).join('') : chars.slice(2, -1).join('');
  if (!ALNUM.test(serial)) return fail('serial must be letters A-Z and digits');
  if (/[IO]/.test(serial)) return fail('serial must not contain I or O');
  if (kind === 'new_energy' && !SMALL_NEW_ENERGY.test(serial) && !LARGE_NEW_ENERGY.test(serial)) {
    return fail('new-energy serial must be D or F, a letter or digit, then 4 digits; or 5 digits then D or F');
  }
  if (kind === 'hk_macao' && !plate.startsWith(HK_MACAO_PREFIX)) {
    return fail(`Hong Kong and Macao plates must start with ${HK_MACAO_PREFIX}`);
  }
  return ok({ plate, kind });
}

/**
 * validatePlate accepts a Chinese motor-vehicle plate and returns it normalised: NFKC-folded (full-width letters and
 * digits become ASCII), uppercased, with spaces and middle dots removed (粤B·12345 → 粤B12345). A plate is a province
 * abbreviation, an authority letter (A-Z but I and O), then either 5 serial characters (ordinary), 6 (new energy: D or
 * F, a letter or digit, 4 digits for small vehicles such as 粤BD12345; 5 digits then D or F for large ones such as
 * 粤B12345D), or 4 followed by 挂 (trailer), 学 (driving-school coach), 警 (police), 领 (consulate) or 港/澳 (Hong Kong
 * or Macao cross-border, under 粤Z only). Serials use A-Z and 0-9 without I and O. The issuing authorities' limits on
 * how many letters one serial may hold are not checked.
 */
export function validatePlate(s: string): Check<string> {
  const r = parse(s);
  return r.ok ? ok(r.value.plate) : r;
}

/** plateKind returns the kind of a plate that validatePlate accepts (normalising it the same way), else undefined. */
export function plateKind(s: string): PlateKind | undefined {
  const r = parse(s);
  return r.ok ? r.value.kind : undefined;
}
