// The chat widget, served as GET /chat/widget.js: plain browser JavaScript, no build step, one script tag.
// Every text it shows is set with textContent (customer and agent text is never HTML). The visitor's token lives
// in localStorage; the socket says the last message it has on every (re)connect and the server sends what came
// after, so a dropped connection or a reload misses nothing. A message is kept (with its own id) until the server
// says it is stored, and sent again after a reconnect, or over HTTP when no socket can be opened; it shows as
// "You (sending)" until then.
export const WIDGET_SCRIPT = String.raw`(function () {
  'use strict';
  if (window.__threaddeskChat) return;
  window.__threaddeskChat = true;
  var script = document.currentScript;
  var base = new URL(script ? script.src : '/chat/widget.js', location.href);
  var origin = base.origin;
  var KEY = 'threaddesk-chat:' + origin;
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(KEY) || '{}') || {}; } catch (e) { saved = {}; }
  var token = saved.token || null;
  var last = 0;
  var shown = {};
  var pending = {};
  var socket = null;
  var retry = 500;

  function save() { try { localStorage.setItem(KEY, JSON.stringify({ token: token })); } catch (e) {} }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var style = el('style', {}, '.td-chat{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:15px/1.4 system-ui,sans-serif;color:#1d1c1d}' +
    '.td-chat button{font:inherit;cursor:pointer}.td-open{background:#4a154b;color:#fff;border:0;border-radius:24px;padding:12px 18px}' +
    '.td-panel{display:none;flex-direction:column;width:min(360px,calc(100vw - 32px));height:min(480px,calc(100vh - 96px));background:#fff;border:1px solid #ccc;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.2);overflow:hidden;margin-bottom:8px}' +
    '.td-chat.td-is-open .td-panel{display:flex}.td-head{background:#4a154b;color:#fff;padding:10px 14px;display:flex;justify-content:space-between;align-items:center}' +
    '.td-head button{background:none;border:0;color:#fff;font-size:20px}.td-log{flex:1;overflow-y:auto;padding:10px;margin:0;list-style:none}' +
    '.td-log li{margin:6px 0;padding:8px 10px;border-radius:10px;max-width:85%;white-space:pre-wrap;word-wrap:break-word}' +
    '.td-visitor{background:#e8f0fe;margin-left:auto!important}.td-agent{background:#f1f1f1}.td-who{display:block;font-size:12px;color:#555}.td-rate{display:flex;gap:6px;margin-top:6px}.td-rate a{flex:1;text-align:center;padding:4px 0;border:1px solid #4a154b;border-radius:6px;color:#4a154b;text-decoration:none}' +
    '.td-form{display:flex;flex-wrap:wrap;gap:6px;padding:8px;border-top:1px solid #ddd}.td-form label{width:100%;font-size:13px}' +
    '.td-form textarea{flex:1;min-height:40px;font:inherit;padding:6px}.td-form input{flex:1;font:inherit;padding:6px}.td-send{background:#007a5a;color:#fff;border:0;border-radius:6px;padding:6px 14px}' +
    '.td-status{font-size:12px;color:#555;padding:0 10px}');
  document.head.appendChild(style);

  var root = el('div', { 'class': 'td-chat' });
  var panel = el('section', { 'class': 'td-panel', 'aria-label': 'Chat with us', id: 'td-panel' });
  var head = el('div', { 'class': 'td-head' });
  head.appendChild(el('strong', {}, 'Chat with us'));
  var close = el('button', { type: 'button', 'aria-label': 'Close the chat' }, '\u00d7');
  head.appendChild(close);
  var log = el('ol', { 'class': 'td-log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
  var status = el('p', { 'class': 'td-status', role: 'status' }, '');
  var form = el('form', { 'class': 'td-form' });
  var label = el('label', { 'for': 'td-message' }, 'Message');
  var input = el('textarea', { id: 'td-message', name: 'message', rows: '2', maxlength: '4000', required: '' });
  var send = el('button', { type: 'submit', 'class': 'td-send' }, 'Send');
  var emailLabel = el('label', { 'for': 'td-email' }, 'Email (optional, for a reply if you leave)');
  var email = el('input', { id: 'td-email', name: 'email', type: 'email', autocomplete: 'email' });
  form.appendChild(label); form.appendChild(input); form.appendChild(send); form.appendChild(emailLabel); form.appendChild(email);
  panel.appendChild(head); panel.appendChild(log); panel.appendChild(status); panel.appendChild(form);
  var open = el('button', { type: 'button', 'class': 'td-open', 'aria-expanded': 'false', 'aria-controls': 'td-panel' }, 'Chat with us');
  root.appendChild(panel); root.appendChild(open);
  document.body.appendChild(root);

  function setOpen(on) {
    root.classList.toggle('td-is-open', on);
    open.setAttribute('aria-expanded', on ? 'true' : 'false');
    if (on) { input.focus(); connect(); }
  }
  open.addEventListener('click', function () { setOpen(!root.classList.contains('td-is-open')); });
  close.addEventListener('click', function () { setOpen(false); open.focus(); });
  panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') { setOpen(false); open.focus(); } });
  input.addEventListener('keydown', function (e) { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });

  function show(line) {
    if (line.clientId && pending[line.clientId]) { pending[line.clientId].node.remove(); delete pending[line.clientId]; }
    if (shown[line.id]) return;
    shown[line.id] = true;
    if (line.from === 'agent') status.textContent = '';
    if (line.id > last) last = line.id;
    var item = el('li', { 'class': line.from === 'agent' ? 'td-agent' : 'td-visitor', 'data-id': String(line.id) });
    item.appendChild(el('span', { 'class': 'td-who' }, line.from === 'agent' ? (line.agent || 'Support') : 'You'));
    // The satisfaction survey's link (ours only) shows as five rating buttons opening its page.
    var at = line.from === 'agent' ? line.text.indexOf(origin + '/csat?t=') : -1;
    var survey = at >= 0 ? line.text.slice(at).split(/\s/)[0] : null;
    if (survey && !/\/csat\?t=[a-z2-7]{26}$/.test(survey)) survey = null;
    item.appendChild(document.createTextNode(survey ? line.text.slice(0, at).trim() : line.text));
    if (survey) {
      var rates = el('span', { 'class': 'td-rate', role: 'group', 'aria-label': 'Rate us from 1 (poor) to 5 (great)' });
      for (var n = 1; n <= 5; n++) rates.appendChild(el('a', { href: survey + '&rating=' + n, target: '_blank', rel: 'noopener' }, String(n)));
      item.appendChild(rates);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function stored(clientId) {
    var p = pending[clientId];
    if (!p || p.stored) return;
    p.stored = true;
    p.node.removeAttribute('aria-busy');
    p.node.firstChild.textContent = 'You';
  }

  function deliver(clientId) {
    var p = pending[clientId];
    var message = { type: 'send', id: clientId, text: p.text, page: location.href, email: email.value || null };
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(message)); return; }
    // No socket: the same message over HTTP (a text/plain body needs no preflight).
    if (!token) return;
    fetch(origin + '/chat/messages', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ token: token, id: clientId, text: p.text, page: location.href, email: email.value || null }) })
      .then(function (r) { if (r.ok) { status.textContent = ''; stored(clientId); } }).catch(function () { status.textContent = 'Not sent yet: trying again when the connection is back.'; });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var clientId = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    var item = el('li', { 'class': 'td-visitor', 'aria-busy': 'true' });
    item.appendChild(el('span', { 'class': 'td-who' }, 'You (sending)'));
    item.appendChild(document.createTextNode(text));
    log.appendChild(item);
    pending[clientId] = { text: text, node: item };
    input.value = '';
    deliver(clientId);
  });

  function connect() {
    if (socket && socket.readyState <= 1) return;
    var url = origin.replace(/^http/, 'ws') + '/chat/socket';
    socket = new WebSocket(url);
    socket.onopen = function () {
      retry = 500;
      status.textContent = '';
      socket.send(JSON.stringify({ type: 'hello', token: token, since: last }));
    };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === 'welcome') {
        if (data.token) { token = data.token; save(); }
        for (var id in pending) if (!pending[id].stored) deliver(id);
      } else if (data.type === 'stored') {
        stored(data.id);
      } else if (data.type === 'lines') {
        for (var i = 0; i < data.lines.length; i++) show(data.lines[i]);
      } else if (data.type === 'typing') {
        status.textContent = data.on ? 'Support is typing…' : '';
      } else if (data.type === 'error') {
        status.textContent = data.message;
      }
    };
    socket.onclose = function (event) {
      socket = null;
      // Refused (the chat is not set up, too many new conversations from this network): the error stays shown.
      var refused = event.code === 4403 || event.code === 4429;
      if (!refused) status.textContent = 'Reconnecting…';
      setTimeout(connect, refused ? 60000 : retry);
      if (!refused) retry = Math.min(retry * 2, 10000);
    };
  }

  window.threaddeskChat = { open: function () { setOpen(true); } };
  if (token) connect();
})();
`;
