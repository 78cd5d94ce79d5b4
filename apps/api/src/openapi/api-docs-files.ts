/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/api/openapi.json';

/** Where the API reference page is served; its files are under it. */
export const API_DOCS_PATH = '/api/docs';

/**
 * Every file the reference page loads, by the name it has under {@link API_DOCS_PATH}: Swagger
 * UI's stylesheet and bundle from the installed swagger-ui-dist, and our own script that starts
 * it. A list rather than the whole package directory: swagger-ui-dist also holds a stock page
 * and initializer that point at the Petstore on the internet.
 */
export const API_DOCS_FILES = Object.freeze({
  'swagger-ui.css': { from: 'swagger-ui-dist', type: 'text/css' },
  'swagger-ui-bundle.js': { from: 'swagger-ui-dist', type: 'text/javascript' },
  'api-docs.js': { from: 'public', type: 'text/javascript' },
} as const);

export type ApiDocsFile = keyof typeof API_DOCS_FILES;
