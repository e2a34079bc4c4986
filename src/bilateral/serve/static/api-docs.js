/* Starts Swagger UI on /api/docs over the server's own OpenAPI document (the URL is in the
   page's data-openapi attribute). Nothing is fetched from elsewhere: no validator badge. */
(function () {
  "use strict";

  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.openapi,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,  // a token pasted into Authorize stays in this page only
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
}());
