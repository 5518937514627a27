import type { Actor, CaseFacts } from './machine.ts';

/**
 * A resident's name and phone are for the people handling the case: shown to the lead and
 * co-handling units, the assignee, the handlers, and anyone who has acted on the case (the
 * dispatcher who took the call); masked everywhere else, exports included.
 */

/** `张三` → `张*`, `欧阳娜娜` → `欧***`, `Li Lei` → `L*****`. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** A mobile `13812341234` → `138****1234`; other numbers keep their last four digits only. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length === 0) return '';
  if (digits.length === 11 && digits.startsWith('1')) return `${digits.slice(0, 3)}****${digits.slice(7)}`;
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return '*'.repeat(digits.length - 4) + digits.slice(-4);
}

export interface ContactFacts extends Pick<CaseFacts, 'unitId' | 'assigneeId' | 'coUnitIds' | 'handlerIds'> {
  /** Users who recorded any step on the case. */
  participantIds: readonly string[];
}

export function canSeeContact(actor: Actor, facts: ContactFacts): boolean {
  if (actor.id === facts.assigneeId) return true;
  if (facts.handlerIds.includes(actor.id) || facts.participantIds.includes(actor.id)) return true;
  return actor.unitId !== null && (actor.unitId === facts.unitId || facts.coUnitIds.includes(actor.unitId));
}

export interface Contact {
  name: string | null;
  phone: string | null;
}

/** The contact as this actor may see it. */
export function contactFor(
  actor: Actor,
  facts: ContactFacts,
  contact: Contact,
): Contact & { masked: boolean } {
  if (canSeeContact(actor, facts)) return { ...contact, masked: false };
  return {
    name: contact.name === null ? null : maskName(contact.name),
    phone: contact.phone === null ? null : maskPhone(contact.phone),
    masked: true,
  };
}
