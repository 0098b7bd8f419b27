import { describe, expect, it } from 'vitest';
import { blockText, postInIntake, useHarness, W, type Harness } from '../support/harness.js';

const openTicket = (h: Harness, text: string) => postInIntake(h, W.carol, text);

async function helpdesk(h: Harness, user: string, text: string): Promise<string> {
  await h.driver.slashCommand(user, W.general, '/helpdesk', text);
  await h.settle();
  return h.emu.ephemerals({ user }).at(-1)!.text;
}

const ticketFromDave = (h: Harness) => postInIntake(h, W.dave, 'No email on file');

const ORDER_UPDATE = 'Hi {{customer.first_name}}, your order {{order.number}} ships today. — {{agent.first_name}}';

describe('reply templates with snippets', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('lets agents keep templates: add, list, show, edit, delete, with the snippets each uses', async () => {
    expect(await helpdesk(h, W.alice, `template add order-update ${ORDER_UPDATE}`)).toContain('It uses `customer.first_name`, `order.number`, `agent.first_name`');
    expect(await helpdesk(h, W.alice, 'template add order-update again')).toContain('exists already');
    expect(await helpdesk(h, W.alice, 'template add broken Hi {{#x}} never closed')).toContain('does not compile');
    expect(await helpdesk(h, W.alice, 'template list')).toContain('`order-update` (used 0×)');
    expect(await helpdesk(h, W.bob, 'template show order-update')).toContain(ORDER_UPDATE);
    await helpdesk(h, W.bob, 'template edit order-update Hello {{customer.first_name}}!');
    expect(await helpdesk(h, W.bob, 'template show order-update')).toContain('Hello {{customer.first_name}}!');
    expect(await helpdesk(h, W.bob, 'template delete order-update')).toContain('deleted');
    expect(await helpdesk(h, W.bob, 'template list')).toContain('No templates yet');
  });

  it('refuses requesters: they cannot manage or send templates', async () => {
    expect(await helpdesk(h, W.carol, `template add sneaky ${ORDER_UPDATE}`)).toContain('Only agents (members of a triage channel) and settings admins');
    await helpdesk(h, W.alice, `template add order-update ${ORDER_UPDATE}`);
    const { originTs } = await openTicket(h, 'Where is my order?');
    await h.driver.slashCommand(W.carol, W.help, '/ticket', '1 reply order-update');
    await h.settle();
    expect(h.emu.ephemerals({ user: W.carol }).at(-1)!.text).toContain('Only agents');
    expect(h.emu.thread(W.help, originTs)).toHaveLength(0);
  });

  it('does not send a template with a missing snippet, names it, offers to fill it in; !set works too', async () => {
    await helpdesk(h, W.alice, `template add order-update ${ORDER_UPDATE}`);
    const { originTs, ticket } = await openTicket(h, 'Where is my order?');
    await h.driver.userSays(W.alice, W.triage, '!template order-update', { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(h.emu.thread(W.help, originTs)).toHaveLength(0);
    const offer = h.emu.ephemerals({ user: W.alice }).at(-1)!;
    expect(offer.text).toBe('Template `order-update` needs `order.number` first.');

    // the offered button opens the fields form (a thread message brings no trigger_id; a click does)
    await h.driver.clickButton(W.alice, W.triage, offer.ts, 'template_fill_fields');
    await h.settle();
    const [form] = h.emu.openViews(W.alice);
    expect(form!.view.callback_id).toBe('template_fields_modal');
    await h.driver.closeView(W.alice, form!.id);

    await h.driver.userSays(W.alice, W.triage, '!set order.number 1234', { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain('order.number: 1234');
    await h.driver.userSays(W.alice, W.triage, '!template order-update', { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual(['Hi Carol, your order 1234 ships today. — Alice']);
    expect((await h.tickets.messages(ticket.id)).at(-1)).toMatchObject({ authorRole: 'agent', visibility: 'public', text: 'Hi Carol, your order 1234 ships today. — Alice' });
    expect(await helpdesk(h, W.alice, 'template list')).toContain('`order-update` (used 1×)');
  });

  it('says plainly when a missing snippet comes from a Slack profile', async () => {
    await helpdesk(h, W.alice, 'template add mail We will write to {{customer.email}}.');
    const { originTs, ticket } = await ticketFromDave(h);
    await h.driver.userSays(W.alice, W.triage, '!template mail', { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(h.emu.thread(W.help, originTs)).toHaveLength(0);
    expect(h.emu.ephemerals({ user: W.alice }).at(-1)!.text).toContain('Not sent: template `mail` needs a value for `customer.email`. It comes from a Slack profile');
  });

  it('sends a template with /ticket N reply NAME, followed by the agent\'s own words', async () => {
    await helpdesk(h, W.alice, 'template add thanks Thanks for your patience, {{customer.first_name}}.');
    const { originTs } = await openTicket(h, 'Laptop is slow');
    await h.driver.slashCommand(W.bob, W.general, '/ticket', '1 reply thanks We replaced the disk.');
    await h.settle();
    expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual(['Thanks for your patience, Carol.\n\nWe replaced the disk.']);
    expect(h.emu.ephemerals({ user: W.bob }).at(-1)!.text).toContain('Template `thanks` sent');
  });

  it('keeps customer data inert: {{…}} and <!here> from the customer are never template source or pings', async () => {
    await helpdesk(h, W.alice, 'template add echo About "{{ticket.subject}}": on it, {{customer.first_name}}.');
    const { originTs } = await openTicket(h, '<!here> {{agent.name}} {{#customer}}broken{{/customer}}');
    await h.driver.slashCommand(W.alice, W.general, '/ticket', '1 reply echo');
    await h.settle();
    const [reply] = h.emu.thread(W.help, originTs);
    expect(reply!.text).toBe('About "@here {{agent.name}} {{#customer}}broken{{/customer}}": on it, Carol.');
    expect(reply!.text).not.toContain('<!here>');
  });
});

describe('the Reply modal with templates', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  const replyBox = (view: { blocks: { block_id?: string; element?: { initial_value?: string } }[] }) => view.blocks.find((b) => b.block_id?.startsWith('reply_text'))!;

  it('fills the box from a picked template, then sends it and closes the ticket', async () => {
    await helpdesk(h, W.alice, 'template add shipped Hi {{customer.first_name}}, it shipped today. — {{agent.first_name}}');
    const { originTs, ticket } = await openTicket(h, 'Parcel status?');
    await h.driver.clickButton(W.alice, W.triage, ticket.cardTs!, 'ticket_reply');
    await h.settle();
    const [opened] = h.emu.openViews(W.alice);
    const offered = await h.driver.suggestOptions(W.alice, opened!.id, 'reply_template_pick', 'SHIP');
    expect(offered.options.map((o) => o.value)).toEqual(['shipped']);
    await h.driver.clickViewButton(W.alice, opened!.id, 'reply_template_pick', { selectedOption: 'shipped' });
    await h.settle();
    expect(h.emu.calls('views.update').filter((c) => !c.ok)).toEqual([]); // within Slack's view limits
    const [filled] = h.emu.openViews(W.alice);
    const box = replyBox(filled!.view);
    expect(box.element!.initial_value).toBe('Hi Carol, it shipped today. — Alice');

    await h.driver.submitView(W.alice, filled!.id, { [box.block_id!]: { reply_text_input: `${box.element!.initial_value} Tracking: <https://track.example/1>` }, reply_after: { reply_after_choice: { type: 'radio_buttons', selected_option: { value: 'close' } } } });
    await h.settle();
    // the reply, then (solved) the satisfaction survey
    expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual(['Hi Carol, it shipped today. — Alice Tracking: &lt;https://track.example/1&gt;', 'How did we do on #1? Rate 1-5.']);
    expect((await h.tickets.byId(ticket.id))!.status).toBe('solved');
    // what the digest's recurring questions name as their answer
    expect(await templatesUsed(h, ticket.id)).toEqual(['shipped']);
  });

  it('says which snippet a picked template misses and leaves the box alone; "send and set pending" works', async () => {
    await helpdesk(h, W.alice, `template add order-update ${ORDER_UPDATE}`);
    const { originTs, ticket } = await openTicket(h, 'Order?');
    await h.driver.clickButton(W.bob, W.triage, ticket.cardTs!, 'ticket_reply');
    await h.settle();
    const [opened] = h.emu.openViews(W.bob);
    await h.driver.suggestOptions(W.bob, opened!.id, 'reply_template_pick', '');
    await h.driver.clickViewButton(W.bob, opened!.id, 'reply_template_pick', { selectedOption: 'order-update' });
    await h.settle();
    const [view] = h.emu.openViews(W.bob);
    expect(blockText(view!.view.blocks)).toContain('needs a value for `order.number`');
    expect(replyBox(view!.view).element!.initial_value).toBeUndefined();
    await h.driver.submitView(W.bob, view!.id, { [replyBox(view!.view).block_id!]: { reply_text_input: 'Checking with the warehouse.' }, reply_after: { reply_after_choice: { type: 'radio_buttons', selected_option: { value: 'pending' } } } });
    await h.settle();
    expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual(['Checking with the warehouse.']);
    expect((await h.tickets.byId(ticket.id))!.status).toBe('pending');
    expect(await templatesUsed(h, ticket.id)).toEqual([]); // written by hand: no template was sent
  });
});

const templatesUsed = async (h: Harness, ticketId: number) => ((await h.testDb.db('ticket_events').where({ ticket_id: ticketId, kind: 'template_used' }).orderBy('id').pluck('to_value')) as string[]);

describe('channel automation: acknowledgement template and field patterns', () => {
  let h: Harness;
  useHarness((started) => (h = started));
  const help = `<#${W.help}|help>`;

  it('picks an order number out of customer messages onto the card, usable by templates', async () => {
    expect(await helpdesk(h, W.ada, `channel ${help} field order.number #?(\\d{4,})`)).toContain('Field `order.number` is picked from customer messages');
    await helpdesk(h, W.alice, `template add order-update ${ORDER_UPDATE}`);
    const { originTs, ticket } = await openTicket(h, 'Hello, order #48213 arrived broken');
    expect(await h.tickets.fields(ticket.id)).toEqual({ 'order.number': '48213' });
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain('order.number: 48213');
    // a later message does not overwrite it
    await h.driver.userSays(W.carol, W.help, 'Sorry, I also have order 99999', { thread_ts: originTs });
    await h.settle();
    expect(await h.tickets.fields(ticket.id)).toEqual({ 'order.number': '48213' });
    await h.driver.userSays(W.alice, W.triage, '!template order-update', { thread_ts: ticket.cardTs! });
    await h.settle();
    expect(h.emu.thread(W.help, originTs).at(-1)!.text).toBe('Hi Carol, your order 48213 ships today. — Alice');
  });

  it('acknowledges every new ticket with the channel\'s template, as an automatic reply that is not an agent\'s', async () => {
    await helpdesk(h, W.alice, 'template add got-it Thanks {{customer.first_name}}, we have your request as ticket #{{ticket.number}}.');
    expect(await helpdesk(h, W.ada, `channel ${help} ack nope`)).toContain('There is no template `nope`');
    expect(await helpdesk(h, W.ada, `channel ${help} ack got-it`)).toContain('acknowledged with template `got-it`');
    const { originTs, ticket } = await openTicket(h, 'Cannot print');
    expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual(['Thanks Carol, we have your request as ticket #1.']);
    expect(await h.tickets.messages(ticket.id)).toMatchObject([{ authorRole: 'requester' }, { authorRole: 'bot', visibility: 'public', userId: null }]);
    const kinds = (await h.tickets.events(ticket.id)).map((e) => e.kind);
    expect(kinds).toEqual(['created', 'auto_reply']);
    expect((await h.tickets.byId(ticket.id))!.status).toBe('new'); // an automatic reply is not an agent's touch
  });
});

describe('the template editor', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('opens without text, refuses a template that does not compile, saves one that does and lists its snippets', async () => {
    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'template add greet');
    await h.settle();
    const [editor] = h.emu.openViews(W.alice);
    expect(editor!.view.callback_id).toBe('template_editor');
    const broken = await h.driver.submitView(W.alice, editor!.id, { template_body: { template_body_input: 'Hi {{#x}} open' } });
    expect(broken.json).toMatchObject({ response_action: 'errors', errors: { template_body: expect.stringContaining('Does not compile') } });

    const saved = await h.driver.submitView(W.alice, editor!.id, { template_body: { template_body_input: 'Hi {{customer.first_name}} & welcome: <https://help.example/start|start here>' } });
    expect(saved.json).toMatchObject({ response_action: 'update' });
    await h.settle();
    expect(blockText(h.emu.openViews(W.alice)[0]!.view.blocks)).toContain('It uses `customer.first_name`');
    expect(await helpdesk(h, W.alice, 'template show greet')).toContain('Hi {{customer.first_name}} &amp; welcome: <https://help.example/start|start here>');

    await h.driver.slashCommand(W.alice, W.general, '/helpdesk', 'template edit greet');
    await h.settle();
    const reopened = h.emu.openViews(W.alice).find((v) => v.view.callback_id === 'template_editor')!;
    expect(reopened.view.blocks[0].element.initial_value).toBe('Hi {{customer.first_name}} & welcome: <https://help.example/start|start here>');
  });
});

describe('filling in missing fields from /ticket N reply NAME', () => {
  let h: Harness;
  useHarness((started) => (h = started));

  it('opens a modal for the missing fields, saves them on the ticket and sends the template', async () => {
    await helpdesk(h, W.alice, `template add order-update ${ORDER_UPDATE}`);
    const { originTs, ticket } = await openTicket(h, 'Where is my parcel?');
    await h.driver.slashCommand(W.alice, W.general, '/ticket', `${ticket.number} reply order-update`);
    await h.settle();
    expect(h.emu.thread(W.help, originTs)).toHaveLength(0);
    const [modal] = h.emu.openViews(W.alice);
    expect(modal!.view.blocks.map((b: { block_id?: string }) => b.block_id)).toContain('field:order.number');
    const empty = await h.driver.submitView(W.alice, modal!.id, { 'field:order.number': { value: ' ' } });
    expect(empty.json).toMatchObject({ response_action: 'errors' });
    await h.driver.submitView(W.alice, modal!.id, { 'field:order.number': { value: '555-A' } });
    await h.settle();
    expect(await h.tickets.fields(ticket.id)).toEqual({ 'order.number': '555-A' });
    expect(h.emu.thread(W.help, originTs).map((m) => m.text)).toEqual(['Hi Carol, your order 555-A ships today. — Alice']);
    expect(blockText(h.emu.message(W.triage, ticket.cardTs!)!.blocks)).toContain('order.number: 555-A');
  });
});
