import type { Actor, Role } from '../../domain/access.ts';
import { mayAttempt } from '../../domain/access.ts';
import type { Severity } from '../../domain/webhook.ts';
import { AppError, invalid } from '../errors.ts';
import type { AlertRef } from './alerts.ts';
import { announceAlerts, appendWithAlerts } from './alerts.ts';
import { forbid } from '../access/authorize.ts';
import type { Idempotency } from '../write/commit.ts';
import { commit } from '../write/commit.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../write/ids.ts';

type Text = { zh?: string | null; en?: string | null };

/**
 * NoticeInput is a notice from a regulator or customs: a title and a text, each in Chinese, English or
 * both, to a list of parties, or to every party of some roles in a region.
 */
export interface NoticeInput {
  title: Text;
  text: Text;
  severity?: Severity;
  partyIds?: string[];
  roles?: Role[];
  /** region narrows roles to one province; it defaults to the sender's, and only the national level may name another or leave it open. */
  region?: string | null;
}

/** NoticeSent is what the sender gets back: the notice and, for each addressee, the alert it received. */
export interface NoticeSent {
  id: string;
  from: string;
  title: { zh: string | null; en: string | null };
  text: { zh: string | null; en: string | null };
  severity: Severity;
  recipients: { partyId: string; alertId: string }[];
  logIndex: number;
}

function bilingual(field: string, t: Text): { zh: string | null; en: string | null } {
  const zh = t.zh?.trim() || null;
  const en = t.en?.trim() || null;
  if (!zh && !en) throw invalid(field, 'needs the Chinese (zh) or the English (en) text, or both');
  return { zh, en };
}

/**
 * sendNotice puts a notice in the inbox of each addressee (and so on their webhooks and event streams),
 * in one transaction: either every addressee gets it or none does. A provincial regulator or customs
 * office addresses parties of its own region; the national level addresses anyone. An addressee the
 * sender may not address reads as unknown. The entry is 'notice.sent' (with 'alerts.raised' entries
 * after it when the audience is too large for one entry).
 */
export async function sendNotice(
  deps: Deps,
  actor: Actor,
  input: NoticeInput,
  idem?: Idempotency,
): Promise<NoticeSent> {
  if (!mayAttempt(actor, 'notice.send')) throw forbid('notice.send');
  const title = bilingual('title', input.title);
  const text = bilingual('text', input.text);
  const severity = input.severity ?? 'info';
  const byIds = input.partyIds !== undefined;
  if (byIds === (input.roles !== undefined)) throw invalid('partyIds', 'give either partyIds or roles');
  if (byIds && input.region !== undefined) throw invalid('region', 'goes with roles, not with partyIds');
  const region = input.region === undefined ? (actor.national ? null : actor.region) : input.region;
  if (!actor.national && region !== actor.region)
    throw invalid('region', `you address parties of your own region (${actor.region}) only`);

  const sent = await commit(deps, idem, async (w) => {
    let to: string[];
    if (byIds) {
      to = [...new Set(input.partyIds)];
      const rows = await w.trx
        .selectFrom('parties')
        .select(['id', 'region'])
        .where('id', 'in', to.length ? to : [''])
        .execute();
      const found = new Map(rows.map((r) => [r.id, r.region]));
      for (const id of to) {
        const r = found.get(id);
        if (r === undefined || (!actor.national && r !== actor.region)) {
          throw new AppError('UnknownReference', {
            field: `partyIds.${input.partyIds!.indexOf(id)}`,
            reason: `no party ${id} in your region`,
          });
        }
      }
    } else {
      let q = w.trx.selectFrom('parties').select(['id', 'roles']).orderBy('id');
      if (region !== null) q = q.where('region', '=', region);
      const wanted = new Set<string>(input.roles);
      to = (await q.execute())
        .filter((p) => (JSON.parse(p.roles) as string[]).some((r) => wanted.has(r)))
        .map((p) => p.id);
      if (to.length === 0)
        throw new AppError('UnknownReference', {
          field: 'roles',
          reason: `no party with these roles${region ? ` in region ${region}` : ''}`,
        });
    }
    const id = newId('ntc');
    const notice = {
      id,
      from: actor.partyId,
      title,
      text,
      severity,
      to: byIds ? { partyIds: to } : { roles: input.roles, region },
      recipients: to.length,
    };
    const { logIndex, alerts } = await appendWithAlerts(
      w,
      'notice.sent',
      actor.partyId,
      { notice },
      to.map((partyId) => ({
        partyId,
        kind: 'notice' as const,
        severity,
        title,
        body: { noticeId: id, from: actor.partyId, text },
      })),
    );
    return {
      id,
      from: actor.partyId,
      title,
      text,
      severity,
      recipients: alerts.map((a) => ({ partyId: a.partyId, alertId: a.id })),
      logIndex,
    };
  });
  announceAlerts(
    deps.events,
    sent.recipients.map((r): AlertRef => ({ id: r.alertId, partyId: r.partyId })),
  );
  return sent;
}
