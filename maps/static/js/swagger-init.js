// Starts Swagger UI on /docs with the configuration the page carries as data (no inline script).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("page-data").textContent);
  window.ui = SwaggerUIBundle(Object.assign(config, {
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  }));
})();
