import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from 'oxc-parser';
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

/** Top-level statements that only define things (ESTree node types, as TypeScript's parser reads them). */
const DEFINITIONS = new Set([
  'ImportDeclaration',
  'ExportAllDeclaration',
  'FunctionDeclaration',
  'TSDeclareFunction',
  'ClassDeclaration',
  'TSInterfaceDeclaration',
  'TSTypeAliasDeclaration',
  'VariableDeclaration',
  'EmptyStatement',
]);

type Statement = ReturnType<typeof parseSync>['program']['body'][number];

/**
 * Whether a top-level statement only defines things. `export const` and
 * `export function` define what they export; `export { a }` re-exports; a
 * default export defines only when it is a function, class or interface
 * (`export default value` evaluates its value, an enum or a namespace runs code).
 */
function defines(statement: Statement): boolean {
  if (statement.type === 'ExportNamedDeclaration')
    return statement.declaration === null || DEFINITIONS.has(statement.declaration.type);
  if (statement.type === 'ExportDefaultDeclaration') return DEFINITIONS.has(statement.declaration.type);
  return DEFINITIONS.has(statement.type);
}

/** The module's top-level statements; a module that does not parse fails the test with its errors. */
function topLevel(file: string, text: string): Statement[] {
  const { program, errors } = parseSync(file, text, { lang: 'ts', sourceType: 'module' });
  expect(
    errors.map((error) => error.message),
    file,
  ).toEqual([]);
  return program.body;
}

/** What a statement is, named by what an export exports. */
function kind(statement: Statement): string {
  if (
    (statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration') &&
    statement.declaration !== null
  )
    return `${statement.type} ${statement.declaration.type}`;
  return statement.type;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

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
        const text = await readFile(file, 'utf8');
        for (const statement of topLevel(file, text)) {
          if (defines(statement)) continue;
          offenders.push(`${relative(root, file)}:${lineOf(text, statement.start)} ${kind(statement)}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('declare in package.json only modules that exist and do have an effect', async () => {
    for (const path of await declaredEffects()) {
      const statements = topLevel(path, await readFile(join(root, path), 'utf8'));
      expect(
        statements.some((statement) => !defines(statement)),
        path,
      ).toBe(true);
    }
  });
});
