import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../src/ingest/email/parse-mail.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));
const parseFixture = (name: string) => parseMail(fixture(name));

/** A small mail written inline: header lines, then the body. */
function mail(headers: string[], body = 'Hello.', contentType = 'text/plain; charset=utf-8'): Buffer {
  const all = ['From: Customer <customer@example.com>', 'To: support@shop.example', 'Subject: Test', 'Date: Mon, 4 Mar 2024 10:00:00 +0000', 'Message-ID: <t1@example.com>', ...headers];
  return Buffer.from([...all, `Content-Type: ${contentType}`, '', body].join('\r\n'));
}

describe('replies: the new part is shown, the quoted history split off', () => {
  it('Gmail: the plain part, with its wrapped "On … wrote:" and the > quote split off', async () => {
    const parsed = await parseFixture('gmail-reply.eml');
    expect(parsed.text).toBe('Hi,\n\nThe tracking link says the parcel is back at the depot. Can you send it\nagain? I\'ll be home all week.\n\nThanks,\nJane');
    expect(parsed.quoted).toMatch(/^On Mon, Mar 4, 2024 at 6:15\u202fPM Shop Support <support@shop.example>\nwrote:\n\n> Hi Jane,/);
    expect(parsed.quoted).toContain('> 00340434161234567890.');
    expect(parsed.messageId).toBe('CAF8k2x+Qm3p9vX_yT0e5=hG1nR4wZcK@mail.gmail.com');
    expect(parsed.replyTo).toEqual(['td-2.91bc04@shop.example', 'td-1.7f3a9c@shop.example']);
    expect(parsed.from).toEqual({ address: 'jane.doe@gmail.com', name: 'Jane Doe' });
    expect(parsed.to).toEqual([{ address: 'support@shop.example', name: 'Shop Support' }]);
    expect(parsed.subject).toBe('Re: Your order #1042 has shipped');
    expect(parsed.date).toBe(Date.UTC(2024, 2, 4, 18, 2, 18));
    expect(parsed.automated).toBeNull();
  });

  it('Outlook: comma-separated, folded References give every id (mailparser alone mangles them)', async () => {
    const parsed = await parseFixture('outlook-reply.eml');
    expect(parsed.replyTo).toEqual(['td-12.cc03@shop.example', 'td-11.bb02@shop.example', 'td-10.aa01@shop.example']);
    expect(parsed.text).toBe('Hello,\n\nthe VAT number on the corrected invoice is still our old one. It must be DE 812345678.\n\nKind regards\nThomas Meier\nContoso GmbH');
    expect(parsed.quoted).toMatch(/^-----Original Message-----\nFrom: Shop Support <support@shop.example>\nSent: Monday, March 4, 2024 4:12 PM\n/);
    expect(parsed.quoted).toContain('we have sent you a corrected invoice.');
    expect(parsed.from).toEqual({ address: 'thomas.meier@contoso.example', name: 'Meier, Thomas' });
    expect(parsed.cc).toEqual([{ address: 'einkauf@contoso.example', name: 'Einkauf' }]);
    expect(parsed.headers.references).toBe('<td-10.aa01@shop.example>, <td-11.bb02@shop.example>, <td-12.cc03@shop.example>');
  });

  it('Apple Mail: the "> On … wrote:" block is the quote', async () => {
    const parsed = await parseFixture('apple-mail-reply.eml');
    expect(parsed.text).toBe('Thank you, the label printed fine. The parcel goes out today.\n\nLea');
    expect(parsed.quoted).toMatch(/^> On 5 Mar 2024, at 17:20, Shop Support <support@shop.example> wrote:\n>\n> Hi Lea,/);
    expect(parsed.messageId).toBe('8E2B1F4A-77C3-4D0E-9A61-5C3E2D1B0F98@icloud.com');
    expect(parsed.replyTo).toEqual(['td-20.c4d5@shop.example', 'td-19.b3c4@shop.example']);
  });

  it('Outlook on the web, HTML only: split at appendonsend / divRplyFwdMsg', async () => {
    const parsed = await parseFixture('outlook-web-html-only.eml');
    expect(parsed.text).toBe("I've attached two more photos. A replacement would be great, thanks!");
    expect(parsed.quoted).toContain('From: Shop Support <support@shop.example>');
    expect(parsed.quoted).toContain('Hi Priya, sorry to hear that. Could you send a photo of the damage?');
  });

  it('a forward is content: Gmail\'s forwarded mail stays in the text', async () => {
    const parsed = await parseFixture('gmail-forward.eml');
    expect(parsed.text).toMatch(/^This never arrived, can you check\?\n\n---------- Forwarded message ---------\nFrom: Shop <orders@shop.example>/);
    expect(parsed.text).toContain('Thank you for your order #1120');
    expect(parsed.quoted).toBeNull();
  });

  it.each([
    ['German', 'Am 04.03.2024 um 18:15 schrieb Shop Support <support@shop.example>:'],
    ['French', 'Le lun. 4 mars 2024 à 18:15, Shop Support <support@shop.example> a écrit :'],
    ['Spanish', 'El lun, 4 mar 2024 a las 18:15, Shop Support (<support@shop.example>) escribió:'],
    ['Thunderbird', 'On 3/4/24 18:15, Shop Support wrote:'],
  ])('%s attribution line starts the quote', async (_client, attribution) => {
    const parsed = await parseMail(mail([], `Thanks, that helps.\r\n\r\n${attribution}\r\n> Old answer.\r\n`));
    expect(parsed.text).toBe('Thanks, that helps.');
    expect(parsed.quoted).toBe(`${attribution}\n> Old answer.`);
  });

  it("Outlook's underscore line with a From/Sent header block", async () => {
    const body = 'Yes, please cancel it.\r\n\r\n________________________________\r\nFrom: Shop Support <support@shop.example>\r\nSent: Monday, 4 March 2024 18:15\r\nTo: Customer\r\nSubject: Re: Order\r\n\r\nShall we cancel the order?\r\n';
    const parsed = await parseMail(mail([], body));
    expect(parsed.text).toBe('Yes, please cancel it.');
    expect(parsed.quoted).toMatch(/^_{32}\nFrom: Shop Support/);
  });

  it('HTML-only replies: Yahoo, and a trailing <blockquote> with its attribution above it', async () => {
    const yahoo = await parseMail(mail([], '<div>Sounds good.</div><div id="yahoo_quoted_1234" class="yahoo_quoted"><div>On Monday, 4 March 2024, Shop wrote:</div><div>Old text</div></div>', 'text/html; charset=utf-8'));
    expect(yahoo.text).toBe('Sounds good.');
    expect(yahoo.quoted).toContain('Old text');
    const thunderbird = await parseMail(mail([], '<p>Works now.</p><div>On 3/4/24 18:15, Shop wrote:<br></div><blockquote type="cite"><p>Try again?</p></blockquote>', 'text/html; charset=utf-8'));
    expect(thunderbird.text).toBe('Works now.');
    expect(thunderbird.quoted).toBe('On 3/4/24 18:15, Shop wrote:\n> Try again?');
  });

  it('leaves interleaved answers, ordinary sentences and an all-quote mail whole', async () => {
    const interleaved = await parseMail(mail([], '> Which size?\r\n20cm please.\r\n> Which colour?\r\nRed.\r\n'));
    expect(interleaved.text).toBe('> Which size?\n20cm please.\n> Which colour?\nRed.');
    expect(interleaved.quoted).toBeNull();
    const sentence = await parseMail(mail([], 'On Monday my colleague wrote:\r\nplease call back.\r\n'));
    expect(sentence.quoted).toBeNull();
    const onlyQuote = await parseMail(mail([], '> the whole mail is a quote\r\n> nothing new\r\n'));
    expect(onlyQuote.text).toBe('> the whole mail is a quote\n> nothing new');
    expect(onlyQuote.quoted).toBeNull();
  });

  it("does not take a mailing list footer's underscore line for a quote", async () => {
    const parsed = await parseFixture('mailing-list.eml');
    expect(parsed.quoted).toBeNull();
    expect(parsed.text).toContain('since Monday every parcel to Milano takes 6–8 days instead of 2.');
  });
});

