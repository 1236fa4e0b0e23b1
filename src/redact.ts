const PATTERNS: RegExp[] = [
  /\bpit-[0-9a-f-]{8,}\b/gi,
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g,
  /(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi,
];

/** The start of a secret that, found in a text, is taken for the secret cut short (by whoever quoted it). */
const PARTIAL_FROM = 12;

/** Removes credentials from any text bound for a log, an error message or the audit trail. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6) out = out.split(secret).join('[redacted]');
    // A secret quoted only in part (a gateway's page cut short): its start, and what follows of it.
    if (secret.length > PARTIAL_FROM) out = withoutPartial(out, secret);
  }
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (match, keep?: string) =>
      typeof keep === 'string' && match.startsWith(keep) ? `${keep}[redacted]@` : '[redacted]',
    );
  }
  return out;
}

/** Deep-redacts a JSON-like value (strings only are touched). */
export function redactValue<T>(value: T, secrets: readonly string[] = []): T {
  return JSON.parse(redact(JSON.stringify(value ?? null), secrets)) as T;
}

/** `text` with every run that starts like `secret` (its first PARTIAL_FROM characters or more) redacted. */
function withoutPartial(text: string, secret: string): string {
  const start = secret.slice(0, PARTIAL_FROM);
  let out = '';
  let from = 0;
  for (let at = text.indexOf(start); at >= 0; at = text.indexOf(start, from)) {
    let end = at + PARTIAL_FROM;
    while (end < text.length && end - at < secret.length && text[end] === secret[end - at]) end++;
    out += `${text.slice(from, at)}[redacted]`;
    from = end;
  }
  return out + text.slice(from);
}
