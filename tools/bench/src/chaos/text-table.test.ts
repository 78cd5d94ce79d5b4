import { describe, expect, it } from 'vitest';
import { formatTable } from './text-table.js';

describe('formatTable', () => {
  it('pads columns to their widest cell, right-aligning where asked, under a rule', () => {
    expect(
      formatTable(
        [
          ['figure', 'value'],
          ['lost', '0'],
          ['accepted', '30,000'],
        ],
        ['left', 'right'],
      ),
    ).toBe(['figure     value', '────────  ──────', 'lost           0', 'accepted  30,000'].join('\n'));
  });

  it('counts a wide character as one column', () => {
    expect(formatTable([['a'], ['·']])).toBe(['a', '─', '·'].join('\n'));
  });
});