describe('body text', () => {
  it('HTML-only marketing mail: readable text, no markup or CSS', async () => {
    const parsed = await parseFixture('html-only-newsletter.eml');
    expect(parsed.subject).toBe('Spring sale: 20% off everything 🌷');
    expect(parsed.text).toMatch(/^SPRING SALE: 20% OFF EVERYTHING\n\nSeeds, tools and planters – this week only\./);
    expect(parsed.text).toContain('Shop the sale [https://greenthumb.example/sale?utm_source=newsletter]');
    expect(parsed.text).not.toMatch(/<|font-size|&ndash;/);
    expect(parsed.quoted).toBeNull();
  });

  it('CRLF becomes LF, trailing whitespace goes', async () => {
    const parsed = await parseMail(mail([], '\r\n\r\nline one   \r\nline two\t\r\n\r\n\r\n'));
    expect(parsed.text).toBe('line one\nline two');
  });

  it('caps long text with a visible marker', async () => {
    const parsed = await parseMail(mail([], 'x'.repeat(500)), { maxTextChars: 100 });
    expect(parsed.text).toHaveLength(100);
    expect(parsed.text.endsWith('… (truncated)')).toBe(true);
    const defaultCap = await parseMail(mail([], 'word '.repeat(40_000)));
    expect(defaultCap.text).toHaveLength(150_000);
  });
});

