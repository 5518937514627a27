import type { CorrelationRule } from '@gridwatch/devices';
import { label } from './label.ts';
import type { EngineState, IncidentState, RecentRaise, RuleSet } from './model.ts';
import type { Finding } from './types.ts';

function scopeKey(rule: CorrelationRule, r: RecentRaise): string | null {
  const key = rule.scope === 'compound' ? r.scope.compound : r.scope.grid;
  return key ? `${rule.scope}:${key}` : null;
}

/** Raises of different devices in one compound or grid within a window become one incident. */
export function correlate(state: EngineState, rules: RuleSet, findings: Finding[], now: number): void {
  const maxWindowMs = Math.max(...rules.correlation.map((r) => r.windowS)) * 1000;
  state.recent = state.recent.filter((r) => now - r.seenAt <= maxWindowMs);
  const incoming: RecentRaise[] = [];
  for (const f of findings) {
    if (f.action !== 'raise') continue;
    const meta = rules.device(f.deviceId);
    if (!meta) continue;
    const r: RecentRaise = {
      deviceId: meta.id,
      kind: meta.kind,
      cause: f.cause,
      scope: { compound: meta.site, grid: meta.gridId },
      at: f.at,
      seenAt: now,
    };
    state.recent.push(r);
    incoming.push(r);
  }
  for (const r of incoming) {
    for (const rule of rules.correlation) {
      const key = scopeKey(rule, r);
      if (!key || !rule.requires.some((q) => q.kind === r.kind && q.causes.includes(r.cause))) continue;
      const windowMs = rule.windowS * 1000;
      const pool = state.recent.filter((o) => now - o.seenAt <= windowMs && scopeKey(rule, o) === key);
      const members = matchAll(rule, pool);
      if (!members) continue;
      const open = state.incidents.find((i) => i.rule === rule.id && i.scopeKey === key);
      if (open) {
        open.lastAt = now;
        const added = members.filter((m) => !open.deviceIds.includes(m.deviceId));
        if (added.length === 0) continue;
        open.deviceIds.push(...added.map((m) => m.deviceId));
      } else {
        state.incidents.push({
          rule: rule.id,
          scopeKey: key,
          deviceIds: members.map((m) => m.deviceId),
          lastAt: now,
        });
      }
      const incident = state.incidents.find((i) => i.rule === rule.id && i.scopeKey === key) as IncidentState;
      findings.push({
        action: 'raise',
        cause: rule.id,
        severity: rule.severity,
        deviceId: incident.deviceIds[0] as string,
        deviceIds: [...incident.deviceIds],
        at: r.at,
        message: `${label(rule.id)}: ${pool
          .filter((m) => incident.deviceIds.includes(m.deviceId))
          .map((m) => `${m.deviceId} ${label(m.cause)}`)
          .filter((v, i, a) => a.indexOf(v) === i)
          .join('; ')}`,
      });
    }
  }
}

/**
 * When every requirement is met by a raise of a different device, returns every device's
 * first matching raise, earliest first; otherwise null.
 */
function matchAll(rule: CorrelationRule, pool: RecentRaise[]): RecentRaise[] | null {
  const sorted = [...pool].sort((a, b) => a.seenAt - b.seenAt || a.at - b.at);
  const used = new Set<string>();
  for (const req of rule.requires) {
    const m = sorted.find(
      (o) => o.kind === req.kind && req.causes.includes(o.cause) && !used.has(o.deviceId),
    );
    if (!m) return null;
    used.add(m.deviceId);
  }
  const members: RecentRaise[] = [];
  const seen = new Set<string>();
  for (const o of sorted) {
    if (seen.has(o.deviceId)) continue;
    if (!rule.requires.some((q) => q.kind === o.kind && q.causes.includes(o.cause))) continue;
    seen.add(o.deviceId);
    members.push(o);
  }
  return members;
}

/** An incident ends a window after its last contributing raise. */
export function expireIncidents(state: EngineState, rules: RuleSet, now: number, out: Finding[]): void {
  if (state.incidents.length === 0) return;
  state.incidents = state.incidents.filter((i) => {
    const rule = rules.correlation.find((r) => r.id === i.rule);
    if (rule && now - i.lastAt < rule.windowS * 1000) return true;
    out.push({
      action: 'clear',
      cause: i.rule,
      severity: rule?.severity ?? 'critical',
      deviceId: i.deviceIds[0] as string,
      deviceIds: [...i.deviceIds],
      at: now,
      message: label(i.rule),
    });
    return false;
  });
}
