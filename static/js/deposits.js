// The deposit console (cdr_import/deposit.html): files dropped on the zone or chosen in the input
// are listed with the feed type recognised from their name (changeable), then each is sent on its
// own and followed until its import is finished. Without JavaScript the form posts them all.
(function () {
  "use strict";

  const BADGE = { done: "done", rejected: "error", done_with_rejections: "warn", duplicate: "warn" };

  function csrf(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function badge(cell, text, status) {
    cell.textContent = "";
    const span = document.createElement("span");
    span.className = "badge " + (BADGE[status] || (status ? "running" : ""));
    span.textContent = text;
    if (status) {
      span.setAttribute("data-status", status);
    }
    cell.appendChild(span);
    return span;
  }

  function setup(form) {
    const input = form.querySelector("[data-deposit-input]");
    const zone = form.querySelector("[data-dropzone]");
    const list = form.querySelector("[data-deposit-files]");
    const rows = form.querySelector("[data-deposit-rows]");
    const template = form.querySelector("template[data-deposit-row]");
    const texts = form.querySelector("[data-deposit-texts]").dataset;
    const pending = [];
    let counter = 0;
    form.noValidate = true;

    function detect(entries) {
      const query = entries.map(function (e) { return "name=" + encodeURIComponent(e.file.name); }).join("&");
      fetch(form.dataset.detectUrl + "?" + query, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          entries.forEach(function (entry, index) {
            entry.select.value = body.types[index] || "";
          });
        })
        .catch(function () {});
    }

    function add(files) {
      const added = [];
      Array.prototype.forEach.call(files, function (file) {
        const row = template.content.firstElementChild.cloneNode(true);
        const select = row.querySelector("[data-cell=type]");
        const label = row.querySelector("[data-cell=type-label]");
        counter += 1;
        select.id = "deposit-type-" + counter;
        label.setAttribute("for", select.id);
        label.textContent = label.textContent + " — " + file.name;
        row.querySelector("[data-cell=name]").textContent = file.name;
        rows.appendChild(row);
        const entry = { file: file, row: row, select: select, sent: false };
        pending.push(entry);
        added.push(entry);
      });
      if (added.length) {
        list.hidden = false;
        detect(added);
      }
    }

    function follow(entry, url, cell) {
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          show(entry, body, cell);
          if (!body.finished) {
            window.setTimeout(function () { follow(entry, url, cell); }, 1000);
          }
        })
        .catch(function () {
          window.setTimeout(function () { follow(entry, url, cell); }, 3000);
        });
    }

    function show(entry, body, cell) {
      badge(cell, body.status_label, body.status);
      const link = document.createElement("a");
      link.href = body.url;
      link.textContent = " " + texts.open;
      cell.appendChild(link);
      if (body.feed_type) {
        entry.select.value = body.feed_type;
      }
    }

    function send(entry) {
      const cell = entry.row.querySelector("[data-cell=status]");
      entry.sent = true;
      entry.select.disabled = true;
      badge(cell, texts.uploading, "received");
      const data = new FormData();
      data.append("file", entry.file, entry.file.name);
      data.append("feed_type", entry.select.value);
      ["flow", "customer", "profile"].forEach(function (name) {
        const field = form.elements.namedItem(name);
        if (field) {
          data.append(name, field.value);
        }
      });
      return fetch(form.dataset.uploadUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(form) },
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (!result.ok) {
            const messages = Object.values(result.body.errors || {}).flat().join(" ");
            badge(cell, texts.failed + " : " + messages, "rejected");
            return;
          }
          show(entry, result.body, cell);
          follow(entry, result.body.url + "progress/", cell);
        })
        .catch(function () {
          badge(cell, texts.failed, "rejected");
        });
    }

    input.addEventListener("change", function () {
      add(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.remove("over");
      });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files) {
        add(event.dataTransfer.files);
      }
    });
    zone.addEventListener("click", function () { input.click(); });
    zone.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        input.click();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const waiting = pending.filter(function (entry) { return !entry.sent; });
      if (!waiting.length) {
        window.alert(texts.none);
        return;
      }
      waiting.forEach(send);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-deposit]").forEach(setup);
  });
})();
