// The settable clock of integration and browser tests (development.test_clock with
// ONSHI_TEST_CLOCK_FILE, util::FileClock): the server and every CLI run read the file, which
// holds a Unix time or a signed offset in seconds from the system clock.
import fsp from 'node:fs/promises';

export const JST_MS = 9 * 3600 * 1000;

/** Writes `value` (e.g. "+86400", "-3600" or "1767225600") to the clock file in one rename. */
export async function writeTestClock(file, value) {
  await fsp.writeFile(`${file}.new`, `${value}\n`);
  await fsp.rename(`${file}.new`, file);
}

/** The clock `seconds` from now (negative: in the past). */
export function setClockOffset(file, seconds) {
  return writeTestClock(file, `${seconds < 0 ? '' : '+'}${seconds}`);
}

/** YYYY-MM of the month `delta` months from this one in Japan. */
export function monthInJapan(delta) {
  const jst = new Date(Date.now() + JST_MS);
  const d = new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth() + delta, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
