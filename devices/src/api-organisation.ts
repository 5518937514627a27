import { type Static, type TSchema, Type } from 'typebox';
import { ROLES } from './api.ts';
import { SingleLine } from './text.ts';

/**
 * REST contracts of the organisation (`/api/units`, `/api/users`, `/api/duty`): the
 * 1+9+131+N chain of units, users in units with one or more roles, grid teams (3+2+N) and
 * duty shifts.
 */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Iso = Type.String({ description: 'ISO 8601 timestamp' });

export const UNIT_KINDS = ['district-centre', 'street-centre', 'community-centre', 'department'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/** Grid team roles of the 3+2+N team: 网格长, 社区民警, 专职网格员; 网格指导员, 网格业务联络员; 兼职网格员. */
export const TEAM_ROLES = [
  'grid-chief',
  'community-police',
  'grid-officer',
  'grid-instructor',
  'liaison',
  'part-time',
] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** Department types are open-ended (a district adds its own); lower-case words joined by `-`. */
export const DEPARTMENT_TYPE_PATTERN = '^[a-z][a-z0-9-]{1,39}$';

export const Unit = Type.Object({
  /** `centre:<regionId>` for centres, `dept:<type>` for the seeded departments. */
  id: Type.String(),
  kind: Type.Enum(UNIT_KINDS),
  nameZh: Type.String(),
  nameEn: Type.String(),
  /** A centre's region; for departments the district they serve, or null. */
  regionId: Nullable(Type.String()),
  /** `police`, `market-regulation`, `urban-management`, `fire`, … for departments; null for centres. */
  departmentType: Nullable(Type.String()),
  parentId: Nullable(Type.String()),
  enabled: Type.Boolean(),
});
export type Unit = Static<typeof Unit>;

export const UnitList = Type.Array(Unit);

export const GridAssignment = Type.Object({
  gridId: SingleLine({ minLength: 1, maxLength: 64 }),
  teamRole: Type.Enum(TEAM_ROLES),
});
export type GridAssignment = Static<typeof GridAssignment>;

/** A user as commanders manage them (never the password hash). */
export const ManagedUser = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  role: Type.Enum(ROLES),
  roles: Type.Array(Type.Enum(ROLES)),
  regionId: Type.String(),
  unitId: Nullable(Type.String()),
  /** When the user was disabled; null while active. A disabled user cannot log in. */
  disabledAt: Nullable(Iso),
  grids: Type.Array(GridAssignment),
});
export type ManagedUser = Static<typeof ManagedUser>;

export const DutyShift = Type.Object({
  id: Type.String(),
  unitId: Type.String(),
  userId: Type.String(),
  startsAt: Iso,
  endsAt: Iso,
  createdBy: Type.String(),
});
export type DutyShift = Static<typeof DutyShift>;

/** One change to the organisation: who did what to which user or unit, and when. */
export const AuditEntry = Type.Object({
  at: Iso,
  actor: Type.String(),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  changes: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditEntry = Static<typeof AuditEntry>;
