import createError from '@fastify/error';

export const LoginFailed = createError('GW_LOGIN_FAILED', 'wrong username or password', 401);
export const UsernameTaken = createError<[string]>('GW_USERNAME_TAKEN', 'username %s is taken', 409);
export const UserDisabled = createError('GW_USER_DISABLED', 'this account is disabled', 403);
