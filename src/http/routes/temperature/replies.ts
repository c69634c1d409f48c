// Reply schemas of the temperature routes: what each operation answers, for OpenAPI and for fast-json-stringify (a field
// left out here is dropped from the reply, and the HTTP tests' reply check fails). Shapes that recur are named once.

const ruleShape = {
  type: 'object',
  additionalProperties: false,
  required: ['maxCelsius', 'minDurationMs', 'maxGapMs', 'tempClass', 'setBy'],
  properties: {
    maxCelsius: { type: 'number' },
    minDurationMs: { type: 'number' },
    maxGapMs: { type: 'number' },
    tempClass: { type: 'string' },
    setBy: { type: 'string' },
  },
} as const;

const closedShape = {
  type: 'object',
  additionalProperties: false,
  required: ['byPartyId', 'at', 'comment'],
  properties: {
    byPartyId: { type: ['string', 'null'] },
    at: { type: ['string', 'null'] },
    comment: { type: ['string', 'null'] },
  },
} as const;

export const getTemperatureBreachesById200 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'uploadId',
    'subject',
    'uploaderPartyId',
    'region',
    'startAt',
    'endAt',
    'minutes',
    'minCelsius',
    'maxCelsius',
    'endReason',
    'rule',
    'lotIds',
    'status',
    'closed',
    'createdAt',
    'updatedAt',
    'logIndex',
  ],
  properties: {
    id: { type: 'string' },
    uploadId: { type: 'string' },
    subject: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'id'],
      properties: { kind: { type: 'string' }, id: { type: 'string' } },
    },
    uploaderPartyId: { type: 'string' },
    region: { type: 'string' },
    startAt: { type: ['string', 'null'] },
    endAt: { type: ['string', 'null'] },
    minutes: { type: 'number' },
    minCelsius: { type: 'number' },
    maxCelsius: { type: 'number' },
    endReason: { type: 'string' },
    rule: ruleShape,
    lotIds: { type: 'array', items: { type: 'string' } },
    status: { type: 'string' },
    closed: { anyOf: [closedShape, { type: 'null' }] },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const postTemperatureUploads201 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'breaches',
    'logIndex',
    'id',
    'subject',
    'deviceId',
    'uploaderPartyId',
    'region',
    'tempClass',
    'source',
    'count',
    'firstAt',
    'lastAt',
    'pointsSha256',
    'suspectGaps',
    'createdAt',
  ],
  properties: {
    breaches: { type: 'array', items: getTemperatureBreachesById200 },
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    subject: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'id'],
      properties: { kind: { type: 'string' }, id: { type: 'string' } },
    },
    deviceId: { type: ['string', 'null'] },
    uploaderPartyId: { type: 'string' },
    region: { type: 'string' },
    tempClass: { type: 'string' },
    source: { type: 'string' },
    count: { type: 'number' },
    firstAt: { type: ['string', 'null'] },
    lastAt: { type: ['string', 'null'] },
    pointsSha256: { type: 'string' },
    suspectGaps: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: { from: { type: ['string', 'null'] }, to: { type: ['string', 'null'] } },
      },
    },
    createdAt: { type: ['string', 'null'] },
  },
} as const;

export const getTemperatureUploadsById200 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'breaches',
    'id',
    'subject',
    'deviceId',
    'uploaderPartyId',
    'region',
    'tempClass',
    'source',
    'count',
    'firstAt',
    'lastAt',
    'pointsSha256',
    'suspectGaps',
    'createdAt',
    'logIndex',
  ],
  properties: {
    breaches: { type: 'array', items: getTemperatureBreachesById200 },
    id: { type: 'string' },
    subject: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'id'],
      properties: { kind: { type: 'string' }, id: { type: 'string' } },
    },
    deviceId: { type: ['string', 'null'] },
    uploaderPartyId: { type: 'string' },
    region: { type: 'string' },
    tempClass: { type: 'string' },
    source: { type: 'string' },
    count: { type: 'number' },
    firstAt: { type: ['string', 'null'] },
    lastAt: { type: ['string', 'null'] },
    pointsSha256: { type: 'string' },
    suspectGaps: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: { from: { type: ['string', 'null'] }, to: { type: ['string', 'null'] } },
      },
    },
    createdAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getTemperatureReadings200 = {
  type: 'object',
  additionalProperties: false,
  required: ['subject', 'items', 'nextCursor'],
  properties: {
    subject: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'id'],
      properties: { kind: { type: 'string', enum: ['lot', 'location', 'vehicle'] }, id: { type: 'string' } },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'celsius', 'uploadId'],
        properties: { at: { type: ['string', 'null'] }, celsius: { type: 'number' }, uploadId: { type: 'string' } },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

export const getTemperatureBreaches200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: getTemperatureBreachesById200 },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

export const postTemperatureBreachesByIdClose200 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'logIndex',
    'id',
    'uploadId',
    'subject',
    'uploaderPartyId',
    'region',
    'startAt',
    'endAt',
    'minutes',
    'minCelsius',
    'maxCelsius',
    'endReason',
    'rule',
    'lotIds',
    'status',
    'closed',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    uploadId: { type: 'string' },
    subject: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'id'],
      properties: { kind: { type: 'string' }, id: { type: 'string' } },
    },
    uploaderPartyId: { type: 'string' },
    region: { type: 'string' },
    startAt: { type: ['string', 'null'] },
    endAt: { type: ['string', 'null'] },
    minutes: { type: 'number' },
    minCelsius: { type: 'number' },
    maxCelsius: { type: 'number' },
    endReason: { type: 'string' },
    rule: ruleShape,
    lotIds: { type: 'array', items: { type: 'string' } },
    status: { type: 'string' },
    closed: { anyOf: [closedShape, { type: 'null' }] },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
  },
} as const;

const ruleShape2 = {
  type: 'object',
  additionalProperties: false,
  required: ['maxCelsius', 'minDurationMs', 'maxGapMs'],
  properties: { maxCelsius: { type: 'number' }, minDurationMs: { type: 'number' }, maxGapMs: { type: 'number' } },
} as const;

const frozenShape = {
  type: 'object',
  additionalProperties: false,
  required: ['tempClass', 'rule', 'setBy'],
  properties: {
    tempClass: { type: 'string', enum: ['frozen', 'chilled', 'ambient'] },
    rule: { anyOf: [ruleShape2, { type: 'null' }] },
    setBy: { type: 'string' },
  },
} as const;

export const getSettingsTemperatureRules200 = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'rules'],
  properties: {
    region: { type: 'string' },
    rules: {
      type: 'object',
      additionalProperties: false,
      required: ['frozen', 'chilled', 'ambient'],
      properties: { frozen: frozenShape, chilled: frozenShape, ambient: frozenShape },
    },
  },
} as const;

export const putSettingsTemperatureRules200 = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'rules', 'logIndex'],
  properties: {
    region: { type: ['string', 'null'] },
    rules: {
      type: 'object',
      additionalProperties: false,
      required: [],
      properties: {
        frozen: { anyOf: [ruleShape2, { type: 'null' }] },
        chilled: { anyOf: [ruleShape2, { type: 'null' }] },
        ambient: { anyOf: [ruleShape2, { type: 'null' }] },
      },
    },
    logIndex: { type: 'integer' },
  },
} as const;
