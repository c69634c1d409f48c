// Reply schemas of the registry routes: what each operation answers, for OpenAPI and for fast-json-stringify (a field
// left out here is dropped from the reply, and the HTTP tests' reply check fails). Shapes that recur are named once.

export const postLocations201 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'logIndex',
    'id',
    'ownerPartyId',
    'filingNo',
    'name',
    'address',
    'region',
    'kind',
    'tempClass',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    ownerPartyId: { type: 'string' },
    filingNo: { type: 'string' },
    name: { type: 'string' },
    address: { type: 'string' },
    region: { type: 'string' },
    kind: { type: 'string' },
    tempClass: { type: 'string' },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
  },
} as const;

export const getLocationsById200 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'ownerPartyId',
    'filingNo',
    'name',
    'address',
    'region',
    'kind',
    'tempClass',
    'createdAt',
    'updatedAt',
    'logIndex',
  ],
  properties: {
    id: { type: 'string' },
    ownerPartyId: { type: 'string' },
    filingNo: { type: 'string' },
    name: { type: 'string' },
    address: { type: 'string' },
    region: { type: 'string' },
    kind: { type: 'string' },
    tempClass: { type: 'string' },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getLocations200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: getLocationsById200 }, nextCursor: { type: ['string', 'null'] } },
} as const;

export const postVehicles201 = {
  type: 'object',
  additionalProperties: false,
  required: ['logIndex', 'id', 'plate', 'carrierPartyId', 'refrigerated', 'region', 'createdAt', 'updatedAt'],
  properties: {
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    plate: { type: 'string' },
    carrierPartyId: { type: 'string' },
    refrigerated: { type: 'boolean' },
    region: { type: 'string' },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
  },
} as const;

export const getVehiclesById200 = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'plate', 'carrierPartyId', 'refrigerated', 'region', 'createdAt', 'updatedAt', 'logIndex'],
  properties: {
    id: { type: 'string' },
    plate: { type: 'string' },
    carrierPartyId: { type: 'string' },
    refrigerated: { type: 'boolean' },
    region: { type: 'string' },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getVehicles200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: getVehiclesById200 }, nextCursor: { type: ['string', 'null'] } },
} as const;

export const postProducers201 = {
  type: 'object',
  additionalProperties: false,
  required: ['logIndex', 'id', 'country', 'registrationNo', 'name', 'nameZh', 'createdAt', 'updatedAt'],
  properties: {
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    country: { type: 'string' },
    registrationNo: { type: 'string' },
    name: { type: 'string' },
    nameZh: { type: ['string', 'null'] },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
  },
} as const;

export const getProducersById200 = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'country', 'registrationNo', 'name', 'nameZh', 'createdAt', 'updatedAt', 'logIndex'],
  properties: {
    id: { type: 'string' },
    country: { type: 'string' },
    registrationNo: { type: 'string' },
    name: { type: 'string' },
    nameZh: { type: ['string', 'null'] },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getProducers200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: getProducersById200 }, nextCursor: { type: ['string', 'null'] } },
} as const;

export const postParties201 = {
  type: 'object',
  additionalProperties: false,
  required: ['logIndex', 'id', 'uscc', 'name', 'roles', 'region', 'level', 'createdAt', 'updatedAt'],
  properties: {
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    uscc: { type: 'string' },
    name: {
      type: 'object',
      additionalProperties: false,
      required: ['zh', 'en'],
      properties: { zh: { type: ['string', 'null'] }, en: { type: ['string', 'null'] } },
    },
    roles: {
      type: 'array',
      items: {
        type: 'string',
        enum: [
          'importer',
          'supervision_warehouse',
          'lab',
          'cold_store',
          'carrier',
          'wholesaler',
          'retailer',
          'restaurant',
          'customs',
          'regulator',
          'auditor',
        ],
      },
    },
    region: { type: 'string' },
    level: { type: ['string', 'null'], enum: ['national', 'provincial', null] },
    homeOrigin: { type: ['string', 'null'] },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
  },
} as const;

export const getPartiesById200 = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'uscc', 'name', 'roles', 'region', 'level', 'createdAt', 'updatedAt', 'logIndex'],
  properties: {
    id: { type: 'string' },
    uscc: { type: 'string' },
    name: {
      type: 'object',
      additionalProperties: false,
      required: ['zh', 'en'],
      properties: { zh: { type: ['string', 'null'] }, en: { type: ['string', 'null'] } },
    },
    roles: {
      type: 'array',
      items: {
        type: 'string',
        enum: [
          'importer',
          'supervision_warehouse',
          'lab',
          'cold_store',
          'carrier',
          'wholesaler',
          'retailer',
          'restaurant',
          'customs',
          'regulator',
          'auditor',
        ],
      },
    },
    region: { type: 'string' },
    level: { type: ['string', 'null'], enum: ['national', 'provincial', null] },
    homeOrigin: { type: ['string', 'null'] },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getParties200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: getPartiesById200 }, nextCursor: { type: ['string', 'null'] } },
} as const;

