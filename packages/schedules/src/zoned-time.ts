import { ScheduleError } from './schedule-error.js';

/**
 * Wall-clock time in IANA time zones with nothing but Intl (Node 20 ships full ICU). A wall time is carried as
 * the number of milliseconds it would be if the zone were UTC ("wall milliseconds"), which makes calendar
 * arithmetic plain Date.UTC arithmetic.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/**
 * Throws ScheduleError unless `timeZone` is an IANA zone this runtime knows ("UTC", "America/New_York"). UTC is
 * known without asking Intl: the first Intl.DateTimeFormat with a time zone loads ICU's zone and calendar data,
 * several MB that an agent whose schedules are all UTC (the default) would carry for the rest of its life.
 */
export function checkTimeZone(timeZone: string): void {
  if (isUtc(timeZone)) return;
  try {
    formatter(timeZone);
  } catch {
    throw new ScheduleError(`"${timeZone}" is not a known IANA time zone (e.g. UTC, Europe/Paris, America/Los_Angeles)`, timeZone);
  }
}

function isUtc(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC';
}

/**
 * Offsets already asked for, by zone and exact second: resolving wall times asks for the same instants again
 * (the day after one candidate is the day before the next), and Intl is the expensive part.
 */
const knownOffsets = new Map<string, Map<number, number>>();
/** All zones together: about 5 MB at most. */
const MAX_KNOWN_OFFSETS = 100_000;
let knownOffsetCount = 0;

/** The wall time in `timeZone` at `instantMs`, as wall milliseconds (second precision). */
export function wallAt(instantMs: number, timeZone: string): number {
  const seconds = Math.floor(instantMs / 1000) * 1000;
  if (isUtc(timeZone)) return seconds;
  return seconds + offsetAt(seconds, timeZone);
}

function wallFromIntl(seconds: number, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(seconds)) parts[part.type] = part.value;
  const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
  const wall = new Date(0);
  wall.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return wall.getTime();
}

/** The zone's offset from UTC at `instantMs`, in milliseconds (positive east of Greenwich). */
export function offsetAt(instantMs: number, timeZone: string): number {
  const seconds = Math.floor(instantMs / 1000) * 1000;
  if (isUtc(timeZone)) return 0;
  let zone = knownOffsets.get(timeZone);
  if (!zone) knownOffsets.set(timeZone, (zone = new Map()));
  let offset = zone.get(seconds);
  if (offset === undefined) {
    offset = wallFromIntl(seconds, timeZone) - seconds;
    if (knownOffsetCount >= MAX_KNOWN_OFFSETS) {
      for (const known of knownOffsets.values()) known.clear();
      knownOffsetCount = 0;
    }
    zone.set(seconds, offset);
    knownOffsetCount += 1;
  }
  return offset;
}

export interface ResolvedWallTime {
  /** The instant. For a wall time that does not exist (a gap), the instant the clock shows it once moved on. */
  instantMs: number;
  /** exact: one instant; overlap: the clock showed it twice and this is the first; gap: the clock skipped it. */
  kind: 'exact' | 'overlap' | 'gap';
}

/**
 * The instant a wall time happens in `timeZone`. Offsets are sampled a day either side, which covers every
 * transition in the tz database (no zone changes offset twice within two days).
 */
export function resolveWallTime(wallMs: number, timeZone: string): ResolvedWallTime {
  if (isUtc(timeZone)) return { instantMs: wallMs, kind: 'exact' };
  const before = offsetAt(wallMs - DAY_MS, timeZone);
  const after = offsetAt(wallMs + DAY_MS, timeZone);
  const candidates = [...new Set([before, offsetAt(wallMs, timeZone), after])]
    .map((offset) => wallMs - offset)
    .filter((instant) => wallAt(instant, timeZone) === wallMs)
    .sort((a, b) => a - b);
  if (candidates.length === 0) return { instantMs: wallMs - before, kind: 'gap' };
  return { instantMs: candidates[0]!, kind: candidates.length > 1 ? 'overlap' : 'exact' };
}

/** Format an instant as ISO 8601 with the zone's offset at that instant, e.g. 2026-03-08T03:00:00-04:00. */
export function formatInZone(instantMs: number, timeZone: string): string {
  const offsetMinutes = Math.round(offsetAt(instantMs, timeZone) / 60_000);
  const wall = new Date(wallAt(instantMs, timeZone)).toISOString().slice(0, 19);
  if (isUtc(timeZone)) return `${wall}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
