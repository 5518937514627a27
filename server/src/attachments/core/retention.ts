/**
 * Retention per owner type: `ATTACHMENT_RETENTION_DAYS` as `type=days` pairs
 * (`alert=365,case=1825`). An owner type named nowhere keeps the default its domain
 * registered with; 0 keeps attachments forever.
 */
export function parseRetention(spec: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!spec) return out;
  for (const part of spec.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const match = /^([a-z][a-z0-9-]{0,39})=(\d{1,6})$/.exec(item);
    if (!match) throw new Error(`expected ownerType=days pairs separated by commas, got "${item}"`);
    out.set(match[1]!, Number(match[2]));
  }
  return out;
}

/** The moment before which an owner type's attachments are removed, or null (kept forever). */
export function retentionCutoff(days: number, now: Date): Date | null {
  if (days <= 0) return null;
  return new Date(now.getTime() - days * 86_400_000);
}
