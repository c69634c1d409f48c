import { int, list, num, obj, page, str, strOrNull } from '../../schemas.ts';
// Reply schemas of the recall routes: what each operation answers, for OpenAPI and for fast-json-stringify (a field
// left out here is dropped from the reply, and the HTTP tests' reply check fails). Shapes that recur are named once.

export const getAlertsById200 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'partyId',
    'kind',
    'severity',
    'title',
    'body',
    'createdAt',
    'acknowledgedAt',
    'acknowledgedBy',
    'ackNote',
    'logIndex',
  ],
  properties: {
    id: { type: 'string' },
    partyId: { type: 'string' },
    kind: { type: 'string' },
    severity: { type: 'string' },
    title: {
      type: 'object',
      additionalProperties: false,
      required: ['zh', 'en'],
      properties: { zh: { type: ['string', 'null'] }, en: { type: ['string', 'null'] } },
    },
    body: { type: 'object', additionalProperties: {} },
    createdAt: { type: ['string', 'null'] },
    acknowledgedAt: { type: ['string', 'null'] },
    acknowledgedBy: { type: ['string', 'null'] },
    ackNote: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getAlerts200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: getAlertsById200 }, nextCursor: { type: ['string', 'null'] } },
} as const;

export const postNotices201 = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'from', 'title', 'text', 'severity', 'recipients', 'logIndex'],
  properties: {
    id: { type: 'string' },
    from: { type: 'string' },
    title: {
      type: 'object',
      additionalProperties: false,
      required: ['zh', 'en'],
      properties: { zh: { type: ['string', 'null'] }, en: { type: ['string', 'null'] } },
    },
    text: {
      type: 'object',
      additionalProperties: false,
      required: ['zh', 'en'],
      properties: { zh: { type: ['string', 'null'] }, en: { type: ['string', 'null'] } },
    },
    severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
    recipients: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['partyId', 'alertId'],
        properties: { partyId: { type: 'string' }, alertId: { type: 'string' } },
      },
    },
    logIndex: { type: 'integer' },
  },
} as const;

export const postWebhooks201 = {
  type: 'object',
  additionalProperties: false,
  required: ['secret', 'logIndex', 'id', 'partyId', 'url', 'kinds', 'createdAt', 'disabledAt', 'disabledReason'],
  properties: {
    secret: { type: 'string' },
    logIndex: { type: 'integer' },
    id: { type: 'string' },
    partyId: { type: 'string' },
    url: { type: 'string' },
    kinds: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
    createdAt: { type: ['string', 'null'] },
    disabledAt: { type: ['string', 'null'] },
    disabledReason: { type: ['string', 'null'] },
  },
} as const;

export const getWebhooksById200 = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'partyId', 'url', 'kinds', 'createdAt', 'disabledAt', 'disabledReason', 'logIndex'],
  properties: {
    id: { type: 'string' },
    partyId: { type: 'string' },
    url: { type: 'string' },
    kinds: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
    createdAt: { type: ['string', 'null'] },
    disabledAt: { type: ['string', 'null'] },
    disabledReason: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getWebhooks200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: getWebhooksById200 }, nextCursor: { type: ['string', 'null'] } },
} as const;

