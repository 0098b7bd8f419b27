import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectDb } from '../../src/store/db.js';
import { migrateLatest } from '../../src/store/migrate.js';
import { createTemplateStore } from '../../src/store/template-store.js';

const root = path.resolve(import.meta.dirname, '../..');

describe('template files: import and export with the command line', () => {
  let dir: string;
  let databaseUrl: string;
  const cli = (...args: string[]) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), DATABASE_URL: databaseUrl }, encoding: 'utf8' });
    return { code: run.status, out: run.stdout, err: run.stderr };
  };
  const stored = async () => {
    const db = connectDb(databaseUrl);
    try {
      return (await createTemplateStore(db).list('T0001')).map((t) => [t.name, t.body]);
    } finally {
      await db.destroy();
    }
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-templates-'));
    databaseUrl = `sqlite:${path.join(dir, 'db.sqlite')}`;
    const db = connectDb(databaseUrl);
    await migrateLatest(db);
    await db('workspace_settings').insert({ team_id: 'T0001', next_ticket_number: 1 });
    await db.destroy();
    fs.mkdirSync(path.join(dir, 'in'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('imports Markdown with front matter and YAML lists, then exports them back as files that import the same', async () => {
    fs.writeFileSync(path.join(dir, 'in', 'shipped.md'), '---\nname: order-shipped\n---\nHi {{customer.first_name}}, order {{order.number}} shipped.\n');
    fs.writeFileSync(path.join(dir, 'in', 'more.yaml'), 'templates:\n  - name: thanks\n    body: Thanks, {{customer.first_name}}!\n  - name: closing\n    body: |\n      Closing this now.\n      Write again any time.\n');
    const imported = cli('templates', 'import', path.join(dir, 'in'));
    expect(imported.code).toBe(0);
    expect(imported.out).toContain('imported order-shipped');
    expect(await stored()).toEqual([
      ['closing', 'Closing this now.\nWrite again any time.'],
      ['order-shipped', 'Hi {{customer.first_name}}, order {{order.number}} shipped.'],
      ['thanks', 'Thanks, {{customer.first_name}}!'],
    ]);

    const exported = cli('templates', 'export', path.join(dir, 'out'));
    expect(exported).toMatchObject({ code: 0, out: 'exported 3 templates to ' + path.join(dir, 'out') + '\n' });
    expect(fs.readFileSync(path.join(dir, 'out', 'closing.md'), 'utf8')).toBe('---\nname: closing\n---\nClosing this now.\nWrite again any time.\n');
    expect(cli('templates', 'import', path.join(dir, 'out')).code).toBe(0);
    expect(await stored()).toHaveLength(3);
  });

  it('imports nothing when any file is wrong, and says what, one line each', async () => {
    fs.writeFileSync(path.join(dir, 'in', 'good.md'), '---\nname: good\n---\nFine.\n');
    fs.writeFileSync(path.join(dir, 'in', 'broken.md'), '---\nname: broken\n---\nHi {{#open}} never closed\n');
    fs.writeFileSync(path.join(dir, 'in', 'bare.md'), 'no front matter here\n');
    const run = cli('templates', 'import', path.join(dir, 'in'));
    expect(run.code).toBe(1);
    const lines = run.err.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/bare\.md: expected front matter/),
      expect.stringMatching(/broken\.md: template "broken" does not compile/),
      'threaddesk: nothing imported',
    ]);
    expect(await stored()).toEqual([]);
    expect(cli('templates', 'rename', 'x').code).toBe(2);
  });
});
