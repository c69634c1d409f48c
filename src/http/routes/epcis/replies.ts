import { ERROR_CODES } from '../../errors.ts';

// Reply schemas of the epcis routes: what each operation answers, for OpenAPI and for fast-json-stringify (a field
// left out here is dropped from the reply, and the HTTP tests' reply check fails). Shapes that recur are named once.

const errorShape = {
  type: 'object',
  additionalProperties: false,
  required: ['eventIndex', 'code', 'field', 'reason', 'type', 'title', 'status', 'detail'],
  properties: {
    eventIndex: { type: 'integer' },
    code: {
      type: 'string',
      enum: ERROR_CODES,
    } as { type: 'string' },
    field: { type: 'string' },
    reason: { type: 'string' },
    type: { type: 'string' },
    title: {
      type: 'string',
      enum: ERROR_CODES,
    } as { type: 'string' },
    status: { type: 'number' },
    detail: { type: 'string' },
  },
} as const;

export const postEpcisCapture202 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'captureID',
    'createdAt',
    'finishedAt',
    'running',
    'success',
    'captureErrorBehaviour',
    'errors',
    'eventCount',
    'capturedCount',
  ],
  properties: {
    captureID: { type: 'string' },
    createdAt: { type: ['string', 'null'] },
    finishedAt: { type: ['string', 'null'] },
    running: { type: 'boolean' },
    success: { type: 'boolean' },
    captureErrorBehaviour: { type: 'string' },
    errors: { type: 'array', items: errorShape },
    eventCount: { type: 'integer' },
    capturedCount: { type: 'integer' },
  },
} as const;

export const getEpcisCapture200 = { type: 'array', items: postEpcisCapture202 } as const;
