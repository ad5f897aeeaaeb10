import type { PlatformSettlementCycle } from "../../sdk/generated/platform/types.js";

/**
 * Settlement dates from a contract's cycle. The sandbox knows no public holidays: Saturdays
 * and Sundays are its only non-business days.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const toTime = (date: string) => Date.parse(`${date}T00:00:00Z`);
const toDate = (time: number) => new Date(time).toISOString().slice(0, 10);
export const addDays = (date: string, days: number) => toDate(toTime(date) + days * DAY_MS);
const isWeekend = (date: string) => [0, 6].includes(new Date(toTime(date)).getUTCDay());

function lastDayOfMonth(date: string): number {
  const day = new Date(toTime(date));
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 0)).getUTCDate();
}

function isCycleDay(cycle: PlatformSettlementCycle, date: string): boolean {
  const day = new Date(toTime(date));
  const method = cycle.method as {
    type: string;
    daysOfWeek?: string[];
    daysOfMonth?: number[];
    dates?: { month: number; day: number }[];
  };
  switch (method.type) {
    case "WEEKLY":
      return (method.daysOfWeek ?? []).includes(WEEKDAYS[day.getUTCDay()] as string);
    case "MONTHLY": {
      // A day the month does not have (31 in April) falls on the month's last day.
      const dayOfMonth = day.getUTCDate();
      const last = lastDayOfMonth(date);
      return (method.daysOfMonth ?? []).some((d) => Math.min(d, last) === dayOfMonth);
    }
    case "MANUAL_DATES":
      return (method.dates ?? []).some(
        (d) => d.month === day.getUTCMonth() + 1 && d.day === day.getUTCDate(),
      );
    default:
      return true;
  }
}

function toBusinessDay(date: string, step: 1 | -1): string {
  let day = date;
  while (isWeekend(day)) day = addDays(day, step);
  return day;
}

/**
 * start + lagDays, then the first day of the cycle on or after it, then moved off a weekend
 * (HOLIDAY_BEFORE: to the Friday before, HOLIDAY_AFTER: to the Monday after). A date moved
 * before the start (or onto it, with `adjustAfterHolidayIfEarlier`) moves forward instead.
 */
export function settlementDateFor(
  cycle: PlatformSettlementCycle,
  startDate: string,
  adjustAfterHolidayIfEarlier: boolean,
): string {
  let candidate = addDays(startDate, cycle.lagDays);
  for (let i = 0; i < 800 && !isCycleDay(cycle, candidate); i++) candidate = addDays(candidate, 1);
  if (cycle.datePolicy === "CALENDAR_DAY") return candidate;
  const step = cycle.datePolicy === "HOLIDAY_BEFORE" ? -1 : 1;
  const adjusted = toBusinessDay(candidate, step);
  const tooEarly =
    adjusted < startDate ||
    (adjustAfterHolidayIfEarlier && adjusted <= startDate && adjusted !== candidate);
  return tooEarly ? toBusinessDay(candidate, 1) : adjusted;
}
