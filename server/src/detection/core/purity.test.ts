import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = import.meta.dirname;
/** What core code may import besides its own files: the device catalogue (pure data and functions). */
const ALLOWED_PACKAGES = ['@gridwatch/devices'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every module specifier of `import … from`, `export … from` and `import(…)`. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  for (const m of code.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g))
    found.push(m[1]!);
  for (const m of code.matchAll(/(?:^|\s)import\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of code.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

describe('detection core', () => {
  const files = sources(CORE);

  it('has code to check', () => {
    expect(files.map((f) => relative(CORE, f))).toEqual(
      expect.arrayContaining(['engine.ts', 'correlation.ts']),
    );
  });

  it.each(files.map((f) => [relative(CORE, f), f]))(
    '%s imports only core files and the device catalogue (no node:, pg, fastify, no I/O)',
    (_name, file) => {
      const outside = specifiers(readFileSync(file, 'utf8')).filter((s) => {
        if (s.startsWith('.')) return !resolve(file, '..', s).startsWith(`${CORE}/`);
        return !ALLOWED_PACKAGES.includes(s);
      });
      expect(outside).toEqual([]);
    },
  );

  it('catches an import from outside', () => {
    const code = "import pg from 'pg';\nimport { x } from '../plugin.ts';\nexport { y } from 'node:fs';";
    expect(specifiers(code)).toEqual(['pg', '../plugin.ts', 'node:fs']);
  });
});
