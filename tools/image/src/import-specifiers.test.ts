import { describe, expect, it } from 'vitest';
import { importSpecifiers } from './import-specifiers.js';

describe('importSpecifiers', () => {
  it('lists every static import and re-export form, in source order', () => {
    const source = [
      "import express from 'express';",
      "import * as ns from './namespace.js';",
      "import def, { named } from './mixed.js';",
      "import './side-effect.js';",
      "import data from './data.json' with { type: 'json' };",
      "export { problem } from './problem.js';",
      "export * from './star.js';",
      "export * as routes from './routes/index.js';",
      'export const local = 1;',
    ].join('\n');
    expect(importSpecifiers(source)).toEqual([
      'express',
      './namespace.js',
      './mixed.js',
      './side-effect.js',
      './data.json',
      './problem.js',
      './star.js',
      './routes/index.js',
    ]);
  });

  it('finds import() and require() of a literal wherever it is, but not of a computed name', () => {
    const source = [
      'export const load = async (name) => {',
      "  const lazy = await import('./lazy.js');",
      '  const template = await import(`./template.js`);',
      "  const data = require('./data.cjs');",
      '  return import(name);',
      '};',
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./lazy.js', './template.js', './data.cjs']);
  });

  it('ignores import-like text in comments, strings and templates, and a method named import', () => {
    const source = [
      "// import './commented.js';",
      "/* export * from './block-commented.js'; */",
      'const text = "import \'./in-string.js\'";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the module under test holds a template with a substitution.
      "const template = `${text} import('./in-template.js')`;",
      "Quill.import('delta');",
      "import { after } from './after-template.js';",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./after-template.js']);
  });
});
