// Small progressive enhancements; every page works without this file.
document.addEventListener("submit", function (e) {
  // A double-clicked submit sends the form once.
  var form = e.target;
  if (form.dataset.submitting === "1") { e.preventDefault(); return; }
  form.dataset.submitting = "1";
  setTimeout(function () { form.dataset.submitting = ""; }, 4000);
});

// A search for an ID number or a mobile number is posted, so the number stays out of the
// address bar, the history and the server's logs.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!form.hasAttribute("data-private-search")) return;
  var q = form.querySelector("[name=q]");
  var text = q ? q.value.replace(/\s/g, "") : "";
  var id = /^[0-9\uFF10-\uFF19]{17}[0-9Xx\uFF10-\uFF19\uFF38\uFF58]$/;
  var mobile = /^(\+?86)?1[0-9]{10}$/;
  if (!id.test(text) && !mobile.test(text)) return;
  form.method = "post";
  if (!form.querySelector("input[name=csrf]")) {
    var t = document.createElement("input");
    t.type = "hidden";
    t.name = "csrf";
    t.value = form.dataset.csrf;
    form.appendChild(t);
  }
}, true);

// A button marked data-print prints the page (no inline handlers: the pages run under a strict
// Content-Security-Policy).
document.addEventListener("click", function (e) {
  var b = e.target.closest ? e.target.closest("[data-print]") : null;
  if (b) { window.print(); }
});
