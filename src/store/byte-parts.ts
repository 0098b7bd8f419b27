import type { Knex } from 'knex';

/**
 * Large values (a 25 MB mail, an 18 MB attachment) are stored as rows of about 1 MiB (`seq`, `bytes`) rather
 * than one BLOB: the SQLite driver copies a value two or three times on its way in and out, which for one huge
 * value means 50–75 MB at once, for a part only a few MB. Reading fills one buffer of the final size.
 */
export const PART_BYTES = 1024 * 1024;

/** Views (no copies) of `bytes`, PART_BYTES each. */
export function inParts(bytes: Buffer): Buffer[] {
  if (bytes.length === 0) return [bytes]; // an empty file is still a file
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += PART_BYTES) parts.push(bytes.subarray(at, at + PART_BYTES));
  return parts;
}

/** Writes `parts` as rows of `table` with the columns of `key` and seq = first, first + 1, … */
export async function writeParts(db: Knex | Knex.Transaction, table: string, key: Record<string, string | number>, parts: Buffer[], first = 0): Promise<void> {
  for (let i = 0; i < parts.length; i++) await db(table).insert({ ...key, seq: first + i, bytes: parts[i] });
}

/** The parts stored under `key`, in order, in one buffer (`prefix` first); null when there are none and no prefix. */
export async function readParts(db: Knex, table: string, key: Record<string, string | number>, prefix?: Buffer): Promise<Buffer | null> {
  const sizes = (await db(table).where(key).orderBy('seq').select('seq', db.raw('length(bytes) as size'))) as { seq: number; size: number | string }[];
  if (sizes.length === 0 && !prefix) return null;
  const whole = Buffer.allocUnsafe((prefix?.length ?? 0) + sizes.reduce((sum, s) => sum + Number(s.size), 0));
  let at = prefix ? prefix.copy(whole, 0) : 0;
  for (const { seq } of sizes) {
    const row = (await db(table).where({ ...key, seq }).first('bytes')) as { bytes: Buffer };
    at += row.bytes.copy(whole, at);
  }
  return whole;
}
