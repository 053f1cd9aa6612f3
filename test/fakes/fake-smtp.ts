/**
 * A real SMTP server on 127.0.0.1 for the email plugin's tests (the `smtp-server` package):
 * STARTTLS (or implicit TLS, or none) with a certificate from a test CA, AUTH PLAIN and LOGIN,
 * and a record of every accepted message parsed with mailparser. Failures are injected like the
 * HTTP fakes do (`failNext`): an SMTP reply instead of the normal one (421 closes the connection,
 * as real servers do; 451 and 550 do not), a dropped connection, a stall, or, for DATA, taking
 * the message and then never replying (a client killed meanwhile has sent the mail without
 * learning so).
 */
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { createSmtpTlsMaterial, type SmtpTlsMaterial } from './fake-smtp-tls.ts';
import { parseReceivedMail, type ReceivedMail } from './fake-smtp-mail.ts';

export type { ReceivedMail } from './fake-smtp-mail.ts';

/** The SMTP steps a failure can be injected at. */
export type SmtpCommand = 'CONNECT' | 'AUTH' | 'MAIL' | 'RCPT' | 'DATA';

/**
 * What `failNext` makes the server do instead of the normal answer.
 * - `{reply, message}`: that reply code (4xx or 5xx); 421 also closes the connection.
 * - `{dropConnection: true}`: destroy the socket without a reply (for DATA: after reading the
 *   message, which is then not accepted).
 * - `{stall: true}`: never answer, never accept.
 * - `{performThenStall: true}` (DATA only): accept and record the message, never answer.
 * - `{delayMs}`: answer normally after a delay.
 */
export type SmtpFailure =
  | { readonly reply: number; readonly message?: string }
  | { readonly dropConnection: true }
  | { readonly stall: true }
  | { readonly performThenStall: true }
  | { readonly delayMs: number };

/** Limits a failure to a command, and for RCPT / DATA to a recipient (case-insensitive). */
export interface SmtpFailureScope {
  readonly command?: SmtpCommand;
  readonly recipient?: string;
}

/** One command as the fake saw it, with the failure injected instead of its answer, if any. */
export interface SmtpCommandRecord {
  readonly command: SmtpCommand;
  readonly session: string;
  readonly recipient?: string;
  readonly injected?: SmtpFailure;
  readonly at: number;
}

export interface FakeSmtpOptions {
  /** `starttls` (default): plain, STARTTLS offered; `implicit`: TLS from the first byte (port 465 style); `none`: no STARTTLS. */
  readonly tls?: 'starttls' | 'implicit' | 'none';
  /** AUTH accounts (user -> password). Default one account, {@link SMTP_USER} / {@link SMTP_PASSWORD}; `{}` turns AUTH off. */
  readonly users?: Readonly<Record<string, string>>;
  /** Certificate material; default a fresh test CA. */
  readonly material?: SmtpTlsMaterial;
}

export interface FakeSmtp {
  /** Listens on 127.0.0.1:0 (or `port`). */
  start(port?: number): Promise<{ readonly host: string; readonly port: number }>;
  /** Drops every connection and closes the listener. Idempotent. */
  stop(): Promise<void>;
  readonly port: number;
  /** The CA certificate that signed the server's certificate (PEM). */
  readonly caPem: string;
  /** Every accepted message, oldest first (a resent copy appears twice). */
  messages(): readonly ReceivedMail[];
  commands(): readonly SmtpCommandRecord[];
  /** How many connections were opened so far. */
  connections(): number;
  failNext(count: number, failure: SmtpFailure, scope?: SmtpFailureScope): void;
  clearFailures(): void;
  /** Resolves with the first truthy value of `probe`, checked now and after every change. */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number, description?: string): Promise<T>;
}

export const SMTP_USER = 'gatehouse';
export const SMTP_PASSWORD = 'smtp-test-password';

interface Rule {
  remaining: number;
  readonly failure: SmtpFailure;
  readonly scope: SmtpFailureScope;
}

