import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';
import type { LocaleData } from 'i18n-iso-countries';
import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

// The package is CommonJS and assigns module.exports wholesale, so Node offers it only as a default import. Its
// locale files are JSON; require loads them on every Node version that package.json allows (import attributes
// arrived in 20.10).
const require = createRequire(import.meta.url);
countries.registerLocale(require('i18n-iso-countries/langs/en.json') as LocaleData);
countries.registerLocale(require('i18n-iso-countries/langs/zh.json') as LocaleData);

const ALPHA2 = /^[A-Z]{2}$/;
const CHINA = 'CN';

/**
 * validateCountry accepts an ISO 3166-1 alpha-2 country code after trimming and uppercasing it. Alpha-3 and numeric
 * codes are rejected, as are two-letter codes that ISO 3166-1 does not assign.
 */
export function validateCountry(s: string): Check<string> {
  const code = s.trim().toUpperCase();
  if (!ALPHA2.test(code)) return fail('must be a 2-letter ISO 3166-1 alpha-2 code');
  if (!countries.isValid(code)) return fail('unknown country code');
  return ok(code);
}

/**
 * validateOverseasCountry is validateCountry for the country where imported food was produced: it also rejects CN.
 * Hong Kong (HK), Macao (MO) and Taiwan (TW) are accepted, being customs territories separate from the mainland.
 */
export function validateOverseasCountry(s: string): Check<string> {
  const r = validateCountry(s);
  if (r.ok && r.value === CHINA) return fail('must be a country other than CN');
  return r;
}

/**
 * countryName returns the Chinese or English short name of an alpha-2 code (case-insensitive, whitespace trimmed), or
 * undefined when the code is not one validateCountry accepts.
 */
export function countryName(code: string, lang: 'zh' | 'en'): string | undefined {
  const r = validateCountry(code);
  return r.ok ? countries.getName(r.value, lang) : undefined;
}
