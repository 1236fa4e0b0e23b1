import { z } from 'zod';

export const ContactSummary = z.object({
  id: z.string(),
  name: z.string().nullable(),
  company: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  type: z.string().nullable(),
  tags: z.array(z.string()),
  importance: z.number().int().describe('1–10, evaluated now (a saved override wins)'),
  nicknames: z.array(z.string()),
  date_added: z.string().nullable(),
  last_activity_at: z.string().nullable(),
  score: z.number().describe('How well it matched, 0–1 (1 = exact email, phone or nickname)'),
  matched_on: z.string().describe('What matched: email, phone, nickname, name, company, name and company, or filters'),
});
export type ContactSummaryOut = z.infer<typeof ContactSummary>;

export function summaryLine(c: { name: string | null; company: string | null; email: string | null; phone: string | null; importance: number; id: string }): string {
  return `- ${[c.name ?? '(no name)', c.company, c.email, c.phone].filter(Boolean).join(' · ')} — importance ${c.importance} [${c.id}]`;
}
