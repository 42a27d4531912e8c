import { estimatedPageCost } from './inventory-query.ts';

/** Shopify refuses any single query whose requested cost is over this, on every plan. */
export const singleQueryMaxCost = 1000;
/** Shopify's largest `first` on a connection. */
const maxFirst = 250;
/** Levels asked per item before the shop's locations are known: Shopify's old default page. */
const initialLevels = 50;

/**
 * Sizes each page of inventory items from its cost: as many items as fit under the single-query
 * limit (and the bucket), with as many levels per item as the shop's items have shown so far.
 * The estimate follows Shopify's documented rules and is corrected by what Shopify answers
 * (`requestedQueryCost`, or the cost a `MAX_COST_EXCEEDED` names), so a schema that prices
 * differently still converges instead of failing.
 */
export class PageSizer {
  /** Shopify's requested cost over our estimate of the same query. */
  private scale = 1;
  private maxCost = singleQueryMaxCost;
  private levelsSeen = 0;

  constructor(private readonly maxItems: number) {}

  /** The budget a query may use: the single-query limit, or a smaller bucket. */
  private budget(bucketMaximum?: number): number {
    return Math.min(this.maxCost, bucketMaximum ?? Infinity) / this.scale;
  }

  /** The most levels one item's query can ask for within the budget. */
  levelCap(bucketMaximum?: number): number {
    return Math.max(1, Math.min(maxFirst, Math.floor((this.budget(bucketMaximum) - estimatedPageCost(1, 0)) / 3)));
  }

  next(bucketMaximum?: number): { items: number; levels: number; expectedCost: number } {
    const cap = this.levelCap(bucketMaximum);
    const levels = Math.max(1, Math.min(cap, this.levelsSeen > 0 ? this.levelsSeen : initialLevels));
    const perItem = estimatedPageCost(1, levels) - estimatedPageCost(0, levels);
    const items = Math.max(1, Math.min(this.maxItems, Math.floor((this.budget(bucketMaximum) - 2) / perItem)));
    return { items, levels, expectedCost: Math.ceil(estimatedPageCost(items, levels) * this.scale) };
  }

  /** An item showed `count` levels: later pages ask for that many per item. */
  sawLevels(count: number): void {
    this.levelsSeen = Math.max(this.levelsSeen, count);
  }

  /** What Shopify priced a page at. */
  observe(requestedCost: number | undefined, items: number, levels: number): void {
    if (requestedCost && requestedCost > 0) this.scale = requestedCost / estimatedPageCost(items, levels);
  }

  /**
   * Shopify refused a page as too costly: learn its price and limit. False when the page was
   * already the smallest there is (one item, one level), so asking again cannot help.
   */
  shrink(cost: number, maxCost: number, items: number, levels: number): boolean {
    if (items <= 1 && levels <= 1) return false;
    this.maxCost = Number.isFinite(maxCost) && maxCost > 0 ? maxCost : this.maxCost;
    const learned = Number.isFinite(cost) && cost > 0 ? cost / estimatedPageCost(items, levels) : this.scale * 2;
    // Always shrink: a page refused at the old price must not be asked again unchanged.
    this.scale = Math.max(learned, this.scale * 1.25);
    return true;
  }
}
