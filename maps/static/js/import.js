// The station spreadsheet upload (/office/sites/import): the upload's progress, then the job's.
// Without this script the form posts as a plain form and the job's page is reloaded by hand.
(function () {
  "use strict";

  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  }

  // The form: sent by XMLHttpRequest so that the bytes sent can be shown; the answer is the job's
  // page (opened), or a refusal (the form with its errors, a page saying the file is too big).
  var form = document.getElementById("import-form");
  if (form) {
    var box = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-bar");
    var text = document.getElementById("upload-text");
    var maxBytes = Number(form.getAttribute("data-max-bytes"));
    var say = function (message) {
      text.textContent = message;
    };
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      var file = input && input.files && input.files[0];
      if (!file) {
        return; // the server says what is missing, on the form
      }
      event.preventDefault();
      box.hidden = false;
      if (maxBytes && file.size > maxBytes) {
        bar.value = 0;
        say("Tệp " + grouped(Math.round(file.size / 1024)) + " KB, lớn hơn giới hạn " +
            grouped(Math.round(maxBytes / 1024)) + " KB: chưa tải lên.");
        return;
      }
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) {
        data.append(event.submitter.name, event.submitter.value);
      }
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      form.setAttribute("aria-busy", "true");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      // Asked as JSON, a started job is answered 201 with its page's address (not a redirect).
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((100 * e.loaded) / e.total);
          say("Đang tải tệp lên: " + bar.value + "%");
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        say("Đã tải lên; đang bắt đầu kiểm tra…");
      });
      var restore = function (message) {
        buttons.forEach(function (b) { b.disabled = false; });
        form.removeAttribute("aria-busy");
        say(message);
      };
      xhr.addEventListener("error", function () {
        restore("Không gửi được tệp (mất kết nối?). Thử lại.");
      });
      xhr.addEventListener("load", function () {
        var type = xhr.getResponseHeader("Content-Type") || "";
        if (xhr.status === 201 && type.indexOf("application/json") === 0) {
          window.location.assign(JSON.parse(xhr.responseText).job);
          return;
        }
        var main = null;
        if (type.indexOf("text/html") === 0) {
          main = new DOMParser().parseFromString(xhr.responseText, "text/html").getElementById("main");
        }
        if (main) {
          // A refusal drawn as a page (the form with its errors, 403, 413): shown in place.
          document.getElementById("main").replaceWith(document.adoptNode(main));
          var summary = document.getElementById("error-summary");
          if (summary) {
            summary.focus();
          }
          return;
        }
        restore(xhr.status === 413 ? "Tệp vượt quá giới hạn dung lượng: chưa tải lên."
                                   : "Máy chủ trả lời mã " + xhr.status + ". Thử lại.");
      });
      xhr.send(data);
    });
  }

  // The job's page: how far it is, from the database (any server process answers), until it ends.
  var dataNode = document.getElementById("page-data");
  var jobBar = document.getElementById("job-bar");
  if (dataNode && jobBar) {
    var page = JSON.parse(dataNode.textContent);
    var jobText = document.getElementById("job-text");
    var poll = function () {
      fetch(page.status, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) {
            throw new Error("status " + r.status);
          }
          return r.json();
        })
        .then(function (s) {
          jobText.textContent = s.text;
          jobBar.max = Math.max(s.total, 1);
          jobBar.value = s.done;
          if (s.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () {
          jobText.textContent = "Chưa lấy được tiến độ; thử lại sau ít giây…";
          window.setTimeout(poll, 3000);
        });
    };
    window.setTimeout(poll, 1000);
  }
})();
