// The sign-in form: posts to the token route for a session cookie, then goes back to the page that
// sent the user here. Where to go back to comes from the page data (a same-site path checked by the server).
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  // Only a path on this site, as the server checked it (never //host, a scheme, a backslash or a control character).
  var next = /^\/(?![\/\\])[^\\\u0000-\u001f\u007f]*$/.test(data.next) ? data.next : "/maps/";
  document.getElementById("sign-in-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = new URLSearchParams(new FormData(e.target));
    fetch(e.target.getAttribute("action"), {method: "POST", body: form, credentials: "same-origin"})
      .then(function (r) {
        if (r.ok) {
          window.location.assign(next);
          return;
        }
        return r.json().then(function (p) {
          document.getElementById("sign-in-error").textContent = data.failed + ": " + (p.detail || p.title);
        });
      });
  });
})();
