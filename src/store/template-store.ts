import type { Knex } from 'knex';

export interface Template {
  name: string;
  body: string;
  usageCount: number;
  updatedBy: string | null;
  updatedAt: number;
}

interface TemplateRow {
  name: string;
  body: string;
  usage_count: number;
  updated_by: string | null;
  updated_at: number;
}

const fromRow = (row: TemplateRow): Template => ({
  name: row.name,
  body: row.body,
  usageCount: Number(row.usage_count),
  updatedBy: row.updated_by,
  updatedAt: Number(row.updated_at),
});

export type TemplateStore = ReturnType<typeof createTemplateStore>;

/** A workspace's reply templates, by name. */
export function createTemplateStore(db: Knex) {
  return {
    async get(teamId: string, name: string): Promise<Template | null> {
      const row = (await db('templates').where({ team_id: teamId, name }).first()) as TemplateRow | undefined;
      return row ? fromRow(row) : null;
    },

    /** Template names containing `search`, most used first (Slack shows at most 100 options). */
    async names(teamId: string, search = '', limit = 100): Promise<string[]> {
      const query = db('templates').where({ team_id: teamId }).orderBy([{ column: 'usage_count', order: 'desc' }, { column: 'name' }]).limit(limit).select('name');
      if (search) query.where('name', 'like', `%${search.toLowerCase().replace(/[%_\\]/g, '')}%`);
      return (await query).map((r) => r.name as string);
    },

    async list(teamId: string): Promise<Template[]> {
      return ((await db('templates').where({ team_id: teamId }).orderBy('name')) as TemplateRow[]).map(fromRow);
    },

    /** Adds or replaces a template; returns whether it existed before. */
    async save(teamId: string, name: string, body: string, userId: string, now: number): Promise<boolean> {
      const existed = Boolean(await db('templates').where({ team_id: teamId, name }).first('id'));
      await db('templates')
        .insert({ team_id: teamId, name, body, updated_by: userId, created_at: now, updated_at: now })
        .onConflict(['team_id', 'name'])
        .merge({ body, updated_by: userId, updated_at: now });
      return existed;
    },

    async remove(teamId: string, name: string): Promise<boolean> {
      return (await db('templates').where({ team_id: teamId, name }).delete()) > 0;
    },

    async countUse(teamId: string, name: string): Promise<void> {
      await db('templates').where({ team_id: teamId, name }).increment('usage_count', 1);
    },
  };
}
