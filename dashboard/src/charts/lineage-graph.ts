import { dot, link, plot, text } from '@observablehq/plot';

export interface LineageNode {
  id: string;
  layer: string;
  materialized?: string;
}
export interface Lineage {
  nodes: LineageNode[];
  edges: [string, string][];
}

type Raw = Record<string, unknown>;

/**
 * Reads the runner's manifest into nodes and edges. Accepts nodes as a list or keyed by
 * name, and edges as pairs, `{from, to}` objects or each node's `depends_on`, so the graph does not
 * break when the manifest gains fields.
 */
export function lineageOf(manifest: Raw): Lineage {
  const rawNodes: Raw[] = Array.isArray(manifest.nodes) ? (manifest.nodes as Raw[]) : Object.entries((manifest.nodes as Record<string, Raw>) ?? {}).map(([id, node]) => ({ id, ...node }));
  const nodes = new Map<string, LineageNode>();
  const edges: [string, string][] = [];
  for (const node of rawNodes) {
    const id = String(node.id ?? node.name ?? node.unique_id);
    // The runner's manifest marks landed and config tables as `kind: source`, singular data tests as
    // `kind: test` (one colour for them all) and models with their `layer`.
    const layer = String(node.layer ?? (node.kind === 'source' || node.kind === 'test' ? node.kind : undefined) ?? node.schema ?? id.split('.')[0] ?? 'model');
    nodes.set(id, { id, layer, materialized: node.materialized as string | undefined });
    const parents = (node.depends_on ?? node.dependencies ?? node.parents ?? node.refs) as unknown;
    const list = Array.isArray(parents) ? parents : Array.isArray((parents as Raw | undefined)?.nodes) ? ((parents as Raw).nodes as unknown[]) : [];
    for (const parent of list) edges.push([String(parent), id]);
  }
  for (const edge of (manifest.edges as unknown[]) ?? []) {
    if (Array.isArray(edge)) edges.push([String(edge[0]), String(edge[1])]);
    else if (edge && typeof edge === 'object') {
      const e = edge as Raw;
      edges.push([String(e.from ?? e.source ?? e.parent), String(e.to ?? e.target ?? e.child)]);
    }
  }
  // A dependency on something the manifest does not list (a raw table, a seed) still gets a node.
  for (const [from, to] of edges) {
    for (const id of [from, to]) if (!nodes.has(id)) nodes.set(id, { id, layer: id.includes('.') ? id.split('.')[0] : 'source' });
  }
  const unique = [...new Map(edges.map((e) => [e.join('→'), e])).values()];
  return { nodes: [...nodes.values()], edges: unique };
}

const knownLayers = ['source', 'staging', 'intermediate', 'marts', 'test'];
const knownColors = ['#8c8c8c', '#3f7fbf', '#7a5195', '#1a7f37', '#b0b7c3'];

/** Every layer gets a colour (a value outside a scale's domain would drop its node); unknown ones are grey. */
function layerColors(nodes: LineageNode[]): { domain: string[]; range: string[] } {
  const layers = [...new Set(nodes.map((n) => n.layer))];
  const domain = [...knownLayers.filter((l) => layers.includes(l)), ...layers.filter((l) => !knownLayers.includes(l)).sort()];
  return { domain, range: domain.map((l) => knownColors[knownLayers.indexOf(l)] ?? '#b0b7c3') };
}

/** About how wide a label is at the graph's 11 px font (Plot's text mark is not measured before it is drawn). */
const labelWidth = (label: string) => label.length * 6.6 + 12;
const nodeGap = 36;

/**
 * Models left to right by depth (longest path from a source), edges as curves: how data flows. Each
 * column is as wide as its longest label, so no label runs into the next column's nodes; a graph
 * wider than `width` is drawn at its own width (its host scrolls) rather than shrunk to illegible
 * text. Within a column nodes sit in the order of their parents' places, which keeps most edges
 * from crossing.
 */
