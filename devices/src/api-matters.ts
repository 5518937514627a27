import { type Static, Type } from 'typebox';

/**
 * The matter catalogue (事项清单): categories and items a grid officer looks for, each with
 * its lead department, the tier that handles it, per-step time limits and what feedback
 * needs. Versioned: every edit writes a new version and a case keeps the version it was
 * opened under.
 */
export const MATTER_TIERS = ['grid', 'community', 'street', 'district'] as const;
export type MatterTier = (typeof MATTER_TIERS)[number];

/** Longest limit accepted for any step: one year, in seconds. */
export const MATTER_LIMIT_MAX_S = 366 * 24 * 3600;

export const MatterItem = Type.Object({
  /** Stable code, e.g. `FIRE-01`: upper-case letters, digits and `-`. */
  code: Type.String(),
  categoryCode: Type.String(),
  categoryZh: Type.String(),
  categoryEn: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  /** A department type (`fire`, `police`, …) of a department unit. */
  leadDepartment: Type.String(),
  tier: Type.Enum(MATTER_TIERS),
  /** Seconds to accept (受理) a report of this item. */
  acceptLimitS: Type.Integer({ minimum: 1 }),
  /** Seconds for the assigned unit to receive (签收) it once dispatched. */
  receiveLimitS: Type.Integer({ minimum: 1 }),
  /** Seconds to handle it and submit feedback once received. */
  handleLimitS: Type.Integer({ minimum: 1 }),
  /** Seconds to verify the feedback. */
  verifyLimitS: Type.Integer({ minimum: 1 }),
  photoRequired: Type.Boolean(),
  verificationRequired: Type.Boolean(),
});
export type MatterItem = Static<typeof MatterItem>;

export const MatterCatalogue = Type.Object({
  version: Type.Integer(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  note: Type.String(),
  items: Type.Array(MatterItem),
});
export type MatterCatalogue = Static<typeof MatterCatalogue>;

export const MatterVersion = Type.Object({
  version: Type.Integer(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  note: Type.String(),
  items: Type.Integer({ description: 'number of items in this version' }),
});
export type MatterVersion = Static<typeof MatterVersion>;
