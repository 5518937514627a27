import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { User } from '@gridwatch/devices';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { BadRequest, Forbidden, NotFound } from '../infra/errors.ts';
import type { BlobStore } from './blob-store.ts';
import type { SizeLimits } from './core/media-types.ts';
import { retentionCutoff } from './core/retention.ts';
import { safeFileName } from './core/safe-name.ts';
import { UploadTooLarge } from './errors.ts';
import { processImage, THUMBNAIL_MIME } from './images.ts';
import { InspectStream } from './inspect-stream.ts';
import type { OwnerAccess, OwnerRegistration } from './owners.ts';
import type { AttachmentRecord } from './repository.ts';
import * as repo from './repository.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OWNER_TYPE = /^[a-z][a-z0-9-]{0,39}$/;

/** An attachment as the API shows it. */
export interface AttachmentInfo {
  id: string;
  ownerType: string;
  ownerId: string;
  kind: 'image' | 'video';
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  /** Blob of the list thumbnail (JPEG), null for video. */
  thumbnailId: string | null;
  /** The uploader's file name, neutralised. */
  filename: string;
  uploadedBy: string;
  createdAt: string;
}

export interface StoreInput {
  ownerType: string;
  ownerId: string;
  filename: string | undefined;
  /** The upload, read once; or `buffer` for content already in memory. */
  stream?: Readable;
  buffer?: Buffer;
  uploadedBy: string;
  /** True when the transport cut the upload at its own limit (multipart `truncated`). */
  truncated?: () => boolean;
}

export interface OpenedBlob {
  info: AttachmentInfo;
  mime: string;
  size: number;
  read(range?: { start: number; end: number }): Readable;
}

export interface AttachmentService {
  /** Lets a domain's records carry attachments, with its access rule and retention. */
  registerOwner(ownerType: string, registration: OwnerRegistration): void;
  /** The registered access functions by owner type (read only). */
  readonly ownerAccess: Readonly<Record<string, OwnerAccess>>;
  /** Throws 404 (unknown owner type or owner) or 403 (no access) unless `user` may. */
  authorize(user: User, ownerType: string, ownerId: string, mode: 'read' | 'write'): Promise<void>;
  /** Checks, neutralises and stores one upload. Throws 413/415/422 with the reason; stores nothing then. */
  store(input: StoreInput): Promise<AttachmentInfo>;
  list(ownerType: string, ownerId: string): Promise<AttachmentInfo[]>;
  get(id: string): Promise<AttachmentInfo | null>;
  /** The file (or its thumbnail) of an attachment, or null when there is none. */
  open(id: string, variant?: 'file' | 'thumbnail'): Promise<OpenedBlob | null>;
  /** Removes attachments past their owner type's retention; returns how many. */
  purgeExpired(now?: Date): Promise<number>;
}

export interface AttachmentDeps {
  db: pg.Pool;
  blobs: BlobStore;
  /** Local folder for uploads in progress (on the blob store's disk for the default store). */
  spoolDir: string;
  limits: SizeLimits;
  maxPixels: number;
  /** Retention overrides from configuration, by owner type. */
  retention: Map<string, number>;
  log: FastifyBaseLogger;
}

export function toInfo(r: AttachmentRecord): AttachmentInfo {
  return {
    id: r.id,
    ownerType: r.owner_type,
    ownerId: r.owner_id,
    kind: r.kind,
    mime: r.mime,
    size: r.size,
    width: r.width,
    height: r.height,
    thumbnailId: r.thumbnail_key,
    filename: r.original_name,
    uploadedBy: r.uploaded_by,
    createdAt: r.created_at.toISOString(),
  };
}

/**
 * Writes the upload through `inspect` to the spool file. On refusal the source is not
 * destroyed but drained: the client is still sending, and a connection torn down mid-body
 * would hide the 413/415 answer from it. Draining discards, it buffers nothing.
 */
async function spoolUpload(source: Readable, inspect: InspectStream, spool: string): Promise<void> {
  // Open the file before anything can fail: a write stream destroyed while still opening
  // creates its file afterwards, after the caller has removed the spool (a leftover in .tmp).
  const out = createWriteStream(spool, { flags: 'wx', mode: 0o600 });
  await once(out, 'open');
  const written = pipeline(inspect, out);
  const onSourceError = (err: Error) => inspect.destroy(err);
  source.on('error', onSourceError);
  source.pipe(inspect);
  try {
    await written;
  } catch (err) {
    source.unpipe(inspect);
    if (!source.destroyed) source.resume();
    throw err;
  } finally {
    source.off('error', onSourceError);
  }
}

