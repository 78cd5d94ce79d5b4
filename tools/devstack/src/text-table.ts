/** One column of a {@link formatTable} table. */
export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Numbers read better right-aligned. Default `left`. */
  readonly align?: 'left' | 'right';
}

/**
 * Lays rows out as a plain-text table: a header, a rule, one line per row, columns padded to
 * their widest cell.
 *
 * @example
 * formatTable([{ header: 'size', value: (b) => String(b.size), align: 'right' }], batches);
 */
export const formatTable = <Row>(columns: ReadonlyArray<Column<Row>>, rows: ReadonlyArray<Row>): string => {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const render = (line: ReadonlyArray<string>): string =>
    line
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        return columns[index]?.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [
    render(columns.map((column) => column.header)),
    render(widths.map((width) => '─'.repeat(width))),
    ...cells.map(render),
  ].join('\n');
};
