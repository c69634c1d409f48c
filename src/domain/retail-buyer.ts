import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

/**
 * The buyer of a retail sale, as a real-name purchase record takes it: a name and a mainland mobile number. Both are
 * personal data; only their masked forms are ever shown, and only to the seller and regulators.
 */
export type RetailBuyer = { readonly name: string; readonly phone: string };

const MOBILE = /^1[3-9]\d{9}$/;

/**
 * validateMobile accepts a mainland China mobile number: 11 digits, 1 then 3 to 9, after removing spaces and hyphens
 * and an optional +86 or 0086 prefix. It returns the 11 digits.
 */
export function validateMobile(s: string): Check<string> {
  const digits = s.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  if (!/^\d+$/.test(digits)) return fail('must be an 11-digit mobile number (digits only)');
  if (digits.length !== 11) return fail('must be an 11-digit mobile number');
  if (!MOBILE.test(digits)) return fail('must be a mainland mobile number starting 13 to 19');
  return ok(digits);
}

/** validateBuyerName accepts a name of 1 to 50 characters after trimming. */
export function validateBuyerName(s: string): Check<string> {
  const name = s.trim().replace(/\s+/g, ' ');
  if (name.length === 0) return fail('must not be blank');
  if ([...name].length > 50) return fail('must be at most 50 characters');
  return ok(name);
}

/** maskMobile keeps the first 3 and last 4 digits of a mobile number: 138****5678. */
export function maskMobile(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** maskName keeps the first character of a name and stars the rest, one star per character: 张**, J***. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars[0]! + '*'.repeat(Math.max(chars.length - 1, 1));
}

/** maskBuyer is the buyer as the seller and regulators see it: `张** 138****5678`. */
export function maskBuyer(b: RetailBuyer): string {
  return `${maskName(b.name)} ${maskMobile(b.phone)}`;
}
