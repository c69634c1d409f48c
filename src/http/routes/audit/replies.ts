// Reply schemas of the audit routes: what each operation answers, for OpenAPI and for fast-json-stringify (a field
// left out here is dropped from the reply, and the HTTP tests' reply check fails). Shapes that recur are named once.

export const getLogProofsInclusion200 = {
  type: 'object',
  additionalProperties: false,
  required: ['index', 'size', 'leafHash', 'rootHash', 'proof'],
  properties: {
    index: { type: 'number' },
    size: { type: 'number' },
    leafHash: { type: 'string' },
    rootHash: { type: 'string' },
    proof: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const getLogProofsConsistency200 = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'fromRootHash', 'toRootHash', 'proof'],
  properties: {
    from: { type: 'number' },
    to: { type: 'number' },
    fromRootHash: { type: 'string' },
    toRootHash: { type: 'string' },
    proof: { type: 'array', items: { type: 'string' } },
  },
} as const;
