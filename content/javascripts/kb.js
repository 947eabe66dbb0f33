/* Clinical KB: print date and overdue-review banners, decided in the reader's browser so that a
   site that is not rebuilt still shows an overdue review on time. No request leaves the page. */
(function () {
  "use strict";

  function isoToday() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function stampPrintDate() {
    var now = new Date();
    var text = now.toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" })
      + " " + now.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    document.querySelectorAll("[data-kb-print-date]").forEach(function (el) {
      el.textContent = text;
    });
  }

  function showOverdue() {
    var today = isoToday();
    document.querySelectorAll("[data-kb-next-review]").forEach(function (el) {
      if (el.getAttribute("data-kb-next-review") < today) {
        el.classList.add("kb-review--overdue");
        var row = el.closest("tr");
        var tag = row && row.querySelector(".kb-overdue-tag");
        if (tag) { tag.hidden = false; }
      }
    });
    document.querySelectorAll("[data-kb-overdue-banner]").forEach(function (el) {
      var status = document.querySelector("[data-kb-next-review]");
      if (status && status.getAttribute("data-kb-next-review") < today) { el.hidden = false; }
    });
  }

  function init() {
    stampPrintDate();
    showOverdue();
  }

  window.addEventListener("beforeprint", stampPrintDate);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
