import createError from '@fastify/error';

export const UnsupportedMediaType = createError<[string]>('GW_UNSUPPORTED_MEDIA_TYPE', '%s', 415);
export const UploadTooLarge = createError<[string]>('GW_UPLOAD_TOO_LARGE', '%s', 413);
export const UnprocessableImage = createError<[string]>('GW_UNPROCESSABLE_IMAGE', '%s', 422);
