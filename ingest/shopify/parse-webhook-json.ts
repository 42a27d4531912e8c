/**
 * Parses a webhook body, keeping every integer too large for a double exactly, as a string:
 * Shopify's ids are 64-bit (its own test payload uses inventory_item_id 271878346596884015), and
 * `JSON.parse` would round them to another item's id. Integers inside strings are left alone.
 */
export function parseWebhookJson(text: string): unknown {
  const quoted = text.replace(/("(?:[^"\\]|\\.)*")|(-?\d{16,})(?=\s*[,}\]])/g, (match, string: string | undefined, digits: string | undefined) =>
    string !== undefined || digits === undefined || Number.isSafeInteger(Number(digits)) ? match : `"${digits}"`,
  );
  return JSON.parse(quoted);
}

/** An id as Shopify sent it: a number (safe, or kept as text by `parseWebhookJson`) or a string. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
