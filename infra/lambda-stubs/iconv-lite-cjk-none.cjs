'use strict'

// Stand-in for iconv-lite's double-byte code page tables (encodings/tables/*.json: Shift JIS, EUC-JP,
// GBK/GB18030, CP949 and Big5: ~400 kB, a fifth of the Worker bundle, compiled at every cold start)
// in the Lambda bundles (infra/lambda-build.ts). iconv-lite's only importer here is tedious, SQL
// Server's driver, which converts non-Unicode text (char, varchar, text) with the code page of the
// column's collation; iconv-lite loads a table only the first time its code page is used. What this
// gives up: char/varchar/text values in a Japanese, Chinese or Korean collation (code pages 932, 936,
// 949, 950). nchar/nvarchar (UTF-16) and the single-byte code pages (1252 and the other Latin,
// Cyrillic, Greek, … collations, the default's included) are untouched. Such a value fails when it is
// read or written, with this message, instead of being decoded wrongly.
throw new Error('Lambda build: iconv-lite\'s Japanese, Chinese and Korean code pages (932, 936, 949, 950) are left out of this bundle (infra/lambda-stubs/iconv-lite-cjk-none.cjs); use nchar/nvarchar for such text, or a single-byte collation')
