import { describe, expect, it } from 'vitest';
import { APP_BUDGET_BYTES, sizeReport } from './size-budget.js';

describe('sizeReport', () => {
  it('prints the image, its base and /app against the budget, and passes /app within it', () => {
    const report = sizeReport(281_800_000, { app: 56_400_000, nodeModules: 55_700_000, dist: 500_000, other: 200_000 });
    expect(report.lines).toEqual([
      'image 281.8 MB: base 225.4 MB + /app 56.4 MB (budget 70.0 MB)',
      '  /app: node_modules 55.7 MB, compiled modules 0.5 MB, manifests and public/ 0.2 MB',
    ]);
    expect(report.problem).toBeUndefined();
  });

  it('fails /app over the budget, whatever the base weighs', () => {
    const app = APP_BUDGET_BYTES + 1_000_000;
    expect(sizeReport(app + 225_000_000, { app, nodeModules: app, dist: 0, other: 0 }).problem).toBe(
      '/app weighs 71.0 MB, over its budget of 70.0 MB (size-budget.ts says what it covers)',
    );
  });
});
