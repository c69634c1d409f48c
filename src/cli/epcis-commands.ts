import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { AppError } from '../app/errors.ts';
import type { Deps } from '../app/deps.ts';
import type { CaptureBehaviour } from '../app/epcis/capture.ts';
import { captureDocument } from '../app/epcis/capture.ts';
import { MAX_PER_PAGE, parseQuery, queryDocument, queryEvents } from '../app/epcis/query.ts';
import { nodeOptionsFrom, openNode } from '../app/write/node.ts';
import { actorOf } from '../app/registry/parties.ts';
import { authenticate } from '../app/registry/tokens.ts';
import type { Actor } from '../domain/access.ts';
import { findParty } from '../store/parties.ts';
import { XmlDocumentError, xmlToEpcisDocument } from '../epcis/xml-document.ts';
import { XmlRefusal } from '../epcis/xml-guard.ts';
import { queryDocumentXml } from '../epcis/xml-write.ts';

/** MAX_IMPORT_BYTES bounds an XML file read for import, as the capture route bounds a body. */
const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

/** readDocument reads an EPCIS document file: XML (2.0 or 1.2) when it starts with '<', else JSON-LD. */
function readDocument(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  if (text.trimStart().startsWith('<')) {
    try {
      return xmlToEpcisDocument(text, MAX_IMPORT_BYTES).document;
    } catch (err) {
      if (err instanceof XmlRefusal) throw new AppError('ValidationFailed', { field: file, reason: err.reason });
      if (err instanceof XmlDocumentError)
        throw new AppError('ValidationFailed', { field: err.field, reason: err.reason });
      throw err;
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('MalformedJson', { field: file, reason: (err as Error).message });
  }
}

const dataOpt = ['--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)'] as const;

async function withDeps<T>(flags: { data?: string }, fn: (deps: Deps) => Promise<T>): Promise<T> {
  // These commands read, or write about parties that must already exist: never start a node.
  const deps = await openNode(nodeOptionsFrom(flags), { existing: true });
  try {
    return await fn(deps);
  } finally {
    await deps.dialect.close();
  }
}

async function actorFor(deps: Deps, o: { party?: string; token?: string }): Promise<Actor> {
  if (o.token) {
    const actor = await authenticate(deps, o.token);
    if (!actor) throw new AppError('Unauthenticated', { field: '--token', reason: 'unknown or revoked token' });
    return actor;
  }
  if (!o.party)
    throw new AppError('ValidationFailed', {
      field: '--party',
      reason: 'name the capturing party with --party pty_… or --token',
    });
  const row = await findParty(deps.db, o.party);
  if (!row) throw new AppError('PartyNotFound', { field: '--party', reason: `no party ${o.party}` });
  return actorOf(row);
}

/** NODE_READER is the node itself reading its own events for an export: it sees everything. */
const NODE_READER: Actor = { partyId: '', roles: ['auditor'], region: '', national: true };

/**
 * exportEpcis returns every event (optionally with eventTime in [from, to)) as one EPCISQueryDocument, read page by
 * page in log order.
 */
export async function exportEpcis(deps: Deps, from?: string, to?: string): Promise<Record<string, unknown>> {
  const events: unknown[] = [];
  let token: string | null = null;
  do {
    const raw: Record<string, unknown> = {
      perPage: MAX_PER_PAGE,
      ...(from ? { GE_eventTime: from } : {}),
      ...(to ? { LT_eventTime: to } : {}),
      ...(token ? { nextPageToken: token } : {}),
    };
    const page = await queryEvents(deps, NODE_READER, parseQuery(raw));
    events.push(
      ...(page.document.epcisBody as { queryResults: { resultsBody: { eventList: unknown[] } } }).queryResults
        .resultsBody.eventList,
    );
    token = page.nextPageToken;
  } while (token);
  return queryDocument(events as Record<string, unknown>[], deps.clock.now());
}

/** addEpcisCommands adds `import FILE.jsonld` and `export --epcis` to the CLI. */
export function addEpcisCommands(program: Command): void {
  program
    .command('import')
    .description(
      'capture an EPCIS document (2.0 JSON-LD, or XML 2.0 or 1.2) into this node as a party (as POST /epcis/capture would); prints the capture job',
    )
    .argument('<file>', 'an EPCISDocument or EPCISQueryDocument (.jsonld, .json or .xml)')
    .option('--party <id>', 'the capturing party (pty_…)')
    .option('--token <token>', 'or: a token of the capturing party')
    .option(
      '--behaviour <b>',
      'on a refused event: rollback (refuse all, the default) or proceed (keep the others)',
      'rollback',
    )
    .option(...dataOpt)
    .action((file: string, o: { party?: string; token?: string; behaviour: string; data?: string }) =>
      withDeps(o, async (deps) => {
        if (o.behaviour !== 'rollback' && o.behaviour !== 'proceed')
          throw new AppError('ValidationFailed', { field: '--behaviour', reason: 'must be rollback or proceed' });
        const document = readDocument(file);
        const outcome = await captureDocument(deps, await actorFor(deps, o), document, o.behaviour as CaptureBehaviour);
        if (outcome.failure) throw outcome.failure;
        process.stdout.write(`${JSON.stringify(outcome.job, null, 2)}\n`);
        if (!outcome.job.success) process.exitCode = 1;
      }),
    );

  program
    .command('export')
    .description('write the events of this node as one EPCIS 2.0 EPCISQueryDocument (JSON-LD, or XML with --xml)')
    .requiredOption('--epcis', 'export as EPCIS 2.0')
    .option('--xml', 'write EPCIS 2.0 XML (valid against the GS1 XSD) instead of JSON-LD')
    .option('--from <time>', 'only events at or after this ISO 8601 time (eventTime)')
    .option('--to <time>', 'only events before this ISO 8601 time (eventTime)')
    .option('--out <file>', 'write to this file instead of stdout')
    .option(...dataOpt)
    .action((o: { from?: string; to?: string; out?: string; xml?: boolean; data?: string }) =>
      withDeps(o, async (deps) => {
        const document = await exportEpcis(deps, o.from, o.to);
        const text = o.xml ? `${queryDocumentXml(document)}\n` : `${JSON.stringify(document, null, 2)}\n`;
        if (o.out) writeFileSync(o.out, text);
        else process.stdout.write(text);
      }),
    );
}
