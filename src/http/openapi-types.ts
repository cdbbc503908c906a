// The shape of the OpenAPI document (openapi.ts) as its readers see it: the API reference page and the Postman
// collection render from these. Type aliases, not interfaces: the generated JSON object converts without a cast.
export type OpenApiSchema = Record<string, unknown>;

export type OpenApiParameter = {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: OpenApiSchema;
};

export type OpenApiMedia = {
  schema: OpenApiSchema & { $ref?: string };
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
};

export type OpenApiResponse = {
  description: string;
  'x-error-codes'?: string[];
  content?: Record<string, OpenApiMedia>;
};

export type OpenApiOperation = {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, OpenApiMedia> };
  responses: Record<string, OpenApiResponse>;
};

export type OpenApiDocument = {
  info: { title: string; version: string; description?: string };
  externalDocs?: { url: string; description?: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, OpenApiSchema>; securitySchemes: Record<string, { description?: string }> };
};
