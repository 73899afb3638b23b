// The staff referral-tree browser: expand a downline in place and page on with "more",
// each loading a small HTML fragment of list items (distribution/referral/browser/views.py).
(function () {
  "use strict";

  function load(url) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      });
  }

  function failed(button) {
    button.disabled = false;
    button.classList.add("tree-failed");
    button.title = document.documentElement.lang && document.documentElement.lang.indexOf("zh") === 0
      ? "加载失败，请重试" : "Loading failed; try again";
  }

  function toggle(button) {
    var node = button.closest(".tree-node");
    var list = node.querySelector(":scope > ul.tree-list");
    if (list) {
      var open = button.getAttribute("aria-expanded") === "true";
      list.hidden = open;
      button.setAttribute("aria-expanded", open ? "false" : "true");
      button.textContent = open ? "+" : "−";
      return;
    }
    button.disabled = true;
    load(button.dataset.url).then(function (html) {
      list = document.createElement("ul");
      list.className = "tree-list";
      list.setAttribute("data-testid", "sublist");
      list.innerHTML = html;
      node.appendChild(list);
      button.disabled = false;
      button.setAttribute("aria-expanded", "true");
      button.textContent = "−";
    }).catch(function () { failed(button); });
  }

  function more(button) {
    var item = button.closest(".tree-more");
    button.disabled = true;
    load(button.dataset.url).then(function (html) {
      item.insertAdjacentHTML("beforebegin", html);
      item.remove();
    }).catch(function () { failed(button); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".tree-browser button[data-url]");
    if (!button) { return; }
    event.preventDefault();
    if (button.classList.contains("tree-toggle")) { toggle(button); } else { more(button); }
  });
})();
