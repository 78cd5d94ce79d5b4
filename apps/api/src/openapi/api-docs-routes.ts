import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { API_DOCS_FILES, API_DOCS_PATH, OPENAPI_PATH } from './api-docs-files.js';
import type { OpenApiDocument } from './openapi-document.js';

/** The page and its script, beside the dashboard's files; resolved from this module, not the working directory. */
const PAGE_DIR = fileURLToPath(new URL('../../public/api-docs/', import.meta.url));

/** swagger-ui-dist's files. Resolved by a file, not the package: its main module loads the bundle into Node. */
const swaggerUiDir = (): string =>
  dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/swagger-ui-bundle.js'));

const isDocsFile = (name: string): name is keyof typeof API_DOCS_FILES => Object.hasOwn(API_DOCS_FILES, name);

/**
 * `GET /api/openapi.json`, the document as built when the app was, and `GET /api/docs`, Swagger
 * UI's page over it with its files. Mount them before the API key check and the rate limiter:
 * they hold no data. A path under /api/docs they do not serve falls through, for the app's 404.
 *
 * Files are revalidated on every load (ETag), as the dashboard's are: their names carry no
 * version, and a stale bundle after an upgrade would be worse than a 304.
 *
 * @example
 * app.use(createApiDocsRoutes(buildOpenApiDocument(catalog, { version })));
 */
export const createApiDocsRoutes = (document: OpenApiDocument): Router => {
  const router = Router();
  const text = JSON.stringify(document);
  const swaggerUi = swaggerUiDir();
  router.get(OPENAPI_PATH, (_request, response) => {
    response.type('application/json').send(text);
  });
  router.get(API_DOCS_PATH, (_request, response) => {
    response.sendFile(join(PAGE_DIR, 'index.html'), { maxAge: 0 });
  });
  router.get(`${API_DOCS_PATH}/:file`, (request, response, next) => {
    const { file } = request.params;
    if (!isDocsFile(file)) {
      next();
      return;
    }
    response.sendFile(join(API_DOCS_FILES[file].from === 'public' ? PAGE_DIR : swaggerUi, file), { maxAge: 0 });
  });
  return router;
};
