/**
 * Phone numbers are stored as "+" and digits (E.164). Russian habits are
 * accepted on input: "8 (912) 345-67-89" and "9123456789" mean +79123456789.
 * Returns null when the text is not a phone number.
 */
export function normalizePhone(raw: string): string | null {
  let d = raw.replace(/[^\d]/g, "");
  if (d.length === 11 && d.startsWith("8")) d = `7${d.slice(1)}`;
  if (d.length === 10 && d.startsWith("9")) d = `7${d}`;
  return d.length >= 10 && d.length <= 15 ? `+${d}` : null;
}
