import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configFileSchema } from '../../src/config';
import { schemaObjects } from './config-schema-walk';

// The README's configuration reference is one table per object of the schema. This keeps it from
// drifting: every object has its table, each table lists exactly that object's keys, and there is
// no table for an object the schema does not have.

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');

function referenceTables(): Map<string, string[]> {
  const start = README.indexOf('<!-- config-reference:start');
  const end = README.indexOf('<!-- config-reference:end -->');
  assert.ok(start >= 0 && end > start, 'README has the config-reference markers');
  const tables = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of README.slice(start, end).split('\n')) {
    if (line.startsWith('#### ')) {
      current = [];
      for (const [, name] of line.matchAll(/`([^`]+)`/g)) tables.set(name!, current);
    } else if (current && line.startsWith('| `')) {
      current.push(/^\| `([^`]+)`/.exec(line)![1]!);
    }
  }
  return tables;
}

describe('README configuration reference', () => {
  const tables = referenceTables();
  const objects = schemaObjects(configFileSchema);

  it('has a table for every object of the schema, listing exactly its keys', () => {
    for (const object of objects) {
      for (const name of [object.name || '(file)', ...object.aliases]) {
        const keys = tables.get(name);
        assert.ok(keys, `README reference has no table for \`${name}\``);
        assert.deepEqual([...keys].sort(), [...object.keys].sort(), `keys of \`${name}\``);
      }
    }
  });

  it('has no table for an object the schema does not have', () => {
    const names = new Set(objects.flatMap((o) => [o.name || '(file)', ...o.aliases]));
    assert.deepEqual(
      [...tables.keys()].filter((n) => !names.has(n)),
      [],
    );
  });

  it('names the keys the issue asked for', () => {
    const all = new Set([...tables.values()].flat());
    for (const key of [
      'schedule',
      'nonAscii',
      'ledgerCurrency',
      'children',
      'limits',
      'compress',
      'authorization',
      'security',
    ]) {
      assert.ok(all.has(key), key);
    }
  });
});
