import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { ADDRESS_RULE } from '../../domain/webhook.ts';
import { AddressRefused, allowedAddressesFor, guardedLookup, resolveHost } from '../recall/webhook-address.ts';

/** PLATFORM_TIMEOUT_MS bounds every request to another platform: nothing here waits on one longer. */
export const PLATFORM_TIMEOUT_MS = 2000;
/** MAX_DOCUMENT_BYTES bounds what is read of a platform's answer; a longer one is refused whole. */
export const MAX_DOCUMENT_BYTES = 1_000_000;

/** Fetched is a platform's answer: its status, its body and the SHA-256 of the body, hex. */
export interface Fetched {
  readonly status: number;
  readonly body: string;
  readonly sha256: string;
}

/**
 * call sends one request to another platform and reads its answer, at most MAX_DOCUMENT_BYTES within timeoutMs in
 * all. As for webhooks (recall/deliverer.ts), the host is checked just before connecting (https: public addresses;
 * http: this machine only), the connection goes to a checked address, and redirects are not followed. It rejects
 * with a short reason, never a stack or a secret.
 */
export function call(
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  body: string | null,
  timeoutMs = PLATFORM_TIMEOUT_MS,
): Promise<Fetched> {
  const u = new URL(url);
  const allowed = allowedAddressesFor(u);
  const literal = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0 && !allowed(literal))
    return Promise.reject(new Error(`refused: ${u.hostname}; ${ADDRESS_RULE}`));
  return new Promise((settle, fail) => {
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      u,
      {
        method,
        headers: body === null ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: false,
        lookup: guardedLookup(allowed, resolveHost),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_DOCUMENT_BYTES) {
            res.destroy();
            fail(new Error(`the answer is over ${MAX_DOCUMENT_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          settle({
            status: res.statusCode ?? 0,
            body: all.toString('utf8'),
            sha256: createHash('sha256').update(all).digest('hex'),
          });
        });
        res.on('error', (err) => fail(new Error(describe(err, timeoutMs))));
      },
    );
    req.on('error', (err) => fail(new Error(describe(err, timeoutMs))));
    req.end(body ?? undefined);
  });
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  if (err instanceof AddressRefused) return err.message.slice(0, 200);
  return (e.code ?? e.message ?? String(err)).slice(0, 200);
}
