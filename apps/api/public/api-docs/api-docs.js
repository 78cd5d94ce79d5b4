// Starts Swagger UI on the api's own OpenAPI document. A file rather than an inline script, so
// the page needs no 'unsafe-inline' script source; it runs after swagger-ui-bundle.js (both defer).

window.ui = window.SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  // Swagger UI would otherwise send the document to validator.swagger.io for its badge: the page
  // calls nothing outside the api.
  validatorUrl: null,
  // Reading only, no "Try it out": the page is open to anyone, and requests sent from it would
  // enqueue real tasks and need an API key typed into a page that has no reason to hold one (the
  // dashboard is the page that does). Each operation shows its body and answers; send with curl
  // or @sluice/client.
  supportedSubmitMethods: [],
  deepLinking: true,
  // Open the operations, so a reader sees every route at once; the schemas list stays collapsed.
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  displayOperationId: true,
});
