// Small behaviours of the pages. No framework: htmx does the in-place updates.
// The Content-Security-Policy forbids inline scripts, event handler attributes and style
// attributes, so what the templates would have written inline is done here, from data- attributes.
(function () {
  "use strict";

  // data-brand-colours="--brand: #rrggbb; --brand-ink: #rrggbb;" (the tenant's colours, on <html>
  // or on a preview): set as CSS custom properties. Only these two names and #rrggbb values.
  // data-brand-link="#rrggbb" (the primary darkened until readable on white): --brand-link.
  const BRAND_DECLARATION = /^\s*(--brand|--brand-ink)\s*:\s*(#[0-9a-fA-F]{6})\s*$/;
  function applyBrandColours(element) {
    const declarations = (element.getAttribute("data-brand-colours") || "").split(";");
    for (const declaration of declarations) {
      const match = BRAND_DECLARATION.exec(declaration);
      if (match) {
        element.style.setProperty(match[1], match[2]);
      }
    }
    const link = element.getAttribute("data-brand-link") || "";
    if (/^#[0-9a-fA-F]{6}$/.test(link)) {
      element.style.setProperty("--brand-link", link);
    }
  }

  // data-percent="42" on a progress bar: its width, without animating from 0 (a new bar, as the
  // polled job progress brings, is drawn at its width like the old style attribute did).
  function applyPercent(element) {
    const percent = Math.max(0, Math.min(100, parseFloat(element.getAttribute("data-percent")) || 0));
    element.style.transition = "none";
    element.style.width = percent + "%";
    void element.offsetWidth;
    element.style.transition = "";
  }

  function enhance(root) {
    if (root.matches && root.matches("[data-brand-colours]")) {
      applyBrandColours(root);
    }
    if (root.matches && root.matches("[data-percent]")) {
      applyPercent(root);
    }
    if (root.querySelectorAll) {
      root.querySelectorAll("[data-brand-colours]").forEach(applyBrandColours);
      root.querySelectorAll("[data-percent]").forEach(applyPercent);
    }
  }

  // The <html> element exists already (this script is in <head>, not deferred): the colours
  // apply before the first paint.
  enhance(document.documentElement);
  document.addEventListener("DOMContentLoaded", function () {
    enhance(document.body);
  });
  // Content added later (htmx swaps: the job progress that polls), before it is painted.
  new MutationObserver(function (mutations) {
    for (const mutation of mutations) {
      mutation.addedNodes.forEach(enhance);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  // The menu button of small screens (data-menu-toggle, aria-controls="sidebar"): opens and
  // closes the navigation; Escape closes it and gives the focus back to the button.
  document.addEventListener("click", function (event) {
    const toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (!toggle) {
      return;
    }
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    const target = document.getElementById(toggle.getAttribute("aria-controls"));
    if (target) {
      target.classList.toggle("open", open);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll('[data-menu-toggle][aria-expanded="true"]').forEach(function (toggle) {
      toggle.click();
      toggle.focus();
    });
  });

  // data-confirm="Question?" on a form or its submit button: asked before submitting.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question =
      form.getAttribute("data-confirm") || (event.submitter && event.submitter.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
