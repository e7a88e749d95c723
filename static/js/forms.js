// Behaviours of the forms, from data- attributes (the Content-Security-Policy forbids inline
// scripts and on* handlers). Loaded by base.html after ism.js, whose data-confirm question runs
// first: a submit it cancelled is left alone here.
(function () {
  "use strict";

  // data-show-when="delivery_differs" (a checkbox, ticked) or "payment_mode=sepa" (a value) on a
  // wrapper: the fields inside are shown only when they apply. Hidden fields are still sent.
  function controlOf(wrapper, name) {
    const form = wrapper.closest("form") || document;
    return form.querySelectorAll("[name='" + name + "']");
  }

  function applies(wrapper) {
    const rule = wrapper.getAttribute("data-show-when") || "";
    const at = rule.indexOf("=");
    const name = at < 0 ? rule : rule.slice(0, at);
    const wanted = at < 0 ? null : rule.slice(at + 1).split("|");
    for (const control of controlOf(wrapper, name)) {
      if (control.type === "checkbox" || control.type === "radio") {
        if (control.checked && (wanted === null || wanted.includes(control.value))) {
          return true;
        }
      } else if (wanted === null ? Boolean(control.value) : wanted.includes(control.value)) {
        return true;
      }
    }
    return false;
  }

  function refreshDisclosures(root) {
    root.querySelectorAll("[data-show-when]").forEach(function (wrapper) {
      // A field the server refused stays in sight, whatever the control says.
      wrapper.hidden = !applies(wrapper) && !wrapper.querySelector(".has-error");
    });
  }

  document.addEventListener("change", function (event) {
    const form = event.target.closest && event.target.closest("form");
    if (form) {
      refreshDisclosures(form);
    }
  });

  // A form that starts slow work (creating a tenant takes seconds) is sent once: its buttons are
  // disabled while the next page loads. Disabled after the submit, so the clicked button's
  // name and value (step=review…) are still sent.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post" || form.hasAttribute("hx-post")) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });

  // Back from the next page (the browser's page cache): the form can be used again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button, input[type=submit]").forEach(function (button) {
        button.disabled = false;
      });
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    refreshDisclosures(document);
  });
})();
