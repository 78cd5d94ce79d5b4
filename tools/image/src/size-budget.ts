import type { AuditReport } from './image-audit.js';

const MB = 1_000_000;

/**
 * What the image may weigh. The budget is on the part the project controls, /app: production
 * node_modules, the compiled modules and the dashboard's files. It was 56 MB when set (node_modules
 * 55.7 MB: swagger-ui-dist 12, zod 8, kysely 7, chart.js 6, bullmq 6, lodash 5, luxon 5 under
 * bullmq's cron-parser, …; compiled modules 0.5 MB); 70 MB leaves room for a dependency or two and
 * fails a slip such as a dev dependency or TypeScript (23 MB) coming back. The base (Debian's slim
 * root and the Node binary: 225 MB for the stand-in, about as much for node:24-slim) is printed
 * beside it, not budgeted: it changes with Node's releases, not with this code.
 */
export const APP_BUDGET_BYTES = 70 * MB;

/** The size report's lines, and a problem when /app is over budget. */
export const sizeReport = (
  imageBytes: number,
  bytes: AuditReport['bytes'],
): { readonly lines: ReadonlyArray<string>; readonly problem: string | undefined } => {
  const mb = (value: number): string => `${(value / MB).toFixed(1)} MB`;
  const lines = [
    `image ${mb(imageBytes)}: base ${mb(imageBytes - bytes.app)} + /app ${mb(bytes.app)} (budget ${mb(APP_BUDGET_BYTES)})`,
    `  /app: node_modules ${mb(bytes.nodeModules)}, compiled modules ${mb(bytes.dist)}, manifests and public/ ${mb(bytes.other)}`,
  ];
  return {
    lines,
    problem:
      bytes.app > APP_BUDGET_BYTES
        ? `/app weighs ${mb(bytes.app)}, over its budget of ${mb(APP_BUDGET_BYTES)} (size-budget.ts says what it covers)`
        : undefined,
  };
};
