/** A count with its noun in the right number, as a reader says it: "1 row", "2,480 rows", "0 rows". */
export function counted(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? noun : pluralNoun}`;
}
