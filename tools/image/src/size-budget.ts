import type { AuditReport } from './image-audit.js';

const MB = 1_000_000;

/**
 * What the image may weigh. The budget is on the part the project controls, /app: its
 * production node_modules, the compiled modules and the dashboard's files. The base (Debian's
 * slim root and the Node binary, about 215 MB here and in node:24-slim alike) is reported beside
 * it, not budgeted: it changes with Node releases, not with this code.
 */
export const APP_BUDGET_BYTES = 90 * MB;

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
