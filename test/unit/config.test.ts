import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'shh' };

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const result = loadConfig(base);
    expect(result).toEqual({
      ok: true,
      config: expect.objectContaining({ port: 3000, databaseUrl: 'sqlite:./data/threaddesk.sqlite', slackApiUrl: 'https://slack.com/api/', logLevel: 'info', appToken: null, intakeChannels: [], triageChannel: null }),
      warnings: [],
    });
  });

  it('takes a short API secret, with a warning that names it (the secret itself is never repeated)', () => {
    const result = loadConfig({ ...base, THREADDESK_API_SECRET: 'tiny-key' });
    expect(result).toMatchObject({ ok: true, config: { email: { apiSecret: 'tiny-key' } }, warnings: ['THREADDESK_API_SECRET: only 8 characters; use a long random string (openssl rand -hex 32)'] });
    expect(loadConfig({ ...base, THREADDESK_API_SECRET: 'a'.repeat(32) })).toMatchObject({ ok: true, warnings: [] });
  });

  it('reports every problem at once, each naming its variable', () => {
    const result = loadConfig({ SLACK_BOT_TOKEN: 'xoxp-user', PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', THREADDESK_INTAKE_CHANNELS: 'general' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const joined = result.errors.join('\n');
    for (const variable of ['SLACK_BOT_TOKEN', 'PORT', 'DATABASE_URL', 'LOG_LEVEL', 'THREADDESK_INTAKE_CHANNELS']) expect(joined).toContain(variable);
  });

  it('needs the signing secret in HTTP mode but not in Socket Mode, and a triage channel for intake channels', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual({ ok: false, errors: [expect.stringContaining('SLACK_SIGNING_SECRET')] });
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).ok).toBe(true);
    expect(loadConfig({ ...base, THREADDESK_INTAKE_CHANNELS: 'C123,C456' })).toEqual({ ok: false, errors: [expect.stringContaining('THREADDESK_TRIAGE_CHANNEL')] });
    expect(loadConfig({ ...base, THREADDESK_INTAKE_CHANNELS: 'C123, C456', THREADDESK_TRIAGE_CHANNEL: 'C999' })).toMatchObject({ ok: true, config: { intakeChannels: ['C123', 'C456'] } });
  });

  it('takes the chat widget\'s websites as origins, off by default, and names a bad one', () => {
    expect(loadConfig(base)).toMatchObject({ ok: true, config: { chat: { origins: [], publicUrl: 'http://localhost:3000', unseenMs: 120_000 } } });
    expect(loadConfig({ ...base, THREADDESK_CHAT_ORIGINS: 'https://shop.example, https://www.shop.example/', THREADDESK_PUBLIC_URL: 'https://help.shop.example/', THREADDESK_CHAT_EMAIL_AFTER_SECONDS: '300' })).toMatchObject({
      ok: true,
      config: { chat: { origins: ['https://shop.example', 'https://www.shop.example'], publicUrl: 'https://help.shop.example', unseenMs: 300_000 } },
    });
    const bad = loadConfig({ ...base, THREADDESK_CHAT_ORIGINS: 'https://shop.example/pages/contact' });
    expect(bad).toEqual({ ok: false, errors: ['THREADDESK_CHAT_ORIGINS: expected origins like https://shop.example, got https://shop.example/pages/contact'] });
  });

  it('limits new chat visitors per address (60 an hour, 0 for none) and believes X-Forwarded-For only from the proxies named', () => {
    expect(loadConfig(base)).toMatchObject({ ok: true, config: { chat: { visitorsPerHour: 60, trustProxy: 0 } } });
    expect(loadConfig({ ...base, THREADDESK_CHAT_VISITORS_PER_HOUR: '0', THREADDESK_TRUST_PROXY: '2' })).toMatchObject({ ok: true, config: { chat: { visitorsPerHour: 0, trustProxy: 2 } } });
    expect(loadConfig({ ...base, THREADDESK_TRUST_PROXY: 'loopback, 10.0.0.0/8' })).toMatchObject({ ok: true, config: { chat: { trustProxy: ['loopback', '10.0.0.0/8'] } } });
    const bad = loadConfig({ ...base, THREADDESK_TRUST_PROXY: 'my-proxy', THREADDESK_CHAT_VISITORS_PER_HOUR: '-1' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors).toEqual([
      'THREADDESK_CHAT_VISITORS_PER_HOUR: expected 0 (no limit) or more',
      expect.stringMatching(/^THREADDESK_TRUST_PROXY: expected a number of proxies, or addresses and subnets like loopback,10\.0\.0\.0\/8 \(.*my-proxy.*\)$/),
    ]);
  });

  it('turns the order webhooks on by their secrets, a 5-day conversion window by default, and names a bad window', () => {
    expect(loadConfig(base)).toMatchObject({ ok: true, config: { orders: { shopifySecret: null, wooSecret: null, conversionDays: 5 } } });
    expect(loadConfig({ ...base, SHOPIFY_WEBHOOK_SECRET: 'shpss_0123456789', WOOCOMMERCE_WEBHOOK_SECRET: 'wc&amp;secret', THREADDESK_CONVERSION_DAYS: '3' })).toMatchObject({
      ok: true,
      config: { orders: { shopifySecret: 'shpss_0123456789', wooSecret: 'wc&amp;secret', conversionDays: 3 } },
    });
    expect(loadConfig({ ...base, THREADDESK_CONVERSION_DAYS: '2.5' })).toEqual({ ok: false, errors: ['THREADDESK_CONVERSION_DAYS: expected a whole number of days'] });
    expect(loadConfig({ ...base, THREADDESK_CONVERSION_DAYS: '0' })).toEqual({ ok: false, errors: ['THREADDESK_CONVERSION_DAYS: expected at least 1 day'] });
  });
});
