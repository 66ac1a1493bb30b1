import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

// Workflow code runs in Temporal's deterministic sandbox and must replay old histories: at run
// time it may load only @temporalio/workflow, itself and src/shared (pure, no Node APIs). Types
// from anywhere are fine: they are erased.

const root = join(__dirname, '..', '..', 'src');

/** Every module a file loads at run time (type-only imports and exports left out). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const out: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause !== undefined &&
          clause.name === undefined &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) out.push((node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      out.push((node.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out;
}

const files = (folder: string) =>
  readdirSync(join(root, folder))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, folder, f));

describe('workflow code imports', () => {
  it('src/workflows loads only @temporalio/workflow, src/workflows and src/shared', () => {
    for (const file of files('workflows')) {
      for (const spec of runtimeImports(file)) {
        const ok =
          spec === '@temporalio/workflow' || spec.startsWith('./') || /^\.\.\/shared(\/|$)/.test(spec);
        assert.ok(ok, `${file} imports ${spec}`);
      }
    }
  });

  it('src/shared loads only @temporalio/workflow and src/shared', () => {
    for (const file of files('shared')) {
      for (const spec of runtimeImports(file)) {
        assert.ok(spec === '@temporalio/workflow' || spec.startsWith('./'), `${file} imports ${spec}`);
      }
    }
  });
});
