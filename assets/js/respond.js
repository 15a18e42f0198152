// Optional comforts; every page works without this script.
// 1. A search box above long selects (the 126 wards and communes) that narrows their options.
// 2. Focus on the error summary, so a screen reader announces what to correct; its links move
//    the focus into the field to correct, not only the view.
// 3. A confirmation before an administrator's irreversible action (forms with data-confirm).
(function () {
  "use strict";
  document.querySelectorAll("select[data-search-label]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-search";
    box.setAttribute("aria-label", select.getAttribute("data-search-label"));
    box.placeholder = select.getAttribute("data-search-label");
    select.parentNode.insertBefore(box, select);
    var fold = function (s) {
      return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
    };
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      var first = null;
      select.querySelectorAll("option").forEach(function (option) {
        var match = !option.value || fold(option.textContent).indexOf(wanted) !== -1;
        option.hidden = !match;
        if (match && option.value && !first) { first = option; }
      });
      if (first && wanted) { select.value = first.value; }
    });
  });
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.querySelectorAll("a[href^='#q-']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var question = document.getElementById(link.getAttribute("href").slice(1));
        var field = question && question.querySelector("input:not([type=hidden]):not(.select-search), select, textarea");
        if (!field) { return; }
        event.preventDefault();
        question.scrollIntoView();
        field.focus();
      });
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
