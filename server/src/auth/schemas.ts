import { User } from '@gridwatch/devices';
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

export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});
