// Back-office pages: on a phone, a list's filter panel starts folded (unless a filter is on), so the
// results come first; on a wider screen it stays open beside them (its summary is hidden there).
(function () {
  var fold = document.querySelector("details.filters-fold");
  if (fold && window.matchMedia("(max-width: 700px)").matches && !fold.hasAttribute("data-filtered")) {
    fold.removeAttribute("open");
  }
})();