export const getWebhooksByIdDeliveries200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'alertId', 'status', 'attemptCount', 'nextAttemptAt', 'createdAt', 'updatedAt', 'attempts'],
        properties: {
          id: { type: 'string' },
          alertId: { type: 'string' },
          status: { type: 'string' },
          attemptCount: { type: 'number' },
          nextAttemptAt: { type: ['string', 'null'] },
          createdAt: { type: ['string', 'null'] },
          updatedAt: { type: ['string', 'null'] },
          attempts: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['attempt', 'at', 'durationMs', 'httpStatus', 'error', 'nextRetryAt'],
              properties: {
                attempt: { type: 'number' },
                at: { type: ['string', 'null'] },
                durationMs: { type: 'number' },
                httpStatus: { type: ['number', 'null'] },
                error: { type: ['string', 'null'] },
                nextRetryAt: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

/** vouchedBy says which node's log a fact of a trace is on, and how far this node trusts it (DESIGN.md, Federation). */
const vouchedBy = {
  type: 'object',
  additionalProperties: false,
  required: ['origin', 'node', 'trust'],
  description:
    "the node whose log holds the fact: own (this node's log), witnessed (a peer's, in a checkpoint meeting this node's witness policy) or unverified (a peer's, not yet witnessed, or of a peer marked forked or unreachable)",
  properties: {
    origin: { type: 'string' },
    node: { type: 'string' },
    trust: { type: 'string', enum: ['own', 'witnessed', 'unverified', 'platform'] },
  },
} as const;

const traceBody = {
  type: 'object',
  additionalProperties: false,
  required: [
    'direction',
    'lots',
    'transformations',
    'shipments',
    'disposals',
    'retailSales',
    'holdings',
    'parties',
    'locations',
    'vehicles',
    'workers',
    'border',
    'start',
    'summary',
  ],
  properties: {
    direction: { type: 'string', enum: ['both', 'forward', 'backward'] },
    lots: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'id',
          'code',
          'origin',
          'productNameZh',
          'productNameEn',
          'category',
          'gtin',
          'batchNo',
          'ownerPartyId',
          'region',
          'quantity',
          'status',
          'statusReasons',
          'depth',
        ],
        properties: {
          id: { type: 'string' },
          code: { type: 'string' },
          origin: { type: 'string' },
          productNameZh: { type: ['string', 'null'] },
          productNameEn: { type: ['string', 'null'] },
          category: { type: 'string' },
          gtin: { type: ['string', 'null'] },
          batchNo: { type: 'string' },
          ownerPartyId: { type: 'string' },
          region: { type: 'string' },
          quantity: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          status: { type: 'string' },
          statusReasons: { type: 'array', items: {} },
          depth: { type: 'number' },
          homeOrigin: {
            type: ['string', 'null'],
            description: 'the node where the lot was declared or made; null for this node',
          },
          vouchedBy,
        },
      },
    },
    transformations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'kind', 'partyId', 'locationId', 'at', 'inputs', 'outputs', 'lossKg'],
        properties: {
          id: { type: 'string' },
          kind: { type: 'string' },
          partyId: { type: 'string' },
          locationId: { type: ['string', 'null'] },
          at: { type: ['string', 'null'] },
          recordedAt: { type: ['string', 'null'] },
          inputs: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['lotId', 'quantity'],
              properties: {
                lotId: { type: 'string' },
                quantity: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['kg', 'cartons'],
                  properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
                },
              },
            },
          },
          outputs: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['lotId', 'quantity'],
              properties: {
                lotId: { type: 'string' },
                quantity: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['kg', 'cartons'],
                  properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
                },
              },
            },
          },
          lossKg: { type: 'number' },
          vouchedBy,
        },
      },
    },
    shipments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'id',
          'lotId',
          'purpose',
          'from',
          'to',
          'quantity',
          'received',
          'status',
          'departedAt',
          'vehicleId',
          'driverWorkerId',
          'handlerWorkerIds',
        ],
        properties: {
          id: { type: 'string' },
          lotId: { type: 'string' },
          purpose: { type: 'string' },
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
                  recordedAt: { type: ['string', 'null'] },
                  vouchedBy,
                },
              },
              { type: 'null' },
            ],
          },
          status: { type: 'string' },
          departedAt: { type: ['string', 'null'] },
          recordedAt: { type: ['string', 'null'] },
          vehicleId: { type: ['string', 'null'] },
          driverWorkerId: { type: ['string', 'null'] },
          handlerWorkerIds: { type: 'array', items: { type: 'string' } },
          vouchedBy,
        },
      },
    },
    disposals: {
      type: 'array',
      items: {
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
          vouchedBy,
        },
      },
    },
    retailSales: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['lotId', 'partyId', 'quantity', 'sales', 'firstAt', 'lastAt'],
        properties: {
          lotId: { type: 'string' },
          partyId: { type: 'string' },
          quantity: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          sales: { type: 'number' },
          firstAt: { type: ['string', 'null'] },
          lastAt: { type: ['string', 'null'] },
          lastRecordedAt: { type: ['string', 'null'] },
          vouchedBy,
        },
      },
    },
    holdings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['lotId', 'partyId', 'locationId', 'quantity', 'updatedAt'],
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
          vouchedBy,
        },
      },
    },
    parties: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'nameZh', 'nameEn', 'roles', 'region'],
        properties: {
          id: { type: 'string' },
          nameZh: { type: ['string', 'null'] },
          nameEn: { type: ['string', 'null'] },
          roles: { type: 'array', items: { type: 'string' } },
          region: { type: 'string' },
          vouchedBy,
        },
      },
    },
    locations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'partyId', 'name', 'filingNo', 'region', 'kind'],
        properties: {
          id: { type: 'string' },
          partyId: { type: 'string' },
          name: { type: 'string' },
          filingNo: { type: 'string' },
          region: { type: 'string' },
          kind: { type: 'string' },
          vouchedBy,
        },
      },
    },
    vehicles: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'plate', 'carrierPartyId', 'refrigerated'],
        properties: {
          id: { type: 'string' },
          plate: { type: 'string' },
          carrierPartyId: { type: 'string' },
          refrigerated: { type: 'boolean' },
          vouchedBy,
        },
      },
    },
    workers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'role', 'employerPartyId'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string' },
          employerPartyId: { type: 'string' },
          vouchedBy,
        },
      },
    },
    border: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'lotId',
          'declarationNo',
          'portOfEntry',
          'arrivalDate',
          'containerNo',
          'billOfLading',
          'originCountry',
          'productionDate',
          'producer',
          'documents',
          'samples',
          'exitCertificate',
        ],
        properties: {
          lotId: { type: 'string' },
          declarationNo: { type: 'string' },
          portOfEntry: { type: 'string' },
          arrivalDate: { type: 'string' },
          containerNo: { type: 'string' },
          billOfLading: { type: 'string' },
          originCountry: { type: 'string' },
          productionDate: { type: 'string' },
          producer: {
            anyOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['id', 'name', 'nameZh', 'country', 'registrationNo'],
                properties: {
                  id: { type: 'string' },
                  name: { type: 'string' },
                  nameZh: { type: ['string', 'null'] },
                  country: { type: 'string' },
                  registrationNo: { type: 'string' },
                },
              },
              { type: 'null' },
            ],
          },
          documents: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['id', 'kind'],
              properties: { id: { type: 'string' }, kind: { type: 'string' } },
            },
          },
          samples: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['id', 'point', 'result', 'labPartyId', 'takenAt', 'resultedAt'],
              properties: {
                id: { type: 'string' },
                point: { type: 'string' },
                result: { type: 'string' },
                labPartyId: { type: 'string' },
                takenAt: { type: ['string', 'null'] },
                resultedAt: { type: ['string', 'null'] },
                recordedAt: { type: ['string', 'null'] },
                resultRecordedAt: { type: ['string', 'null'] },
              },
            },
          },
          exitCertificate: {
            anyOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['number', 'issuedAt'],
                properties: { number: { type: 'string' }, issuedAt: { type: ['string', 'null'] } },
              },
              { type: 'null' },
            ],
          },
          vouchedBy,
        },
      },
    },
    start: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'input', 'lotIds'],
      properties: {
        kind: { type: 'string', enum: ['lot', 'code', 'carton', 'digital_link'] },
        input: { type: 'string' },
        lotIds: { type: 'array', items: { type: 'string' } },
        carton: { type: 'number' },
      },
    },
    summary: {
      type: 'object',
      additionalProperties: false,
      required: ['lots', 'parties', 'holders', 'heldKg', 'regions'],
      properties: {
        lots: { type: 'number' },
        parties: { type: 'number' },
        holders: { type: 'number' },
        heldKg: { type: 'number' },
        regions: { type: 'array', items: { type: 'string' } },
        nodes: { type: 'array', items: vouchedBy, description: 'every node that vouches for part of the trace' },
        withheld: {
          type: 'integer',
          description:
            "how many of the peers' facts (shipments, holdings, disposals, retail totals) the access rules left out",
        },
      },
    },
  },
} as const;

