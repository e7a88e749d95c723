// Django formsets whose rows are added in the page: a container marked `data-formset` holds a
// <template data-formset-empty> (the formset's empty form, with __prefix__ for its index), a
// body `data-formset-body` and a button `data-formset-add`. Adding a row clones the empty form
// with the next index and counts it in the management form's TOTAL_FORMS.
(function () {
  function addRow(container) {
    const prefix = container.getAttribute("data-formset");
    const total = container.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    const empty = container.querySelector("template[data-formset-empty]");
    const body = container.querySelector("[data-formset-body]");
    if (!total || !empty || !body) {
      return;
    }
    const index = parseInt(total.value, 10) || 0;
    const max = container.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    if (max && index >= parseInt(max.value, 10)) {
      return;
    }
    // A <template> parses any row (a table row or a fieldset) outside its usual context.
    const holder = document.createElement("template");
    holder.innerHTML = empty.innerHTML.replace(/__prefix__/g, String(index));
    const row = holder.content.firstElementChild;
    if (!row) {
      return;
    }
    body.appendChild(row);
    total.value = String(index + 1);
    const first = row.querySelector("select, input:not([type=hidden]), textarea");
    if (first) {
      first.focus();
    }
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-formset-add]");
    if (!button) {
      return;
    }
    const container = button.closest("[data-formset]");
    if (container) {
      event.preventDefault();
      addRow(container);
    }
  });
})();
