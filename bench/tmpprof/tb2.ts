import { Check, Convert, Errors } from 'typebox/value'
import { Integer, Object as O, Optional, String as S } from 'typebox'
const t1 = performance.now()
const schema = O({ update_id: Integer({ minimum: 0 }), message: Optional(O({ text: Optional(S()) })) })
const ok = Check(schema, Convert(schema, { update_id: 1, message: { text: 'x' } }))
const errs = [...Errors(schema, { update_id: 'x' })]
const t2 = performance.now()
console.error(JSON.stringify({ sinceStart: +t1.toFixed(2), use: +(t2 - t1).toFixed(2), ok, n: errs.length }))
