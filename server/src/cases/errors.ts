import createError from '@fastify/error';

/** 401 for routes that take a credential other than a session (hotline key, resident's status link). */
export const CredentialRequired = createError<[string]>('GW_UNAUTHORIZED', 'a valid %s is required', 401);
