import { LoginNotice, SingleLine, User } from '@gridwatch/devices';
import { Type } from 'typebox';

export const LoginBody = Type.Object(
  {
    username: SingleLine({ minLength: 1, maxLength: 64 }),
    // Only its hash is stored: any character may be part of a password.
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const LoginReply = Type.Object({
  /** Send as `Authorization: Bearer <token>`; the same token is set as the `gw_session` cookie. */
  token: Type.String(),
  user: User,
  expiresAt: Type.String(),
  notice: LoginNotice,
});

export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});
