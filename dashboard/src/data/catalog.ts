import { fetchJson } from './api-client.ts';
import { isoDay } from './format.ts';
import { catalogQuery } from './page-queries.ts';

/** What the filters can choose from (GET /api/filters), loaded once per page load. */
export interface Catalog {
  locations: { id: string; name: string }[];
  channels: string[];
  sources: string[];
  skuCount?: number;
  minDate?: string;
  maxDate?: string;
}

type Raw = Record<string, unknown>;

function names(list: unknown, ...keys: string[]): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => (item && typeof item === 'object' ? String(keys.map((k) => (item as Raw)[k]).find((v) => v !== undefined)) : String(item)));
}

export function catalogOf(body: Raw): Catalog {
  const locations = Array.isArray(body.locations)
    ? (body.locations as unknown[]).map((item) => {
        if (item && typeof item === 'object') {
          const raw = item as Raw;
          const id = String(raw.location_id ?? raw.id);
          return { id, name: String(raw.name ?? raw.location_name ?? id) };
        }
        return { id: String(item), name: String(item) };
      })
    : [];
  return {
    locations,
    channels: names(body.channels, 'channel', 'name'),
    sources: names(body.sources, 'source', 'name'),
    skuCount: body.skus === undefined && body.sku_count === undefined ? undefined : Number(body.skus ?? body.sku_count),
    minDate: isoDay(body.min_date ?? body.minDate ?? body.from),
    maxDate: isoDay(body.max_date ?? body.maxDate ?? body.to),
  };
}

let loaded: Promise<Catalog> | undefined;

export function loadCatalog(): Promise<Catalog> {
  loaded ??= fetchJson<Raw>(catalogQuery.path, { abortOnNavigation: false }).then(catalogOf);
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

export function locationName(catalog: Catalog | undefined, id: string): string {
  return catalog?.locations.find((l) => l.id === id)?.name ?? id;
}
