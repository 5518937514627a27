import type { Queryable } from '../infra/db/transaction.ts';

export interface AttachmentRecord {
  id: string;
  owner_type: string;
  owner_id: string;
  kind: 'image' | 'video';
  mime: string;
  size: number;
  sha256: string;
  width: number | null;
  height: number | null;
  blob_key: string;
  thumbnail_key: string | null;
  original_name: string;
  uploaded_by: string;
  created_at: Date;
}

const COLUMNS = `id, owner_type, owner_id, kind, mime, size, sha256, width, height, blob_key,
  thumbnail_key, original_name, uploaded_by, created_at`;

/** The `attachments` table; nothing else writes it. */
export async function insertAttachment(
  c: Queryable,
  r: Omit<AttachmentRecord, 'created_at'>,
): Promise<AttachmentRecord> {
  const { rows } = await c.query<AttachmentRecord>(
    `INSERT INTO attachments (id, owner_type, owner_id, kind, mime, size, sha256, width, height, blob_key,
                              thumbnail_key, original_name, uploaded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     RETURNING ${COLUMNS}`,
    [
      r.id,
      r.owner_type,
      r.owner_id,
      r.kind,
      r.mime,
      r.size,
      r.sha256,
      r.width,
      r.height,
      r.blob_key,
      r.thumbnail_key,
      r.original_name,
      r.uploaded_by,
    ],
  );
  return rows[0]!;
}

export async function attachmentById(c: Queryable, id: string): Promise<AttachmentRecord | null> {
  const { rows } = await c.query<AttachmentRecord>(`SELECT ${COLUMNS} FROM attachments WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function attachmentsOf(
  c: Queryable,
  ownerType: string,
  ownerId: string,
): Promise<AttachmentRecord[]> {
  const { rows } = await c.query<AttachmentRecord>(
    `SELECT ${COLUMNS} FROM attachments WHERE owner_type = $1 AND owner_id = $2 ORDER BY created_at, id`,
    [ownerType, ownerId],
  );
  return rows;
}

/** Deletes up to `limit` attachments of one owner type created before `cutoff`; returns their blobs. */
export async function deleteExpired(
  c: Queryable,
  ownerType: string,
  cutoff: Date,
  limit: number,
): Promise<Array<Pick<AttachmentRecord, 'id' | 'blob_key' | 'thumbnail_key'>>> {
  const { rows } = await c.query<Pick<AttachmentRecord, 'id' | 'blob_key' | 'thumbnail_key'>>(
    `DELETE FROM attachments WHERE id IN (
       SELECT id FROM attachments WHERE owner_type = $1 AND created_at < $2 ORDER BY created_at LIMIT $3)
     RETURNING id, blob_key, thumbnail_key`,
    [ownerType, cutoff, limit],
  );
  return rows;
}
