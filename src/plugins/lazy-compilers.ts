// Fastify's own schema compilers (Ajv for validation, fast-json-stringify for responses),
// each route schema compiled when it is first used instead of at start-up. Every route
// documents a dozen error responses and the admin routes are rarely called: compiling
// them all up front cost ~25 MB of resident memory for code that mostly never runs
// (bench/optimisations.md). The compiled function is kept, so only the first use pays.
// A schema Ajv cannot compile fails that route's first request (a 500) instead of the
// start: the test suite calls every route and the OpenAPI test reads every schema.
import ValidatorSelector from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Validate = ((data: unknown, context?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type Serialize = (data: unknown) => string;
type Compile<F> = (route: { schema: unknown; method?: string; url?: string; httpPart?: string; httpStatus?: string }) => F;

function lazyValidator<R>(compile: Compile<Validate>, route: R): Validate {
  let compiled: Validate | null = null;
  // Fastify reads `errors` off the function it called, as Ajv leaves them there, and
  // passes the parent data (so Ajv can coerce or default a root value) only to a function
  // with `schemaEnv`, as Ajv's have: set here so it does, and handed on as Ajv expects.
  const validate: Validate = (data, context) => {
    compiled ??= compile(route as never);
    const result = compiled.schemaEnv ? compiled(data, context) : compiled(data);
    validate.errors = compiled.errors;
    return result;
  };
  validate.schemaEnv = true;
  return validate;
}

function lazySerializer<R>(compile: Compile<Serialize>, route: R): Serialize {
  let compiled: Serialize | null = null;
  return (data) => {
    compiled ??= compile(route as never);
    return compiled(data);
  };
}

export function lazySchemaCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  const buildValidator = ValidatorSelector();
  const buildSerializer = SerializerSelector();
  return {
    compilersFactory: {
      buildValidator(externalSchemas: unknown, ajvOptions: unknown) {
        const compile = buildValidator(externalSchemas as never, ajvOptions as never) as unknown as Compile<Validate>;
        return (route: unknown) => lazyValidator(compile, route);
      },
      buildSerializer(externalSchemas: unknown, serializerOptions: unknown) {
        const compile = buildSerializer(externalSchemas as never, serializerOptions as never) as unknown as Compile<Serialize>;
        return (route: unknown) => lazySerializer(compile, route);
      },
    },
  } as NonNullable<FastifyServerOptions['schemaController']>;
}