export const getMe200 = {
  type: 'object',
  additionalProperties: false,
  required: ['national', 'id', 'uscc', 'name', 'roles', 'region', 'level', 'createdAt', 'updatedAt', 'logIndex'],
  properties: {
    national: { type: 'boolean' },
    id: { type: 'string' },
    uscc: { type: 'string' },
    name: {
      type: 'object',
      additionalProperties: false,
      required: ['zh', 'en'],
      properties: { zh: { type: ['string', 'null'] }, en: { type: ['string', 'null'] } },
    },
    roles: {
      type: 'array',
      items: {
        type: 'string',
        enum: [
          'importer',
          'supervision_warehouse',
          'lab',
          'cold_store',
          'carrier',
          'wholesaler',
          'retailer',
          'restaurant',
          'customs',
          'regulator',
          'auditor',
        ],
      },
    },
    region: { type: 'string' },
    level: { type: ['string', 'null'], enum: ['national', 'provincial', null] },
    homeOrigin: { type: ['string', 'null'] },
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const postPartiesByIdTokens201 = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'logIndex', 'id', 'partyId', 'label', 'createdAt', 'revokedAt', 'qa'],
  properties: {
    token: { type: 'string' },
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    partyId: { type: 'string' },
    label: { type: ['string', 'null'] },
    createdAt: { type: ['string', 'null'] },
    revokedAt: { type: ['string', 'null'] },
    qa: { type: 'boolean' },
  },
} as const;

export const getPartiesByIdTokens200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'partyId', 'label', 'createdAt', 'revokedAt', 'qa', 'logIndex'],
        properties: {
          id: { type: 'string' },
          partyId: { type: 'string' },
          label: { type: ['string', 'null'] },
          createdAt: { type: ['string', 'null'] },
          revokedAt: { type: ['string', 'null'] },
          qa: { type: 'boolean' },
          logIndex: { type: 'integer' },
        },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

export const deleteTokensById200 = {
  type: 'object',
  additionalProperties: false,
  required: ['logIndex', 'id', 'partyId', 'label', 'createdAt', 'revokedAt', 'qa'],
  properties: {
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    partyId: { type: 'string' },
    label: { type: ['string', 'null'] },
    createdAt: { type: ['string', 'null'] },
    revokedAt: { type: ['string', 'null'] },
    qa: { type: 'boolean' },
  },
} as const;

const eligibilityShape = {
  type: 'object',
  additionalProperties: false,
  required: ['eligible', 'reason', 'validUntil', 'latestTestAt'],
  properties: {
    eligible: { type: 'boolean' },
    reason: { type: 'string', enum: ['no_test', 'latest_positive', 'expired', 'ok', 'not_required'] },
    validUntil: { type: ['string', 'null'] },
    latestTestAt: { type: ['string', 'null'] },
  },
} as const;

export const postWorkers201 = {
  type: 'object',
  additionalProperties: false,
  required: ['logIndex', 'id', 'employerPartyId', 'name', 'role', 'idNumber', 'eligibility', 'createdAt', 'updatedAt'],
  properties: {
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    employerPartyId: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    idNumber: {
      type: 'object',
      additionalProperties: false,
      required: ['masked', 'erased'],
      properties: { masked: { type: ['string', 'null'] }, erased: { type: 'boolean' } },
    },
    eligibility: eligibilityShape,
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
  },
} as const;

export const getWorkersById200 = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'employerPartyId', 'name', 'role', 'idNumber', 'eligibility', 'createdAt', 'updatedAt', 'logIndex'],
  properties: {
    id: { type: 'string' },
    employerPartyId: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    idNumber: {
      type: 'object',
      additionalProperties: false,
      required: ['masked', 'erased'],
      properties: { masked: { type: ['string', 'null'] }, erased: { type: 'boolean' } },
    },
    eligibility: eligibilityShape,
    createdAt: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getWorkers200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: getWorkersById200 }, nextCursor: { type: ['string', 'null'] } },
} as const;

export const postWorkersByIdTests201 = {
  type: 'object',
  additionalProperties: false,
  required: ['logIndex', 'id', 'workerId', 'sampledAt', 'result', 'institution', 'createdAt'],
  properties: {
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    workerId: { type: 'string' },
    sampledAt: { type: ['string', 'null'] },
    result: { type: 'string' },
    institution: { type: 'string' },
    createdAt: { type: ['string', 'null'] },
  },
} as const;

export const getWorkersByIdTests200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'workerId', 'sampledAt', 'result', 'institution', 'createdAt', 'logIndex'],
        properties: {
          id: { type: 'string' },
          workerId: { type: 'string' },
          sampledAt: { type: ['string', 'null'] },
          result: { type: 'string' },
          institution: { type: 'string' },
          createdAt: { type: ['string', 'null'] },
          logIndex: { type: 'integer' },
        },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

const maxAgeHoursShape = {
  type: 'object',
  additionalProperties: false,
  required: ['sales', 'port_handler', 'warehouse_handler', 'driver'],
  properties: {
    sales: { type: ['number', 'null'] },
    port_handler: { type: ['number', 'null'] },
    warehouse_handler: { type: ['number', 'null'] },
    driver: { type: ['number', 'null'] },
  },
} as const;

export const getSettingsWorkerEligibility200 = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'rule'],
  properties: {
    region: { type: 'string' },
    rule: {
      type: 'object',
      additionalProperties: false,
      required: ['maxAgeHours'],
      properties: { maxAgeHours: maxAgeHoursShape },
    },
  },
} as const;

export const putSettingsWorkerEligibility200 = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'rule', 'logIndex'],
  properties: {
    region: { type: ['string', 'null'] },
    rule: {
      type: 'object',
      additionalProperties: false,
      required: ['maxAgeHours'],
      properties: { maxAgeHours: maxAgeHoursShape },
    },
    logIndex: { type: 'integer' },
  },
} as const;

export const postPersonalDataByIdErasure200 = {
  anyOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['ref', 'erasedAt', 'logIndex'],
      properties: { ref: { type: 'string' }, erasedAt: { type: 'string' }, logIndex: { type: 'null' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['ref', 'erasedAt', 'logIndex'],
      properties: { ref: { type: 'string' }, erasedAt: { type: 'string' }, logIndex: { type: 'integer' } },
    },
  ],
} as const;
