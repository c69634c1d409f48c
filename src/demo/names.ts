import { orgCodeCheckChar, usccCheckChar } from '../domain/uscc.ts';
import { residentIdCheckChar } from '../domain/resident-id.ts';
import { containerCheckDigit } from '../domain/container-no.ts';

// Realistic identifiers for demo and scale data: every one passes the validator the API applies to it.

/** Rng is a seeded pseudo-random source: the same seed gives the same sequence. */
export interface Rng {
  /** next is uniform in [0, 1). */
  next(): number;
  /** int is uniform in [lo, hi]. */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
}

/** rng is mulberry32 over a 32-bit seed: small, fast and good enough to shape data. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
  };
}

/** Province is where a party of the demo sits: GB/T 2260 code, capital's city code, plate prefix and names. */
export interface Province {
  readonly code: string;
  readonly city: string;
  readonly plate: string;
  readonly zh: string;
  readonly en: string;
  readonly short: string;
}

/** PROVINCES are the provinces the scale data spreads over, with their capitals. */
export const PROVINCES: readonly Province[] = [
  { code: '410000', city: '410100', plate: '豫A', zh: '郑州', en: 'Zhengzhou', short: '豫' },
  { code: '320000', city: '320100', plate: '苏A', zh: '南京', en: 'Nanjing', short: '苏' },
  { code: '330000', city: '330100', plate: '浙A', zh: '杭州', en: 'Hangzhou', short: '浙' },
  { code: '440000', city: '440100', plate: '粤A', zh: '广州', en: 'Guangzhou', short: '粤' },
  { code: '310000', city: '310100', plate: '沪A', zh: '上海', en: 'Shanghai', short: '沪' },
  { code: '120000', city: '120100', plate: '津A', zh: '天津', en: 'Tianjin', short: '津' },
  { code: '370000', city: '370200', plate: '鲁B', zh: '青岛', en: 'Qingdao', short: '鲁' },
  { code: '110000', city: '110100', plate: '京A', zh: '北京', en: 'Beijing', short: '京' },
  { code: '420000', city: '420100', plate: '鄂A', zh: '武汉', en: 'Wuhan', short: '鄂' },
  { code: '510000', city: '510100', plate: '川A', zh: '成都', en: 'Chengdu', short: '川' },
  { code: '500000', city: '500100', plate: '渝A', zh: '重庆', en: 'Chongqing', short: '渝' },
  { code: '430000', city: '430100', plate: '湘A', zh: '长沙', en: 'Changsha', short: '湘' },
];

/** provinceByCode finds one of PROVINCES. */
export const provinceByCode = (code: string) => PROVINCES.find((p) => p.code === code)!;

// GB 11714 bodies use digits and capitals; the USCC alphabet leaves out I, O, Z, S and V.
const BODY = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/**
 * usccFor makes the unified social credit code of the nth company registered in city under tag (a letter or digit
 * that keeps the codes of separate runs apart): 91 (enterprise), the city code, an organisation code of the newer "MA"
 * form with its GB 11714 check character, and the GB 32100 check character.
 */
export function usccFor(city: string, tag: string, n: number): string {
  let rest = '';
  for (let v = n, i = 0; i < 6; i++, v = Math.floor(v / BODY.length)) rest = BODY[v % BODY.length]! + rest;
  const body = `M${tag}${rest}`;
  const first17 = `91${city}${body}${orgCodeCheckChar(body)}`;
  return first17 + usccCheckChar(first17);
}

/** residentIdFor makes a valid resident ID number (GB 11643) for someone born on yyyymmdd, registered in city. */
export function residentIdFor(city: string, yyyymmdd: string, n: number): string {
  const first17 = `${city.slice(0, 4)}02${yyyymmdd}${String(n % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

/** plateFor makes the nth ordinary plate of a province's capital, e.g. 豫A·3K52D → 豫A3K52D. */
export function plateFor(p: Province, n: number): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  return `${p.plate}${letters[Math.floor(n / 10000) % letters.length]}${String(n % 10000).padStart(4, '0')}`;
}

/** containerFor makes an ISO 6346 container number with its check digit from an owner code (3 letters and U) and a serial. */
export function containerFor(owner: string, n: number): string {
  const first10 = `${owner}${String(n % 1_000_000).padStart(6, '0')}`;
  return first10 + String(containerCheckDigit(first10));
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '涛',
  '明',
  '超',
  '霞',
  '平',
  '刚',
  '建国',
  '志强',
];

/** personName makes a Chinese personal name. */
export const personName = (r: Rng) => `${r.pick([...SURNAMES])}${r.pick(GIVEN)}`;

const SHOP = ['鲜丰', '惠民', '百佳', '好邻居', '家家乐', '盛发', '永辉', '联华', '华润', '万家'];
const DISH = ['老灶火锅', '川味小馆', '烧烤城', '家常菜馆', '粤式茶餐厅', '涮肉坊', '饺子馆', '湘菜馆'];

/** shopName is the nth retailer or restaurant of a city, in Chinese and English. */
export function shopName(p: Province, kind: 'retailer' | 'restaurant', n: number): { zh: string; en: string } {
  if (kind === 'retailer')
    return { zh: `${p.zh}${SHOP[n % SHOP.length]}生鲜超市第${n}店`, en: `${p.en} Fresh Market No. ${n}` };
  return { zh: `${p.zh}${DISH[n % DISH.length]}${n}号店`, en: `${p.en} Restaurant No. ${n}` };
}
