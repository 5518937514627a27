import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = import.meta.dirname;

/** The files `file` imports or re-exports, relative ones only, recursively. */
function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(join(SRC, file), 'utf8').matchAll(/from\s*'\.\/([^']+)'/g))
    reachable(m[1]!, seen);
  return seen;
}

describe('the catalogue package index', () => {
  const files = [...reachable('index.ts')];

  it('reaches the catalogue and its schemas', () => {
    expect(files).toEqual(expect.arrayContaining(['catalogue.ts', 'schemas.ts', 'topics.ts']));
  });

  it.each(files)('%s imports nothing Node-only, so the dashboard can import the index', (file) => {
    const code = readFileSync(join(SRC, file), 'utf8');
    expect(code.match(/from\s*'node:[^']+'/g) ?? []).toEqual([]);
  });
});
