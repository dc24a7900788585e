/**
 * Who a wave may choose: the audience criteria over contact fields and `properties.*`, evaluated on
 * one contact at a time so that selection can stream through any number of contacts.
 */
import type { Contact } from '../contact/schema.ts';
import type { Criterion } from '../survey/schema.ts';

const dayMs = 86_400_000;

function fieldValue(contact: Contact, field: string): unknown {
  if (field.startsWith('properties.')) return contact.properties?.[field.slice('properties.'.length)];
  return (contact as unknown as Record<string, unknown>)[field];
}

const asText = (value: unknown): string => (typeof value === 'string' ? value : String(value));
const present = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/** Values compare as text, case-insensitively for strings, so "Pro" in a CSV matches "pro" in a rule. */
const same = (a: unknown, b: unknown): boolean =>
  typeof a === 'number' && typeof b === 'number'
    ? a === b
    : asText(a).toLowerCase() === asText(b).toLowerCase();

export function matchesCriterion(contact: Contact, c: Criterion, nowMs: number): boolean {
  const value = fieldValue(contact, c.field);
  if (c.exists !== undefined) return present(value) === c.exists;
  if (c.olderThanDays !== undefined || c.newerThanDays !== undefined) {
    const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at)) return false;
    const ageDays = (nowMs - at) / dayMs;
    return c.olderThanDays !== undefined ? ageDays > c.olderThanDays : ageDays < (c.newerThanDays as number);
  }
  if (c.in !== undefined) return present(value) && c.in.some((x) => same(value, x));
  if (c.notIn !== undefined) return !present(value) || !c.notIn.some((x) => same(value, x));
  if (c.equals !== undefined) return present(value) && same(value, c.equals);
  if (c.endsWith !== undefined)
    return present(value) && asText(value).toLowerCase().endsWith(c.endsWith.toLowerCase());
  if (c.notEndsWith !== undefined) {
    return !present(value) || !asText(value).toLowerCase().endsWith(c.notEndsWith.toLowerCase());
  }
  return true;
}

/** All criteria must hold. */
export const matchesAudience = (
  contact: Contact,
  where: readonly Criterion[] | undefined,
  nowMs: number,
): boolean => (where ?? []).every((c) => matchesCriterion(contact, c, nowMs));