describe('charsets', () => {
  it('ISO-2022-JP subject, sender name and body', async () => {
    const parsed = await parseFixture('iso-2022-jp.eml');
    expect(parsed.subject).toBe('注文について');
    expect(parsed.from).toEqual({ address: 'taro.yamada@example.ne.jp', name: '山田 太郎' });
    expect(parsed.text).toBe('サポート担当者様\n\n先週注文した植木鉢がまだ届いていません。\n注文番号は1131です。確認をお願いします。\n\n山田');
  });

  it('ISO-8859-1 quoted-printable', async () => {
    const parsed = await parseFixture('iso-8859-1-quoted-printable.eml');
    expect(parsed.subject).toBe('Rücksendung der Gießkanne');
    expect(parsed.from?.name).toBe('Jürgen Müller');
    expect(parsed.text).toContain('die Gießkanne ist leider undicht. Ich möchte sie zurückschicken und hätte gern das Geld zurück');
    expect(parsed.text).toContain('Mit freundlichen Grüßen');
  });

  it('windows-1252 base64: curly quotes, dash and euro sign', async () => {
    const parsed = await parseFixture('windows-1252-base64.eml');
    expect(parsed.subject).toBe('Vase cassé – commande 1140');
    expect(parsed.text).toBe('Bonjour,\n\nJ’ai reçu la commande 1140 – mais le vase “Provence” est cassé.\nPouvez-vous me rembourser les 39,00 € ?\n\nCordialement,\nAmélie Laurent');
  });

  it('an unknown charset over Latin-1 bytes is still readable (body and encoded subject)', async () => {
    const parsed = await parseFixture('bogus-charset.eml');
    expect(parsed.text).toBe('Hola,\n\nel pedido 1151 llegó sin la tapa del frasco. ¿Pueden enviarla?\n\nSaludos,\nJosé Muñoz');
    expect(parsed.subject).toBe('Tapa del frasco ¿perdida?');
    expect(parsed.text).not.toContain('\uFFFD');
  });

  it('an unknown charset over UTF-8 bytes reads as UTF-8', async () => {
    const parsed = await parseMail(mail([], 'Grüße aus Köln, 東京', 'text/plain; charset="x-unknown-foo"'));
    expect(parsed.text).toBe('Grüße aus Köln, 東京');
  });
});

