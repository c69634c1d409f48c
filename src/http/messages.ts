import type { ErrorCode } from '../app/errors.ts';

/** Lang is the language of a message: Chinese or English, from Accept-Language. */
export type Lang = 'zh' | 'en';

/** MESSAGES gives every error code its words in both languages, for the people who read them. */
export const MESSAGES: Readonly<Record<ErrorCode, Readonly<Record<Lang, string>>>> = {
  ValidationFailed: { en: 'The request has an invalid field.', zh: '请求中有字段无效。' },
  MalformedJson: { en: 'The request body is not valid JSON.', zh: '请求体不是有效的 JSON。' },
  PayloadTooLarge: { en: 'The request body is too large.', zh: '请求体过大。' },
  UnsupportedMediaType: { en: 'This content type is not accepted here.', zh: '不接受此内容类型。' },
  NotAcceptable: { en: 'No answer can be given in the form asked for.', zh: '无法以所要求的形式作答。' },
  Unauthenticated: { en: 'A valid bearer token is required.', zh: '需要有效的访问令牌。' },
  TooManyAttempts: {
    en: 'Too many failed sign-in attempts; wait and try again.',
    zh: '认证失败次数过多，请稍后再试。',
  },
  RateLimited: { en: 'Too many requests; wait and try again.', zh: '请求过于频繁，请稍后再试。' },
  Forbidden: { en: 'Your role does not allow this.', zh: '您的角色无权执行此操作。' },
  NotFound: { en: 'Not found.', zh: '未找到。' },
  PartyNotFound: { en: 'No such party.', zh: '未找到该主体。' },
  TokenNotFound: { en: 'No such token.', zh: '未找到该令牌。' },
  LocationNotFound: { en: 'No such location.', zh: '未找到该场所。' },
  VehicleNotFound: { en: 'No such vehicle.', zh: '未找到该车辆。' },
  WorkerNotFound: { en: 'No such worker.', zh: '未找到该从业人员。' },
  ProducerNotFound: { en: 'No such producer.', zh: '未找到该境外生产企业。' },
  LotNotFound: { en: 'No such lot.', zh: '未找到该批次。' },
  DocumentNotFound: { en: 'No such document.', zh: '未找到该单证。' },
  BookingNotFound: { en: 'No such booking.', zh: '未找到该预约。' },
  SampleNotFound: { en: 'No such sample.', zh: '未找到该样品。' },
  IncidentNotFound: { en: 'No such incident.', zh: '未找到该事件。' },
  IncidentOutstanding: {
    en: 'Affected goods are not yet all accounted for; the incident stays open.',
    zh: '涉事货物尚未全部处置完毕，事件不能结案。',
  },
  AlertNotFound: { en: 'No such alert in your inbox.', zh: '您的收件箱中没有该预警。' },
  WebhookNotFound: { en: 'No such webhook.', zh: '未找到该 Webhook。' },
  PeerNotFound: { en: 'No such peer node.', zh: '未找到该对等节点。' },
  AlreadyAcknowledged: { en: 'This alert was already acknowledged.', zh: '该预警已确认过。' },
  ProducerSuspended: {
    en: 'The overseas producer is suspended on the arrival date; this batch cannot be declared.',
    zh: '该境外生产企业在到港日处于暂停进口状态，不能申报。',
  },
  LotNotReady: { en: 'The lot is not ready for this step.', zh: '该批次尚不具备办理此环节的条件。' },
  InvalidFile: { en: 'The file must be a PDF, PNG or JPEG.', zh: '文件必须是 PDF、PNG 或 JPEG 格式。' },
  Conflict: { en: 'This conflicts with what is already recorded.', zh: '与已有记录冲突。' },
  PlatformUnavailable: {
    en: 'The platform that issued this code could not be read; its facts are unavailable for now.',
    zh: '签发此码的平台暂时无法读取，其信息暂不可用。',
  },
  NotYetWitnessed: {
    en: "The peer entry this rests on is not yet in a checkpoint that meets this node's witness policy",
    zh: '所依据的对等节点记录尚未进入满足本节点见证策略的检查点',
  },
  PeerForked: { en: "The peer's log forked", zh: '对等节点的日志出现分叉' },
  LotBlocked: { en: 'This lot may not move now.', zh: '该批次当前不得流转。' },
  InsufficientQuantity: { en: 'You do not hold that much of this lot here.', zh: '您在此处持有的该批次数量不足。' },
  UnknownReference: { en: 'The request refers to something that does not exist.', zh: '请求引用的对象不存在。' },
  AlreadyExists: { en: 'This is already registered.', zh: '该记录已登记。' },
  IdempotencyKeyReused: {
    en: 'This Idempotency-Key was used for a different request.',
    zh: '该幂等键已用于另一个请求。',
  },
  EntryTooLarge: { en: 'The record is too large for one log entry.', zh: '记录过大，无法写入一条日志。' },
  Unavailable: { en: 'The service is busy; try again shortly.', zh: '服务繁忙，请稍后重试。' },
  InternalError: { en: 'Something went wrong on our side.', zh: '服务器内部错误。' },
};

/** langOf picks Chinese when Accept-Language prefers it over English, and English otherwise. */
export function langOf(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'en';
  let best: { lang: Lang; q: number } | null = null;
  for (const part of acceptLanguage.split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.find((p) => p.trim().startsWith('q='));
    const q = qParam ? Number(qParam.trim().slice(2)) : 1;
    const lang: Lang | null = tag.startsWith('zh') ? 'zh' : tag.startsWith('en') ? 'en' : null;
    if (lang && Number.isFinite(q) && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'en';
}
