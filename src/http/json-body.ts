import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../app/errors.ts';

/** MAX_JSON_DEPTH is how deeply arrays and objects may nest in a request body; no operation needs more than a dozen. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * jsonDepth returns how deeply arrays and objects nest in the JSON text, stopping as soon as it passes
 * limit. One pass over the characters, without recursion, so a hostile body cannot exhaust the stack.
 * Brackets inside strings do not count; the text need not be valid JSON (the parser judges that).
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return max;
}

type Done = (err: Error | null, body?: unknown) => void;

/**
 * boundedJsonParser wraps app's JSON parser (which refuses __proto__ and constructor keys) so that a body
 * nested deeper than maxDepth is refused before it is parsed: parsing, validation, the text guard and
 * canonical encoding all walk a body, some recursively, and a body a few thousand levels deep would
 * overflow one of them. The size is bounded before this, while the body streams in (bodyLimit, 413).
 */
export function boundedJsonParser(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH) {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (req: FastifyRequest, body: string | Buffer, done: Done): void => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepth(text, maxDepth) > maxDepth) {
      done(
        new AppError('ValidationFailed', {
          field: '(body)',
          reason: `nests arrays or objects more than ${maxDepth} levels deep`,
        }),
      );
      return;
    }
    parse(req, text, done);
  };
}
