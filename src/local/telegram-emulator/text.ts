import { badRequest } from './errors.js'
import type { TgMessageEntity } from './types.js'

/** Telegram's limit for a message's text after entities parsing. */
export const MAX_MESSAGE_LENGTH = 4096

/**
 * The entities Telegram detects in a user's text that bots rely on: `bot_command` (`/start`,
 * `/register@some_bot`) and `mention` (`@username`). Offsets and lengths are in UTF-16 code units,
 * as JavaScript strings index them and as the Bot API specifies.
 */
export function detectEntities (text: string): TgMessageEntity[] {
  const entities: TgMessageEntity[] = []
  for (const match of text.matchAll(/(?<=^|\s)\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])/g)) {
    entities.push({ type: 'bot_command', offset: match.index, length: match[0].length })
  }
  for (const match of text.matchAll(/(?<![A-Za-z0-9_@/])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])/g)) {
    entities.push({ type: 'mention', offset: match.index, length: match[0].length })
  }
  return entities.sort((a, b) => a.offset - b.offset)
}

function byteOffset (text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index))
}

function cantParse (reason: string): Error {
  return badRequest(`can't parse entities: ${reason}`)
}

const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'tg-emoji', 'code', 'pre', 'blockquote'])
const HTML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' }

/** HTML parse mode: the supported tags are removed, the four named and all numeric entities decoded. */
function plainFromHtml (text: string): string {
  let plain = ''
  let index = 0
  for (const match of text.matchAll(/<(\/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>|&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);/g)) {
    plain += text.slice(index, match.index)
    index = match.index + match[0].length
    const tag = match[2]
    if (tag !== undefined) {
      if (!HTML_TAGS.has(tag.toLowerCase())) {
        throw cantParse(`Unsupported ${match[1] === '/' ? 'end' : 'start'} tag "${tag}" at byte offset ${byteOffset(text, match.index)}`)
      }
      continue
    }
    const entity = match[3] as string
    if (entity.startsWith('#')) {
      plain += String.fromCodePoint(entity[1] === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10))
    } else {
      plain += HTML_ENTITIES[entity.toLowerCase()] ?? match[0]
    }
  }
  return plain + text.slice(index)
}

/** The next `mark` at or after `from` that no backslash escapes (-1: none). */
function indexOfUnescaped (text: string, mark: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text.startsWith(mark, i)) return i
  }
  return -1
}

const MARKDOWN_V2_RESERVED = new Set('_*[]()~`>#+-=|{}.!')

/**
 * MarkdownV2: formatting marks are removed, `\x` unescaped, and, as Telegram does, a reserved
 * character that is neither escaped nor part of the markup is refused (the classic "!" in a reply).
 */
function plainFromMarkdownV2 (text: string): string {
  let plain = ''
  const open: Array<{ mark: string, at: number }> = []
  const toggle = (mark: string, at: number): void => {
    if (open.at(-1)?.mark === mark) open.pop()
    else open.push({ mark, at })
  }
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string
    if (char === '\\') {
      plain += text[i + 1] ?? ''
      i++
    } else if (text.startsWith('```', i)) {
      const end = indexOfUnescaped(text, '```', i + 3)
      if (end === -1) throw cantParse(`Can't find end of pre entity at byte offset ${byteOffset(text, i)}`)
      const body = text.slice(i + 3, end)
      const newline = body.indexOf('\n')
      plain += (newline === -1 ? body : body.slice(newline + 1)).replace(/\\([`\\])/g, '$1')
      i = end + 2
    } else if (char === '`') {
      const end = indexOfUnescaped(text, '`', i + 1)
      if (end === -1) throw cantParse(`Can't find end of code entity at byte offset ${byteOffset(text, i)}`)
      plain += text.slice(i + 1, end).replace(/\\([`\\])/g, '$1')
      i = end
    } else if ((char === '_' && text[i + 1] === '_') || (char === '|' && text[i + 1] === '|')) {
      toggle(char + char, i)
      i++
    } else if (char === '*' || char === '_' || char === '~') {
      toggle(char, i)
    } else if (char === '[') {
      open.push({ mark: '[', at: i })
    } else if (char === ']' && open.at(-1)?.mark === '[') {
      open.pop()
      if (text[i + 1] !== '(') throw cantParse('Character \']\' is reserved and must be escaped with the preceding \'\\\'')
      const end = text.indexOf(')', i + 2)
      if (end === -1) throw cantParse(`Can't find end of a url at byte offset ${byteOffset(text, i + 1)}`)
      i = end
    } else if (char === '>' && (i === 0 || text[i - 1] === '\n')) {
      // a blockquote line
    } else if (MARKDOWN_V2_RESERVED.has(char)) {
      throw cantParse(`Character '${char}' is reserved and must be escaped with the preceding '\\'`)
    } else {
      plain += char
    }
  }
  const unclosed = open[0]
  if (unclosed !== undefined) throw cantParse(`Can't find end of the entity starting at byte offset ${byteOffset(text, unclosed.at)}`)
  return plain
}

/** Legacy Markdown: `*bold*`, `_italic_`, `` `code` ``, ```` ```pre``` ````, `[text](url)`; `\` escapes a mark. */
function plainFromMarkdown (text: string): string {
  let plain = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string
    const closing = char === '[' ? ']' : char
    if (char === '\\' && '_*`['.includes(text[i + 1] ?? ' ')) {
      plain += text[i + 1] as string
      i++
    } else if ('*_`['.includes(char)) {
      const fence = text.startsWith('```', i) ? '```' : closing
      const end = text.indexOf(fence, i + fence.length)
      if (end === -1) throw cantParse(`Can't find end of the entity starting at byte offset ${byteOffset(text, i)}`)
      plain += text.slice(i + fence.length, end)
      i = end + fence.length - 1
      if (char === '[' && text[i + 1] === '(') {
        const close = text.indexOf(')', i + 2)
        if (close !== -1) i = close
      }
    } else {
      plain += char
    }
  }
  return plain
}

/**
 * A bot's message text as Telegram stores it: markup of `parse_mode` removed (or refused), then
 * leading and trailing white space stripped, then checked against the 1–4096 limit.
 */
export function messageTextOf (text: string | undefined, parseMode: string | undefined): string {
  let plain = text ?? ''
  switch (parseMode?.toLowerCase()) {
    case undefined:
    case '':
      break
    case 'html':
      plain = plainFromHtml(plain)
      break
    case 'markdownv2':
      plain = plainFromMarkdownV2(plain)
      break
    case 'markdown':
      plain = plainFromMarkdown(plain)
      break
    default:
      throw badRequest('unsupported parse_mode')
  }
  plain = plain.trim()
  if (plain.length === 0) throw badRequest('message text is empty')
  if (plain.length > MAX_MESSAGE_LENGTH) throw badRequest('message is too long')
  return plain
}
