// Back-office pages.
// - On a phone, a list's filter panel starts folded (unless a filter is on), so the results come first;
//   on a wider screen it stays open beside them (its summary is hidden there).
// - A refused form's error summary takes the focus, so a screen reader reads it first and the keyboard
//   starts from its links to the fields (the GOV.UK Design System does the same).
(function () {
  var fold = document.querySelector("details.filters-fold");
  if (fold && window.matchMedia("(max-width: 700px)").matches && !fold.hasAttribute("data-filtered")) {
    fold.removeAttribute("open");
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