function replyError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/** Creates the server; nothing listens until `start()`. */
export function createFakeSmtp(options: FakeSmtpOptions = {}): FakeSmtp {
  const mode = options.tls ?? 'starttls';
  const users = options.users ?? { [SMTP_USER]: SMTP_PASSWORD };
  const authRequired = Object.keys(users).length > 0;
  const received: ReceivedMail[] = [];
  const commands: SmtpCommandRecord[] = [];
  const rules: Rule[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Map<number, Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let opened = 0;
  let material: SmtpTlsMaterial | undefined = options.material;
  let server: SMTPServer | undefined;
  let port = 0;
  let stopping: Promise<void> | undefined;

  const changed = (): void => {
    for (const wake of [...waiters]) wake();
  };

  const take = (command: SmtpCommand, recipients: readonly string[]): SmtpFailure | undefined => {
    const rule = rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.scope.command === undefined || r.scope.command === command) &&
        (r.scope.recipient === undefined || recipients.some((to) => to.toLowerCase() === r.scope.recipient?.toLowerCase())),
    );
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) rules.splice(rules.indexOf(rule), 1);
    return rule.failure;
  };

  /** Records the command and either proceeds or does what the injected failure says. */
  const step = (command: SmtpCommand, session: SMTPServerSession, recipients: readonly string[], callback: (err?: Error | null) => void, proceed: (hold: boolean) => void): void => {
    const failure = take(command, recipients);
    commands.push({ command, session: session.id, ...(recipients[0] === undefined ? {} : { recipient: recipients.join(',') }), ...(failure === undefined ? {} : { injected: failure }), at: Date.now() });
    changed();
    if (failure === undefined) return proceed(false);
    if ('reply' in failure) return callback(replyError(failure.reply, failure.message ?? `injected ${failure.reply} reply`));
    if ('dropConnection' in failure) {
      sockets.get(session.remotePort)?.destroy();
      return;
    }
    if ('delayMs' in failure) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        proceed(false);
      }, failure.delayMs);
      timers.add(timer);
      return;
    }
    if ('performThenStall' in failure && command === 'DATA') return proceed(true);
    // stall (or performThenStall before DATA): never answer.
  };

  const onData = (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void): void => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const to = session.envelope.rcptTo.map((a) => a.address);
      const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
      step('DATA', session, to, callback, (hold) => {
        parseReceivedMail(Buffer.concat(chunks), { from, to, secure: session.secure, user: typeof session.user === 'string' ? session.user : undefined }).then(
          (mail) => {
            received.push(mail);
            changed();
            // performThenStall: the message is in, the reply never goes out.
            if (!hold) callback();
          },
          (err: unknown) => callback(replyError(554, `fake SMTP could not parse the message: ${err instanceof Error ? err.message : String(err)}`)),
        );
      });
    });
  };

  const api: FakeSmtp = {
    get port() {
      return port;
    },
    get caPem() {
      if (material === undefined) throw new Error('fake SMTP: start() first');
      return material.caPem;
    },
    async start(wanted = 0) {
      if (server !== undefined) return { host: '127.0.0.1', port };
      material ??= await createSmtpTlsMaterial();
      const s = new SMTPServer({
        secure: mode === 'implicit',
        key: material.keyPem,
        cert: material.certPem,
        // Hiding STARTTLS in EHLO is not enough: nodemailer with requireTLS tries it anyway.
        hideSTARTTLS: mode === 'none',
        ...(mode === 'none' ? { disabledCommands: ['STARTTLS'] } : {}),
        authMethods: ['PLAIN', 'LOGIN'],
        authOptional: !authRequired,
        allowInsecureAuth: mode === 'none',
        disableReverseLookup: true,
        logger: false,
        name: 'fake-smtp.test',
        size: 10 * 1024 * 1024,
        onConnect: (session, callback) => {
          opened++;
          step('CONNECT', session, [], callback, () => callback());
        },
        onAuth: (auth, session, callback) => {
          step('AUTH', session, [], callback, () => {
            const user = auth.username ?? '';
            if (users[user] === undefined || users[user] !== auth.password) return callback(replyError(535, '5.7.8 Authentication credentials invalid'));
            callback(null, { user });
          });
        },
        onMailFrom: (_address, session, callback) => step('MAIL', session, [], callback, () => callback()),
        onRcptTo: (address, session, callback) => step('RCPT', session, [address.address], callback, () => callback()),
        onData,
      });
      s.on('error', () => undefined);
      s.server.on('connection', (socket: Socket) => {
        const remote = socket.remotePort;
        if (remote === undefined) return;
        sockets.set(remote, socket);
        socket.once('close', () => sockets.delete(remote));
      });
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.listen(wanted, '127.0.0.1', () => resolve());
      });
      const address = s.server.address();
      if (address === null || typeof address === 'string') throw new Error('fake SMTP: no port');
      port = address.port;
      server = s;
      return { host: '127.0.0.1', port };
    },
    stop() {
      stopping ??= (async () => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets.values()) socket.destroy();
        const s = server;
        if (s === undefined) return;
        await new Promise<void>((resolve) => s.server.close(() => resolve()));
      })();
      return stopping;
    },
    messages: () => received,
    commands: () => commands,
    connections: () => opened,
    failNext(count, failure, scope = {}) {
      if (!(count > 0)) throw new Error('failNext: count must be positive');
      rules.push({ remaining: count, failure, scope });
    },
    clearFailures() {
      rules.length = 0;
    },
    waitFor(probe, timeoutMs = 5000, description = 'a condition') {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const value = probe();
          if (value !== undefined && value !== null && value !== false) {
            done();
            resolve(value);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`fake SMTP: timed out after ${timeoutMs} ms waiting for ${description}; ${received.length} messages received`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
  return api;
}
