/** Output for people goes to stderr (progress, summaries); stdout carries only data. */
export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A plain aligned text table, for summaries on stderr and `sql --format table` on stdout. */
export function formatTable(headers: string[], rows: unknown[][]): string {
  const cells = rows.map((row) => row.map(formatCell));
  const widths = headers.map((header, index) => Math.max(header.length, ...cells.map((row) => row[index].length)));
  const numeric = headers.map((_, index) => rows.length > 0 && rows.every((row) => row[index] === null || typeof row[index] === 'number'));
  const line = (values: string[]) => values.map((value, index) => (numeric[index] ? value.padStart(widths[index]) : value.padEnd(widths[index]))).join('  ').trimEnd();
  return [line(headers), line(widths.map((width) => '─'.repeat(width))), ...cells.map(line)].join('\n');
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One progress line redrawn in place on a terminal, or printed every so often when piped. */
export function progressLine(label: string): { update(done: number, total: number, detail?: string): void; done(message?: string): void } {
  const interactive = process.stderr.isTTY;
  let lastPrinted = 0;
  return {
    update(done, total, detail = '') {
      const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
      const text = `${label} ${done}/${total} (${percent}%) ${detail}`.trimEnd();
      if (interactive) process.stderr.write(`\r\x1b[2K${text}`);
      else if (Date.now() - lastPrinted > 2000 || done === total) {
        lastPrinted = Date.now();
        say(text);
      }
    },
    done(message) {
      if (interactive) process.stderr.write('\r\x1b[2K');
      if (message) say(message);
    },
  };
}
