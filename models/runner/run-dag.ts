export type NodeStatus = 'success' | 'warn' | 'error' | 'skipped';

export interface DagNode {
  name: string;
  /** Dependencies; names outside the run are taken as already built. */
  dependsOn: string[];
}

export interface DagOptions<W> {
  /** One worker per concurrently running node (each its own database connection). */
  workers: W[];
  /**
   * Which ready node a free worker takes first: the highest value (criticalPath below), so the
   * longest chain starts early and the short side branches fill the gaps. Ties keep the given order.
   */
  priority?: (node: DagNode) => number;
  failFast: boolean;
  execute(node: DagNode, worker: W): Promise<NodeStatus>;
  skip(node: DagNode, reason: string): Promise<void>;
}

/**
 * Runs nodes as soon as their dependencies have succeeded, on as many workers as given. A failed
 * node skips everything downstream of it; with failFast, the first failure stops new starts and
 * the rest are skipped (running nodes finish, so no half-done work is abandoned).
 */
export async function runDag<W>(nodes: DagNode[], options: DagOptions<W>): Promise<Map<string, NodeStatus>> {
  const inRun = new Set(nodes.map((node) => node.name));
  const status = new Map<string, NodeStatus>();
  const free = [...options.workers];
  const running = new Map<string, Promise<void>>();
  const priority = options.priority;
  let pending = priority ? [...nodes].sort((a, b) => priority(b) - priority(a)) : [...nodes];
  let firstFailure: string | undefined;
  while (pending.length > 0 || running.size > 0) {
    const waiting: DagNode[] = [];
    let skipped = 0;
    for (const node of pending) {
      const dependencies = node.dependsOn.filter((name) => inRun.has(name));
      const failed = dependencies.find((name) => status.get(name) === 'error' || status.get(name) === 'skipped');
      if (options.failFast && firstFailure) {
        status.set(node.name, 'skipped');
        skipped++;
        await options.skip(node, `not started: --fail-fast after ${firstFailure} failed`);
      } else if (failed) {
        status.set(node.name, 'skipped');
        skipped++;
        await options.skip(node, `upstream ${failed} ${status.get(failed) === 'error' ? 'failed' : 'was skipped'}`);
      } else if (dependencies.every((name) => status.get(name) === 'success' || status.get(name) === 'warn') && free.length > 0) {
        const worker = free.shift()!;
        const started = options
          .execute(node, worker)
          .catch(() => 'error' as const)
          .then((result) => {
            status.set(node.name, result);
            if (result === 'error') firstFailure ??= node.name;
            running.delete(node.name);
            free.push(worker);
          });
        running.set(node.name, started);
      } else waiting.push(node);
    }
    // A skip can cause more skips downstream: go round again before waiting for a node to finish.
    pending = waiting;
    if (skipped > 0) continue;
    if (running.size > 0) await Promise.race(running.values());
    else if (pending.length > 0) throw new Error(`nodes never became ready: ${pending.map((node) => node.name).join(', ')}`);
  }
  return status;
}

/**
 * Each node's critical path: its own expected duration plus the longest chain of expected
 * durations downstream of it (the time from its start to the end of the run, were workers
 * unlimited). A node without an expected duration counts as `unknownMs`.
 */
export function criticalPath(nodes: DagNode[], expectedMs: Map<string, number>, unknownMs = 0): Map<string, number> {
  const dependents = new Map<string, string[]>(nodes.map((node) => [node.name, []]));
  for (const node of nodes) for (const dependency of node.dependsOn) dependents.get(dependency)?.push(node.name);
  const path = new Map<string, number>();
  const visit = (name: string): number => {
    const known = path.get(name);
    if (known !== undefined) return known;
    const downstream = Math.max(0, ...(dependents.get(name) ?? []).map(visit));
    const total = (expectedMs.get(name) ?? unknownMs) + downstream;
    path.set(name, total);
    return total;
  };
  for (const node of nodes) visit(node.name);
  return path;
}
