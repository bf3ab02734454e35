// The "print this page" button of every page (no inline handler: the pages' CSP forbids them).
document.getElementById("print-page").addEventListener("click", function () {
  window.print();
});
