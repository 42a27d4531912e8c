/**
 * Which Stocklens location, and which stock state, each ERPNext warehouse feeds.
 *
 * ERPNext creates Stores, Finished Goods, Work In Progress and Goods In Transit for every company,
 * names each `<warehouse_name> - <company abbreviation>` and nests them under a group warehouse
 * (`parent_warehouse`, and the nested set `lft`/`rgt`). A warehouse takes the location of the
 * nearest of itself and its groups that is mapped: by its full name (`Stores - ACME`), or by its
 * short name (`Stores`) when no other company has a warehouse of that name.
 */
export interface Warehouse {
  name: string;
  warehouse_name: string | null;
  company: string | null;
  parent_warehouse: string | null;
  lft: number | null;
  rgt: number | null;
  /** 'Transit' for Goods In Transit warehouses (ERPNext 13 and later). */
  warehouse_type: string | null;
  /** Where quality inspection puts rejected goods (ERPNext 15 and later). */
  is_rejected_warehouse: number | null;
  /** The transit warehouse a warehouse ships through (ERPNext 13 and later). */
  default_in_transit_warehouse: string | null;
}

/** on hand, on hand and damaged (a rejected warehouse), or in transit. */
export type WarehouseRole = 'stock' | 'rejected' | 'transit';

export interface WarehouseTarget {
  location: string;
  role: WarehouseRole;
}

export interface WarehouseMapping {
  targetOf(warehouse: string): WarehouseTarget | undefined;
  /** Why a warehouse has no location, said once per run for the warehouses that hold stock. */
  unmappedWarning(warehouses: readonly string[]): string | undefined;
}

export function mapWarehouses(warehouses: readonly Warehouse[], locationNames: ReadonlyMap<string, string>): WarehouseMapping {
  const byName = new Map(warehouses.map((warehouse) => [warehouse.name, warehouse]));
  const companiesByShortName = new Map<string, Set<string>>();
  for (const warehouse of warehouses) {
    if (!warehouse.warehouse_name) continue;
    const companies = companiesByShortName.get(warehouse.warehouse_name) ?? new Set();
    companies.add(warehouse.company ?? '');
    companiesByShortName.set(warehouse.warehouse_name, companies);
  }
  const ambiguous = new Set<string>();

  const directLocation = (warehouse: Warehouse): string | undefined => {
    const exact = locationNames.get(warehouse.name);
    if (exact) return exact;
    const short = warehouse.warehouse_name;
    if (!short || !locationNames.has(short)) return undefined;
    // `Stores` would name every company's Stores: the short name counts only when it is one company's.
    if ((companiesByShortName.get(short)?.size ?? 0) > 1) {
      ambiguous.add(short);
      return undefined;
    }
    return locationNames.get(short);
  };

  const ancestors = (warehouse: Warehouse): Warehouse[] => {
    const chain: Warehouse[] = [];
    const seen = new Set([warehouse.name]);
    for (let parent = byName.get(warehouse.parent_warehouse ?? ''); parent && !seen.has(parent.name); parent = byName.get(parent.parent_warehouse ?? '')) {
      chain.push(parent);
      seen.add(parent.name);
    }
    if (chain.length > 0 || !validNestedSet(warehouse)) return chain;
    // Without parent links (an import that only kept the nested set), the enclosing groups, nearest first.
    return warehouses
      .filter((group) => validNestedSet(group) && group.lft! < warehouse.lft! && group.rgt! > warehouse.rgt!)
      .sort((a, b) => b.lft! - a.lft!);
  };

  const locationOf = (warehouse: Warehouse): string | undefined => {
    for (const candidate of [warehouse, ...ancestors(warehouse)]) {
      const location = directLocation(candidate);
      if (location) return location;
    }
    return undefined;
  };

  const targets = new Map<string, WarehouseTarget | undefined>();
  const targetOf = (name: string): WarehouseTarget | undefined => {
    if (targets.has(name)) return targets.get(name);
    const warehouse = byName.get(name) ?? { ...unknownWarehouse, name };
    const role: WarehouseRole = warehouse.warehouse_type === 'Transit' ? 'transit' : warehouse.is_rejected_warehouse ? 'rejected' : 'stock';
    let location = locationOf(warehouse);
    if (!location && role === 'transit') location = shippedFrom(warehouse);
    const target = location ? { location, role } : undefined;
    targets.set(name, target);
    return target;
  };

  // A transit warehouse no mapping names feeds the one location whose warehouses ship through it.
  const shippedFrom = (transit: Warehouse): string | undefined => {
    const locations = new Set(
      warehouses
        .filter((warehouse) => warehouse.default_in_transit_warehouse === transit.name && warehouse.warehouse_type !== 'Transit')
        .map((warehouse) => locationOf(warehouse)),
    );
    return locations.size === 1 ? [...locations][0] : undefined;
  };

  return {
    targetOf,
    unmappedWarning(names) {
      const unmapped = [...new Set(names)].filter((name) => !targetOf(name)).sort();
      if (unmapped.length === 0) return undefined;
      const notes = [...new Set(unmapped.map((name) => byName.get(name)?.warehouse_name ?? ''))]
        .filter((short) => ambiguous.has(short))
        .sort()
        .map((short) => `"${short}" names a warehouse in ${companiesByShortName.get(short)!.size} companies, so it maps none of them: map each by its full name`);
      return (
        `${unmapped.length} ERPNext warehouse${unmapped.length > 1 ? 's' : ''} with stock map${unmapped.length > 1 ? '' : 's'} to no location, so ${unmapped.length > 1 ? 'their' : 'its'} stock is left out: ` +
        `${unmapped.map((name) => JSON.stringify(name)).join(', ')}. Map ${unmapped.length > 1 ? 'them' : 'it'} (or a group warehouse above) in the source's location_map` +
        (notes.length > 0 ? `; ${notes.join('; ')}` : '')
      );
    },
  };
}

const unknownWarehouse: Omit<Warehouse, 'name'> = {
  warehouse_name: null,
  company: null,
  parent_warehouse: null,
  lft: null,
  rgt: null,
  warehouse_type: null,
  is_rejected_warehouse: null,
  default_in_transit_warehouse: null,
};

function validNestedSet(warehouse: Warehouse): boolean {
  return typeof warehouse.lft === 'number' && typeof warehouse.rgt === 'number' && warehouse.lft > 0 && warehouse.rgt > warehouse.lft;
}
