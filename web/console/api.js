// The console's only way to the server: the JSON API with the user's token, in the user's language.

/** ApiError is a refusal from the API: its HTTP status and the { code, message, details } it sent. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code ?? 'HttpError';
    this.details = error?.details ?? {};
  }
}

/**
 * Api calls the JSON API as one party. `lang()` is read on every call and sent as Accept-Language, so the API's
 * error messages come back in the language the console shows.
 */
export class Api {
  constructor(token, lang) {
    this.token = token;
    this.lang = lang;
  }

  headers(extra = {}) {
    return {
      authorization: `Bearer ${this.token}`,
      'accept-language': this.lang() === 'zh' ? 'zh-CN,zh;q=0.9' : 'en;q=1, zh;q=0.1',
      ...extra,
    };
  }

  /** call sends one request and returns the parsed JSON, or throws ApiError (status 0 when the network failed). */
  async call(method, path, body) {
    let res;
    try {
      res = await fetch(path, {
        method,
        headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (err) {
      throw new ApiError(0, { code: 'NetworkError', message: String(err?.message ?? err), details: {} });
    }
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) throw new ApiError(res.status, json?.error);
    return json;
  }

  get(path) {
    return this.call('GET', path);
  }

  post(path, body = {}) {
    return this.call('POST', path, body);
  }
}

/**
 * readAlertStream follows GET /v1/alerts/stream with fetch (EventSource cannot send the Authorization header) and
 * calls onAlert for each alert. When the stream ends or fails it reconnects with Last-Event-ID, the last alert seen, so
 * nothing raised in between is lost; it waits longer after each failure, up to 30 s. onState hears 'open',
 * 'reconnecting' and 'closed'. It returns a function that stops it for good.
 */
export function readAlertStream(api, { lastId, onAlert, onState, onReset }) {
  const stop = new AbortController();
  let last = lastId ?? null;
  let failures = 0;
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const once = async () => {
    const headers = api.headers(last ? { 'last-event-id': last } : {});
    const res = await fetch('/v1/alerts/stream', { headers, signal: stop.signal, cache: 'no-store' });
    if (res.status === 401) throw Object.assign(new Error('unauthenticated'), { fatal: true });
    if (res.status === 400 && last) {
      // The id is not one of ours any more (another database?): start afresh and let the inbox reload.
      last = null;
      onReset?.();
      return;
    }
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    onState('open');
    failures = 0;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value.replace(/\r\n?/g, '\n');
      for (let end; (end = buf.indexOf('\n\n')) >= 0; buf = buf.slice(end + 2)) {
        const lines = buf.slice(0, end).split('\n');
        const id = lines.find((l) => l.startsWith('id:'));
        const data = lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).replace(/^ /, ''))
          .join('\n');
        if (!data) continue;
        if (id) last = id.slice(3).trim();
        onAlert(JSON.parse(data));
      }
    }
  };

  void (async () => {
    while (!stop.signal.aborted) {
      try {
        await once();
      } catch (err) {
        if (stop.signal.aborted) break;
        if (err?.fatal) {
          onState('closed');
          return;
        }
        failures++;
      }
      if (stop.signal.aborted) break;
      onState('reconnecting');
      await wait(Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)));
    }
    onState('closed');
  })();
  return () => stop.abort();
}
