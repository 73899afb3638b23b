/* The share sheet (分享): copy the link, save the poster, open the 素材. Without JS the
   share button does nothing, and the links on 我的小店 / 素材 pages still work. */
(function () {
  "use strict";
  function $(selector, root) { return (root || document).querySelector(selector); }

  function openSheet(button) {
    var sheet = $("[data-share-sheet]");
    if (!sheet) return;
    var link = button.getAttribute("data-link") || "";
    $("[data-share-title]", sheet).textContent = button.getAttribute("data-title") || "";
    $("[data-share-link]", sheet).setAttribute("data-copy", link);
    $("[data-share-link-text]", sheet).textContent = link;
    $("[data-share-materials]", sheet).setAttribute("href", button.getAttribute("data-materials") || "#");
    sheet.setAttribute("data-poster", button.getAttribute("data-poster") || "");
    $("[data-poster-view]", sheet).hidden = true;
    sheet.hidden = false;
  }

  function showPoster(sheet) {
    var url = sheet.getAttribute("data-poster");
    if (!url) return;
    $("[data-poster-img]", sheet).setAttribute("src", url);
    $("[data-poster-download]", sheet).setAttribute("href", url + (url.indexOf("?") < 0 ? "?" : "&") + "download=1");
    $("[data-poster-view]", sheet).hidden = false;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var opener = target.closest("[data-share-open]");
    if (opener) { openSheet(opener); return; }
    if (target.closest("[data-share-open-default]")) {
      var first = $("[data-share-open]");
      if (first) openSheet(first);
      return;
    }
    var sheet = target.closest("[data-share-sheet]");
    if (!sheet) return;
    if (target.closest("[data-share-poster]")) { showPoster(sheet); return; }
    if (target.closest("[data-poster-close]")) { $("[data-poster-view]", sheet).hidden = true; return; }
    if (target.closest("[data-share-close]")) { sheet.hidden = true; }
  });
  /* The profile page: show a chosen logo or cover, and the typed name and introduction, in
     the preview before saving (the server still checks and crops the picture). */
  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-preview-input]");
    if (!input || !input.files || !input.files[0] || !window.URL) return;
    var url = URL.createObjectURL(input.files[0]);
    if (input.getAttribute("data-preview-input") === "cover") {
      var hero = $("[data-preview-cover]");
      if (hero) hero.style.background = "linear-gradient(rgba(0,0,0,.25), rgba(0,0,0,.25)), center / cover no-repeat url('" + url + "')";
      return;
    }
    var logo = $("[data-preview-logo]");
    if (!logo) return;
    if (logo.tagName !== "IMG") {
      var img = document.createElement("img");
      img.className = "avatar avatar-lg";
      img.alt = "";
      img.setAttribute("data-preview-logo", "");
      logo.replaceWith(img);
      logo = img;
    }
    logo.src = url;
  });
  document.addEventListener("input", function (event) {
    var field = event.target;
    var target = field.name === "name" ? $("[data-preview-name]") : field.name === "intro" ? $("[data-preview-intro]") : null;
    if (target) target.textContent = field.value;
  });
  document.addEventListener("keydown", function (event) {
    var sheet = $("[data-share-sheet]");
    if (event.key === "Escape" && sheet) sheet.hidden = true;
  });
})();
