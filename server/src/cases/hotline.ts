import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { Conflict } from '../infra/errors.ts';
import { CredentialRequired } from './errors.ts';
import * as repo from './repository.ts';

/**
 * Systems that pass calls on (12345, 110), each authenticated by its own key. Only the
 * key's SHA-256 is stored; the key is shown once, when the system is registered.
 */
export interface HotlineSystem {
  id: string;
  name: string;
  webhookUrl: string | null;
  enabled: boolean;
  createdBy: string;
  createdAt: string;
}

/** Header carrying a hotline system's key. */
export const HOTLINE_KEY_HEADER = 'x-api-key';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const toSystem = (r: repo.HotlineSystemRow): HotlineSystem => ({
  id: r.id,
  name: r.name,
  webhookUrl: r.webhook_url,
  enabled: r.enabled,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});

export function createHotlineSystems(db: pg.Pool) {
  return {
    async register(
      by: string,
      input: { id: string; name: string; webhookUrl?: string | null },
    ): Promise<{ system: HotlineSystem; key: string }> {
      const key = `gwh_${randomBytes(32).toString('base64url')}`;
      const at = new Date();
      const ok = await repo.insertHotlineSystem(db, {
        id: input.id,
        name: input.name,
        keyHash: sha256(key),
        webhookUrl: input.webhookUrl ?? null,
        by,
        at,
      });
      if (!ok) throw new Conflict(`hotline system ${input.id} already exists`);
      return {
        system: {
          id: input.id,
          name: input.name,
          webhookUrl: input.webhookUrl ?? null,
          enabled: true,
          createdBy: by,
          createdAt: at.toISOString(),
        },
        key,
      };
    },

    async list(): Promise<HotlineSystem[]> {
      return (await repo.listHotlineSystems(db)).map(toSystem);
    },

    /** The enabled system holding this key; 401 otherwise (no hint which part was wrong). */
    async authenticate(key: string | undefined): Promise<HotlineSystem> {
      if (!key || key.length > 200) throw new CredentialRequired('hotline key (x-api-key header)');
      const row = await repo.hotlineSystemByKeyHash(db, sha256(key));
      if (!row?.enabled) throw new CredentialRequired('hotline key (x-api-key header)');
      return toSystem(row);
    },
  };
}

export type HotlineSystems = ReturnType<typeof createHotlineSystems>;
