/**
 * Webhook bodies as Shopify sends them, byte for byte (the signature covers the exact text, and
 * the ids must stay as written: they are over 2^53).
 *
 * Shape: Shopify's webhook topic reference, shopify.dev/docs/api/webhooks (API version 2026-10),
 * topics `inventory_levels/update` and `orders/cancelled`, whose example payloads are what the
 * admin's "Send test notification" delivers. The inventory one is that example verbatim
 * (`available` is null in it); the others change only `available` and `updated_at`. The order
 * is the example order cut to the fields Stocklens reads, its ids and values unchanged.
 */

/** The example payload of `inventory_levels/update`, verbatim. */
export const inventoryLevelTestNotification =
  '{"inventory_item_id":271878346596884015,"location_id":24826418,"available":null,"updated_at":"2021-12-31T19:00:00-05:00","admin_graphql_api_id":"gid:\\/\\/shopify\\/InventoryLevel\\/24826418?inventory_item_id=271878346596884015"}';

/** The same level with a quantity, at another time (`updated_at` in the shop's offset, as Shopify writes it). */
export function inventoryLevelUpdate(options: { itemId?: string; available: number; updatedAt: string }): string {
  const itemId = options.itemId ?? '271878346596884015';
  return `{"inventory_item_id":${itemId},"location_id":24826418,"available":${options.available},"updated_at":"${options.updatedAt}","admin_graphql_api_id":"gid:\\/\\/shopify\\/InventoryLevel\\/24826418?inventory_item_id=${itemId}"}`;
}

/** The example payload of `orders/cancelled`, cut to the order and its line items. */
export const orderCancelled =
  '{"id":820982911946154508,"admin_graphql_api_id":"gid:\\/\\/shopify\\/Order\\/820982911946154508","cancel_reason":"customer","cancelled_at":"2021-12-31T19:00:00-05:00","created_at":"2021-12-31T19:00:00-05:00","currency":"USD","updated_at":"2021-12-31T19:00:00-05:00",' +
  '"line_items":[{"id":866550311766439020,"admin_graphql_api_id":"gid:\\/\\/shopify\\/LineItem\\/866550311766439020","name":"Draft","price":"199.00","product_id":632910392,"quantity":1,"sku":"IPOD2008BLACK","variant_id":808950810},' +
  '{"id":141249953214522974,"admin_graphql_api_id":"gid:\\/\\/shopify\\/LineItem\\/141249953214522974","name":"IPod Nano - 8GB","price":"199.00","product_id":632910392,"quantity":1,"sku":"IPOD2008PINK","variant_id":808950810}]}';
