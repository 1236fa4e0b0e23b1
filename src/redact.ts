const PATTERNS: RegExp[] = [
  /\bpit-[0-9a-f-]{8,}\b/gi,
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/g,
  /(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi,
];

/** Removes credentials from any text bound for a log, an error message or the audit trail. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6) out = out.split(secret).join('[redacted]');
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
