const unitBytes: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** Parses a size as DuckDB's settings write it (`512MB`, `6GB`, `64KiB`: KB is 1000 bytes, KiB 1024) into bytes. */
export function parseSizeBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.exec(text.trim());
  if (!match) throw new Error(`invalid size: ${text}`);
  return Math.round(Number(match[1]) * unitBytes[match[2].toLowerCase()]);
}
