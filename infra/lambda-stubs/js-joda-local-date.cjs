'use strict'

// Stand-in for @js-joda/core in the Lambda bundles (infra/lambda-build.ts). Its only importer is
// tedious, whose date, datetime, datetime2 and datetimeoffset parameter types use exactly three of its
// calls: `LocalDate.ofYearDay(year, day)` and `LocalDate.of(year, month, day)` (from a JS Date's own
// getters) and `epoch.until(date, ChronoUnit.DAYS)`, to count days from a type's epoch. js-joda builds
// its whole calendar, formatter and zone machinery at load: ~8–15 ms and 203 kB of every Worker cold
// start for that count. Here the count is the proleptic Gregorian day number, as js-joda computes it
// (days_from_civil, H. Hinnant; test/infra/lambda-stubs.test.ts compares the two over the years a JS
// Date can hold). What this gives up: the rest of js-joda, which nothing in the bundles calls (other
// exports are undefined and fail at their first call; `until` in any unit but days throws).

/** Days since 1970-01-01 of a proleptic Gregorian date. */
function epochDayOf (year, month, day) {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

const DAYS = Object.freeze({ toString: () => 'Days' })

function integerIn (value, min, max, name) {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`Invalid value for ${name}: ${value}`)
  return value
}

class LocalDate {
  constructor (epochDay) { this.epochDay = epochDay }

  static of (year, month, day) {
    integerIn(year, -999999999, 999999999, 'Year')
    integerIn(month, 1, 12, 'MonthOfYear')
    integerIn(day, 1, 31, 'DayOfMonth')
    const epochDay = epochDayOf(year, month, day)
    // 31 February and the like roll into the next month here; js-joda refuses them, and so does this.
    if (epochDayOf(year, month, 1) + day - 1 >= (month === 12 ? epochDayOf(year + 1, 1, 1) : epochDayOf(year, month + 1, 1))) {
      throw new RangeError(`Invalid date: ${year}-${month}-${day}`)
    }
    return new LocalDate(epochDay)
  }

  static ofYearDay (year, dayOfYear) {
    integerIn(year, -999999999, 999999999, 'Year')
    integerIn(dayOfYear, 1, epochDayOf(year + 1, 1, 1) - epochDayOf(year, 1, 1), 'DayOfYear')
    return new LocalDate(epochDayOf(year, 1, 1) + dayOfYear - 1)
  }

  until (end, unit) {
    if (unit !== DAYS) throw new Error('This bundle\'s @js-joda/core stand-in counts days only (infra/lambda-stubs/js-joda-local-date.cjs)')
    return end.epochDay - this.epochDay
  }
}

module.exports = { LocalDate, ChronoUnit: { DAYS } }
