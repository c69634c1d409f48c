import type { Lang } from '../messages.ts';

/** PageWords are the headings and phrases of the public pages in one language. */
export interface PageWords {
  brand: string;
  otherLanguage: string;
  titleSuffix: string;
  statusLead: Record<'green' | 'yellow' | 'red', string>;
  statusMark: Record<'green' | 'yellow' | 'red', string>;
  reasons: string;
  traceCode: string;
  carton: (serial: number) => string;
  category: string;
  origin: string;
  producer: string;
  registrationNo: string;
  productionDate: string;
  expiryDate: string;
  entry: string;
  entryDate: string;
  port: string;
  documents: string;
  number: string;
  issuer: string;
  issuedOn: string;
  verified: string;
  notVerified: string;
  missing: string;
  tests: string;
  taken: string;
  negative: string;
  positive: string;
  pending: string;
  journey: string;
  madeFrom: string;
  madeFromLead: string;
  certificate: string;
  chinaTime: string;
  journeyTo: (holder: string) => string;
  distribution: string;
  distributionLead: (businesses: number) => string;
  businesses: (n: number) => string;
  verify: string;
  verifyLead: string;
  logPending: string;
  privacy: string;
  notFoundTitle: string;
  notFoundLead: string;
  typoLead: string;
  codeTyped: string;
  tryAgain: string;
  askNodes: string;
  vouchedBy: (node: string) => string;
  trust: Record<'own' | 'witnessed' | 'unverified' | 'platform', string>;
  fromMirror: (node: string) => string;
  rateLimitedTitle: string;
  rateLimitedLead: (seconds: number) => string;
}