const totalShape = {
  type: 'object',
  additionalProperties: false,
  required: ['affected', 'accounted', 'pendingApproval', 'outstanding'],
  properties: {
    affected: {
      type: 'object',
      additionalProperties: false,
      required: ['kg', 'cartons'],
      properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
    },
    accounted: {
      type: 'object',
      additionalProperties: false,
      required: ['kg', 'cartons'],
      properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
    },
    pendingApproval: {
      type: 'object',
      additionalProperties: false,
      required: ['kg'],
      properties: { kg: { type: 'number' } },
    },
    outstanding: {
      type: 'object',
      additionalProperties: false,
      required: ['kg', 'cartons'],
      properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
    },
  },
} as const;

/** getLotsByIdTrace200 is the trace, with the parent lots' other records apart in alsoFromSameSource. */
export const getLotsByIdTrace200 = {
  ...traceBody,
  properties: {
    ...traceBody.properties,
    alsoFromSameSource: {
      type: 'object',
      additionalProperties: false,
      description: 'the records of parent lots off the path the goods came by: where else the same source went',
      required: ['shipments', 'disposals', 'retailSales', 'holdings', 'parties', 'locations'],
      properties: {
        shipments: traceBody.properties.shipments,
        disposals: traceBody.properties.disposals,
        retailSales: traceBody.properties.retailSales,
        holdings: traceBody.properties.holdings,
        parties: traceBody.properties.parties,
        locations: traceBody.properties.locations,
      },
    },
  },
} as const;

