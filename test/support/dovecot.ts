import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';

/** Debian's dovecot-imapd puts its master binary here. */
export const DOVECOT_BINARY = '/usr/sbin/dovecot';

export interface TestDovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** imap://user:password@host:port/<mailbox> with user and password URL-encoded; mailbox defaults to INBOX. */
  url(mailbox?: string): string;
  /** APPENDs one mail (no flags, so it is unseen); a mailbox other than INBOX is created first when missing. */
  append(raw: string | Buffer, mailbox?: string): Promise<void>;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** uid and gid of a system user, from /etc/passwd (dovecot's userdb wants numbers or names it can resolve). */
function systemUser(name: string): { uid: number; gid: number } | null {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The name of a group, from /etc/group. */
function groupName(gid: number): string | null {
  const line = fs.readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[2] === String(gid));
  return line ? line.split(':')[0] : null;
}

interface Users {
  internal: string;
  /** Group of dovecot's internal sockets; dovecot's compiled-in default is the group "dovecot". */
  internalGroup: string;
  login: string;
  mailUid: number;
  mailGid: number;
}

function config(dir: string, port: number, users: Users): string {
  const lowest = Math.min(users.mailUid, users.mailGid);
  return `# threaddesk test instance: self-contained, nothing from /etc/dovecot is read.
instance_name = threaddesk-test-${port}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A test that tries a wrong password must not slow down the next logins: no failure delay, no per-IP auth penalty.
auth_failure_delay = 0
default_internal_user = ${users.internal}
default_internal_group = ${users.internalGroup}
default_login_user = ${users.login}
first_valid_uid = ${lowest}
first_valid_gid = ${lowest}
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${users.mailUid} gid=${users.mailGid} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
# No chroot: a dovecot started by a user other than root may not chroot.
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
`;
}

/**
 * A private dovecot for one test file: its own config, passwd-file (one user) and Maildir in a temp dir, listening
 * on 127.0.0.1 on a free port. Null when dovecot-imapd is not installed (callers skip their IMAP tests).
 */
export async function startDovecot(): Promise<TestDovecot | null> {
  if (!fs.existsSync(DOVECOT_BINARY)) return null;
  let lastError: unknown;
  // The free port is only free until someone else takes it: a second try with another port.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await startOnce();
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(): Promise<TestDovecot> {
  const host = '127.0.0.1';
  const port = await freePort();
  const user = 'agent';
  // Characters that need URL-encoding, so the poller's decoding is exercised; no ':' (the passwd-file separator).
  const password = `pw-${crypto.randomBytes(6).toString('hex')}@/ s%`;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threaddesk-dovecot-'));
  fs.chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  const me = os.userInfo();
  // As root dovecot drops to its own users (the research notes' settings); as anyone else everything runs as that user.
  const dovecotUser = root ? systemUser('dovecot') : null;
  if (root && (!dovecotUser || !systemUser('dovenull'))) throw new Error('dovecot is installed but its users dovecot/dovenull are missing');
  const users: Users = root
    ? { internal: 'dovecot', internalGroup: 'dovecot', login: 'dovenull', mailUid: dovecotUser!.uid, mailGid: dovecotUser!.gid }
    : { internal: me.username, internalGroup: groupName(me.gid) ?? String(me.gid), login: me.username, mailUid: me.uid, mailGid: me.gid };

  fs.mkdirSync(path.join(dir, 'home', user), { recursive: true });
  if (root) {
    fs.chownSync(path.join(dir, 'home'), users.mailUid, users.mailGid);
    fs.chownSync(path.join(dir, 'home', user), users.mailUid, users.mailGid);
  }
  fs.writeFileSync(path.join(dir, 'passwd'), `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  const confPath = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(confPath, config(dir, port, users));

  const child: ChildProcess = spawn(DOVECOT_BINARY, ['-F', '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  // A test process that dies without stop() does not leave dovecot running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const log = () => {
    const file = path.join(dir, 'dovecot.log');
    return `${output.join('')}${fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''}`.trim().split('\n').slice(-20).join('\n');
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(5_000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  while (!(await accepts(host, port))) {
    if (exited || Date.now() > deadline) {
      const why = exited ? `exited with code ${child.exitCode}` : 'did not accept connections within 10 s';
      const lines = log();
      await stop();
      throw new Error(`dovecot ${why}:\n${lines}`);
    }
    await sleep(50);
  }

  // The port may accept before a service behind it has failed (the log says why): log in once to be sure.
  try {
    const probe = new ImapFlow({ host, port, secure: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true });
    await probe.connect();
    await probe.logout();
  } catch (err) {
    const lines = log();
    await stop();
    throw new Error(`dovecot started but a login failed (${(err as Error).message}):\n${lines}`, { cause: err });
  }

  const url = (mailbox = 'INBOX') =>
    `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(mailbox)}`;

  const append = async (raw: string | Buffer, mailbox = 'INBOX') => {
    const client = new ImapFlow({ host, port, secure: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true });
    await client.connect();
    try {
      if (mailbox.toUpperCase() !== 'INBOX') await client.mailboxCreate(mailbox).catch(() => undefined); // exists already
      const result = await client.append(mailbox, raw);
      if (!result) throw new Error(`APPEND to ${mailbox} failed`);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  return { host, port, user, password, url, append, stop };
}
