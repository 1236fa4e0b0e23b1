/** The automatic nicknames: first name, company, "first from company" and full name, lower-cased. */
export function autoNicknames(c: { firstName: string | null; lastName: string | null; companyName: string | null }): string[] {
  const first = c.firstName?.trim().toLowerCase() || null;
  const last = c.lastName?.trim().toLowerCase() || null;
  const company = c.companyName?.trim().toLowerCase() || null;
  const out = new Set<string>();
  if (first) out.add(first);
  if (company) out.add(company);
  if (first && company) out.add(`${first} from ${company}`);
  if (first && last) out.add(`${first} ${last}`);
  return [...out];
}