describe('automated mail', () => {
  it.each([
    ['dsn-5.1.1.eml', 'bounce'],
    ['ses-bounce-mailparser.eml', 'bounce'],
    ['exim-plain-bounce.eml', 'mailer-daemon'],
    ['gmail-vacation.eml', 'auto-submitted'],
    ['exchange-out-of-office.eml', 'auto-reply'],
    ['html-only-newsletter.eml', 'precedence'],
    ['mailing-list.eml', 'list'],
    ['no-reply-notification.eml', 'no-reply'],
    ['gmail-reply.eml', null],
    ['amazon-buyer-message.eml', null],
  ])('%s -> %s', async (file, reason) => {
    expect((await parseFixture(file)).automated).toBe(reason);
  });

  it.each([
    [['Auto-Submitted: no'], null],
    [['Auto-Submitted: auto-generated; owner-email="x@example.com"'], 'auto-submitted'],
    [['X-Autoresponder: yes'], 'auto-reply'],
    [['X-Autoreply: yes'], 'auto-reply'],
    [['X-Auto-Response-Suppress: All'], null],
    [['X-Auto-Response-Suppress: DR, OOF, AutoReply', 'Subject: Out of Office: Test'], 'auto-reply'],
    [['X-Precedence: junk'], 'precedence'],
    [['Precedence: auto_reply'], 'precedence'],
    [['Precedence: first-class'], null],
    [['X-Loop: helpdesk@example.com'], 'list'],
    [['List-Unsubscribe: <mailto:leave@example.com>'], 'list'],
    [['Auto-Submitted: auto-replied', 'List-Id: <x.example.com>'], 'auto-submitted'],
  ])('headers %j -> %s', async (headers, reason) => {
    const subject = headers.find((header) => header.startsWith('Subject:'));
    const raw = subject ? mail(headers.filter((header) => header !== subject)).toString().replace('Subject: Test', subject) : mail(headers).toString();
    expect((await parseMail(Buffer.from(raw))).automated).toBe(reason);
  });

  it.each([
    ['Postmaster@example.com', 'mailer-daemon'],
    ['noreply@github.example', 'no-reply'],
    ['do-not-reply@bank.example', 'no-reply'],
    ['DoNotReply@bank.example', 'no-reply'],
    ['notifications-noreply@social.example', 'no-reply'],
    ['noreplyjohn@example.com', null],
  ])('From %s -> %s', async (from, reason) => {
    const raw = mail([]).toString().replace('From: Customer <customer@example.com>', `From: ${from}`);
    expect((await parseMail(Buffer.from(raw))).automated).toBe(reason);
  });
});

describe('bounces', () => {
  it('a DSN 5.1.1: the bounced mail, recipient, status and diagnostic; no attachments', async () => {
    const parsed = await parseFixture('dsn-5.1.1.eml');
    expect(parsed.bounce).toEqual({
      originalMessageId: 'abc.123@shop.example',
      recipient: 'bob@customer.example',
      status: '5.1.1',
      action: 'failed',
      diagnostic: '550 5.1.1 <bob@customer.example>: Recipient address rejected: User unknown in virtual mailbox table',
    });
    expect(parsed.attachments).toEqual([]);
    expect(parsed.text).toMatch(/^This is the mail system at host mx-out.shop.example\./);
    expect(parsed.text).not.toContain('Reporting-MTA');
  });

  it("Amazon SES's DSN (mailparser's fixture)", async () => {
    const parsed = await parseFixture('ses-bounce-mailparser.eml');
    expect(parsed.bounce).toMatchObject({ originalMessageId: 'xxxxx@email.amazonses.com', recipient: 'xxxx@xxxx.com', status: '5.1.1', action: 'failed' });
    expect(parsed.bounce?.diagnostic).toMatch(/^Amazon SES did not send the message to this address because it is on the suppression list/);
  });

  it('a plain-text mailer-daemon bounce with the original headers in the body', async () => {
    const parsed = await parseFixture('exim-plain-bounce.eml');
    expect(parsed.bounce).toEqual({
      originalMessageId: 'td-61.d0e1@shop.example',
      recipient: 'anna@oldmail.example',
      status: '5.1.1',
      action: 'failed',
      diagnostic: '550 5.1.1 <anna@oldmail.example>: mailbox unavailable',
    });
  });

  it('a DSN whose original is only headers (text/rfc822-headers)', async () => {
    const body = [
      '--B',
      'Content-Type: text/plain',
      '',
      'Delivery failed.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      'Final-Recipient: rfc822; gone@example.org',
      'Action: failed',
      'Status: 5.2.1 (mailbox disabled)',
      '',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      'From: support@shop.example',
      'Message-ID: <td-70.x1@shop.example>',
      'Subject: Re: refund',
      '--B--',
    ].join('\r\n');
    const raw = mail([], body, 'multipart/report; report-type=delivery-status; boundary="B"').toString().replace('From: Customer <customer@example.com>', 'From: postmaster@example.net');
    const parsed = await parseMail(Buffer.from(raw));
    expect(parsed.automated).toBe('bounce');
    expect(parsed.bounce).toMatchObject({ originalMessageId: 'td-70.x1@shop.example', recipient: 'gone@example.org', status: '5.2.1', action: 'failed', diagnostic: null });
    expect(parsed.attachments).toEqual([]);
  });

  it('no bounce for ordinary mail, nor for a mailer-daemon mail without the original id', async () => {
    expect((await parseFixture('gmail-reply.eml')).bounce).toBeNull();
    const raw = mail([], 'Your mailbox is almost full.').toString().replace('From: Customer <customer@example.com>', 'From: MAILER-DAEMON@example.net');
    const parsed = await parseMail(Buffer.from(raw));
    expect(parsed.automated).toBe('mailer-daemon');
    expect(parsed.bounce).toBeNull();
  });
});

