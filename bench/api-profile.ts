/** Reads a V8 `.cpuprofile` (from `node --cpu-prof`) into self and inclusive time per function. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
}

export interface ProfileLine {
  readonly name: string;
  /** Share of all samples, in percent. */
  readonly share: number;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/');
  const short = file.replace(process.cwd() + '/', '');
  return `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
}

/** Where a file's time goes, grouped: a Nest/fastify/prom-client/… package or the project. */
function groupOf(node: ProfileNode): string {
  const url = node.callFrame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.includes('/apps/') || url.includes('/libs/')) return 'project';
  if (url.startsWith('node:')) return 'node core';
  return node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : 'other (V8/native)';
}

/** Top self-time functions, self-time per package, and inclusive time of the project's functions. */
export function summariseProfile(
  file: string,
  top = 25,
): { self: ProfileLine[]; groups: ProfileLine[]; inclusive: ProfileLine[] } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = profile.samples.length || 1;
  const self = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const [id, count] of hits) {
    const node = byId.get(id)!;
    self.set(frameName(node), (self.get(frameName(node)) ?? 0) + count);
    groups.set(groupOf(node), (groups.get(groupOf(node)) ?? 0) + count);
  }
  // Inclusive time: a node's own hits plus its descendants', counted once per function per stack.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, count] of hits) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = frameName(byId.get(at)!);
      if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + count);
      seen.add(name);
    }
  }
  const lines = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, count]) => ({ name, share: (count / total) * 100 }));
  return { self: lines(self, top), groups: lines(groups, 15), inclusive: lines(inclusive, top * 2) };
}