export function lineageGraph(lineage: Lineage, width: number): Element {
  const parents = new Map<string, string[]>();
  for (const [from, to] of lineage.edges) parents.set(to, [...(parents.get(to) ?? []), from]);
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen = new Set<string>()): number => {
    if (depth.has(id)) return depth.get(id)!;
    if (seen.has(id)) return 0; // a cycle would be the runner's bug; draw it rather than hang
    seen.add(id);
    const value = Math.max(-1, ...(parents.get(id) ?? []).map((p) => depthOf(p, seen))) + 1;
    depth.set(id, value);
    return value;
  };
  const columns = new Map<number, LineageNode[]>();
  for (const node of lineage.nodes) {
    const d = depthOf(node.id);
    columns.set(d, [...(columns.get(d) ?? []), node]);
  }
  const shortName = (id: string) => id.replace(/^(model|seed|source)\./, '');
  const depths = [...columns.keys()].sort((a, b) => a - b);
  const rows = Math.max(1, ...[...columns.values()].map((nodes) => nodes.length));
  const columnWidths = depths.map((d) => Math.max(...columns.get(d)!.map((node) => labelWidth(shortName(node.id)))) + nodeGap);
  const needed = columnWidths.slice(0, -1).reduce((sum, w) => sum + w, 0);
  const margin = { left: 10, right: columnWidths.at(-1)! - nodeGap + 10 };
  // Spread the columns over a wider host; never squeeze them below their labels.
  const stretch = Math.max(1, (width - margin.left - margin.right) / Math.max(1, needed));
  const plotWidth = Math.max(width, Math.ceil(needed + margin.left + margin.right));
  const positioned = new Map<string, { x: number; y: number; node: LineageNode }>();
  let x = 0;
  depths.forEach((d, column) => {
    const nodes = columns.get(d)!;
    const place = (node: LineageNode) => {
      const ys = (parents.get(node.id) ?? []).map((p) => positioned.get(p)?.y).filter((y): y is number => y !== undefined);
      return ys.length ? ys.reduce((sum, y) => sum + y, 0) / ys.length : 0;
    };
    nodes.sort((a, b) => place(a) - place(b) || a.layer.localeCompare(b.layer) || a.id.localeCompare(b.id));
    nodes.forEach((node, index) => {
      positioned.set(node.id, { x, y: index - (nodes.length - 1) / 2, node });
    });
    x += columnWidths[column]! * stretch;
  });
  const links = lineage.edges.map(([from, to]) => ({ from: positioned.get(from)!, to: positioned.get(to)! })).filter((l) => l.from && l.to);
  const points = [...positioned.values()];
  return plot({
    width: plotWidth,
    height: Math.max(160, rows * 26 + 40),
    marginLeft: margin.left,
    marginRight: margin.right,
    x: { axis: null, domain: [0, Math.max(1, x - columnWidths.at(-1)! * stretch)] },
    y: { axis: null, domain: [-(rows - 1) / 2 - 0.5, (rows - 1) / 2 + 0.5] },
    color: { legend: true, ...layerColors(lineage.nodes) },
    marks: [
      link(links, { x1: (l: (typeof links)[number]) => l.from.x, y1: (l: (typeof links)[number]) => l.from.y, x2: (l: (typeof links)[number]) => l.to.x, y2: (l: (typeof links)[number]) => l.to.y, curve: 'bump-x', stroke: '#b0b7c3', strokeWidth: 1.2, markerEnd: 'arrow', className: 'lineage-edge' }),
      dot(points, { x: 'x', y: 'y', fill: (p: (typeof points)[number]) => p.node.layer, r: 5, className: 'lineage-node', title: (p: (typeof points)[number]) => `${p.node.id}${p.node.materialized ? ` (${p.node.materialized})` : ''}` }),
      text(points, { x: 'x', y: 'y', text: (p: (typeof points)[number]) => shortName(p.node.id), dx: 8, textAnchor: 'start', fontSize: 11, fill: '#1d2330', stroke: 'white', strokeWidth: 3, className: 'lineage-label' }),
    ],
  });
}
