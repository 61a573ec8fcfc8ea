/** True when `yyyy-mm-dd` names a real calendar day. */
export const isCalendarDate = (iso: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
};

/**
 * The calendar day of a date or timestamp as it is written (`2020-07-26T23:30:00-05:00`
 * is the 26th), or undefined when the text is not an ISO 8601 date.
 */
export const isoDay = (text: string): string | undefined => {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(
    text.trim(),
  );
  return m?.[1] && isCalendarDate(m[1]) ? m[1] : undefined;
};

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};

const dayFrom = (y: number, m: number, d: number): string | undefined => {
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return y >= 1000 && isCalendarDate(iso) ? iso : undefined;
};

const WEEKDAY = String.raw`(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?`;
const TIME = String.raw`(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2}|GMT|UTC|Z))?)?`;
const MONTH = String.raw`([a-z]{3,9})\.?`;
/** "28 Nov 2026", "Sat, 28 Nov 2026 10:00:00 +0000" (RFC 2822), "28 November 2026". */
const DAY_MONTH_YEAR = new RegExp(
  String.raw`^${WEEKDAY}(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH},?\s+(\d{4})${TIME}$`,
  'i',
);
/** "November 28, 2026", "Nov. 28 2026", "Saturday, November 28, 2026 10:00 AM EST". */
const MONTH_DAY_YEAR = new RegExp(
  String.raw`^${WEEKDAY}${MONTH}\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})${TIME}$`,
  'i',
);
/** "28/11/2026", "28.11.2026", "28-11-2026", and the same with a two-part time after. */
const NUMERIC = new RegExp(String.raw`^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})${TIME}$`, 'i');

/**
 * The calendar day of a date as news writes it, or undefined. Read as written, never moved to
 * another zone:
 * - ISO 8601 dates and timestamps (`2026-11-28`, `2026-11-28T23:30:00-05:00`);
 * - RFC 2822 as in feeds and mail (`Sat, 28 Nov 2026 10:00:00 +0000`);
 * - `28 November 2026`, `28 Nov 2026`, `November 28, 2026`, `Nov. 28 2026`, with an optional
 *   weekday before and time after;
 * - numbers with `/`, `.` or `-`: day, month, year (as most of the world writes them), except
 *   when the second number is over 12 and the first is not, which only month/day/year can mean
 *   (`11/28/2026`). `03/04/2026` is the 3rd of April.
 */
export const newsDay = (text: string): string | undefined => {
  const t = text.trim().replace(/\s+/g, ' ');
  if (t.length > 80) return undefined;
  const iso = isoDay(t);
  if (iso) return iso;
  let m = DAY_MONTH_YEAR.exec(t);
  if (m) {
    const month = MONTHS[(m[2] as string).toLowerCase()];
    return month ? dayFrom(Number(m[3]), month, Number(m[1])) : undefined;
  }
  m = MONTH_DAY_YEAR.exec(t);
  if (m) {
    const month = MONTHS[(m[1] as string).toLowerCase()];
    return month ? dayFrom(Number(m[3]), month, Number(m[2])) : undefined;
  }
  m = NUMERIC.exec(t);
  if (m) {
    const [a, b, y] = [Number(m[1]), Number(m[3]), Number(m[4])];
    return b > 12 && a <= 12 ? dayFrom(y, a, b) : dayFrom(y, b, a);
  }
  return undefined;
};
