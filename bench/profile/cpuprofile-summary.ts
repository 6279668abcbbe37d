// `tsx bench/profile/cpuprofile-summary.ts FILE.cpuprofile [TOP]`: where a V8 CPU profile (node
// --cpu-prof, e.g. from `npm run bench:http -- --profile DIR`) spent its busy time, by module
// (npm package, node internals, our src/ file) and by function, self and inclusive; with
// --callers NAME, which call chains lead to the function NAME (time spent in it and below); with
// --from/--to, only the samples of that window (seconds since the profile began: 0-1 is the start).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** V8's pseudo-frames that are not work of the program. */
const IDLE = new Set(['(idle)', '(root)']);

/** npm package, node:internal area, or our own file (dist/ mapped back to its .ts source). */
export function moduleOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  // The innermost node_modules names the package (botbuilder/node_modules/zod is zod).
  const packaged = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].at(-1);
  if (packaged) return packaged[1] as string;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const own = /\/dist\/(src\/.+)\.js$/.exec(url) ?? /\/(src\/.+)\.ts$/.exec(url);
  if (own) return `${own[1]}.ts`;
  return path.basename(url);
}

/** The part of the system a module belongs to, for the per-layer view. */
export function layerOf(module: string): string | undefined {
  if (module === '(garbage collector)') return 'GC';
  if (module === 'node:internal/modules' || module === 'node:internal/vm') return 'module loading at run time';
  if (/^src\/core\//.test(module)) return 'matcher (src/core)';
  if (/^src\/incidents\//.test(module) || module === 'better-sqlite3') return 'store (src/incidents, better-sqlite3)';
  if (/^src\/cards\//.test(module) || module === 'src/teams/incident-view.ts' || module === 'adaptivecards-templating' || module === 'adaptive-expressions') return 'cards (src/cards, incident-view, templating, expressions)';
  if (module === 'src/teams/retry.ts') return 'retry middleware (src/teams/retry.ts)';
  if (module.startsWith('src/')) return 'bot, server, metrics, logs (other src/)';
  if (/^(botbuilder|botframework-)/.test(module) || module.startsWith('@azure/') || module === '@typespec/ts-http-runtime') return 'botbuilder + Azure HTTP pipeline';
  if (module === 'zod') return 'zod';
  if (module === 'restify' || /^(find-my-way|send|mime|formidable|qs|csv|negotiator|http-signature)/.test(module)) return 'restify';
  if (module === 'pino' || module.startsWith('pino-') || module === 'sonic-boom') return 'logging (pino)';
  if (module === 'prom-client') return 'metrics (prom-client)';
  return undefined;
}

/**
 * The layer a sample's time belongs to: that of the nearest frame (leaf first) in a known layer, so
 * native and node: frames are charged to the code that called them (a socket write to restify).
 */
function layerOfStack(stack: CallFrame[]): string {
  for (const frame of stack) {
    const layer = layerOf(moduleOf(frame));
    if (layer) return layer;
  }
  const leaf = stack[0] ? moduleOf(stack[0]) : '?';
  return leaf.startsWith('node:') || leaf === '(native)' ? 'node runtime (http, net, streams, timers)' : `other (${leaf})`;
}

function functionOf(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} [${moduleOf(frame)}:${frame.lineNumber + 1}]`;
}

interface Tally {
  self: Map<string, number>;
  inclusive: Map<string, number>;
}

const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);

/** Which samples to count: a function whose callers to list, a time window (s since the profile began). */
interface Focus {
  callersOf?: string;
  callerDepth: number;
  fromS: number;
  toS: number;
}

function summarise(profile: CpuProfile, focus: Focus): { busyMs: number; byModule: Tally; byFunction: Tally; byLayer: Map<string, number>; callers: Map<string, number> } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byModule: Tally = { self: new Map(), inclusive: new Map() };
  const byFunction: Tally = { self: new Map(), inclusive: new Map() };
  const byLayer = new Map<string, number>();
  const callers = new Map<string, number>();
  let busyMs = 0;
  let elapsedMs = 0;
  profile.samples.forEach((id, i) => {
    elapsedMs += (profile.timeDeltas[i] ?? 0) / 1000;
    if (elapsedMs < focus.fromS * 1000 || elapsedMs > focus.toS * 1000) return;
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = nodes.get(id);
    if (!leaf || IDLE.has(leaf.callFrame.functionName)) return;
    busyMs += ms;
    add(byModule.self, moduleOf(leaf.callFrame), ms);
    add(byFunction.self, functionOf(leaf.callFrame), ms);
    // Inclusive: each module or function counts once per sample, however deep it recurses.
    const modules = new Set<string>();
    const functions = new Set<string>();
    const stack: CallFrame[] = [];
    for (let node: ProfileNode | undefined = leaf; node; node = nodes.get(parent.get(node.id) ?? -1)) {
      if (IDLE.has(node.callFrame.functionName)) continue;
      stack.push(node.callFrame);
      modules.add(moduleOf(node.callFrame));
      functions.add(functionOf(node.callFrame));
    }
    add(byLayer, layerOfStack(stack), ms);
    const at = focus.callersOf === undefined ? -1 : stack.findIndex((frame) => frame.functionName === focus.callersOf);
    if (at >= 0) add(callers, stack.slice(at, at + 1 + focus.callerDepth).map(functionOf).join(' <- '), ms);
    for (const key of modules) add(byModule.inclusive, key, ms);
    for (const key of functions) add(byFunction.inclusive, key, ms);
  });
  return { busyMs, byModule, byFunction, byLayer, callers };
}

function top(map: Map<string, number>, busyMs: number, count: number): string {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => `  ${((ms / busyMs) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${key}`)
    .join('\n');
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { callers: { type: 'string' }, depth: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } });
  const [file, topArg] = positionals;
  if (!file) {
    process.stderr.write('usage: tsx bench/profile/cpuprofile-summary.ts FILE.cpuprofile [TOP] [--callers FUNCTION [--depth N]] [--from S] [--to S]\n');
    process.exit(2);
  }
  const count = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { busyMs, byModule, byFunction, byLayer, callers } = summarise(profile, {
    callersOf: values.callers,
    callerDepth: Number(values.depth ?? 4),
    fromS: Number(values.from ?? 0),
    toS: Number(values.to ?? Infinity),
  });
  if (values.callers) {
    process.stdout.write(`Call chains into ${values.callers} (its time and below, % of busy time):\n${top(callers, busyMs, count)}\n`);
    return;
  }
  const totalMs = profile.timeDeltas.reduce((a, b) => a + b, 0) / 1000;
  process.stdout.write(
    [
      `${path.basename(file)}: ${(totalMs / 1000).toFixed(1)} s profiled, ${(busyMs / 1000).toFixed(1)} s busy (percentages are of busy time)`,
      `\nSelf time by layer (native and node: frames charged to the nearest caller in a layer):\n${top(byLayer, busyMs, count)}`,
      `\nModules, inclusive:\n${top(byModule.inclusive, busyMs, count)}`,
      `\nModules, self:\n${top(byModule.self, busyMs, count)}`,
      `\nFunctions, inclusive:\n${top(byFunction.inclusive, busyMs, count)}`,
      `\nFunctions, self:\n${top(byFunction.self, busyMs, count)}`,
      '',
    ].join('\n'),
  );
}

main();
