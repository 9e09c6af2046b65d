import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

/** A zod schema as OpenAPI 3.0 JSON Schema: one definition for the check, the type and the description. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as SchemaObject;
}

/**
 * The answer of a route, described by its zod schema (so the console's
 * generated client has its exact type: apps/console/src/api).
 */
export function ApiJson(schema: z.ZodType, status = 200, description = 'OK'): MethodDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { schema: openApiSchema(schema) } } });
}

/** The JSON body of a route, described by the zod schema that checks it. */
export function ApiJsonBody(schema: z.ZodType): MethodDecorator {
  return ApiBody({ schema: openApiSchema(schema, 'input') });
}

/**
 * The query parameters of a route, described by the zod object that checks
 * them (each property a parameter, required unless optional or defaulted).
 */
export function ApiQueryFrom(schema: z.ZodObject): MethodDecorator {
  return applyDecorators(
    ...Object.entries(schema.shape).map(([name, prop]) => {
      const field = prop as z.ZodType;
      const json = openApiSchema(field, 'input');
      const optional = field.safeParse(undefined).success;
      const { description, ...rest } = json as SchemaObject & { description?: string };
      return ApiQuery({ name, required: !optional, schema: rest, description });
    }),
  );
}
