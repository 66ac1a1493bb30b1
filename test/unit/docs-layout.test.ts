import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

// docs/architecture.md "Where things live" and the README's Layout block name every folder of
// src (and src/worker.ts), and nothing that is not there: a new folder without a line fails here.

const root = join(__dirname, '..', '..');
const srcEntries = readdirSync(join(root, 'src'), { withFileTypes: true })
  .filter((e) => e.isDirectory() || e.name === 'worker.ts')
  .map((e) => `src/${e.name}`)
  .sort();

function section(text: string, heading: string): string {
  const start = text.indexOf(heading);
  assert.ok(start >= 0, `missing heading ${heading}`);
  const next = text.indexOf('\n## ', start + heading.length);
  return text.slice(start, next < 0 ? undefined : next);
}

function srcNames(text: string): string[] {
  return [...new Set([...text.matchAll(/src\/[A-Za-z]+(?:\.ts)?/g)].map((m) => m[0]))].sort();
}

test("architecture.md's 'Where things live' table names exactly the folders of src", () => {
  const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  const table = section(doc, '## Where things live')
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.split('|')[2] ?? '')
    .join(' ');
  assert.deepEqual(srcNames(table), srcEntries);
});

test("the README's Layout block names exactly the folders of src", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const layout = section(readme, '## Layout');
  const block = layout.slice(layout.indexOf('```'), layout.lastIndexOf('```'));
  const named = block
    .split('\n')
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((w) => w.startsWith('src/'));
  assert.deepEqual([...named].sort(), srcEntries);
});