describe('Amazon buyer messages', () => {
  it('the order id from the subject', async () => {
    const parsed = await parseFixture('amazon-buyer-message.eml');
    expect(parsed.amazon).toEqual({ orderId: '203-1234567-1234567' });
    expect(parsed.from).toEqual({ address: 'xyz123abcdef456@marketplace.amazon.co.uk', name: 'Oliver - Amazon Marketplace' });
    expect(parsed.text).toContain('Hello, the garden hose I ordered arrived without the connector.');
  });

  it.each([
    ['abc@marketplace.amazon.com', 'Question', 'Order 113-8847792-5633869 please', { orderId: '113-8847792-5633869' }],
    ['abc@marketplace.amazon.co.jp', 'Question', 'No order named', { orderId: null }],
    ['abc@marketplace.amazon.com.mx', 'Pedido 701-1111111-2222222', 'see 702-3333333-4444444', { orderId: '701-1111111-2222222' }],
    ['auto-confirm@amazon.co.uk', 'Your order 203-1234567-1234567', 'Thanks', null],
    ['abc@marketplace.amazon.evil.example', 'Order 203-1234567-1234567', '', null],
  ])('from %s, subject %j -> %j', async (from, subject, body, amazon) => {
    const raw = mail([], body).toString().replace('From: Customer <customer@example.com>', `From: ${from}`).replace('Subject: Test', `Subject: ${subject}`);
    expect((await parseMail(Buffer.from(raw))).amazon).toEqual(amazon);
  });
});