export const postIncidentsByIdActions201 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'lotId',
    'partyId',
    'locationId',
    'action',
    'quantity',
    'referenceDoc',
    'note',
    'at',
    'status',
    'recordedBy',
    'decidedBy',
    'decidedAt',
    'decisionNote',
    'logIndex',
  ],
  properties: {
    id: { type: 'string' },
    lotId: { type: 'string' },
    partyId: { type: 'string' },
    locationId: { type: ['string', 'null'] },
    action: { type: 'string' },
    quantity: {
      type: 'object',
      additionalProperties: false,
      required: ['kg', 'cartons'],
      properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
    },
    referenceDoc: { type: ['string', 'null'] },
    note: { type: ['string', 'null'] },
    at: { type: ['string', 'null'] },
    status: { type: 'string' },
    recordedBy: { type: 'string' },
    decidedBy: { type: ['string', 'null'] },
    decidedAt: { type: ['string', 'null'] },
    decisionNote: { type: ['string', 'null'] },
    recordedAt: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

const kgCartons = obj({ kg: num, cartons: num });
const tallyProps = {
  affected: kgCartons,
  accounted: kgCartons,
  pendingApproval: obj({ kg: num }),
  outstanding: kgCartons,
} as const;
/** provinceShape is another node's share of an incident that reached several provinces, as its log shows it. */
const provinceShape = obj({
  origin: str,
  node: str,
  region: strOrNull,
  incidentId: str,
  number: int,
  status: str,
  trust: { type: 'string', enum: ['own', 'witnessed', 'unverified', 'platform'] },
  ...tallyProps,
  byHolder: list(obj({ partyId: str, ...tallyProps })),
});

/** getFederationIncidents200 lists the incidents that started on any node, with every province's share. */
export const getFederationIncidents200 = page(
  obj({
    origin: str,
    node: str,
    region: strOrNull,
    id: str,
    number: int,
    title: str,
    status: str,
    trust: { type: 'string', enum: ['own', 'witnessed', 'unverified', 'platform'] },
    openedAt: strOrNull,
    closedAt: strOrNull,
    ...tallyProps,
    provinces: list(provinceShape),
    total: obj({ affected: kgCartons, outstanding: kgCartons }),
  }),
);

const triggerShape = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'sampleId', 'lotId'],
  properties: {
    kind: { type: 'string', enum: ['positive_result'] },
    sampleId: { type: 'string' },
    lotId: { type: 'string' },
  },
} as const;

const triggerShape2 = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'producerId', 'productionFrom', 'productionTo'],
  properties: {
    kind: { type: 'string', enum: ['producer'] },
    producerId: { type: 'string' },
    productionFrom: { type: 'string' },
    productionTo: { type: 'string' },
  },
} as const;

const peerTriggerShape = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'origin', 'incidentId', 'number', 'index', 'leafHash', 'rootOrigin', 'rootIncidentId', 'lotIds'],
  properties: {
    kind: { type: 'string', enum: ['peer_incident'] },
    origin: { type: 'string' },
    incidentId: { type: 'string' },
    number: { type: 'integer' },
    index: { type: 'integer' },
    leafHash: { type: 'string' },
    rootOrigin: { type: 'string' },
    rootIncidentId: { type: 'string' },
    lotIds: { type: 'array', items: { type: 'string' } },
  },
} as const;

