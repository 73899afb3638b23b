/* Draws the spec editors over their JSON textareas (see mall/admin/widgets.py). */
(function () {
  "use strict";

  function parse(text, fallback) {
    try { var value = JSON.parse(text || ""); return value === null ? fallback : value; }
    catch (e) { return fallback; }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function optionsArea() { return document.querySelector('textarea[data-spec-editor="options"]'); }

  function currentOptions() {
    var area = optionsArea();
    var options = area ? parse(area.value, []) : [];
    return Array.isArray(options) ? options : [];
  }

  function drawOptions(area) {
    var box = el("div", { "class": "spec-editor-options" });
    var rows = el("div");
    box.appendChild(rows);

    function write() {
      var options = [];
      rows.querySelectorAll(".spec-row").forEach(function (row) {
        var name = row.querySelector(".spec-name").value.trim();
        var values = row.querySelector(".spec-values").value.split(/[,，、]/)
          .map(function (v) { return v.trim(); }).filter(Boolean);
        if (name || values.length) { options.push({ name: name, values: values }); }
      });
      area.value = JSON.stringify(options);
      document.querySelectorAll('textarea[data-spec-editor="sku"]').forEach(redrawSku);
    }

    function addRow(option) {
      var row = el("div", { "class": "spec-row" });
      var name = el("input", { type: "text", "class": "spec-name", placeholder: area.dataset.labelName,
                               "aria-label": area.dataset.labelName });
      var values = el("input", { type: "text", "class": "spec-values", placeholder: area.dataset.labelValues,
                                 "aria-label": area.dataset.labelValues });
      var remove = el("button", { type: "button", "class": "button spec-remove" }, area.dataset.labelRemove);
      name.value = option.name || "";
      values.value = (option.values || []).join(", ");
      [name, values].forEach(function (input) { input.addEventListener("input", write); });
      remove.addEventListener("click", function () { row.remove(); write(); });
      row.append(name, values, remove);
      rows.appendChild(row);
    }

    var add = el("button", { type: "button", "class": "button spec-add" }, area.dataset.labelAdd);
    add.addEventListener("click", function () { addRow({}); });
    box.appendChild(add);
    currentOptions().forEach(addRow);
    if (!currentOptions().length) { addRow({}); }
    area.classList.add("spec-json-drawn");
    area.parentNode.insertBefore(box, area);
  }

  function redrawSku(area) {
    var box = area.previousElementSibling;
    if (!box || !box.classList.contains("spec-editor-sku")) {
      box = el("div", { "class": "spec-editor-sku" });
      area.parentNode.insertBefore(box, area);
    }
    var chosen = parse(area.value, {});
    if (typeof chosen !== "object" || Array.isArray(chosen)) { chosen = {}; }
    box.textContent = "";
    currentOptions().forEach(function (option) {
      var select = el("select", { "aria-label": option.name, "data-option": option.name });
      select.appendChild(el("option", { value: "" }, option.name + "：" + area.dataset.labelChoose));
      (option.values || []).forEach(function (value) {
        var item = el("option", { value: value }, option.name + "：" + value);
        if (chosen[option.name] === value) { item.selected = true; }
        select.appendChild(item);
      });
      select.addEventListener("change", function () { writeSku(area, box); });
      box.appendChild(select);
    });
    area.classList.add("spec-json-drawn");
  }

  function writeSku(area, box) {
    var specs = {};
    box.querySelectorAll("select").forEach(function (select) {
      if (select.value) { specs[select.dataset.option] = select.value; }
    });
    area.value = Object.keys(specs).length ? JSON.stringify(specs) : "";
    area.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function init() {
    var area = optionsArea();
    if (area) { drawOptions(area); }
    document.querySelectorAll('textarea[data-spec-editor="sku"]').forEach(function (sku) {
      if (!sku.name.includes("__prefix__")) { redrawSku(sku); }
    });
  }

  document.addEventListener("DOMContentLoaded", init);
  // A row added with "Add another SKU" gets its selects too.
  document.addEventListener("formset:added", function (event) {
    var sku = event.target.querySelector('textarea[data-spec-editor="sku"]');
    if (sku) { redrawSku(sku); }
  });
})();