describe('attachments', () => {
  it('named files with their size; an unnamed file gets a name; an unnamed inline logo is left out', async () => {
    const parsed = await parseFixture('attachments.eml');
    expect(parsed.attachments.map(({ filename, contentType, size }) => ({ filename, contentType, size }))).toEqual([
      { filename: 'photo of pots.png', contentType: 'image/png', size: 70 },
      { filename: 'Invoice 1160.pdf', contentType: 'application/pdf', size: 142 },
      { filename: 'attachment-3.csv', contentType: 'text/csv', size: 26 },
    ]);
    expect(parsed.attachments[0].content.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(parsed.attachments[1].content.toString('latin1')).toMatch(/^%PDF-1\.4/);
    expect(parsed.attachments[2].content.toString()).toBe('sku,qty\nPOT-20,2\nPOT-30,1\n');
    expect(parsed.text).toBe('Hello, I received 30cm pots instead of 20cm. Photo and invoice attached.\nOlivia');
  });

  it('a path in a file name is dropped', async () => {
    const body = ['--B', 'Content-Type: text/plain', '', 'See file.', '--B', 'Content-Type: text/plain; name="x.txt"', 'Content-Disposition: attachment; filename="../../etc/passwd"', '', 'root', '--B--'].join('\r\n');
    const parsed = await parseMail(mail([], body, 'multipart/mixed; boundary="B"'));
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual(['passwd']);
  });
});

describe('ids, headers, dates', () => {
  it('a mail without Message-ID gets a stable id from its bytes', async () => {
    const raw = fixture('no-message-id.eml');
    const parsed = await parseMail(raw);
    const hash = createHash('sha256').update(raw).digest('hex').slice(0, 32);
    expect(parsed.messageId).toBe(`generated-${hash}@threaddesk.invalid`);
    expect((await parseMail(raw)).messageId).toBe(parsed.messageId);
    expect(parsed.replyToAddress).toEqual({ address: 'maria.garcia@example.net', name: 'Maria Garcia' });
  });

  it('In-Reply-To with two ids, repeated ids once, the mail itself never', async () => {
    const parsed = await parseMail(mail(['In-Reply-To: <a@x> <b@x>', 'References: <z@x> <a@x>,<t1@example.com>  <b@x>']));
    expect(parsed.replyTo).toEqual(['a@x', 'b@x', 'z@x']);
  });

  it('headers: lower-cased names, raw values unfolded, repeats joined with a newline', async () => {
    const parsed = await parseFixture('gmail-reply.eml');
    expect(parsed.headers['message-id']).toBe('<CAF8k2x+Qm3p9vX_yT0e5=hG1nR4wZcK@mail.gmail.com>');
    expect(parsed.headers.received.split('\n')).toHaveLength(2);
    expect(parsed.headers.received).toMatch(/^by 2002:a05:7000:8b1a:b0:5a1:9c3e:2f4 with SMTP id m26csp1234567mam;\s+Mon, 4 Mar 2024/);
    const encoded = await parseFixture('iso-8859-1-quoted-printable.eml');
    expect(encoded.headers.subject).toBe('=?ISO-8859-1?Q?R=FCcksendung_der_Gie=DFkanne?=');
  });

  it('date and subject when missing or unreadable', async () => {
    const raw = Buffer.from('From: a@example.com\r\nDate: sometime last week\r\n\r\nhi\r\n');
    const parsed = await parseMail(raw);
    expect(parsed.date).toBeNull();
    expect(parsed.subject).toBe('');
    expect((await parseMail(Buffer.from('From: a@example.com\r\n\r\nhi\r\n'))).date).toBeNull();
  });

  it('addresses: lower-cased, names null when empty, groups flattened', async () => {
    const raw = mail(['Cc: Team: Ann <ANN@Example.com>, bob@example.com;, "" <carol@example.com>']).toString().replace('To: support@shop.example', 'To: "  " <Support@Shop.Example >');
    const parsed = await parseMail(Buffer.from(raw));
    expect(parsed.to).toEqual([{ address: 'support@shop.example', name: null }]);
    expect(parsed.cc).toEqual([
      { address: 'ann@example.com', name: 'Ann' },
      { address: 'bob@example.com', name: null },
      { address: 'carol@example.com', name: null },
    ]);
  });
});

describe('input', () => {
  it('a stream gives the same result as a Buffer', async () => {
    const raw = fixture('outlook-reply.eml');
    const fromStream = await parseMail(Readable.from([raw.subarray(0, 700), raw.subarray(700)]));
    expect(fromStream).toEqual(await parseMail(raw));
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['binary', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe])],
    ['plain text without headers', Buffer.from('hello there\nthis is not a mail\n')],
  ])('rejects %s input as unreadable', async (_name, raw) => {
    await expect(parseMail(raw)).rejects.toThrow(/^unreadable mail:/);
  });

  it('never throws for a mail with headers, however broken its body', async () => {
    const parts = Array.from({ length: 1100 }, (_, i) => `--B\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const tooManyParts = await parseMail(mail([], `${parts}--B--\r\n`, 'multipart/mixed; boundary="B"'));
    expect(tooManyParts.subject).toBe('Test');
    expect(tooManyParts.text).toContain('part 1099');
    const noBoundary = await parseMail(mail([], 'Where is my parcel?', 'multipart/mixed'));
    expect(noBoundary.text).toBe('Where is my parcel?');
    const badBase64 = await parseMail(Buffer.from(mail([], '@@@###', 'text/plain').toString().replace('Content-Type: text/plain', 'Content-Transfer-Encoding: base64\r\nContent-Type: text/plain')));
    expect(badBase64.messageId).toBe('t1@example.com');
    const headersOnly = await parseMail(Buffer.from('Subject: only a subject\r\n'));
    expect(headersOnly.text).toBe('');
    expect(headersOnly.from).toBeNull();
  });

  // Mail comes from anyone: each of these took minutes with a backtracking pattern or a rescanning loop.
  it.each([
    ['a long run of spaces', 'text/plain', `hello${' '.repeat(1_000_000)}x`],
    ['a long run of blank lines', 'text/plain', `${'\n'.repeat(500_000)}x`],
    ['a long "On 1 1 1 …" line', 'text/plain', `On ${'1 '.repeat(200_000)}`],
    ['a million "<"', 'text/html', '<'.repeat(1_000_000)],
    ['100,000 nested divs', 'text/html', `${'<div>'.repeat(100_000)}deep`],
    ['100,000 closed style elements', 'text/html', `<p>hi</p>${'<style>x</style>'.repeat(100_000)}`],
    ['one tag with 200,000 class attributes', 'text/html', `<div${' class=x'.repeat(200_000)}>t</div>`],
  ])('reads a hostile body quickly: %s', async (_name, contentType, body) => {
    const parsed = await parseMail(mail([], body, `${contentType}; charset=utf-8`));
    expect(parsed.text.length).toBeGreaterThan(0);
  }, 20_000);
});
