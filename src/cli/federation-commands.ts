import type { Command } from 'commander';
import { systemClock } from '../app/deps.ts';
import type { Deps } from '../app/deps.ts';
import { addPeer, listPeers, removePeer } from '../app/federation/peers.ts';
import { loadWitnessKey, originOf } from '../app/write/node-key.ts';
import { loadNodeKey } from '../app/write/node-key.ts';
import { nodeOptionsFrom } from '../app/write/node.ts';

const dataOpt = ['--data <dir>', 'data directory (env COLDTRACE_DATA, default ./data)'] as const;

/** WithNode opens the node for a one-shot command, runs fn and prints its JSON result. */
export type WithNode = <T>(flags: { data?: string }, fn: (deps: Deps) => Promise<T>) => Promise<void>;

/** addFederationCommands adds `peer add|list|remove` and `keys witness` to the CLI. */
export function addFederationCommands(program: Command, withNode: WithNode): void {
  const peer = program.command('peer').description('the peer nodes this node mirrors and witnesses');
  peer
    .command('add')
    .description('add a peer (a log entry); its /federation/node tells the keys and URLs')
    .requiredOption('--name <name>', 'what to call the peer, e.g. 湖北省节点')
    .requiredOption('--url <baseUrl>', 'the peer node’s base URL')
    .requiredOption('--log-vkey <vkey>', 'the peer log’s verifier key (its name is the log origin)')
    .option('--witness-vkey <vkey>', 'the peer witness’s cosignature/v1 verifier key')
    .option('--region <code>', 'the province the peer serves (GB/T 2260)')
    .option('--credential <token>', 'a regulator or auditor token on the peer, to read its tiles')
    .option(...dataOpt)
    .action(
      (o: {
        name: string;
        url: string;
        logVkey: string;
        witnessVkey?: string;
        region?: string;
        credential?: string;
        data?: string;
      }) =>
        withNode(o, (deps) =>
          addPeer(deps, null, {
            name: o.name,
            baseUrl: o.url,
            logVkey: o.logVkey,
            witnessVkey: o.witnessVkey ?? null,
            region: o.region ?? null,
            credential: o.credential ?? null,
          }),
        ),
    );
  peer
    .command('list')
    .description('the peers in force, with how mirroring each goes')
    .option('--removed', 'include removed peers')
    .option(...dataOpt)
    .action((o: { removed?: boolean; data?: string }) =>
      withNode(o, (deps) => listPeers(deps, null, { removed: o.removed === true })),
    );
  peer
    .command('remove')
    .description('take a peer out of the federation (a log entry)')
    .argument('<peerId>', 'peer id (per_…)')
    .option(...dataOpt)
    .action((peerId: string, o: { data?: string }) => withNode(o, (deps) => removePeer(deps, null, peerId)));

  const keys = program.commands.find((c) => c.name() === 'keys') ?? program.command('keys');
  keys
    .command('witness')
    .description('print the witness verifier key (cosignature/v1), creating the witness key on first use')
    .option(...dataOpt)
    .action((o: { data?: string }) => {
      const opts = nodeOptionsFrom(o);
      const origin = opts.origin ?? loadNodeKey(opts.dataDir, originOf(opts.publicUrl), { create: true }).name;
      process.stdout.write(`${loadWitnessKey(opts.dataDir, origin, systemClock, { create: true }).verifierKey}\n`);
    });
}
