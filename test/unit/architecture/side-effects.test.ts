import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * package.json declares that only the modules it lists in `sideEffects` have
 * effects at import, so esbuild leaves out any other module none of whose
 * exports a function uses (unsubscribe does not carry the journey language,
 * for one). That is only true while importing any other module does nothing
 * but define things: no top-level statement may run code for its effect.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The modules package.json declares as having effects at import, relative to the root. */
async function declaredEffects(): Promise<Set<string>> {
  const manifest: unknown = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const listed =
    typeof manifest === 'object' && manifest !== null && 'sideEffects' in manifest
      ? manifest.sideEffects
      : [];
  if (!Array.isArray(listed)) return new Set();
  return new Set(listed.filter((path) => typeof path === 'string').map((path) => path.replace(/^\.\//, '')));
}

const DEFINITIONS = new Set([
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.ExportDeclaration,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.EmptyStatement,
]);

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

describe('modules bundled into the functions', () => {
  it('only define things at the top level, so a module nothing uses can be left out', async () => {
    const offenders: string[] = [];
    const declared = await declaredEffects();
    for (const dir of ['functions', 'shared']) {
      for (const file of await sourceFiles(join(root, dir))) {
        if (declared.has(relative(root, file))) continue;
        const source = ts.createSourceFile(file, await readFile(file, 'utf8'), ts.ScriptTarget.Latest);
        for (const statement of source.statements) {
          if (DEFINITIONS.has(statement.kind)) continue;
          const { line } = source.getLineAndCharacterOfPosition(statement.getStart(source));
          offenders.push(`${relative(root, file)}:${line + 1} ${ts.SyntaxKind[statement.kind]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('declare in package.json only modules that exist and do have an effect', async () => {
    for (const path of await declaredEffects()) {
      const source = ts.createSourceFile(
        path,
        await readFile(join(root, path), 'utf8'),
        ts.ScriptTarget.Latest,
      );
      expect(
        source.statements.some((statement) => !DEFINITIONS.has(statement.kind)),
        path,
      ).toBe(true);
    }
  });
});
