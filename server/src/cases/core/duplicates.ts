import type { CaseState } from '@gridwatch/devices';

/**
 * Likely duplicates of a new case among open ones: the same device, or the same grid and
 * matter item close in time and place. The result is a proposal with a score in [0, 1] and
 * a reason; merging is always someone's decision.
 */

export interface DuplicateSubject {
  id: string;
  gridId: string | null;
  itemCode: string | null;
  deviceIds: readonly string[];
  lon: number | null;
  lat: number | null;
  /** Epoch ms. */
  reportedAt: number;
}

export interface DuplicateCandidate extends DuplicateSubject {
  state: CaseState;
}

export interface DuplicateProposal {
  caseId: string;
  /** 1 for the same device and item; 0.5–1 for the same grid and item, higher when nearer. */
  score: number;
  reason: string;
}

export interface DuplicateOptions {
  /** Only cases reported this close in time. @default 86_400_000 (24 h) */
  windowMs?: number;
  /** Only cases this close in place, when both have a point. @default 300 */
  radiusM?: number;
}

/** States in which a case is no longer a candidate (done or thrown out). */
const SETTLED: readonly CaseState[] = ['rejected', 'closed'];

const EARTH_M = 6_371_000;
/** Great-circle distance in metres (haversine). */
export function distanceM(aLon: number, aLat: number, bLon: number, bLat: number): number {
  const rad = Math.PI / 180;
  const dLat = (bLat - aLat) * rad;
  const dLon = (bLon - aLon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

const round = (x: number) => Math.round(x * 100) / 100;
const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

function proposal(s: DuplicateSubject, c: DuplicateCandidate, windowMs: number, radiusM: number) {
  const dt = Math.abs(s.reportedAt - c.reportedAt);
  const sameItem = s.itemCode !== null && s.itemCode === c.itemCode;
  const device = s.deviceIds.find((d) => c.deviceIds.includes(d));
  if (device && dt <= windowMs) {
    return {
      caseId: c.id,
      score: sameItem ? 1 : 0.9,
      reason: `same device ${device}${sameItem ? ' and matter item' : ''}, ${minutes(dt)} apart`,
    };
  }
  if (!sameItem || s.gridId === null || s.gridId !== c.gridId || dt > windowMs) return null;
  const timeScore = 0.25 * (1 - dt / windowMs);
  if (s.lon !== null && s.lat !== null && c.lon !== null && c.lat !== null) {
    const d = distanceM(s.lon, s.lat, c.lon, c.lat);
    if (d > radiusM) return null;
    return {
      caseId: c.id,
      score: round(0.5 + timeScore + 0.25 * (1 - d / radiusM)),
      reason: `same grid and matter item, ${minutes(dt)} and ${Math.round(d)} m apart`,
    };
  }
  // Without both points, place counts as unknown: half of its share.
  return {
    caseId: c.id,
    score: round(0.5 + timeScore + 0.125),
    reason: `same grid and matter item, ${minutes(dt)} apart (no position to compare)`,
  };
}

/** Proposals for `subject` among `candidates`, best first. */
export function proposeDuplicates(
  subject: DuplicateSubject,
  candidates: readonly DuplicateCandidate[],
  opts: DuplicateOptions = {},
): DuplicateProposal[] {
  const windowMs = opts.windowMs ?? 86_400_000;
  const radiusM = opts.radiusM ?? 300;
  const out: DuplicateProposal[] = [];
  for (const c of candidates) {
    if (c.id === subject.id || SETTLED.includes(c.state)) continue;
    const p = proposal(subject, c, windowMs, radiusM);
    if (p) out.push(p);
  }
  return out.sort((a, b) => b.score - a.score || a.caseId.localeCompare(b.caseId));
}
