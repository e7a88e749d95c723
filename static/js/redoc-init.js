// ReDoc's start, as a file (the Content-Security-Policy forbids inline scripts). ReDoc injects
// <style> elements: they carry the nonce this response's policy allows.
(function () {
  "use strict";
  const container = document.getElementById("redoc-container");
  const settings = JSON.parse(container.getAttribute("data-settings") || "{}");
  settings.nonce = container.getAttribute("data-style-nonce");
  Redoc.init(container.getAttribute("data-spec-url"), settings, container);
})();
