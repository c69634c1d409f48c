import { resolve } from 'node:path';
import type { FederationDemo } from '../demo/federation.ts';
import { FEDERATION_FILE, startFederationDemo, summaryText } from '../demo/federation.ts';

/**
 * runFederationDemo runs `coldtrace demo federation`: it starts the four nodes (and on a fresh directory plays the
 * story), prints each node's URL and tokens and the story's outcome, and keeps the nodes running until SIGINT or
 * SIGTERM, which stop all four cleanly. A story that fails is reported, and the nodes stay up to be looked at; the
 * command then exits 1 when stopped.
 */
export async function runFederationDemo(o: { data: string; basePort?: number; wait?: number }): Promise<void> {
  const dataDir = resolve(o.data);
  // Each of the four nodes has keys of its own under DIR: one key given in the environment would make them one log.
  delete process.env.COLDTRACE_NODE_KEY;
  delete process.env.COLDTRACE_WITNESS_KEY;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out('coldtrace demo federation: 河南、湖北、浙江三省节点与国家节点 / three provincial nodes and the national node');
  // A stop asked for during the story ends the story at its next wait, then stops the nodes.
  const early = new AbortController();
  let demo: FederationDemo | null = null;
  let stopping = false;
  const stop = async () => {
    if (stopping || !demo) return;
    stopping = true;
    await demo.stop();
    out('coldtrace demo federation: stopped cleanly / 已停止');
    // As `serve`: end by running out of work; the unref'd timer fires only if a handle is left open.
    setTimeout(() => process.exit(process.exitCode ?? 0), 5000).unref();
  };
  const onSignal = () => {
    early.abort(new Error('stopped by a signal'));
    void stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  demo = await startFederationDemo({
    dataDir,
    basePort: o.basePort,
    ...(o.wait ? { timeoutMs: o.wait * 1000 } : {}),
    say: out,
    report: (line) => process.stderr.write(`${line}\n`),
    signal: early.signal,
  });
  process.stdout.write(nodesText(demo, dataDir));
  const story = demo.file.story;
  if (demo.storyError && early.signal.aborted) {
    out('\nStopped before the story ended / 故事未完即停止');
  } else if (demo.storyError) {
    process.stderr.write(`\ncoldtrace demo federation: the story stopped: ${demo.storyError.message}\n`);
    process.exitCode = 1;
  } else if (story && 'error' in story) {
    process.stdout.write(`\nThe story had stopped, when it was played: ${story.error}\n`);
  } else {
    process.stdout.write(`\n${summaryText(demo.file)}`);
  }
  if (early.signal.aborted) return void (await stop());
  out('\n运行中，按 Ctrl-C 停止全部四个节点 / Running: Ctrl-C stops all four nodes.');
}

function nodesText(demo: FederationDemo, dataDir: string): string {
  const lines = [''];
  if (demo.resumed) lines.push('The nodes of the demo in this directory, started again (no story is played twice):');
  for (const n of demo.file.nodes) {
    lines.push(`${n.name}  ${n.region ?? 'national'}  ${n.url}/console   origin ${n.origin}`);
    for (const [k, t] of Object.entries(n.tokens)) lines.push(`  ${k.padEnd(11)} ${t}`);
  }
  const story = demo.file.story;
  if (story?.lots)
    lines.push(
      '',
      `Lots: import ${story.lots.import.code} (${story.lots.import.id}), repacked in Hubei ${story.lots.repacked.code} (${story.lots.repacked.id})`,
    );
  lines.push(
    '',
    `${demo.resumed ? 'As in' : 'Written to'} ${dataDir}/${FEDERATION_FILE} (nodes, keys, tokens, the story's lots and incidents).`,
  );
  return `${lines.join('\n')}\n`;
}
