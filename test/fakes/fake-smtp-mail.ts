import { simpleParser, type AddressObject } from 'mailparser';

/** One message the fake SMTP server accepted, parsed as a mail client would (mailparser). */
export interface ReceivedMail {
  /** SMTP envelope: MAIL FROM and every accepted RCPT TO. */
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** `Message-ID` with its angle brackets, as clients compare it. */
  readonly messageId: string | undefined;
  readonly inReplyTo: string | undefined;
  /** `References`, each with its angle brackets. */
  readonly references: readonly string[];
  readonly subject: string;
  /** Addresses of the `From` and `To` headers. */
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly text: string;
  /** The HTML alternative, or undefined when the message had none. */
  readonly html: string | undefined;
  /** The top-level `Content-Type` media type (e.g. `multipart/alternative`). */
  readonly contentType: string;
  /** Every header line as sent, lower-cased name first: `[name, raw line]`. */
  readonly headerLines: readonly (readonly [string, string])[];
  /** Whether the session was encrypted (STARTTLS or implicit TLS) when the message came in. */
  readonly secure: boolean;
  /** The AUTH user of the session, if it authenticated. */
  readonly user: string | undefined;
  readonly raw: string;
  readonly receivedAt: number;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((o) => o.value.map((a) => a.address ?? '')).filter((a) => a !== '');
}

/** Parses a raw RFC 5322 message with mailparser into what the tests assert on. */
export async function parseReceivedMail(
  raw: Buffer,
  session: { readonly from: string; readonly to: readonly string[]; readonly secure: boolean; readonly user: string | undefined },
): Promise<ReceivedMail> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const references = parsed.references === undefined ? [] : Array.isArray(parsed.references) ? parsed.references : [parsed.references];
  const contentType = parsed.headers.get('content-type');
  const mediaType = typeof contentType === 'object' && contentType !== null && 'value' in contentType && typeof contentType.value === 'string' ? contentType.value : 'text/plain';
  return Object.freeze({
    envelope: { from: session.from, to: [...session.to] },
    messageId: parsed.messageId,
    inReplyTo: parsed.inReplyTo,
    references,
    subject: parsed.subject ?? '',
    from: addresses(parsed.from),
    to: addresses(parsed.to),
    text: parsed.text ?? '',
    html: parsed.html === false ? undefined : parsed.html,
    contentType: mediaType.toLowerCase(),
    headerLines: parsed.headerLines.map((h) => [h.key, h.line] as const),
    secure: session.secure,
    user: session.user,
    raw: raw.toString('utf8'),
    receivedAt: Date.now(),
  });
}
