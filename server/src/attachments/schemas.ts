import { Type } from 'typebox';
import { ErrorReply } from '../auth/schemas.ts';
import { ACCEPTED_MIME_TYPES } from './core/media-types.ts';

const OwnerType = Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z][a-z0-9-]*$' });
const OwnerId = Type.String({ minLength: 1, maxLength: 100 });

export const AttachmentSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  ownerType: Type.String(),
  ownerId: Type.String(),
  kind: Type.Enum(['image', 'video']),
  mime: Type.Enum(ACCEPTED_MIME_TYPES, { description: 'detected from the content' }),
  size: Type.Integer({ description: 'bytes served (images re-encoded without metadata)' }),
  width: Type.Union([Type.Integer(), Type.Null()]),
  height: Type.Union([Type.Integer(), Type.Null()]),
  thumbnailId: Type.Union([Type.String(), Type.Null()], {
    description: 'null for video; served at /api/attachments/:id/thumbnail',
  }),
  filename: Type.String({ description: 'the uploaded name, neutralised (shown only)' }),
  uploadedBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const AttachmentList = Type.Object({ items: Type.Array(AttachmentSchema) });

export const OwnerQuery = Type.Object(
  { ownerType: OwnerType, ownerId: OwnerId },
  { additionalProperties: false },
);

/** The owner may come in the query or as form fields sent before the file. */
export const UploadQuery = Type.Object(
  { ownerType: Type.Optional(OwnerType), ownerId: Type.Optional(OwnerId) },
  { additionalProperties: false },
);

export const AttachmentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export { ErrorReply };