const scopeShape = {
  type: 'object',
  additionalProperties: false,
  required: ['sourceLots', 'sameContainer', 'sameProducerDate'],
  properties: {
    sourceLots: { type: 'boolean' },
    sameContainer: { type: 'boolean' },
    sameProducerDate: { type: 'boolean' },
  },
} as const;

export const postIncidents201 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'audience',
    'lots',
    'holdings',
    'byHolder',
    'byRegion',
    'total',
    'actions',
    'contacts',
    'id',
    'number',
    'title',
    'status',
    'trigger',
    'scope',
    'window',
    'regions',
    'openedBy',
    'openedAt',
    'closedBy',
    'closedAt',
    'closeReason',
    'logIndex',
  ],
  properties: {
    audience: { type: 'string', enum: ['all', 'own'] },
    lots: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'code', 'productNameZh', 'productNameEn', 'status', 'region', 'reason', 'depth', 'cleared'],
        properties: {
          id: { type: 'string' },
          code: { type: 'string' },
          productNameZh: { type: ['string', 'null'] },
          productNameEn: { type: ['string', 'null'] },
          status: { type: 'string' },
          region: { type: 'string' },
          reason: { type: 'string' },
          depth: { type: 'number' },
          cleared: { type: 'boolean' },
        },
      },
    },
    holdings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'affected',
          'accounted',
          'pendingApproval',
          'outstanding',
          'holdingId',
          'lotId',
          'partyId',
          'locationId',
          'region',
          'inTransit',
        ],
        properties: {
          affected: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          accounted: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          pendingApproval: {
            type: 'object',
            additionalProperties: false,
            required: ['kg'],
            properties: { kg: { type: 'number' } },
          },
          outstanding: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          holdingId: { type: 'string' },
          lotId: { type: 'string' },
          partyId: { type: 'string' },
          locationId: { type: ['string', 'null'] },
          region: { type: 'string' },
          inTransit: { type: 'boolean' },
        },
      },
    },
    byHolder: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['affected', 'accounted', 'pendingApproval', 'outstanding', 'partyId'],
        properties: {
          affected: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          accounted: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          pendingApproval: {
            type: 'object',
            additionalProperties: false,
            required: ['kg'],
            properties: { kg: { type: 'number' } },
          },
          outstanding: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          partyId: { type: 'string' },
        },
      },
    },
    byRegion: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['affected', 'accounted', 'pendingApproval', 'outstanding', 'region'],
        properties: {
          affected: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          accounted: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          pendingApproval: {
            type: 'object',
            additionalProperties: false,
            required: ['kg'],
            properties: { kg: { type: 'number' } },
          },
          outstanding: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          region: { type: 'string' },
        },
      },
    },
    total: totalShape,
    provinces: { type: 'array', items: provinceShape },
    actions: { type: 'array', items: postIncidentsByIdActions201 },
    contacts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'id', 'label', 'partyId', 'firstAt', 'lastAt', 'lotIds'],
        properties: {
          kind: { type: 'string' },
          id: { type: 'string' },
          label: { type: 'string' },
          partyId: { type: ['string', 'null'] },
          firstAt: { type: ['string', 'null'] },
          lastAt: { type: ['string', 'null'] },
          lotIds: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    id: { type: 'string' },
    number: { type: 'number' },
    title: { type: 'string' },
    status: { type: 'string' },
    trigger: {
      anyOf: [
        triggerShape,
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'lotIds'],
          properties: { kind: { type: 'string', enum: ['lot'] }, lotIds: { type: 'array', items: { type: 'string' } } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'containerNo'],
          properties: { kind: { type: 'string', enum: ['container'] }, containerNo: { type: 'string' } },
        },
        triggerShape2,
        peerTriggerShape,
      ],
    },
    scope: scopeShape,
    window: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to'],
      properties: { from: { type: ['string', 'null'] }, to: { type: ['string', 'null'] } },
    },
    regions: { type: 'array', items: { type: 'string' } },
    openedBy: { type: ['string', 'null'] },
    openedAt: { type: ['string', 'null'] },
    closedBy: { type: ['string', 'null'] },
    closedAt: { type: ['string', 'null'] },
    closeReason: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const getIncidents200 = {
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'id',
          'number',
          'title',
          'status',
          'trigger',
          'scope',
          'window',
          'regions',
          'openedBy',
          'openedAt',
          'closedBy',
          'closedAt',
          'closeReason',
          'logIndex',
        ],
        properties: {
          id: { type: 'string' },
          number: { type: 'number' },
          title: { type: 'string' },
          status: { type: 'string' },
          trigger: {
            anyOf: [
              triggerShape,
              {
                type: 'object',
                additionalProperties: false,
                required: ['kind', 'lotIds'],
                properties: {
                  kind: { type: 'string', enum: ['lot'] },
                  lotIds: { type: 'array', items: { type: 'string' } },
                },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['kind', 'containerNo'],
                properties: { kind: { type: 'string', enum: ['container'] }, containerNo: { type: 'string' } },
              },
              triggerShape2,
              peerTriggerShape,
              peerTriggerShape,
            ],
          },
          scope: scopeShape,
          window: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'to'],
            properties: { from: { type: ['string', 'null'] }, to: { type: ['string', 'null'] } },
          },
          regions: { type: 'array', items: { type: 'string' } },
          openedBy: { type: ['string', 'null'] },
          openedAt: { type: ['string', 'null'] },
          closedBy: { type: ['string', 'null'] },
          closedAt: { type: ['string', 'null'] },
          closeReason: { type: ['string', 'null'] },
          logIndex: { type: 'integer' },
        },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

