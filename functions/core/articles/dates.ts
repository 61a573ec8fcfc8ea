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
