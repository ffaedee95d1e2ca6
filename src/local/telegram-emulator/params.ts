import { badRequest } from './errors.js'

/**
 * A Bot API call's parameters, read the way Telegram reads them: the query string and the body
 * (JSON, url-encoded or multipart) merged, with numbers, booleans and JSON-serialized objects
 * accepted both as JSON values and as strings.
 */
export class Params {
  readonly raw: Record<string, unknown>

  constructor (raw: Record<string, unknown>) {
    this.raw = raw
  }

  /** Present and not null: Telegram treats an empty value as absent too. */
  has (name: string): boolean {
    const value = this.raw[name]
    return value !== undefined && value !== null && value !== ''
  }

  string (name: string): string | undefined {
    if (!this.has(name)) return undefined
    const value = this.raw[name]
    return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
  }

  /** An integer; like the Bot API server, a value that is not a number reads as 0. */
  integer (name: string): number | undefined {
    if (!this.has(name)) return undefined
    const value = this.raw[name]
    const number = typeof value === 'number' ? value : Number(String(value).trim())
    return Number.isSafeInteger(number) ? number : 0
  }

  /** "true" or "1" (any case), or a JSON true. */
  boolean (name: string): boolean {
    const value = this.raw[name]
    if (typeof value === 'boolean') return value
    if (typeof value === 'number') return value === 1
    return typeof value === 'string' && ['true', '1'].includes(value.trim().toLowerCase())
  }

  /** A JSON-serialized object or array, given as JSON or as a string. */
  json (name: string, what: string): unknown {
    if (!this.has(name)) return undefined
    const value = this.raw[name]
    if (typeof value !== 'string') return value
    try {
      return JSON.parse(value)
    } catch {
      throw badRequest(`can't parse ${what} JSON object`)
    }
  }
}

/** `application/x-www-form-urlencoded` → a flat object of strings (the last value of a repeated name wins). */
export function parseUrlEncoded (body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body))
}

/**
 * The text fields of a `multipart/form-data` body (Telegram clients use it to upload files, which
 * the emulator does not store: file parts are read as their names' text and otherwise ignored).
 */
export function parseMultipart (body: string, contentType: string): Record<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType)
  const delimiter = boundary?.[1] ?? boundary?.[2]
  if (delimiter === undefined) throw badRequest('multipart boundary is missing')
  const fields: Record<string, string> = {}
  for (const part of body.split(`--${delimiter}`)) {
    const headerEnd = part.indexOf('\r\n\r\n')
    if (headerEnd === -1) continue
    const name = /name="([^"]*)"/i.exec(part.slice(0, headerEnd))?.[1]
    if (name === undefined) continue
    fields[name] = part.slice(headerEnd + 4).replace(/\r\n$/, '')
  }
  return fields
}
