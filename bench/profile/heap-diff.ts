// `tsx bench/profile/heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [--retainers NAME] [TOP]`:
// what grew between two V8 heap snapshots (node --heapsnapshot-signal), by kind and constructor
// name; with --retainers, who holds the objects of one name in the later snapshot.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Group {
  count: number;
  bytes: number;
}

function load(file: string): Snapshot {
  return JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
}

/** Accessors over the flat node array. */
function nodeReader(s: Snapshot) {
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const at = (name: string) => fields.indexOf(name);
  const [type, name, selfSize, edgeCount] = [at('type'), at('name'), at('self_size'), at('edge_count')];
  const types = s.snapshot.meta.node_types[0];
  return {
    width,
    count: s.nodes.length / width,
    /** "object Foo", "closure bar", "string", "array (internal)", ... */
    label(index: number): string {
      const kind = types[s.nodes[index * width + type] as number] ?? '?';
      if (kind === 'object' || kind === 'closure' || kind === 'native' || kind === 'hidden' || kind === 'code') {
        return `${kind} ${(s.strings[s.nodes[index * width + name] as number] ?? '').slice(0, 80)}`;
      }
      return kind;
    },
    selfSize: (index: number) => s.nodes[index * width + selfSize] as number,
    edgeCount: (index: number) => s.nodes[index * width + edgeCount] as number,
  };
}

function groups(s: Snapshot): Map<string, Group> {
  const reader = nodeReader(s);
  const byLabel = new Map<string, Group>();
  for (let i = 0; i < reader.count; i += 1) {
    const label = reader.label(i);
    const group = byLabel.get(label) ?? { count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += reader.selfSize(i);
    byLabel.set(label, group);
  }
  return byLabel;
}

/** In `s`, who points at objects labelled `target`: retainer label and edge name, counted. */
function retainers(s: Snapshot, target: string): Map<string, number> {
  const reader = nodeReader(s);
  const edgeFields = s.snapshot.meta.edge_fields;
  const edgeWidth = edgeFields.length;
  const [edgeType, edgeName, toNode] = ['type', 'name_or_index', 'to_node'].map((f) => edgeFields.indexOf(f)) as [number, number, number];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const counts = new Map<string, number>();
  let edge = 0;
  for (let i = 0; i < reader.count; i += 1) {
    const retainer = reader.label(i);
    for (let e = 0; e < reader.edgeCount(i); e += 1, edge += 1) {
      const base = edge * edgeWidth;
      const to = (s.edges[base + toNode] as number) / reader.width;
      if (reader.label(to) !== target) continue;
      const kind = edgeTypes[s.edges[base + edgeType] as number];
      const nameOrIndex = s.edges[base + edgeName] as number;
      const via = kind === 'element' || kind === 'hidden' ? `[${nameOrIndex}]` : `.${s.strings[nameOrIndex] ?? '?'}`;
      const key = `${retainer} ${kind === 'element' ? '[]' : via}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { retainers: { type: 'string' } } });
  const [beforeFile, afterFile, topArg] = positionals;
  if (!beforeFile || !afterFile) {
    process.stderr.write('usage: tsx bench/profile/heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [--retainers "object Name"] [TOP]\n');
    process.exit(2);
  }
  const count = Number(topArg ?? 25);
  const before = groups(load(beforeFile));
  const afterSnapshot = load(afterFile);
  const after = groups(afterSnapshot);
  const total = (g: Map<string, Group>) => [...g.values()].reduce((sum, x) => sum + x.bytes, 0);
  const growth = [...after].map(([label, g]) => {
    const b = before.get(label) ?? { count: 0, bytes: 0 };
    return { label, count: g.count - b.count, bytes: g.bytes - b.bytes, now: g };
  });
  growth.sort((a, b) => b.bytes - a.bytes);
  process.stdout.write(`${path.basename(beforeFile)} -> ${path.basename(afterFile)}: heap ${mib(total(before))} -> ${mib(total(after))}\n\nGrew most (self size):\n`);
  for (const g of growth.slice(0, count)) {
    process.stdout.write(`  ${mib(g.bytes).padStart(11)}  ${String(g.count).padStart(8)} objects  (now ${g.now.count} / ${mib(g.now.bytes)})  ${g.label}\n`);
  }
  if (values.retainers) {
    const held = [...retainers(afterSnapshot, values.retainers)].sort((a, b) => b[1] - a[1]).slice(0, count);
    process.stdout.write(`\nRetainers of "${values.retainers}" in ${path.basename(afterFile)}:\n`);
    for (const [key, n] of held) process.stdout.write(`  ${String(n).padStart(8)}  ${key}\n`);
  }
}

main();
