/**
 * The Lambda bundles' stand-ins that compute something (infra/lambda-stubs/), against the code they
 * replace. The bundle-level checks (that each is resolved, fails loudly where it gives something up,
 * and loads nothing it need not) are in bundles.test.ts.
 */
import { createRequire } from 'node:module'
import { ChronoUnit, LocalDate } from '@js-joda/core'
import fc from 'fast-check'
import t from 'tap'

const require = createRequire(import.meta.url)
const standIn = require('../../infra/lambda-stubs/js-joda-local-date.cjs') as {
  LocalDate: { of: (y: number, m: number, d: number) => { until: (end: unknown, unit: unknown) => number }, ofYearDay: (y: number, d: number) => { until: (end: unknown, unit: unknown) => number } }
  ChronoUnit: { DAYS: unknown }
}
const lazyModule = require('../../infra/lambda-stubs/lazy-module.cjs') as (load: () => unknown) => any

// The years a JS Date holds (±100,000,000 days from 1970), which is where tedious takes its dates from.
const dates = fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
// tedious's epochs: 0001-01-01 (date, datetime2, datetimeoffset) and 1900-01-01 (datetime).
const EPOCH_YEARS = [1, 1900]

t.test('the js-joda stand-in counts the days from tedious\'s epochs to any Date as js-joda does', async (t) => {
  fc.assert(fc.property(dates, fc.boolean(), (date, utc) => {
    const [y, m, d] = utc ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()] : [date.getFullYear(), date.getMonth() + 1, date.getDate()]
    for (const year of EPOCH_YEARS) {
      const expected = LocalDate.ofYearDay(year, 1).until(LocalDate.of(y, m, d), ChronoUnit.DAYS)
      const actual = standIn.LocalDate.ofYearDay(year, 1).until(standIn.LocalDate.of(y, m, d), standIn.ChronoUnit.DAYS)
      if (actual !== expected) throw new Error(`${y}-${m}-${d} from ${year}: ${actual}, js-joda ${expected}`)
    }
  }), { numRuns: 20_000 })
  // The edges: leap days of centuries, the Gregorian epoch, 1 BC, the first and last day a Date holds.
  const edges: Array<[number, number, number]> = [[2000, 2, 29], [1900, 2, 28], [1900, 3, 1], [1600, 2, 29], [1, 1, 1], [0, 12, 31], [-271821, 4, 20], [275760, 9, 13], [9999, 12, 31]]
  for (const [y, m, d] of edges) {
    t.equal(standIn.LocalDate.ofYearDay(1, 1).until(standIn.LocalDate.of(y, m, d), standIn.ChronoUnit.DAYS),
      LocalDate.ofYearDay(1, 1).until(LocalDate.of(y, m, d), ChronoUnit.DAYS), `${y}-${m}-${d}`)
  }
  t.equal(standIn.LocalDate.ofYearDay(2024, 366).until(standIn.LocalDate.of(2025, 1, 1), standIn.ChronoUnit.DAYS), 1, 'day 366 of a leap year')
})

t.test('the js-joda stand-in refuses what js-joda refuses, and any unit but days', async (t) => {
  const invalid: Array<[number, number, number]> = [[2023, 2, 29], [2024, 4, 31], [2024, 13, 1], [2024, 0, 1], [2024, 1, 0], [2024.5, 1, 1], [Number.NaN, 1, 1]]
  for (const [y, m, d] of invalid) {
    t.throws(() => LocalDate.of(y, m, d), `js-joda refuses ${y}-${m}-${d}`)
    t.throws(() => standIn.LocalDate.of(y, m, d), RangeError, `so does the stand-in: ${y}-${m}-${d}`)
  }
  t.throws(() => standIn.LocalDate.ofYearDay(2023, 366), RangeError, 'day 366 of a common year')
  t.throws(() => standIn.LocalDate.ofYearDay(1, 1).until(standIn.LocalDate.of(2024, 1, 1), { toString: () => 'Months' }), /counts days only/)
})

t.test('a lazy module loads on first use and forwards every operation to the real one', async (t) => {
  let loads = 0
  const real = { answer: 42, nested: { ok: true }, fn: (x: number) => x + 1 }
  Object.defineProperty(real, 'fixed', { value: 'non-configurable', enumerable: true, configurable: false })
  const lazy = lazyModule(() => { loads++; return real })
  t.equal(loads, 0, 'nothing loaded until used')
  t.equal(lazy.answer, 42)
  t.equal(lazy.nested, real.nested, 'the same values')
  t.equal(lazy.fn(1), 2)
  t.equal(loads, 1, 'loaded once')
  t.ok('answer' in lazy)
  t.same(Object.keys(lazy), ['answer', 'nested', 'fn', 'fixed'], 'its keys, a non-configurable one included')
  t.same({ ...lazy }, real, 'spread as the real one')
  t.equal(typeof lazy, 'object')
  lazy.answer = 43
  t.equal(real.answer, 43, 'writes reach the real module')
})
