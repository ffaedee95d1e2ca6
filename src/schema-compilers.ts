import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyServerOptions } from 'fastify'
import type { TSchema } from 'typebox'
import { Check, Convert, Errors } from 'typebox/value'

/**
 * Request validation by TypeBox: bodies are checked as they are (never coerced: "77" is not an
 * update_id), the other parts (headers, query) converted first, as URL text must be. The behaviour
 * of @fastify/type-provider-typebox's TypeBoxValidatorCompiler without that module's import of
 * ajv-formats (and so Ajv) at load time, and with `Value.Check` instead of `Compile`: these schemas
 * are a few fields each, so generating and compiling a checker per route at every cold start costs
 * more than it saves per request (and keeps typebox/compile out of the bundle). The errors are the
 * same TypeBox errors a compiled checker reports, in the shape Fastify turns into its
 * "body/update_id must be integer" messages.
 */
export const typeBoxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  return (value: unknown) => {
    const converted = httpPart === 'body' ? value : Convert(schema, value)
    return Check(schema, converted) ? { value: converted } : { error: Errors(schema, converted) as unknown as Error }
  }
}

/**
 * Responses by JSON.stringify. Response schemas then describe the answers (types, docs) but no longer
 * filter or coerce them: a handler must return exactly the declared shape, which every route here
 * does (test/lambda-golden.test.ts pins the bytes of each answer).
 */
export const jsonSerializerCompiler: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data)

/**
 * Fastify's compilers, given at construction so that Fastify never builds its defaults
 * (@fastify/ajv-compiler, @fastify/fast-json-stringify-compiler): the Lambda bundles replace those
 * packages with stand-ins that throw (infra/lambda-build.ts), which keeps Ajv and
 * fast-json-stringify out of every cold start.
 */
export const schemaCompilers = {
  buildValidator: () => typeBoxValidatorCompiler,
  buildSerializer: () => jsonSerializerCompiler
  // Fastify types these factories after Ajv's and fast-json-stringify's own signatures; at run time it
  // calls each compiler with the route's schema, exactly as setValidatorCompiler's compilers.
} as unknown as CompilersFactory

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