/** WORDS gives the public pages their words in Chinese and English. */
export const WORDS: Readonly<Record<Lang, PageWords>> = {
  zh: {
    brand: '进口冷链食品追溯',
    otherLanguage: 'English',
    titleSuffix: '追溯信息',
    statusLead: {
      green: '可以放心：检验检疫、核酸检测和消毒均已完成，已获准出仓销售。',
      yellow: '该批货物尚未完成全部查验，暂不可销售。',
      red: '该批货物已被阻断，请勿购买或食用。',
    },
    statusMark: { green: '✓', yellow: '!', red: '✕' },
    reasons: '原因',
    traceCode: '追溯码',
    carton: (serial) => `第 ${serial} 箱`,
    category: '品类',
    origin: '原产国',
    producer: '境外生产企业',
    registrationNo: '注册编号',
    productionDate: '生产日期',
    expiryDate: '保质期至',
    entry: '入境',
    entryDate: '到港日期',
    port: '入境口岸',
    documents: '单证',
    number: '编号',
    issuer: '签发机构',
    issuedOn: '签发日期',
    verified: '已核验',
    notVerified: '未通过核验',
    missing: '缺失',
    tests: '核酸检测',
    taken: '已采样',
    negative: '阴性',
    positive: '阳性',
    pending: '待出结果',
    journey: '流转轨迹',
    madeFrom: '原料批次',
    madeFromLead: '本批货物由以下批次分装或加工而成，其状态取其中最差者。',
    certificate: '证明编号',
    chinaTime: '北京时间',
    journeyTo: (holder) => `货物经以下企业到达${holder}：`,
    distribution: '流向',
    distributionLead: (n) => `共有 ${n} 家企业收到过本批货物，按省份统计：`,
    businesses: (n) => `${n} 家`,
    verify: '核验',
    verifyLead:
      '以下链接供任何人核验本页内容：每条记录都写入了只能追加、不能修改的公开日志，链接给出该记录已被签名收录的数学证明。',
    logPending: '尚待下一个签名检查点收录',
    privacy: '本页不显示任何个人信息。',
    notFoundTitle: '未找到该追溯码',
    notFoundLead: '没有找到与该追溯码对应的货物。追溯码可能输入有误，请对照包装上的标签核对后重试。',
    typoLead: '追溯码的校验位不匹配，很可能有一个字符输错了。请对照包装上的标签核对后重试。',
    codeTyped: '您输入的追溯码',
    tryAgain: '追溯码由 11 位数字和大写字母组成，不含 0、1、I、O。',
    askNodes: '可查询的其他省级节点',
    vouchedBy: (node) => `记录于：${node}`,
    trust: { own: '本节点账本', witnessed: '已见证', unverified: '未经见证', platform: '其他平台（未经账本验证）' },
    fromMirror: (node) => `本节点未直接持有此批次，以下内容来自${node}账本的镜像。`,
    rateLimitedTitle: '请求过于频繁',
    rateLimitedLead: (s) => `请求过于频繁，请在 ${s} 秒后再试。`,
  },
  en: {
    brand: 'Imported cold-chain food trace',
    otherLanguage: '中文',
    titleSuffix: 'trace record',
    statusLead: {
      green:
        'Cleared: inspection, nucleic-acid testing and disinfection are complete, and the lot is released for sale.',
      yellow: 'Not all checks on this lot are complete yet; it may not be sold.',
      red: 'This lot is blocked. Do not buy or eat it.',
    },
    statusMark: { green: '✓', yellow: '!', red: '✕' },
    reasons: 'Why',
    traceCode: 'Trace code',
    carton: (serial) => `carton ${serial}`,
    category: 'Category',
    origin: 'Origin',
    producer: 'Overseas producer',
    registrationNo: 'Registration no.',
    productionDate: 'Produced',
    expiryDate: 'Best before',
    entry: 'Entry',
    entryDate: 'Arrival date',
    port: 'Port of entry',
    documents: 'Documents',
    number: 'Number',
    issuer: 'Issued by',
    issuedOn: 'Issued on',
    verified: 'Verified',
    notVerified: 'Not verified',
    missing: 'Missing',
    tests: 'Nucleic-acid tests',
    taken: 'Sampled',
    negative: 'Negative',
    positive: 'Positive',
    pending: 'Pending',
    journey: 'Journey',
    madeFrom: 'Made from',
    madeFromLead: 'This lot was repacked or processed from these lots; its status is the worst of theirs.',
    certificate: 'Certificate no.',
    chinaTime: 'China time',
    journeyTo: (holder) => `On the way to ${holder}, the goods passed through:`,
    distribution: 'Where it went',
    distributionLead: (n) =>
      n === 1 ? '1 business received this lot:' : `${n} businesses received this lot, by province:`,
    businesses: (n) => (n === 1 ? '1 business' : `${n} businesses`),
    verify: 'Verify',
    verifyLead:
      'These links let anyone check this page: each record is kept in a public log that can only be added to, never changed, and each link is the mathematical proof that the log, as signed, holds the record.',
    logPending: 'not yet covered by a signed checkpoint',
    privacy: 'This page shows no personal data.',
    notFoundTitle: 'Trace code not found',
    notFoundLead:
      'No goods were found for this trace code. It may be mistyped: check it against the label on the package and try again.',
    typoLead:
      'Check character mismatch — probably a typo: one character of this trace code is likely wrong. Check it against the label on the package.',
    codeTyped: 'The code you entered',
    tryAgain: 'A trace code has 11 digits and capital letters, never 0, 1, I or O.',
    askNodes: 'Other provincial nodes to ask',
    vouchedBy: (node) => `Recorded by ${node}`,
    trust: {
      own: "this node's log",
      witnessed: 'witnessed',
      unverified: 'not yet witnessed',
      platform: 'another platform (not log-verified)',
    },
    fromMirror: (node) =>
      `This node holds nothing of this lot itself: what follows is ${node}'s log, read through its mirror.`,
    rateLimitedTitle: 'Too many requests',
    rateLimitedLead: (s) => `Too many requests; please try again in ${s} seconds.`,
  },
};
