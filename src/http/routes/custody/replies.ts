// Reply schemas of the custody routes: what each operation answers, for OpenAPI and for fast-json-stringify (a field
// left out here is dropped from the reply, and the HTTP tests' reply check fails). Shapes that recur are named once.

const inputShape = {
  type: 'object',
  additionalProperties: false,
  required: ['lotId', 'code', 'codeText', 'product', 'status', 'locationId', 'quantity'],
  properties: {
    lotId: { type: 'string' },
    code: { type: 'string' },
    codeText: { type: 'string' },
    product: {
      type: 'object',
      additionalProperties: false,
      required: ['zh', 'en'],
      properties: { zh: { type: ['string', 'null'] }, en: { type: ['string', 'null'] } },
    },
    status: { type: 'string' },
    locationId: { type: ['string', 'null'] },
    quantity: {
      type: 'object',
      additionalProperties: false,
      required: ['kg', 'cartons'],
      properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
    },
  },
} as const;

export const postTransformations201 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'partyId',
    'locationId',
    'kind',
    'at',
    'loss',
    'referenceDoc',
    'inputs',
    'outputs',
    'createdAt',
    'logIndex',
  ],
  properties: {
    id: { type: 'string' },
    partyId: { type: 'string' },
    locationId: { type: ['string', 'null'] },
    kind: { type: 'string' },
    at: { type: ['string', 'null'] },
    loss: { type: 'object', additionalProperties: false, required: ['kg'], properties: { kg: { type: 'number' } } },
    referenceDoc: { type: ['string', 'null'] },
    inputs: { type: 'array', items: inputShape },
    outputs: { type: 'array', items: inputShape },
    createdAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const postLotsByIdSales201 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'logIndex',
    'id',
    'lotId',
    'from',
    'to',
    'quantity',
    'purpose',
    'mode',
    'vehicleId',
    'driverWorkerId',
    'handlerWorkerIds',
    'departedAt',
    'referenceDoc',
    'flags',
    'status',
    'received',
    'discrepancy',
  ],
  properties: {
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    lotId: { type: 'string' },
    from: {
      type: 'object',
      additionalProperties: false,
      required: ['partyId', 'locationId'],
      properties: { partyId: { type: 'string' }, locationId: { type: ['string', 'null'] } },
    },
    to: {
      type: 'object',
      additionalProperties: false,
      required: ['partyId', 'locationId'],
      properties: { partyId: { type: 'string' }, locationId: { type: ['string', 'null'] } },
    },
    quantity: {
      type: 'object',
      additionalProperties: false,
      required: ['kg', 'cartons'],
      properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
    },
    purpose: { type: 'string' },
    mode: { type: 'string' },
    vehicleId: { type: ['string', 'null'] },
    driverWorkerId: { type: ['string', 'null'] },
    carrierPartyId: { type: ['string', 'null'] },
    handlerWorkerIds: { type: 'array', items: { type: 'string' } },
    departedAt: { type: ['string', 'null'] },
    referenceDoc: { type: ['string', 'null'] },
    flags: { type: 'array', items: {} },
    status: { type: 'string' },
    received: {
      anyOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['quantity', 'at'],
          properties: {
            quantity: {
              type: 'object',
              additionalProperties: false,
              required: ['kg', 'cartons'],
              properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
            },
            at: { type: ['string', 'null'] },
          },
        },
        { type: 'null' },
      ],
    },
    discrepancy: {
      anyOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['kg', 'cartons'],
          properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
        },
        { type: 'null' },
      ],
    },
    source: {
      description: "the peer's log entry this shipment was recognised from (origin, index, leaf hash), or null",
      anyOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['origin', 'index', 'leafHash'],
          properties: {
            origin: { type: 'string' },
            index: { type: 'integer' },
            leafHash: { type: ['string', 'null'] },
          },
        },
        { type: 'null' },
      ],
    },
  },
} as const;

const buyerShape = {
  type: 'object',
  additionalProperties: false,
  required: ['ref', 'masked', 'erased'],
  properties: { ref: { type: 'string' }, masked: { type: ['string', 'null'] }, erased: { type: 'boolean' } },
} as const;