/** A decision answers with the action as it now stands. */
export const postIncidentsByIdActionsByActionIdDecision200 = postIncidentsByIdActions201;

export const postIncidentsByIdClose200 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'outstanding',
    'id',
    'number',
    'title',
    'status',
    'trigger',
    'scope',
    'window',
    'regions',
    'openedBy',
    'openedAt',
    'closedBy',
    'closedAt',
    'closeReason',
    'logIndex',
  ],
  properties: {
    outstanding: {
      type: 'object',
      additionalProperties: false,
      required: ['kg'],
      properties: { kg: { type: 'number' } },
    },
    id: { type: 'string' },
    number: { type: 'number' },
    title: { type: 'string' },
    status: { type: 'string' },
    trigger: {
      anyOf: [
        triggerShape,
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'lotIds'],
          properties: { kind: { type: 'string', enum: ['lot'] }, lotIds: { type: 'array', items: { type: 'string' } } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'containerNo'],
          properties: { kind: { type: 'string', enum: ['container'] }, containerNo: { type: 'string' } },
        },
        triggerShape2,
        peerTriggerShape,
      ],
    },
    scope: scopeShape,
    window: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to'],
      properties: { from: { type: ['string', 'null'] }, to: { type: ['string', 'null'] } },
    },
    regions: { type: 'array', items: { type: 'string' } },
    openedBy: { type: ['string', 'null'] },
    openedAt: { type: ['string', 'null'] },
    closedBy: { type: ['string', 'null'] },
    closedAt: { type: ['string', 'null'] },
    closeReason: { type: ['string', 'null'] },
    logIndex: { type: 'integer' },
  },
} as const;

export const postLotsByIdMarketSamples201 = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'lotId', 'heldBy', 'labPartyId', 'point', 'takenAt', 'result', 'logIndex'],
  properties: {
    id: { type: 'string' },
    lotId: { type: 'string' },
    heldBy: { type: 'string' },
    labPartyId: { type: 'string' },
    point: { type: 'string', enum: ['content', 'outer_pack', 'inner_pack', 'environment'] },
    takenAt: { type: ['string', 'null'] },
    result: { type: 'string' },
    logIndex: { type: 'integer' },
  },
} as const;

export const getSettingsIncidentScope200 = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'scope'],
  properties: { region: { type: 'string' }, scope: scopeShape },
} as const;

export const putSettingsIncidentScope200 = {
  type: 'object',
  additionalProperties: false,
  required: ['region', 'scope', 'logIndex'],
  properties: { region: { type: ['string', 'null'] }, scope: scopeShape, logIndex: { type: 'integer' } },
} as const;

const regionShape = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'zh', 'en'],
  properties: { code: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' } },
} as const;

const byShape = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'zh', 'en'],
  properties: { id: { type: 'string' }, zh: { type: ['string', 'null'] }, en: { type: ['string', 'null'] } },
} as const;

