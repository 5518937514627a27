import multipart, { type MultipartFields, type MultipartValue } from '@fastify/multipart';
import { create as contentDisposition } from 'content-disposition';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { BadRequest, NotFound } from '../infra/errors.ts';
import { requireUser } from '../regions/access.ts';
import { largestLimit, type SizeLimits } from './core/media-types.ts';
import { parseRange } from './core/range.ts';
import { UnsupportedMediaType } from './errors.ts';
import {
  AttachmentIdParams,
  AttachmentList,
  AttachmentSchema,
  ErrorReply,
  OwnerQuery,
  UploadQuery,
} from './schemas.ts';
import type { AttachmentService } from './service.ts';

const errors = { 400: ErrorReply, 403: ErrorReply, 404: ErrorReply };

function fieldValue(fields: MultipartFields, name: string): string | undefined {
  const field = fields[name];
  const one = Array.isArray(field) ? field[0] : field;
  if (one?.type !== 'field') return undefined;
  const value = (one as MultipartValue<unknown>).value;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Headers that keep a served file from being read as anything but what it was checked to be. */
function sendHeaders(reply: FastifyReply, mime: string, filename: string): void {
  reply
    .header('content-type', mime)
    .header('content-disposition', contentDisposition(filename, { type: 'inline' }))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, max-age=86400');
}

type IdRequest = FastifyRequest<{ Params: Static<typeof AttachmentIdParams> }>;

/** REST for attachments; multipart parsing is registered for these routes only. */
export async function attachmentRoutes(
  app: FastifyInstance,
  opts: { service: AttachmentService; limits: SizeLimits },
): Promise<void> {
  const { service } = opts;
  await app.register(multipart, {
    limits: {
      // One byte over the largest kind's limit: the service refuses by kind before this cuts.
      fileSize: largestLimit(opts.limits) + 1,
      files: 1,
      fields: 4,
      fieldSize: 200,
      parts: 5,
    },
  });

  app.post(
    '/api/attachments',
    {
      schema: {
        tags: ['attachments'],
        summary:
          'Upload one photo (JPEG, PNG, WebP) or short video (MP4, WebM) to an owner; type checked by content',
        description:
          'multipart/form-data with fields `ownerType` and `ownerId` (or the same in the query) before one `file` part. 413 over the size limit of its kind, 415 when the content is not an accepted type.',
        consumes: ['multipart/form-data'],
        querystring: UploadQuery,
        response: { 201: AttachmentSchema, ...errors, 413: ErrorReply, 415: ErrorReply, 422: ErrorReply },
      },
    },
    async (request: FastifyRequest<{ Querystring: Static<typeof UploadQuery> }>, reply) => {
      const user = requireUser(request);
      if (!request.isMultipart()) {
        throw new UnsupportedMediaType('body: expected multipart/form-data with a file part');
      }
      const part = await request.file();
      if (!part) throw new BadRequest('file: missing');
      try {
        const ownerType = request.query.ownerType ?? fieldValue(part.fields, 'ownerType');
        const ownerId = request.query.ownerId ?? fieldValue(part.fields, 'ownerId');
        if (!ownerType) throw new BadRequest('ownerType: required (query or a form field before the file)');
        if (!ownerId) throw new BadRequest('ownerId: required (query or a form field before the file)');
        await service.authorize(user, ownerType, ownerId, 'write');
        const info = await service.store({
          ownerType,
          ownerId,
          filename: part.filename,
          stream: part.file,
          truncated: () => part.file.truncated,
          uploadedBy: user.username,
        });
        reply.code(201);
        return info;
      } finally {
        // Whatever happened, read the rest of the body so the client gets the answer.
        if (!part.file.readableEnded && !part.file.destroyed) part.file.resume();
      }
    },
  );

  app.get(
    '/api/attachments',
    {
      schema: {
        tags: ['attachments'],
        summary: 'The attachments of one owner the caller may see, oldest first',
        querystring: OwnerQuery,
        response: { 200: AttachmentList, ...errors },
      },
    },
    async (request: FastifyRequest<{ Querystring: Static<typeof OwnerQuery> }>) => {
      const user = requireUser(request);
      const { ownerType, ownerId } = request.query;
      await service.authorize(user, ownerType, ownerId, 'read');
      return { items: await service.list(ownerType, ownerId) };
    },
  );

  const serve = (variant: 'file' | 'thumbnail') => async (request: IdRequest, reply: FastifyReply) => {
    const user = requireUser(request);
    const info = await service.get(request.params.id);
    if (!info) throw new NotFound(`attachment ${request.params.id}`);
    await service.authorize(user, info.ownerType, info.ownerId, 'read');
    const blob = await service.open(info.id, variant);
    if (!blob) throw new NotFound(variant === 'file' ? `attachment ${info.id}` : `thumbnail of ${info.id}`);
    const name =
      variant === 'file' ? info.filename : `thumbnail-${info.filename.replace(/\.[^.]*$/, '')}.jpg`;
    sendHeaders(reply, blob.mime, name);
    if (variant === 'file') reply.header('accept-ranges', 'bytes');
    const range = variant === 'file' ? parseRange(request.headers.range, blob.size) : null;
    if (range === 'unsatisfiable') {
      reply.code(416).header('content-range', `bytes */${blob.size}`);
      return reply.send();
    }
    if (range) {
      reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${blob.size}`)
        .header('content-length', range.end - range.start + 1);
      return reply.send(blob.read(range));
    }
    reply.header('content-length', blob.size);
    return reply.send(blob.read());
  };

  const fileSchema = (summary: string) => ({
    tags: ['attachments'],
    summary,
    params: AttachmentIdParams,
    response: { ...errors },
  });
  app.get(
    '/api/attachments/:id',
    { schema: fileSchema('The file, to users who may see its owner (single byte ranges for video)') },
    serve('file'),
  );
  app.get(
    '/api/attachments/:id/thumbnail',
    { schema: fileSchema('A JPEG thumbnail (longest side 320 px) of a photo') },
    serve('thumbnail'),
  );
}
