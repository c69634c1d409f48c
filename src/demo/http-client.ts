// A small client of a node's JSON API, as a business's own system would call it: real HTTP requests, a bearer token,
// JSON in and out. The federation demo drives its nodes with it.

/** ApiRefusal is a reply other than 2xx: the request, the status and the node's error body. */
export class ApiRefusal extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${url} → ${status} ${JSON.stringify(body)}`);
    this.name = 'ApiRefusal';
  }

  /** code is the error code of the reply's body, e.g. 'NotYetWitnessed', or null. */
  get code(): string | null {
    const e = (this.body as { error?: { code?: unknown } } | null)?.error;
    return typeof e?.code === 'string' ? e.code : null;
  }
}

/** Json is a parsed JSON reply; the story reads the fields it needs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON replies
export type Json = any;

/** NodeApi calls one node's API. */
export interface NodeApi {
  readonly url: string;
  get(path: string, token: string): Promise<Json>;
  post(path: string, token: string, body?: unknown): Promise<Json>;
  /** upload posts a multipart form with one file, as a browser form would. */
  upload(
    path: string,
    token: string,
    fields: Record<string, string>,
    file: { name: string; type: string; bytes: Uint8Array },
  ): Promise<Json>;
}

/** nodeApi makes a client of the node at url (its base URL, e.g. http://127.0.0.1:8080). */
export function nodeApi(url: string): NodeApi {
  const send = async (method: string, path: string, token: string, body?: BodyInit, type?: string) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (type) headers['content-type'] = type;
    const res = await fetch(`${url}${path}`, { method, headers, body, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text, for the refusal to show.
    }
    if (!res.ok) throw new ApiRefusal(method, `${url}${path}`, res.status, parsed);
    return parsed as Json;
  };
  return {
    url,
    get: (path, token) => send('GET', path, token),
    post: (path, token, body) =>
      body === undefined
        ? send('POST', path, token)
        : send('POST', path, token, JSON.stringify(body), 'application/json'),
    upload: (path, token, fields, file) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
      return send('POST', path, token, form);
    },
  };
}

/** WaitTimeout says what the demo waited for, on which node, and what it saw last. */
export class WaitTimeout extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
    readonly last: unknown,
  ) {
    super(
      `waited ${Math.round(ms / 1000)} s for ${what}, in vain; last seen: ${typeof last === 'string' ? last : JSON.stringify(last)}`,
    );
    this.name = 'WaitTimeout';
  }
}

/** WaitLimits bound a wait: at most timeoutMs, and no longer than until signal aborts. */
export interface WaitLimits {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * waitFor calls probe every intervalMs until it returns a value other than undefined, and returns that value. A probe
 * that throws an ApiRefusal is tried again (the refusal is what the timeout reports); after timeoutMs it throws a
 * WaitTimeout naming what, and the last thing the probe saw (its note, or the last refusal). An aborted signal ends
 * the wait at once with the signal's reason.
 */
export async function waitFor<T>(
  what: string,
  probe: (note: (seen: unknown) => void) => Promise<T | undefined>,
  limits: WaitLimits,
  intervalMs = 200,
): Promise<T> {
  const start = Date.now();
  let last: unknown = 'nothing yet';
  for (;;) {
    limits.signal?.throwIfAborted();
    try {
      const v = await probe((seen) => {
        last = seen;
      });
      if (v !== undefined) return v;
    } catch (err) {
      if (!(err instanceof ApiRefusal)) throw err;
      last = err.message;
    }
    if (Date.now() - start >= limits.timeoutMs) throw new WaitTimeout(what, Date.now() - start, last);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
