import type { Deps } from '../app/deps.ts';
import { startCheckpointer } from '../app/write/checkpointer.ts';
import { startDeliverer } from '../app/recall/deliverer.ts';
import { startStreamDeliverer } from '../app/epcis/stream-deliverer.ts';
import { startPlatformWorker } from '../app/platforms/sync.ts';
import { startFederation } from '../app/federation/worker.ts';
import { bootstrapAdmin, nodeOptionsFrom, openNode } from '../app/write/node.ts';
import { buildApp } from '../http/app.ts';

/** ServeFlags are `coldtrace serve`'s options. */
export interface ServeFlags {
  port?: number;
  host?: string;
  data?: string;
}

/** trustProxyFrom reads COLDTRACE_TRUST_PROXY: unset or "false" is off, "true" trusts any proxy, else the proxies' addresses. */
function trustProxyFrom(v: string | undefined): boolean | string {
  if (!v || v === 'false') return false;
  return v === 'true' ? true : v;
}

/**
 * serve runs the node until SIGTERM or SIGINT, then stops taking connections, finishes the requests in
 * flight and closes the database cleanly.
 */
export async function serve(flags: ServeFlags): Promise<void> {
  const port = flags.port ?? (process.env.PORT ? Number(process.env.PORT) : 8080);
  const host = flags.host ?? process.env.HOST ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${String(port)}`);
  const opts = nodeOptionsFrom({ ...flags, port, host });
  const deps: Deps = await openNode(opts);
  const admin = await bootstrapAdmin(deps);
  if (admin) {
    process.stdout.write(
      `\ncoldtrace: first start. Created the national regulator admin party ${admin.partyId}.\n` +
        `Its token, shown only this once (首次启动，管理员令牌仅显示一次):\n\n  ${admin.token}\n\n`,
    );
  }
  // Peers are followed and the node's checkpoints taken to their witnesses in the background; errors are logged.
  let log: { error: (o: object, msg: string) => void } = { error: () => {} };
  const federation = startFederation(deps, {
    pollMs: Number(process.env.COLDTRACE_FEDERATION_POLL_MS ?? 10_000),
    onError: (err) => log.error({ err }, 'federation pass failed; retrying on the next tick'),
  });
  const app = await buildApp(deps, {
    federation,
    logger: { level: process.env.LOG_LEVEL ?? 'info' },
    trustProxy: trustProxyFrom(process.env.COLDTRACE_TRUST_PROXY),
    allowHttpWebhooks: process.env.COLDTRACE_WEBHOOK_ALLOW_HTTP === 'true',
  });
  log = app.log;
  const interval = Number(process.env.COLDTRACE_CHECKPOINT_MS ?? 1000);
  const checkpointer = startCheckpointer(
    deps.db,
    deps.log,
    deps.clock,
    interval,
    (err) => app.log.error({ err }, 'checkpoint failed; retrying on the next tick'),
    () => federation.kick(),
  );
  await checkpointer.flush();
  const deliverer = startDeliverer(deps, {
    onError: (err) => app.log.error({ err }, 'webhook delivery pass failed; retrying on the next tick'),
  });
  const streams = startStreamDeliverer(deps, {
    onError: (err) => app.log.error({ err }, 'EPCIS subscription delivery pass failed; retrying on the next tick'),
  });
  // Other platforms (app/platforms): re-read their lots and push recalls of their goods, every 30 s.
  const platforms = startPlatformWorker(deps, Number(process.env.COLDTRACE_PLATFORM_SYNC_MS ?? 30_000), (err) =>
    app.log.error({ err }, 'platform pass failed; retrying on the next tick'),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping: finishing requests in flight');
    await app.close();
    // Attempts under way finish and are recorded; whatever is still queued is sent after the next start.
    await deliverer.stop();
    await streams.stop();
    await platforms.stop();
    await federation.stop();
    // Sign the last entries before closing, so a clean stop leaves the whole log checkpointed.
    await checkpointer.stop();
    await deps.dialect.close();
    app.log.info('stopped cleanly');
    // End by running out of work, not process.exit: exit cuts off the logger's asynchronous writes to
    // stdout, losing or reordering the last lines. The unref'd timer only fires if a handle is left open.
    process.exitCode = 0;
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await app.listen({ port, host });
  app.log.info(
    {
      database: deps.dialect.label,
      dataDir: opts.dataDir,
      publicUrl: opts.publicUrl,
      origin: deps.log.origin,
      vkey: deps.log.signer.verifierKey,
      witness: deps.witness.verifierKey,
    },
    'coldtrace serving',
  );
}
