import type { Knex } from 'knex';

/**
 * Signed Slack requests seen lately, shared by every instance on the database: a request captured and sent
 * again to another instance than the first is still recognised.
 */
export type SignatureStore = ReturnType<typeof createSignatureStore>;

export function createSignatureStore(db: Knex) {
  let writes = 0;
  return {
    /** True the first time `key` is recorded (until `expiresAt`); false when it was already there. */
    async firstSight(key: string, now: number, expiresAt: number): Promise<boolean> {
      // Expired keys go now and then, not on every request.
      if (++writes % 200 === 1) await db('seen_signatures').where('expires_at', '<', now).delete();
      const inserted = await db('seen_signatures').insert({ signature_key: key, expires_at: expiresAt }).onConflict('signature_key').ignore().returning('signature_key');
      if (inserted.length > 0) return true;
      // Already there: a replay, unless it is an expired leftover of the same key (then it counts from now).
      const updated = await db('seen_signatures').where({ signature_key: key }).where('expires_at', '<', now).update({ expires_at: expiresAt });
      return updated > 0;
    },
  };
}