export function createAttachmentService(deps: AttachmentDeps): AttachmentService {
  const { db, blobs, limits, log } = deps;
  const owners = new Map<string, OwnerRegistration>();
  const ownerAccess: Record<string, OwnerAccess> = {};

  async function removeBlobs(keys: Array<string | null>): Promise<void> {
    for (const key of keys) {
      if (key) await blobs.delete(key).catch((err) => log.warn({ err, key }, 'blob not removed'));
    }
  }

  return {
    registerOwner(ownerType, registration) {
      if (!OWNER_TYPE.test(ownerType)) throw new Error(`invalid owner type ${JSON.stringify(ownerType)}`);
      if (owners.has(ownerType)) throw new Error(`owner type ${ownerType} registered twice`);
      owners.set(ownerType, registration);
      ownerAccess[ownerType] = registration.access;
    },

    ownerAccess,

    async authorize(user, ownerType, ownerId, mode) {
      const owner = owners.get(ownerType);
      if (!owner) {
        if (mode === 'write')
          throw new BadRequest(`ownerType: unknown owner type ${JSON.stringify(ownerType)}`);
        throw new NotFound(`owner type ${ownerType}`);
      }
      if (!(await owner.access(user, ownerId, mode))) {
        throw new Forbidden(
          mode === 'write'
            ? `you may not add attachments to this ${ownerType}`
            : `you may not see this ${ownerType}'s attachments`,
        );
      }
    },

    async store(input) {
      if (!owners.has(input.ownerType)) {
        throw new BadRequest(`ownerType: unknown owner type ${JSON.stringify(input.ownerType)}`);
      }
      const source = input.stream ?? (input.buffer ? Readable.from([input.buffer]) : null);
      if (!source) throw new BadRequest('file: missing');
      const spool = join(deps.spoolDir, `upload-${randomUUID()}`);
      const id = randomUUID();
      const stored: string[] = [];
      try {
        const inspect = new InspectStream(limits);
        await spoolUpload(source, inspect, spool);
        if (input.truncated?.()) throw new UploadTooLarge('file: larger than the upload limit');
        const type = inspect.type;
        if (!type) throw new BadRequest('file: empty');
        let size = inspect.bytes;
        let sha256 = inspect.sha256;
        let width: number | null = null;
        let height: number | null = null;
        let thumbnailKey: string | null = null;
        if (type.kind === 'image') {
          const image = await processImage(spool, type.mime, deps.maxPixels);
          size = image.data.length;
          sha256 = createHash('sha256').update(image.data).digest('hex');
          ({ width, height } = image);
          await blobs.put(id, image.data);
          stored.push(id);
          thumbnailKey = `${id}.thumb`;
          await blobs.put(thumbnailKey, image.thumbnail);
          stored.push(thumbnailKey);
        } else {
          await blobs.put(id, createReadStream(spool));
          stored.push(id);
        }
        const row = await repo.insertAttachment(db, {
          id,
          owner_type: input.ownerType,
          owner_id: input.ownerId,
          kind: type.kind,
          mime: type.mime,
          size,
          sha256,
          width,
          height,
          blob_key: id,
          thumbnail_key: thumbnailKey,
          original_name: safeFileName(input.filename),
          uploaded_by: input.uploadedBy,
        });
        log.info({ attachment: id, ownerType: input.ownerType, kind: type.kind, size }, 'attachment stored');
        return toInfo(row);
      } catch (err) {
        await removeBlobs(stored);
        throw err;
      } finally {
        await rm(spool, { force: true });
      }
    },

    async list(ownerType, ownerId) {
      return (await repo.attachmentsOf(db, ownerType, ownerId)).map(toInfo);
    },

    async get(id) {
      if (!UUID.test(id)) return null;
      const row = await repo.attachmentById(db, id);
      return row ? toInfo(row) : null;
    },

    async open(id, variant = 'file') {
      if (!UUID.test(id)) return null;
      const row = await repo.attachmentById(db, id);
      if (!row) return null;
      const key = variant === 'file' ? row.blob_key : row.thumbnail_key;
      if (!key) return null;
      const size = await blobs.size(key);
      if (size === null) {
        log.error({ attachment: id, key }, 'attachment blob missing');
        return null;
      }
      return {
        info: toInfo(row),
        mime: variant === 'file' ? row.mime : THUMBNAIL_MIME,
        size,
        read: (range) => blobs.read(key, range),
      };
    },

    async purgeExpired(now = new Date()) {
      let removed = 0;
      for (const [ownerType, owner] of owners) {
        const days = deps.retention.get(ownerType) ?? owner.retentionDays ?? 0;
        const cutoff = retentionCutoff(days, now);
        if (!cutoff) continue;
        for (;;) {
          // Rows first: a crash between the two leaves an unreferenced file, never a row without one.
          const gone = await repo.deleteExpired(db, ownerType, cutoff, 500);
          for (const r of gone) await removeBlobs([r.blob_key, r.thumbnail_key]);
          removed += gone.length;
          if (gone.length < 500) break;
        }
      }
      if (removed > 0) log.info({ removed }, 'expired attachments removed');
      return removed;
    },
  };
}
