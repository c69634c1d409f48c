import type { Actor } from '../domain/access.ts';
import type { WorkerRole } from '../domain/worker-eligibility.ts';
import type { Writer } from '../app/write/commit.ts';
import type { Deps } from '../app/deps.ts';
import { createLocation } from '../app/registry/locations.ts';
import type { LocationInput } from '../app/registry/locations.ts';
import { actorOf, appendParty, checkPartyInput, createParty } from '../app/registry/parties.ts';
import type { PartyInput } from '../app/registry/parties.ts';
import { createVehicle } from '../app/registry/vehicles.ts';
import { createWorker, recordWorkerTest } from '../app/registry/workers.ts';
import { findParty } from '../store/parties.ts';

// Master data for the demo and the scale generator, made through the same use cases the API calls.

/** Member is a registered party and the actor its tokens act as. */
export interface Member {
  readonly id: string;
  readonly actor: Actor;
  readonly name: { zh: string | null; en: string | null };
  readonly region: string;
}

/** addParty registers a party as the node itself (as `coldtrace party add` does). */
export async function addParty(deps: Deps, input: PartyInput): Promise<Member> {
  const { party } = await createParty(deps, null, input);
  return {
    id: party.id,
    actor: { partyId: party.id, roles: party.roles, region: party.region, national: party.level === 'national' },
    name: party.name,
    region: party.region,
  };
}

/** appendMember registers a party inside the writer's transaction, for batches of thousands. */
export async function appendMember(w: Writer, input: PartyInput): Promise<Member> {
  const { party } = await appendParty(w, null, checkPartyInput(input));
  const row = (await findParty(w.trx, party.id))!;
  return { id: party.id, actor: actorOf(row), name: party.name, region: party.region };
}

/** addLocation registers a place of owner's: a cold store, a supervision warehouse, a shop. */
export async function addLocation(
  deps: Deps,
  owner: Member,
  input: Omit<LocationInput, 'ownerPartyId'>,
): Promise<string> {
  return (await createLocation(deps, owner.actor, input)).location.id;
}

/** addVehicle registers a refrigerated vehicle of a carrier. */
export async function addVehicle(deps: Deps, carrier: Member, plate: string): Promise<string> {
  return (await createVehicle(deps, carrier.actor, { plate, refrigerated: true })).vehicle.id;
}

/** addWorker registers a worker of employer with one negative nucleic-acid test sampled at testedAt. */
export async function addWorker(
  deps: Deps,
  employer: Member,
  w: { name: string; role: WorkerRole; idNumber: string; testedAt: number; institution: string },
): Promise<string> {
  const { worker } = await createWorker(deps, employer.actor, { name: w.name, role: w.role, idNumber: w.idNumber });
  await recordWorkerTest(deps, employer.actor, worker.id, {
    sampledAt: w.testedAt,
    result: 'negative',
    institution: w.institution,
  });
  return worker.id;
}
