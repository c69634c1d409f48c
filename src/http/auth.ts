import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../app/errors.ts';
import type { Deps } from '../app/deps.ts';
import { authenticate } from '../app/registry/tokens.ts';
import type { Actor } from '../domain/access.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** FailureLimit is how many failed authentications a client may make in a window before it must wait. */
export interface FailureLimit {
  readonly max: number;
  readonly windowMs: number;
}

/**
 * FailedAuthLimiter counts failed authentications per client address in a fixed window. In memory per
 * process: it slows guessing, and a token has 256 random bits, so guessing cannot succeed anyway.
 */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly limit: FailureLimit,
    private readonly now: () => number,
  ) {}

  /** blockedFor returns the seconds a client must wait, or 0 if it may try. */
  blockedFor(client: string): number {
    const f = this.failures.get(client);
    if (!f) return 0;
    const t = this.now();
    if (t >= f.resetAt) {
      this.failures.delete(client);
      return 0;
    }
    return f.count >= this.limit.max ? Math.ceil((f.resetAt - t) / 1000) : 0;
  }

  /** fail records one failure for client. */
  fail(client: string): void {
    const t = this.now();
    const f = this.failures.get(client);
    if (!f || t >= f.resetAt) this.failures.set(client, { count: 1, resetAt: t + this.limit.windowMs });
    else f.count++;
    if (this.failures.size > 100_000) this.prune(t);
  }

  private prune(t: number): void {
    for (const [k, f] of this.failures) if (t >= f.resetAt) this.failures.delete(k);
  }
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{10,200}$/;

/**
 * installAuth resolves `Authorization: Bearer <token>` to request.actor on every request. No header
 * means an anonymous request: public routes allow it, and routes that declare a `security` schema
 * refuse it with 401 before validating anything. A wrong token is 401, and repeated failures from one
 * client are 429 before the database is asked.
 */
export function installAuth(app: FastifyInstance, deps: Deps, limit: FailureLimit): void {
  const limiter = new FailedAuthLimiter(limit, () => deps.clock.now());
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      // A secured route refuses an anonymous request here, before its body is parsed or validated.
      if (req.routeOptions.schema?.security?.length) requireActor(req);
      return;
    }
    const wait = limiter.blockedFor(req.ip);
    if (wait > 0)
      throw new AppError('TooManyAttempts', { retryAfter: wait, reason: 'too many failed authentications' });
    // Any single word after "Bearer" is a token in the right format; only one that could be ours is
    // looked up, and every other is unknown, so `Bearer ct_wrong` is told its token is unknown.
    const m = /^Bearer +(\S+)$/i.exec(header);
    const actor = m && TOKEN_SHAPE.test(m[1]!) ? await authenticate(deps, m[1]!) : null;
    if (!actor) {
      limiter.fail(req.ip);
      throw new AppError('Unauthenticated', {
        field: 'authorization',
        reason: m ? 'unknown or revoked token' : 'expected "Bearer <token>"',
      });
    }
    req.actor = actor;
  });
}

/** requireActor returns the request's actor, or throws Unauthenticated on an anonymous request. */
export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor)
    throw new AppError('Unauthenticated', { field: 'authorization', reason: 'this route needs a bearer token' });
  return req.actor;
}
