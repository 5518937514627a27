import { SEVERITIES, SEVERITY_RANK, type Severity, type SeverityCounts } from '@gridwatch/devices';

export const zeroCounts = (): SeverityCounts => ({ critical: 0, major: 0, minor: 0, warning: 0 });

export const isSeverity = (s: string): s is Severity => (SEVERITIES as readonly string[]).includes(s);

/** SQL: a severity's rank (critical 0 .. warning 3), to take the worst with min(). */
export const SEVERITY_RANK_SQL = `CASE severity ${SEVERITIES.map((s) => `WHEN '${s}' THEN ${SEVERITY_RANK[s]}`).join(' ')} ELSE 9 END`;

export const severityOfRank = (rank: number | null): Severity | null =>
  rank === null ? null : (SEVERITIES.find((s) => SEVERITY_RANK[s] === rank) ?? null);

/** Open alerts overdue: flagged by the alerts domain, or active past the limit and not yet flagged. */
export const OVERDUE_SQL = `(overdue OR (state = 'active' AND ack_due_at < now()))`;
