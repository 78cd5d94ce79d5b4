/** Alignment of each column of {@link formatTable}; missing entries are left-aligned. */
export type Alignment = ReadonlyArray<'left' | 'right'>;

/**
 * Lays out rows of cells as a plain-text table: the first row is the header, a rule follows it,
 * columns are padded to their widest cell and separated by two spaces.
 *
 * @example
 * formatTable([['figure', 'value'], ['lost', '0']], ['left', 'right']);
 */
export const formatTable = (rows: ReadonlyArray<ReadonlyArray<string>>, align: Alignment = []): string => {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, index) =>
    Math.max(0, ...rows.map((row) => [...(row[index] ?? '')].length)),
  );
  const line = (row: ReadonlyArray<string>): string =>
    widths
      .map((width, index) => {
        const cell = row[index] ?? '';
        const pad = ' '.repeat(width - [...cell].length);
        return align[index] === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (header === undefined) return '';
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...body.map(line)].join('\n');
};
