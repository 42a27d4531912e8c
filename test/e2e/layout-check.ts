import type { Page } from 'playwright-core';

/** One thing wrong with a drawn page's layout, in words a failing test can print. */
export type LayoutProblem = string;

/**
 * Looks at the drawn page as a reader would, through every shadow root, and lists what is wrong:
 * two pieces of text on top of each other, text or a chart outside its card, a table header that
 * something covers, or a raw glyph (⚠, NaN, undefined) where a sentence should be.
 *
 * Text is measured per text node (its line boxes), so two words side by side in one sentence are
 * not an overlap; text scrolled out of a table's view is not "outside": the scroller clips it on
 * purpose and says how many columns it hides.
 */
export async function layoutProblems(page: Page): Promise<LayoutProblem[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const tolerance = 1.5;
    type Box = { left: number; top: number; right: number; bottom: number };
    const parentOf = (node: Node): Node | null => node.parentNode instanceof ShadowRoot ? node.parentNode.host : node.parentNode;
    const describe = (node: Node): string => {
      const element = node instanceof Element ? node : node.parentElement ?? (node.parentNode instanceof ShadowRoot ? node.parentNode.host : null);
      if (!element) return '?';
      const text = (node.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      const chart = element.closest('sl-plot')?.getAttribute('data-chart') ?? (element.getRootNode() as ShadowRoot).host?.closest?.('sl-plot')?.getAttribute('data-chart');
      return `${element.tagName.toLowerCase()}${element.className && typeof element.className === 'string' ? `.${element.className.split(' ')[0]}` : ''}${chart ? ` in chart ${chart}` : ''} "${text}"`;
    };
    const isCard = (element: Element) => element.matches('section.card, sl-kpi-tile, .card');
    /** The nearest card around a node, and whether a scroller (or an SVG that scrolls) sits between. */
    const cardOf = (node: Node): { card?: Element; clip?: Box } => {
      let clip: Box | undefined;
      for (let at = parentOf(node); at; at = parentOf(at)) {
        if (!(at instanceof Element)) continue;
        if (isCard(at)) return { card: at, clip };
        const style = getComputedStyle(at);
        if (/(auto|scroll|hidden)/.test(style.overflowX) && !(at instanceof SVGElement)) {
          const r = at.getBoundingClientRect();
          clip = clip ? { left: Math.max(clip.left, r.left), top: Math.max(clip.top, r.top), right: Math.min(clip.right, r.right), bottom: Math.min(clip.bottom, r.bottom) } : { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
        }
      }
      return { clip };
    };
    const visible = (element: Element) => {
      let below: Node | null = null;
      for (let at: Node | null = element; at; below = at, at = parentOf(at)) {
        if (!(at instanceof Element)) continue;
        // A closed disclosure shows only its summary; Chromium still reports boxes for the rest.
        if (at instanceof HTMLDetailsElement && !at.open && !(below instanceof HTMLElement && below.tagName === 'SUMMARY')) return false;
        const style = getComputedStyle(at);
        if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return false;
        // Screen-reader-only text is one pixel on purpose.
        if (style.clipPath && style.clipPath !== 'none') return false;
      }
      return true;
    };

    // Every text node of the composed tree, with its boxes.
    const texts: { node: Node; box: Box; svg: boolean }[] = [];
    const glyphs = /⚠|\bNaN\b|\bundefined\b|Invalid Date|\[object Object\]|\bInfinity\b/;
    const walk = (root: Node) => {
      for (const child of root.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) {
          const text = child.textContent ?? '';
          if (!text.trim()) continue;
          const element = child.parentElement;
          if (!element || !visible(element) || element.closest('style, script, title, template, option, [aria-hidden="true"]')) continue;
          if (glyphs.test(text)) problems.push(`raw glyph: ${describe(child)}`);
          // SVG text is measured by its element (tspans and all); HTML text by its own line boxes.
          const svg = element instanceof SVGElement;
          const boxes = svg ? [element.getBoundingClientRect()] : [...(() => { const range = document.createRange(); range.selectNodeContents(child); return range.getClientRects(); })()];
          for (const box of boxes) if (box.width > 0.5 && box.height > 0.5) texts.push({ node: child, box: { left: box.left, top: box.top, right: box.right, bottom: box.bottom }, svg });
        } else if (child instanceof Element) {
          if (child.shadowRoot) walk(child.shadowRoot);
          walk(child);
        }
      }
    };
    walk(document.body);

    const inside = (inner: Box, outer: Box) => inner.left >= outer.left - tolerance && inner.right <= outer.right + tolerance && inner.top >= outer.top - tolerance && inner.bottom <= outer.bottom + tolerance;
    const intersect = (a: Box, b: Box): Box | undefined => {
      const box = { left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) };
      return box.right - box.left > 0.5 && box.bottom - box.top > 0.5 ? box : undefined;
    };

    // What is actually seen of each text: the part its scrollers let through.
    const seen: { node: Node; box: Box; card?: Element }[] = [];
    for (const text of texts) {
      const { card, clip } = cardOf(text.node);
      const shown = clip ? intersect(text.box, clip) : text.box;
      if (!shown) continue;
      if (card && !inside(shown, card.getBoundingClientRect())) problems.push(`text leaves its card: ${describe(text.node)}`);
      seen.push({ node: text.node, box: shown, card });
    }

    // Two texts on top of each other (by more than a sliver: glyph boxes touch in tight line heights).
    const sorted = [...seen].sort((a, b) => a.box.top - b.box.top);
    for (let i = 0; i < sorted.length; i += 1) {
      for (let j = i + 1; j < sorted.length && sorted[j].box.top < sorted[i].box.bottom; j += 1) {
        const a = sorted[i].box;
        const b = sorted[j].box;
        const overlapX = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const overlapY = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (overlapX > 2 && overlapY > 3) problems.push(`text overlaps: ${describe(sorted[i].node)} and ${describe(sorted[j].node)}`);
      }
    }

    // Charts: every drawn mark within the chart's card (or the part of it a scroller shows); a chart with axes and no mark is empty.
    const deep = (root: ParentNode, selector: string): Element[] => {
      const found: Element[] = [...root.querySelectorAll(selector)];
      for (const element of root.querySelectorAll('*')) if (element.shadowRoot) found.push(...deep(element.shadowRoot, selector));
      return found;
    };
    for (const plot of deep(document, 'sl-plot, sl-lineage-graph')) {
      const { card } = cardOf(plot);
      const scroller = plot.hasAttribute('scrollable') || plot.tagName === 'SL-LINEAGE-GRAPH';
      for (const svg of deep(plot.shadowRoot ?? plot, 'svg')) {
        // Legends (Plot's ramp and swatches) are not the chart; their end labels hang over on purpose.
        if (!visible(svg) || svg.closest('[class*="swatch"], [class*="legend"]') || /ramp|legend|swatch/.test(svg.getAttribute('class') ?? '')) continue;
        const box = svg.getBoundingClientRect();
        if (box.width === 0) continue;
        if (card && !scroller && !inside(box, card.getBoundingClientRect())) problems.push(`chart cut off by its card: ${plot.getAttribute('data-chart') ?? plot.tagName.toLowerCase()}`);
        // A mark drawn past the SVG's own edge is cut off where the SVG clips, or spills over its neighbours.
        for (const mark of svg.querySelectorAll('text, rect, path, circle, line')) {
          const m = mark.getBoundingClientRect();
          if (m.width === 0 && m.height === 0) continue;
          if (m.right > box.right + 4 || m.left < box.left - 4) {
            problems.push(`chart drawn past its edge: ${plot.getAttribute('data-chart') ?? plot.tagName.toLowerCase()} (${mark.tagName} ${Math.round(m.left)}–${Math.round(m.right)} in ${Math.round(box.left)}–${Math.round(box.right)})`);
            break;
          }
        }
      }
    }

    // Table headers: each says what its column is, and the middle of each header in view is the header itself, not something over it.
    for (const th of deep(document, 'th')) {
      if (!visible(th)) continue;
      if (!(th.textContent ?? '').trim() && !th.getAttribute('aria-label')) problems.push(`column without a header: ${describe(th)} in ${describe(th.closest('table') ?? th)}`);
      const { clip } = cardOf(th);
      const r = th.getBoundingClientRect();
      const shown = clip ? intersect(r, clip) : r;
      if (!shown || shown.bottom < 0 || shown.top > innerHeight) continue;
      const x = (shown.left + shown.right) / 2;
      const y = (shown.top + shown.bottom) / 2;
      const root = th.getRootNode() as Document | ShadowRoot;
      const hit = root.elementFromPoint(x, y);
      if (hit && hit !== th && !th.contains(hit)) problems.push(`header hidden: ${describe(th)} under ${describe(hit)}`);
    }
    return [...new Set(problems)];
  });
}
