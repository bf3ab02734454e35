// Back-office pages.
// - On a phone, a list's filter panel starts folded, so the results come first (the filters on are
//   shown as chips above them and counted on the fold); on a wider screen it stays open beside them.
// - A refused form's error summary takes the focus, so a screen reader reads it first and the keyboard
//   starts from its links to the fields (the GOV.UK Design System does the same).
(function () {
  var fold = document.querySelector("details.filters-fold");
  if (fold && window.matchMedia("(max-width: 700px)").matches) {
    fold.removeAttribute("open");
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