export const incidentReport200 = {
  type: 'object',
  additionalProperties: false,
  required: [
    'report',
    'generated',
    'audience',
    'incident',
    'rootLots',
    'lots',
    'holdings',
    'byHolder',
    'byRegion',
    'total',
    'timeline',
    'contacts',
  ],
  properties: {
    report: { type: 'string', enum: ['incident'] },
    generated: {
      type: 'object',
      additionalProperties: false,
      required: ['at', 'chinaTime'],
      properties: { at: { type: 'string' }, chinaTime: { type: 'string' } },
    },
    audience: { type: 'string', enum: ['all', 'own'] },
    incident: {
      type: 'object',
      additionalProperties: false,
      required: [
        'id',
        'number',
        'title',
        'status',
        'trigger',
        'triggerText',
        'scope',
        'window',
        'regions',
        'opened',
        'closed',
        'logIndex',
      ],
      properties: {
        id: { type: 'string' },
        number: { type: 'number' },
        title: { type: 'string' },
        status: { type: 'string' },
        trigger: {
          type: 'object',
          additionalProperties: {},
          required: ['kind'],
          properties: { kind: { type: 'string' } },
        },
        triggerText: { type: 'string' },
        scope: { type: 'object', additionalProperties: { type: 'boolean' } },
        window: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: {
            from: {
              type: 'object',
              additionalProperties: false,
              required: ['at', 'chinaTime'],
              properties: { at: { type: 'string' }, chinaTime: { type: 'string' } },
            },
            to: {
              type: 'object',
              additionalProperties: false,
              required: ['at', 'chinaTime'],
              properties: { at: { type: 'string' }, chinaTime: { type: 'string' } },
            },
          },
        },
        regions: { type: 'array', items: regionShape },
        opened: {
          type: 'object',
          additionalProperties: false,
          required: ['at', 'chinaTime', 'by'],
          properties: {
            at: { type: 'string' },
            chinaTime: { type: 'string' },
            by: { anyOf: [byShape, { type: 'null' }] },
          },
        },
        closed: {
          anyOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['at', 'chinaTime', 'by', 'reason'],
              properties: {
                at: { type: 'string' },
                chinaTime: { type: 'string' },
                by: { anyOf: [byShape, { type: 'null' }] },
                reason: { type: ['string', 'null'] },
              },
            },
            { type: 'null' },
          ],
        },
        logIndex: { type: 'integer' },
      },
    },
    rootLots: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['lotId', 'code', 'productZh', 'productEn', 'gtin', 'batchNo', 'origin', 'quantity', 'border'],
        properties: {
          lotId: { type: 'string' },
          code: { type: 'string' },
          productZh: { type: ['string', 'null'] },
          productEn: { type: ['string', 'null'] },
          gtin: { type: ['string', 'null'] },
          batchNo: { type: 'string' },
          origin: { type: 'string' },
          quantity: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          border: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: [
                'lotId',
                'code',
                'declarationNo',
                'portOfEntry',
                'arrivalDate',
                'containerNo',
                'billOfLading',
                'originCountry',
                'productionDate',
                'importer',
                'producer',
                'exitCertificate',
              ],
              properties: {
                lotId: { type: 'string' },
                code: { type: 'string' },
                declarationNo: { type: 'string' },
                portOfEntry: { type: 'string' },
                arrivalDate: { type: 'string' },
                containerNo: { type: 'string' },
                billOfLading: { type: 'string' },
                originCountry: { type: 'string' },
                productionDate: { type: 'string' },
                importer: byShape,
                producer: {
                  anyOf: [
                    {
                      type: 'object',
                      additionalProperties: false,
                      required: ['name', 'nameZh', 'country', 'registrationNo'],
                      properties: {
                        name: { type: 'string' },
                        nameZh: { type: ['string', 'null'] },
                        country: { type: 'string' },
                        registrationNo: { type: 'string' },
                      },
                    },
                    { type: 'null' },
                  ],
                },
                exitCertificate: {
                  anyOf: [
                    {
                      type: 'object',
                      additionalProperties: false,
                      required: ['at', 'chinaTime', 'number'],
                      properties: { at: { type: 'string' }, chinaTime: { type: 'string' }, number: { type: 'string' } },
                    },
                    { type: 'null' },
                  ],
                },
              },
            },
          },
        },
      },
    },
    lots: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'code', 'productZh', 'productEn', 'reason', 'depth', 'status', 'region', 'cleared'],
        properties: {
          id: { type: 'string' },
          code: { type: 'string' },
          productZh: { type: ['string', 'null'] },
          productEn: { type: ['string', 'null'] },
          reason: { type: 'string' },
          depth: { type: 'number' },
          status: { type: 'string' },
          region: { type: 'string' },
          cleared: { type: 'boolean' },
        },
      },
    },
    holdings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'affected',
          'accounted',
          'pendingApproval',
          'outstanding',
          'holder',
          'region',
          'lotId',
          'lotCode',
          'location',
          'inTransit',
        ],
        properties: {
          affected: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          accounted: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          pendingApproval: {
            type: 'object',
            additionalProperties: false,
            required: ['kg'],
            properties: { kg: { type: 'number' } },
          },
          outstanding: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          holder: byShape,
          region: regionShape,
          lotId: { type: 'string' },
          lotCode: { type: 'string' },
          location: {
            anyOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['id', 'name', 'filingNo', 'address'],
                properties: {
                  id: { type: 'string' },
                  name: { type: 'string' },
                  filingNo: { type: 'string' },
                  address: { type: 'string' },
                },
              },
              { type: 'null' },
            ],
          },
          inTransit: { type: 'boolean' },
        },
      },
    },
    byHolder: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['affected', 'accounted', 'pendingApproval', 'outstanding', 'holder', 'region'],
        properties: {
          affected: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          accounted: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          pendingApproval: {
            type: 'object',
            additionalProperties: false,
            required: ['kg'],
            properties: { kg: { type: 'number' } },
          },
          outstanding: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          holder: byShape,
          region: regionShape,
        },
      },
    },
    byRegion: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['affected', 'accounted', 'pendingApproval', 'outstanding', 'region'],
        properties: {
          affected: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          accounted: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          pendingApproval: {
            type: 'object',
            additionalProperties: false,
            required: ['kg'],
            properties: { kg: { type: 'number' } },
          },
          outstanding: {
            type: 'object',
            additionalProperties: false,
            required: ['kg', 'cartons'],
            properties: { kg: { type: 'number' }, cartons: { type: 'number' } },
          },
          region: regionShape,
        },
      },
    },
    total: totalShape,
    timeline: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: [
          'kind',
          'lotId',
          'lotCode',
          'party',
          'counterparty',
          'location',
          'quantity',
          'reference',
          'detail',
          'at',
          'chinaTime',
        ],
        properties: {
          kind: {
            type: 'string',
            enum: [
              'exit_certificate',
              'sale',
              'transformation',
              'declared',
              'shipment_departed',
              'shipment_received',
              'retail_sales',
              'disposal',
              'sample_result',
              'incident_opened',
              'action_recorded',
              'action_decided',
              'incident_closed',
            ],
          },
          lotId: { type: ['string', 'null'] },
          lotCode: { type: ['string', 'null'] },
          party: { anyOf: [byShape, { type: 'null' }] },
          counterparty: { anyOf: [byShape, { type: 'null' }] },
          location: { type: ['string', 'null'] },
          quantity: {
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
          reference: { type: ['string', 'null'] },
          detail: { type: ['string', 'null'] },
          at: { type: 'string' },
          chinaTime: { type: 'string' },
          recorded: {
            description: 'when the fact was recorded, if later than it happened',
            anyOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['at', 'chinaTime'],
                properties: { at: { type: 'string' }, chinaTime: { type: 'string' } },
              },
              { type: 'null' },
            ],
          },
        },
      },
    },
    contacts: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'id', 'label', 'party', 'first', 'last', 'lotCodes'],
        properties: {
          kind: { type: 'string' },
          id: { type: 'string' },
          label: { type: 'string' },
          party: { anyOf: [byShape, { type: 'null' }] },
          first: {
            type: 'object',
            additionalProperties: false,
            required: ['at', 'chinaTime'],
            properties: { at: { type: 'string' }, chinaTime: { type: 'string' } },
          },
          last: {
            type: 'object',
            additionalProperties: false,
            required: ['at', 'chinaTime'],
            properties: { at: { type: 'string' }, chinaTime: { type: 'string' } },
          },
          lotCodes: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;
