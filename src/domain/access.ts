/**
 * Roles, actors and the one permission table. Pure: who may do what, and who may see whose data.
 * Use cases ask `authorize(actor, action)` first, then `canSee`/`canManage` on the resource's owner.
 */

export const ROLES = [
  'importer',
  'supervision_warehouse',
  'lab',
  'cold_store',
  'carrier',
  'wholesaler',
  'retailer',
  'restaurant',
  'customs',
  'regulator',
  'auditor',
] as const;
export type Role = (typeof ROLES)[number];

/** BUSINESS_ROLES are the enterprises that hold goods, employ workers and run locations. */
export const BUSINESS_ROLES: readonly Role[] = [
  'importer',
  'supervision_warehouse',
  'lab',
  'cold_store',
  'carrier',
  'wholesaler',
  'retailer',
  'restaurant',
];

/** Actor is the authenticated party behind a request. `national` is true for a national regulator. */
export interface Actor {
  readonly partyId: string;
  readonly roles: readonly Role[];
  readonly region: string;
  readonly national: boolean;
  /** qa is true when the token is one of the party's quality assurance, which may close the party's breaches. */
  readonly qa?: boolean;
}

/**
 * Owned is anything with an owning party and a region, which is all scoping needs. `national` marks a
 * national regulator's own data (its party record and tokens), which only the national level manages,
 * wherever the regulator sits.
 */
export interface Owned {
  readonly ownerPartyId: string;
  readonly region: string;
  readonly national?: boolean;
}

export type Action =
  | 'party.create'
  | 'party.read'
  | 'party.update'
  | 'token.manage'
  | 'location.create'
  | 'location.read'
  | 'location.update'
  | 'vehicle.create'
  | 'vehicle.read'
  | 'vehicle.update'
  | 'worker.create'
  | 'worker.read'
  | 'worker.update'
  | 'worker.test.create'
  | 'producer.create'
  | 'producer.read'
  | 'producer.update'
  | 'settings.update'
  | 'federation.manage'
  | 'federation.read'
  | 'personal.erase'
  | 'log.read'
  | 'lot.declare'
  | 'document.attach'
  | 'booking.create'
  | 'warehouse.record'
  | 'sample.result'
  | 'cartons.issue'
  | 'producer.suspend'
  | 'custody.move'
  | 'carrier.job.offer'
  | 'carrier.job.accept'
  | 'custody.transform'
  | 'retail.sell'
  | 'notice.send'
  | 'webhook.manage'
  | 'epcis.capture'
  | 'temperature.upload'
  | 'breach.close'
  | 'lot.trace'
  | 'incident.open'
  | 'incident.act'
  | 'incident.manage'
  | 'sample.market';

const ALL: readonly Role[] = ROLES;
/** The parties that hold goods or carry them, and so log their temperatures. */
const TEMPERATURE_LOGGERS: readonly Role[] = [
  'importer',
  'supervision_warehouse',
  'cold_store',
  'carrier',
  'wholesaler',
  'retailer',
  'restaurant',
];

/**
 * PERMISSIONS is the permission table: which roles may attempt each action. Scope (own data, own
 * region, national) is checked separately, on the resource, by canSee and canManage.
 */
