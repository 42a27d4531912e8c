/**
 * A drawn chart as a file: the SVG as Plot made it (its styles are inside it), or a PNG painted
 * from that SVG at twice the screen's pixels. Legends and titles drawn in HTML beside the SVG are
 * not part of it; the file name says which chart it is.
 */
const svgNamespace = 'http://www.w3.org/2000/svg';

/** The chart's SVGs as one standalone SVG document (a chart with panels has several, side by side or stacked). */
export function chartSvg(figure: Element): { text: string; width: number; height: number } {
  const parts = [...figure.querySelectorAll('svg')].filter((svg) => !svg.closest('[class*="legend"], [class*="swatch"]') && svg.getBoundingClientRect().width > 0);
  const origin = figure.getBoundingClientRect();
  const boxes = parts.map((svg) => svg.getBoundingClientRect());
  const width = Math.ceil(Math.max(1, ...boxes.map((box) => box.right - origin.left)));
  const height = Math.ceil(Math.max(1, ...boxes.map((box) => box.bottom - origin.top)));
  const root = document.createElementNS(svgNamespace, 'svg');
  root.setAttribute('xmlns', svgNamespace);
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.setAttribute('font-family', 'system-ui, sans-serif');
  const background = document.createElementNS(svgNamespace, 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', 'white');
  root.append(background);
  parts.forEach((svg, index) => {
    const copy = svg.cloneNode(true) as SVGSVGElement;
    copy.setAttribute('x', String(boxes[index].left - origin.left));
    copy.setAttribute('y', String(boxes[index].top - origin.top));
    copy.setAttribute('width', String(boxes[index].width));
    copy.setAttribute('height', String(boxes[index].height));
    root.append(copy);
  });
  return { text: new XMLSerializer().serializeToString(root), width, height };
}

export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadSvg(figure: Element, name: string): void {
  download(new Blob([chartSvg(figure).text], { type: 'image/svg+xml' }), `${name}.svg`);
}

export async function downloadPng(figure: Element, name: string): Promise<void> {
  const { text, width, height } = chartSvg(figure);
  const image = new Image();
  image.src = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  await image.decode();
  const scale = 2;
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const context = canvas.getContext('2d')!;
  context.scale(scale, scale);
  context.drawImage(image, 0, 0, width, height);
  URL.revokeObjectURL(image.src);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error(`could not paint ${name} as PNG`);
  download(blob, `${name}.png`);
}
