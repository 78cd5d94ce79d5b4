import { describe, expect, it } from 'vitest';
import { formatTable } from './text-table.js';

describe('formatTable', () => {
  it('pads columns to their widest cell and right-aligns numbers', () => {
    const table = formatTable(
      [
        { header: 'type', value: (row: { type: string; size: number }) => row.type },
        { header: 'size', value: (row) => String(row.size), align: 'right' },
      ],
      [
        { type: 'EMAIL', size: 100 },
        { type: 'SMS', size: 7 },
      ],
    );
    expect(table.split('\n')).toEqual(['type   size', '─────  ────', 'EMAIL   100', 'SMS       7']);
  });
});
