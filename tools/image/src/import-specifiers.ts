import ts from 'typescript';

const isRequireOrImportCall = (node: ts.CallExpression): boolean =>
  node.expression.kind === ts.SyntaxKind.ImportKeyword ||
  (ts.isIdentifier(node.expression) && node.expression.text === 'require');

/**
 * The modules a JavaScript module loads by name, in source order: `import … from`, `import '…'`,
 * `export … from` (also `export * as ns from`), and `import('…')` or `require('…')` (as after
 * `createRequire`) with a literal. A specifier computed at run time cannot be known and is skipped.
 *
 * The source is parsed with TypeScript rather than scanned with `ts.preProcessFile`: that scanner
 * (TypeScript 5.9) returns nothing for `export * as ns from '…'`, and an import missed here is a
 * module deleted from the image that the image then fails to load. Parsing, like the scanner, keeps
 * text in comments and strings from counting as an import.
 *
 * @example
 * importSpecifiers("import { a } from './a.js';\n// import './b.js'\nconst c = await import('./c.js');");
 * // ['./a.js', './c.js']
 */
export const importSpecifiers = (source: string): ReadonlyArray<string> => {
  const file = ts.createSourceFile('module.js', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && isRequireOrImportCall(node)) {
      const [first] = node.arguments;
      if (first !== undefined && ts.isStringLiteralLike(first)) specifiers.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return specifiers;
};
