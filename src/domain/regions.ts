import type { Check } from './check.ts';
import { fail, ok } from './check.ts';

/** A province-level division of GB/T 2260, keyed by its 6-digit code. */
export type Province = { readonly code: string; readonly zh: string; readonly en: string };

/** The 34 province-level divisions of GB/T 2260, in code order. */
export const PROVINCES: readonly Province[] = Object.freeze(
  (
    [
      ['110000', '北京市', 'Beijing'],
      ['120000', '天津市', 'Tianjin'],
      ['130000', '河北省', 'Hebei'],
      ['140000', '山西省', 'Shanxi'],
      ['150000', '内蒙古自治区', 'Inner Mongolia'],
      ['210000', '辽宁省', 'Liaoning'],
      ['220000', '吉林省', 'Jilin'],
      ['230000', '黑龙江省', 'Heilongjiang'],
      ['310000', '上海市', 'Shanghai'],
      ['320000', '江苏省', 'Jiangsu'],
      ['330000', '浙江省', 'Zhejiang'],
      ['340000', '安徽省', 'Anhui'],
      ['350000', '福建省', 'Fujian'],
      ['360000', '江西省', 'Jiangxi'],
      ['370000', '山东省', 'Shandong'],
      ['410000', '河南省', 'Henan'],
      ['420000', '湖北省', 'Hubei'],
      ['430000', '湖南省', 'Hunan'],
      ['440000', '广东省', 'Guangdong'],
      ['450000', '广西壮族自治区', 'Guangxi'],
      ['460000', '海南省', 'Hainan'],
      ['500000', '重庆市', 'Chongqing'],
      ['510000', '四川省', 'Sichuan'],
      ['520000', '贵州省', 'Guizhou'],
      ['530000', '云南省', 'Yunnan'],
      ['540000', '西藏自治区', 'Xizang'],
      ['610000', '陕西省', 'Shaanxi'],
      ['620000', '甘肃省', 'Gansu'],
      ['630000', '青海省', 'Qinghai'],
      ['640000', '宁夏回族自治区', 'Ningxia'],
      ['650000', '新疆维吾尔自治区', 'Xinjiang'],
      ['710000', '台湾省', 'Taiwan'],
      ['810000', '香港特别行政区', 'Hong Kong'],
      ['820000', '澳门特别行政区', 'Macao'],
    ] as const
  ).map(([code, zh, en]) => Object.freeze({ code, zh, en })),
);

const byCode: ReadonlyMap<string, Province> = new Map(PROVINCES.map((p) => [p.code, p]));

const SIX_DIGITS = /^\d{6}$/;

/** isProvinceCode reports whether `code` is exactly one of the 34 province-level codes, such as '410000'. */
export function isProvinceCode(code: string): boolean {
  return byCode.has(code);
}

/**
 * provinceOf returns the province-level code that contains the 6-digit division code `code6` (410100 → 410000), or
 * undefined when `code6` is not 6 digits or its first two digits name no province. It checks only the province
 * prefix: whether the prefecture and county digits name a division that exists is not known here.
 */
export function provinceOf(code6: string): string | undefined {
  if (!SIX_DIGITS.test(code6)) return undefined;
  const province = `${code6.slice(0, 2)}0000`;
  return byCode.has(province) ? province : undefined;
}

/** regionName returns the Chinese or English name of a province-level code, or undefined for any other string. */
export function regionName(code: string, lang: 'zh' | 'en'): string | undefined {
  return byCode.get(code)?.[lang];
}

/** validateRegion accepts a province-level code such as '410000' (surrounding whitespace is trimmed). */
export function validateRegion(s: string): Check<string> {
  const code = s.trim();
  if (!SIX_DIGITS.test(code)) return fail('must be 6 digits');
  if (!code.endsWith('0000')) return fail('must be a province-level code ending in 0000');
  if (!byCode.has(code)) return fail('unknown province code');
  return ok(code);
}
