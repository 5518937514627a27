import { ROLES, User } from '@gridwatch/devices';
import { Type } from 'typebox';

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const LoginReply = Type.Object({
  /** Send as `Authorization: Bearer <token>`; the same token is set as the `gw_session` cookie. */
  token: Type.String(),
  user: User,
  expiresAt: Type.String(),
});

export const CreateUserBody = Type.Object(
  {
    username: Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    password: Type.String({ minLength: 8, maxLength: 256 }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    role: Type.Enum(ROLES),
    regionId: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

export const UserList = Type.Array(User);

export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});
