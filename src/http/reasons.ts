import type { Lang } from './messages.ts';

/**
 * Reasons in errors are written in English where they are raised, and the API sends them so in every
 * language. REASONS_ZH gives the Chinese of the ones people meet most; reasonIn looks a reason up, then
 * tries PATTERNS_ZH (Ajv's words and reasons with a number or name in them), and leaves any other reason
 * in English.
 */
const REASONS_ZH: Readonly<Record<string, string>> = {
  'is required': '为必填项',
  'is not a known field': '不是可识别的字段',
  'is invalid': '无效',
  'must not be blank': '不能为空',
  'must not be zero': '不能为零',
  'is empty': '为空',
  'is in the future': '不能是将来的时间',
  'is not a cursor this server gave': '不是本服务器给出的分页游标',
  'must be a date-time': '必须是日期时间',
  'must be a calendar date YYYY-MM-DD': '必须是日期，格式为 YYYY-MM-DD',
  'must be an ISO 8601 date-time with an offset': '必须是带时区偏移的 ISO 8601 日期时间',
  'must be an ISO 8601 date-time with an offset, e.g. 2026-11-25T08:00:00Z':
    '必须是带时区偏移的 ISO 8601 日期时间，如 2026-11-25T08:00:00Z',
  'must be a positive number of kilograms': '必须是正的千克数',
  'must be a non-negative number of kg with at most three decimals': '必须是非负千克数，最多三位小数',
  'must be a non-negative whole number': '必须是非负整数',
  'must be a non-negative integer': '必须是非负整数',
  'contains a NUL character or an unpaired surrogate': '含有 NUL 字符或不成对的代理字符',
  'needs the Chinese (zh) or the English (en) text, or both': '需要中文（zh）或英文（en）文本，或两者',
  'must name at least one lot': '必须至少指明一个批次',
  'must name the record of the destroyed goods': '必须填写销毁记录的编号',
  'must name the record of the returned goods': '必须填写退运记录的编号',
  'must name the record of the retested negative goods': '必须填写复检阴性报告的编号',
  'must name the destruction or return record': '必须填写销毁或退运记录的编号',
  'must be after the production date': '必须晚于生产日期',
  'must be after from': '必须晚于起始时间',
  'is yourself; a sale goes to another party': '是您自己；销售的对方必须是其他主体',
  'is the same place as fromLocationId': '与 fromLocationId 是同一场所',
  'the new region is outside your jurisdiction': '新地区不在您的辖区内',
  'the region is outside your jurisdiction': '该地区不在您的辖区内',
  'the incident is closed': '该事件已结案',
  'the incident is already closed': '该事件已经结案',
  'you may only act for yourself or parties in your jurisdiction': '您只能为自己或辖区内的主体办理',
  'your business never held this lot; ask a regulator for its records': '贵单位从未持有该批次；请向监管部门查询其记录',
  'you hold no affected goods of this lot at this location in this incident':
    '在本事件中，您在此处没有该批次的涉事货物',
  'too many failed authentications': '认证失败次数过多',
  'this route needs a bearer token': '此接口需要访问令牌',
  'unknown or revoked token': '令牌不存在或已被吊销',
  'expected "Bearer <token>"': '格式应为 "Bearer <令牌>"',
  'this route takes application/json': '此接口只接受 application/json',
  'send multipart/form-data with the fields and a file': '请以 multipart/form-data 发送字段和文件',
  'this key was already used for a different request': '该幂等键已用于另一个请求',
  'this shipment was already received': '该运单已签收',
  'the exit certificate was already issued': '出库证明已开具',
  'the lot has not arrived at your warehouse; record its arrival first': '该批次尚未到达您的仓库，请先登记到货',
  'the file is over 10 MB': '文件超过 10 MB',
  'the file is over the limit of 10 MB': '文件超过 10 MB 的上限',
  'the content is not a PDF, PNG or JPEG (checked by content, not by name)':
    '文件内容不是 PDF、PNG 或 JPEG（按内容而非文件名判断）',
  'only the national regulator sets the national rule': '只有国家级监管部门可以设定全国规则',
};

