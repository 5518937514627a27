import { DEPARTMENT_TYPE_PATTERN, GridAssignment, ROLES } from '@gridwatch/devices';
import { Type } from 'typebox';

/** Names: no control characters (NUL, escapes) and no bidi overrides. */
export const SAFE_TEXT = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]*$';
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: SAFE_TEXT });
const Roles = Type.Array(Type.Enum(ROLES), { minItems: 1, maxItems: ROLES.length });
const Grids = Type.Array(GridAssignment, { maxItems: 50 });
const UnitId = Type.String({ minLength: 1, maxLength: 100, pattern: SAFE_TEXT });
const RegionId = Type.String({ minLength: 1, maxLength: 64, pattern: SAFE_TEXT });

export const CreateUserBody = Type.Object(
  {
    username: Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    password: Type.String({ minLength: 8, maxLength: 256 }),
    displayName: Name,
    /** The primary role; with `roles`, it must be one of them. */
    role: Type.Optional(Type.Enum(ROLES)),
    roles: Type.Optional(Roles),
    regionId: RegionId,
    unitId: Type.Optional(Type.Union([UnitId, Type.Null()])),
    grids: Type.Optional(Grids),
  },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  {
    displayName: Type.Optional(Name),
    role: Type.Optional(Type.Enum(ROLES)),
    roles: Type.Optional(Roles),
    regionId: Type.Optional(RegionId),
    unitId: Type.Optional(Type.Union([UnitId, Type.Null()])),
    grids: Type.Optional(Grids),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PasswordBody = Type.Object(
  { password: Type.String({ minLength: 8, maxLength: 256 }) },
  { additionalProperties: false },
);

export const GridsBody = Type.Object({ grids: Grids }, { additionalProperties: false });

export const CreateDepartmentBody = Type.Object(
  {
    departmentType: Type.String({ pattern: DEPARTMENT_TYPE_PATTERN, maxLength: 40 }),
    nameZh: Name,
    nameEn: Name,
  },
  { additionalProperties: false },
);

export const UpdateUnitBody = Type.Object(
  { nameZh: Type.Optional(Name), nameEn: Type.Optional(Name), enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);

export const CreateShiftBody = Type.Object(
  {
    unitId: UnitId,
    userId: Type.String({ minLength: 1, maxLength: 64 }),
    startsAt: Type.String({ format: 'date-time' }),
    endsAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const UsernameParams = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64, pattern: SAFE_TEXT }),
});
