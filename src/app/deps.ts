import type { Kysely } from 'kysely';
import type { EligibilityRule } from '../domain/worker-eligibility.ts';
import type { Dialect } from '../store/dialect.ts';
import type { Schema } from '../store/schema.ts';
import type { Cosigner, Ed25519Signer } from '../log/note-key.ts';
import type { Policy } from '../log/policy.ts';
import type { EventBus } from './write/events.ts';

/** Clock is the only source of time. Domain and log code never read Date.now(). */
export interface Clock {
  now(): number;
}

/** systemClock reads the wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Config is what a node is told at start. */
export interface Config {
  /** dataDir holds the SQLite file, the node key and the blob store. */
  readonly dataDir: string;
  /** publicUrl is where the node is reached, e.g. https://ct.henan.example; it names the log's origin. */
  readonly publicUrl: string;
  /** workerRule is the default eligibility rule before any region sets its own. */
  readonly workerRule: EligibilityRule;
  /** nodeName is how peers and people call this node, e.g. 河南省冷链追溯节点; it defaults to the log origin. */
  readonly nodeName?: string;
  /** nodeRegion is the province (GB/T 2260) this node serves, or null for a national node. */
  readonly nodeRegion?: string | null;
  /**
   * federationPolicy is the c2sp.org/tlog-policy quorum a peer's checkpoint must meet before this node treats it as
   * final (COLDTRACE_FEDERATION_POLICY names the file); without one, every verified checkpoint is final.
   */
  readonly federationPolicy?: Policy;
}

/** LogIdentity is who signs this node's checkpoints, and the origin line they carry. */
export interface LogIdentity {
  readonly origin: string;
  readonly signer: Ed25519Signer;
}

/** Deps is everything a use case needs, passed explicitly: no container. */
export interface Deps {
  readonly dialect: Dialect;
  readonly db: Kysely<Schema>;
  readonly clock: Clock;
  readonly config: Config;
  /** log is the key and origin that sign this node's checkpoints. */
  readonly log: LogIdentity;
  /** witness cosigns peers' checkpoints (c2sp.org/tlog-witness) with a key of its own, never the log key. */
  readonly witness: Cosigner;
  /** events carries committed domain events to in-process subscribers. */
  readonly events: EventBus;
  /** blobDir is where uploaded documents are stored by their SHA-256. */
  readonly blobDir: string;
}
