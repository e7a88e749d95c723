// The line order form: "Add a line" appends the formset's empty form with the next index
// (a file rather than an inline script: the Content-Security-Policy forbids inline scripts).
document.getElementById("add-line").addEventListener("click", function () {
  const total = document.getElementById("id_lines-TOTAL_FORMS");
  const index = parseInt(total.value, 10);
  const html = document.getElementById("order-line-template").innerHTML.replace(/__prefix__/g, String(index));
  document.getElementById("order-lines").insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
});
