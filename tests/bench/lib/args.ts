/** `--name value` and `--flag` command-line options, with numeric and string defaults. */
export function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      out.set(arg.slice(2, eq), arg.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(arg.slice(2), next);
      i++;
    } else {
      out.set(arg.slice(2), 'true');
    }
  }
  return out;
}

export function numberArg(args: Map<string, string>, name: string, def: number): number {
  const raw = args.get(name);
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a number, got "${raw}"`);
  return n;
}

export function flagArg(args: Map<string, string>, name: string): boolean {
  const raw = args.get(name);
  return raw !== undefined && raw !== 'false' && raw !== '0';
}