export const PERMISSIONS: Readonly<Record<Action, readonly Role[]>> = {
  'party.create': ['regulator'],
  'party.read': ALL,
  'party.update': ['regulator'],
  'token.manage': ALL,
  'location.create': [...BUSINESS_ROLES, 'regulator'],
  'location.read': ALL,
  'location.update': [...BUSINESS_ROLES, 'regulator'],
  'vehicle.create': ['carrier', 'regulator'],
  'vehicle.read': ALL,
  'vehicle.update': ['carrier', 'regulator'],
  'worker.create': [...BUSINESS_ROLES, 'regulator'],
  'worker.read': [...BUSINESS_ROLES, 'regulator'],
  'worker.update': [...BUSINESS_ROLES, 'regulator'],
  'worker.test.create': [...BUSINESS_ROLES, 'regulator'],
  'producer.create': ['customs'],
  'producer.read': ALL,
  'producer.update': ['customs'],
  'settings.update': ['regulator'],
  'federation.manage': ['regulator'],
  'federation.read': ['regulator', 'auditor'],
  'personal.erase': ['regulator'],
  'log.read': ['regulator', 'auditor'],
  'lot.declare': ['importer'],
  'document.attach': ['importer', 'regulator'],
  'booking.create': ['importer'],
  'warehouse.record': ['supervision_warehouse'],
  'sample.result': ['lab'],
  'cartons.issue': ['importer'],
  'producer.suspend': ['customs'],
  'custody.move': ['importer', 'supervision_warehouse', 'cold_store', 'wholesaler', 'retailer', 'restaurant'],
  // A shipper offers a job to a carrier, whose vehicles and crew it may then name once the carrier has accepted.
  'carrier.job.offer': ['importer', 'supervision_warehouse', 'cold_store', 'wholesaler', 'retailer', 'restaurant'],
  'carrier.job.accept': ['carrier'],
  'custody.transform': ['importer', 'cold_store', 'wholesaler', 'retailer', 'restaurant'],
  'retail.sell': ['retailer', 'restaurant'],
  // Regulators and customs send notices to parties in their region (national: anywhere); every party runs its own webhooks.
  'notice.send': ['customs', 'regulator'],
  'webhook.manage': ALL,
  // Holders and carriers log temperatures; a breach is closed by a regulator or by a holder's QA token (see qa).
  'temperature.upload': TEMPERATURE_LOGGERS,
  'breach.close': ['regulator', ...TEMPERATURE_LOGGERS],
  'lot.trace': ['customs', 'regulator', 'auditor'],
  'incident.open': ['customs', 'regulator'],
  'incident.act': ['importer', 'supervision_warehouse', 'cold_store', 'wholesaler', 'retailer', 'restaurant'],
  'incident.manage': ['regulator'],
  'sample.market': ['regulator'],
  // EPCIS capture records facts of one's own business; mapped events are checked again as custody.move.
  'epcis.capture': BUSINESS_ROLES,
};

/** mayAttempt tells whether any of the actor's roles appears in the table for action. */
export function mayAttempt(actor: Actor, action: Action): boolean {
  const allowed = PERMISSIONS[action];
  return actor.roles.some((r) => allowed.includes(r));
}

/** isRegulator tells whether the actor acts as a regulator (provincial or national). */
export function isRegulator(actor: Actor): boolean {
  return actor.roles.includes('regulator');
}

/**
 * canSee is the read scope: a party sees its own data, a regulator or auditor sees its region, and the
 * national level sees everything.
 */
export function canSee(actor: Actor, thing: Owned): boolean {
  if (actor.national) return true;
  if (thing.ownerPartyId === actor.partyId) return true;
  const overseer = actor.roles.includes('regulator') || actor.roles.includes('auditor');
  return overseer && thing.region === actor.region;
}

/**
 * canManage is the write scope: a party manages its own data, a regulator manages its region's (but
 * not a national regulator's), and the national regulator manages everything. Auditors read only.
 */
export function canManage(actor: Actor, thing: Owned): boolean {
  if (thing.ownerPartyId === actor.partyId) return true;
  if (!isRegulator(actor)) return false;
  return actor.national || (thing.region === actor.region && !thing.national);
}

/** listScope is how a list is restricted for the actor: everything, its region, or its own rows. */
export function listScope(actor: Actor): { kind: 'all' } | { kind: 'region'; region: string } | { kind: 'own' } {
  if (actor.national) return { kind: 'all' };
  if (actor.roles.includes('regulator') || actor.roles.includes('auditor')) {
    return { kind: 'region', region: actor.region };
  }
  return { kind: 'own' };
}
