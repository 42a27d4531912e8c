import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Shopify signs each delivery with HMAC-SHA256 of the raw body under the app's secret, base64, in
 * `X-Shopify-Hmac-Sha256`. Compared in constant time: a timing difference would leak the digest.
 */
export function verifyShopifyHmac(rawBody: Buffer, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function signShopifyBody(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}
