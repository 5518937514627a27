import { SEVERITIES, type Severity } from '@gridwatch/devices';

/**
 * Alert causes that open a case on their own (CASE_AUTO_OPEN), written
 * `cause[@min-severity]=ITEM[+department,…]`, rules separated by `;`. Example:
 * `fire-risk@critical=FIRE-04+fire` — a critical fire-risk alert opens a FIRE-04 case,
 * dispatched to the grid's community centre and on-duty grid officer, with the fire
 * department co-handling.
 */
export interface AutoOpenRule {
  cause: string;
  /** The least severe alert that still opens a case. */
  minSeverity: Severity;
  item: string;
  /** Department types called in as co-handlers. */
  coDepartments: string[];
}

/** @default 'fire-risk@critical=FIRE-04+fire' */
export const DEFAULT_AUTO_OPEN = 'fire-risk@critical=FIRE-04+fire';

const RULE = /^([a-z0-9][a-z0-9-]*)(?:@([a-z]+))?=([A-Z0-9][A-Z0-9-]*)(?:\+([a-z0-9,-]+))?$/;

/** Parses CASE_AUTO_OPEN; throws naming the bad rule. An empty string means no rules. */
export function parseAutoOpen(spec: string): AutoOpenRule[] {
  return spec
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text) => {
      const m = RULE.exec(text);
      if (!m)
        throw new Error(
          `CASE_AUTO_OPEN: cannot read rule '${text}' (expected cause[@severity]=ITEM[+dept,…])`,
        );
      const severity = (m[2] ?? 'warning') as Severity;
      if (!SEVERITIES.includes(severity)) {
        throw new Error(
          `CASE_AUTO_OPEN: unknown severity '${m[2]}' in '${text}' (one of ${SEVERITIES.join(', ')})`,
        );
      }
      return {
        cause: m[1]!,
        minSeverity: severity,
        item: m[3]!,
        coDepartments: m[4] ? m[4].split(',').filter(Boolean) : [],
      };
    });
}

/** SEVERITIES runs from most to least severe. */
const rank = (s: Severity) => SEVERITIES.indexOf(s);

export function matchAutoOpen(
  rules: readonly AutoOpenRule[],
  alert: { cause: string; severity: Severity },
): AutoOpenRule | null {
  return rules.find((r) => r.cause === alert.cause && rank(alert.severity) <= rank(r.minSeverity)) ?? null;
}
