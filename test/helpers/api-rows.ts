/** Rows of a table endpoint as objects, from its JSON shape. */
export async function apiRows(api: (path: string) => Promise<Response>, pathAndQuery: string): Promise<{ rows: Record<string, unknown>[]; total: number }> {
  const response = await api(pathAndQuery);
  if (!response.ok) throw new Error(`${pathAndQuery}: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { columns: string[]; rows: unknown[][] | Record<string, unknown>[]; total: number };
  const rows = body.rows.map((row) => (Array.isArray(row) ? Object.fromEntries(body.columns.map((name, index) => [name, row[index]])) : row));
  return { rows, total: body.total };
}
