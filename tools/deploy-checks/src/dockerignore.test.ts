import { describe, expect, it } from 'vitest';
import { isIgnored, parseDockerignore } from './dockerignore.js';

describe('isIgnored', () => {
  const rules = parseDockerignore(
    ['# build output', '**/node_modules', '**/dist', '.git', '*.log', '!keep.log'].join('\n'),
  );

  it('leaves out a folder matched at any depth and everything inside it', () => {
    expect(isIgnored('node_modules', rules)).toBe(true);
    expect(isIgnored('apps/api/node_modules/express/index.js', rules)).toBe(true);
    expect(isIgnored('packages/store/dist/bin/migrate.js', rules)).toBe(true);
    expect(isIgnored('.git/HEAD', rules)).toBe(true);
  });

  it('keeps what no rule matches', () => {
    expect(isIgnored('apps/api/package.json', rules)).toBe(false);
    expect(isIgnored('apps/api/public/index.html', rules)).toBe(false);
    expect(isIgnored('distribution.md', rules)).toBe(false);
  });

  it('lets a later ! rule take back a file, and a single * stay inside one folder', () => {
    expect(isIgnored('error.log', rules)).toBe(true);
    expect(isIgnored('keep.log', rules)).toBe(false);
    expect(isIgnored('logs/error.log', rules)).toBe(false);
  });
});
