/**
 * Industry words, matched against company names and tags. Cannabis is the business's main trade,
 * so its list is long; each entry is a regular-expression fragment over normalised text.
 */
export const INDUSTRIES: Record<string, { triggers: string[]; framedOnly?: string[]; patterns: string[] }> = {
  cannabis: {
    // The words (one or more) that name the industry in a query, alone or framed ("in the edibles business").
    triggers: [
      'cannabis', 'marijuana', 'weed', 'dispensary', 'dispensaries', 'hemp', 'cbd', 'thc', 'kush', 'ganja', '420',
      'headshop', 'headshops', 'head shop', 'head shops', 'head-shop', 'head-shops', 'buds', 'grow', 'grows', 'growers',
      'growing', 'cultivation', 'cultivators', 'extraction', 'extracts', 'extractors', 'edible', 'edibles', 'preroll',
      'prerolls', 'pre roll', 'pre rolls', 'pre-roll', 'pre-rolls', 'botanical', 'botanicals', 'herbal', 'emerald triangle',
    ],
    // Also a person's name ("show me mary jane"): the industry only when framed ("mary jane companies").
    framedOnly: ['mary jane'],
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

/**
 * The industry a query word or phrase names, if any. `framed`: the words come before "industry",
 * "business", "companies"…, so a phrase that is also a person's name counts too.
 */
export function industryOf(words: string, o: { framed?: boolean } = {}): string | null {
  for (const [name, entry] of Object.entries(INDUSTRIES)) {
    if (entry.triggers.includes(words) || (o.framed && entry.framedOnly?.includes(words))) return name;
  }
  return null;
}

/** The industry phrases of more than one word a query may use alone ("head shops"), longest first. */
export const INDUSTRY_PHRASES: readonly string[] = Object.values(INDUSTRIES)
  .flatMap((e) => e.triggers.filter((t) => t.includes(' ')))
  .sort((a, b) => b.length - a.length);

/** The industries a contact belongs to, judged from its company name and tags (normalised). */
export function industriesOf(companyNorm: string, tagsNorm: readonly string[]): string[] {
  const text = ` ${companyNorm} ${tagsNorm.join(' ')} `;
  return INDUSTRY_MATCHERS.filter(([, re]) => re.test(text)).map(([name]) => name);
}

/** Compiled once: a sync asks for every contact. */
const INDUSTRY_MATCHERS: ReadonlyArray<[string, RegExp]> = Object.keys(INDUSTRIES).map((name) => [name, new RegExp(industryRegex(name)!)]);
