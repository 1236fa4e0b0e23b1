/**
 * Industry words, matched against company names and tags. Cannabis is the business's main trade,
 * so its list is long; each entry is a regular-expression fragment over normalised text.
 */
export const INDUSTRIES: Record<string, { triggers: string[]; patterns: string[] }> = {
  cannabis: {
    triggers: ['cannabis', 'marijuana', 'weed', 'dispensary', 'dispensaries', 'hemp', 'cbd', 'thc', 'kush', 'ganja', '420', 'headshop', 'headshops'],
    patterns: [
      'cannabis', 'marijuana', 'weed', 'dispensar(y|ies)', 'hemp', 'cbd', 'thc', 'kush', 'buds?', 'blooms?', 'grow(s|ers?|ing)?',
      'cultivat(ion|ors?|e)', 'extract(s|ion|ors?)?', 'edibles?', 'pre ?rolls?', '420', 'head ?shops?', 'botanicals?', 'herbal',
      'mary ?jane', 'emerald triangle', 'headies', 'glass', 'ganja', 'sativa', 'indica', 'canna', 'apothecary', 'collective',
    ],
  },
};

/** A PostgreSQL regular expression matching any of an industry's words at a word start. */
export function industryRegex(industry: string): string | null {
  const entry = INDUSTRIES[industry];
  return entry ? `(^| )(${entry.patterns.join('|')})( |$)` : null;
}

/** The industry a query word names, if any. */
export function industryOf(word: string): string | null {
  for (const [name, entry] of Object.entries(INDUSTRIES)) if (entry.triggers.includes(word)) return name;
  return null;
}

/** The industries a contact belongs to, judged from its company name and tags (normalised). */
export function industriesOf(companyNorm: string, tagsNorm: readonly string[]): string[] {
  const text = ` ${companyNorm} ${tagsNorm.join(' ')} `;
  return INDUSTRY_MATCHERS.filter(([, re]) => re.test(text)).map(([name]) => name);
}

/** Compiled once: a sync asks for every contact. */
const INDUSTRY_MATCHERS: ReadonlyArray<[string, RegExp]> = Object.keys(INDUSTRIES).map((name) => [name, new RegExp(industryRegex(name)!)]);