export const postLotsByIdRetailSales201 = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'lotId', 'partyId', 'locationId', 'day', 'quantity', 'soldAt', 'buyer', 'logIndex'],
  properties: {
    id: { type: 'string' },
    lotId: { type: 'string' },
    partyId: { type: 'string' },
    locationId: { type: ['string', 'null'] },
    day: { type: 'string' },
    quantity: {
      type: 'object',
      additionalProperties: false,
      required: ['kg', 'cartons'],
      properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
    },
    soldAt: { type: ['string', 'null'] },
    buyer: { anyOf: [buyerShape, { type: 'null' }] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getLotsByIdRetailSales200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      items: {
        anyOf: [
          postLotsByIdRetailSales201,
          {
            type: 'object',
            additionalProperties: false,
            required: ['buyer', 'id', 'lotId', 'partyId', 'locationId', 'day', 'quantity', 'soldAt', 'logIndex'],
            properties: {
              buyer: {
                anyOf: [
                  {
                    type: 'object',
                    additionalProperties: false,
                    required: ['ref', 'masked', 'erased'],
                    properties: { ref: { type: 'null' }, masked: { type: 'null' }, erased: { type: 'boolean' } },
                  },
                  { type: 'null' },
                ],
              },
              id: { type: 'string' },
              lotId: { type: 'string' },
              partyId: { type: 'string' },
              locationId: { type: ['string', 'null'] },
              day: { type: 'string' },
              quantity: {
                type: 'object',
                additionalProperties: false,
                required: ['kg', 'cartons'],
                properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
              },
              soldAt: { type: ['string', 'null'] },
              logIndex: { type: 'integer' },
            },
          },
        ],
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

export const getLotsByIdRetailSalesDaily200 = {
  type: 'object',
  additionalProperties: false,
  required: ['lotId', 'items', 'nextCursor'],
  properties: {
    lotId: { type: 'string' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['day', 'partyId', 'quantity', 'sales'],
        properties: {
          day: { type: 'string' },
          partyId: { type: 'string' },
          quantity: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          sales: { type: 'number' },
        },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

export const postLotsByIdTransfers201 = {
  type: 'object',
  additionalProperties: false,
  required: ['quantity', 'at', 'logIndex', 'grams', 'cartons', 'lotId', 'fromLocationId', 'toLocationId'],
  properties: {
    quantity: {
      type: 'object',
      additionalProperties: false,
      required: ['kg', 'cartons'],
      properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
    },
    at: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
    grams: { type: 'number' },
    cartons: { type: 'number' },
    lotId: { type: 'string' },
    fromLocationId: { type: ['string', 'null'] },
    toLocationId: { type: ['string', 'null'] },
  },
} as const;

export const postLotsByIdDisposals201 = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'lotId', 'partyId', 'locationId', 'quantity', 'method', 'referenceDoc', 'at', 'logIndex'],
  properties: {
    id: { type: 'string' },
    lotId: { type: 'string' },
    partyId: { type: 'string' },
    locationId: { type: ['string', 'null'] },
    quantity: {
      type: 'object',
      additionalProperties: false,
      required: ['kg', 'cartons'],
      properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
    },
    method: { type: 'string' },
    referenceDoc: { type: 'string' },
    at: { type: ['string', 'null'] },
    recordedAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getLotsByIdDisposals200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: postLotsByIdDisposals201 }, nextCursor: { type: ['string', 'null'] } },
} as const;

export const getLotsByIdHoldings200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['lotId', 'partyId', 'locationId', 'quantity', 'updatedAt', 'logIndex'],
        properties: {
          lotId: { type: 'string' },
          partyId: { type: 'string' },
          locationId: { type: ['string', 'null'] },
          quantity: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          updatedAt: { type: ['string', 'null'] },
          logIndex: { type: 'integer' },
        },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

/** getShipments200 lists shipments in the same shape as the write that made each one answers. */
export const getShipments200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: postLotsByIdSales201 },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

export const getSettingsWorkerEnforcement200 = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'enforcement'],
  properties: { region: { type: 'string' }, enforcement: { type: 'string', enum: ['refuse', 'flag'] } },
} as const;

export const putSettingsWorkerEnforcement200 = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'enforcement', 'logIndex'],
  properties: {
    region: { type: ['string', 'null'] },
    enforcement: { type: 'string', enum: ['refuse', 'flag'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getSettingsRetailRealName200 = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'realName'],
  properties: { region: { type: 'string' }, realName: { type: 'string', enum: ['on', 'off'] } },
} as const;

export const putSettingsRetailRealName200 = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'realName', 'logIndex'],
  properties: {
    region: { type: ['string', 'null'] },
    realName: { type: 'string', enum: ['on', 'off'] },
    logIndex: { type: 'integer' },
  },
} as const;
