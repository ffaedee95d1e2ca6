import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'

/**
 * What-if: the validator compiler as a module of src/ instead of @fastify/type-provider-typebox, with
 * the provider's behaviour (bodies checked as they are, other parts converted first) but without its
 * ajv-formats import. The provider's types would stay (type-only imports cost nothing in the bundle).
 */
export const TypeBoxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema)
  return (value: unknown) => {
    const converted = httpPart === 'body' ? value : Value.Convert(schema, value)
    return check.Check(converted) ? { value: converted } : { error: check.Errors(converted) as unknown as Error }
  }
}