const TYPE_ZH = {
  string: '字符串',
  number: '数字',
  integer: '整数',
  boolean: '布尔值',
  object: '对象',
  array: '数组',
} as const;
const OP_ZH = { '>=': '大于或等于', '<=': '小于或等于', '>': '大于', '<': '小于' } as const;

/** PATTERNS_ZH are reasons with a number or name in them: a regular expression and its Chinese, with $1, $2 for the parts. */
const PATTERNS_ZH: readonly (readonly [string, string])[] = [
  ...Object.entries(TYPE_ZH).map(([t, zh]) => [`^must be ${t}$`, `必须是${zh}`] as const),
  ...Object.entries(OP_ZH).map(([op, zh]) => [`^must be ${op} (-?[\\d.]+)$`, `必须${zh} $1`] as const),
  ['^must NOT have more than (\\d+) characters$', '不能超过 $1 个字符'],
  ['^must NOT have fewer than (\\d+) characters$', '不能少于 $1 个字符'],
  ['^must NOT have more than (\\d+) items$', '不能超过 $1 项'],
  ['^must NOT have fewer than (\\d+) items$', '不能少于 $1 项'],
  ['^must NOT have duplicate items.*$', '不能有重复项'],
  ['^must be equal to one of the allowed values$', '必须是允许的取值之一'],
  ['^must be equal to constant$', '必须等于规定的值'],
  ['^must match pattern "(.*)"$', '必须符合格式 "$1"'],
  ['^must match format "(.*)"$', '必须符合 "$1" 格式'],
  ['^must be (\\d+) to (\\d+) characters$', '必须是 $1 到 $2 个字符'],
  ['^must be at most (\\d+) characters$', '不能超过 $1 个字符'],
  ['^must be 1 to (\\d+) printable characters$', '必须是 1 到 $1 个可打印字符'],
  ['^nests arrays or objects more than (\\d+) levels deep$', '数组或对象嵌套超过 $1 层'],
  ['^is (\\d+) bytes; an upload is at most (\\d+)$', '为 $1 字节；上传最多 $2 字节'],
  ['^is over \\d+ bytes; an upload is at most (\\d+)$', '超过上传上限 $1 字节'],
];

/**
 * reasonIn returns reason in lang: the Chinese of a known reason for zh, and reason itself otherwise.
 * The API keeps its reasons in English (details are the same in every language); the console shows them
 * in its own language with this, through the module reasonsModule writes.
 */
export function reasonIn(lang: Lang, reason: string): string {
  if (lang !== 'zh') return reason;
  if (Object.hasOwn(REASONS_ZH, reason)) return REASONS_ZH[reason]!;
  for (const [source, zh] of PATTERNS_ZH) {
    const re = new RegExp(source);
    if (re.test(reason)) return reason.replace(re, zh);
  }
  return reason;
}

/** reasonsModule is the JavaScript module that gives the console the same reasonIn and its tables: /console/reasons.js. */
export function reasonsModule(): string {
  return [
    '/** Reasons of API errors in Chinese. Generated by the server from src/http/reasons.ts. */',
    `const REASONS_ZH = ${JSON.stringify(REASONS_ZH)};`,
    `const PATTERNS_ZH = ${JSON.stringify(PATTERNS_ZH)};`,
    '/** reasonIn returns reason in lang: the Chinese of a known reason for zh, and reason itself otherwise. */',
    'export function reasonIn(lang, reason) {',
    "  if (lang !== 'zh' || typeof reason !== 'string') return reason;",
    '  if (Object.hasOwn(REASONS_ZH, reason)) return REASONS_ZH[reason];',
    '  for (const [source, zh] of PATTERNS_ZH) {',
    '    const re = new RegExp(source);',
    '    if (re.test(reason)) return reason.replace(re, zh);',
    '  }',
    '  return reason;',
    '}',
    '',
  ].join('\n');
}
