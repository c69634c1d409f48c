// Reply schemas of the named query and subscription routes (see replies.ts).

export const namedQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'query', 'createdAt'],
  properties: {
    name: { type: 'string' },
    query: {
      type: 'object',
      additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const namedQueryList = { type: 'array', items: namedQuery } as const;

export const subscription = {
  type: 'object',
  additionalProperties: false,
  required: ['subscriptionID', 'dest', 'createdAt', 'stream'],
  properties: {
    subscriptionID: { type: 'string' },
    dest: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    stream: { type: 'boolean' },
    schedule: { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
    reportIfEmpty: { type: 'boolean' },
    lastNotifiedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const subscriptionList = { type: 'array', items: subscription } as const;
