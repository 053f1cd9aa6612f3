import type { ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface SseMessage {
  event: string;
  data: string;
}

/** An open server-sent event stream: messages as they arrive, and a way to wait for one. */
export interface SseReader {
  status: number;
  messages: SseMessage[];
  /** Resolves with the first message (already received or coming) that `match` accepts. */
  next(match: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  close(): void;
}

/** Opens `/web/events…` with a session cookie and parses the stream as a browser would. */
export function openSse(webAddr: string, caPem: string, path: string, cookie: string): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined;
    const messages: SseMessage[] = [];
    const waiters: Array<() => void> = [];
    req = httpsRequest(`https://${webAddr}${path}`, { ca: caPem, headers: { Cookie: cookie, Accept: 'text/event-stream' } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) messages.push({ event, data: data.join('\n') });
          for (const w of waiters.splice(0)) w();
        }
      });
      resolve({
        status: res.statusCode ?? 0,
        messages,
        next: (match, timeoutMs = 5000) =>
          new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(messages.map((m) => m.event))}`)), timeoutMs);
            const check = (): void => {
              const found = messages.find(match);
              if (found) {
                clearTimeout(timer);
                ok(found);
              } else waiters.push(check);
            };
            check();
          }),
        close: () => req?.destroy(),
      });
    });
    req.on('error', (err) => {
      if (!req?.destroyed) reject(err);
    });
    req.end();
  });
}
