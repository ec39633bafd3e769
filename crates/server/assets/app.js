// Small progressive enhancements; every page works without this file.
document.addEventListener("submit", function (e) {
  // A double-clicked submit sends the form once.
  var form = e.target;
  if (form.dataset.submitting === "1") { e.preventDefault(); return; }
  form.dataset.submitting = "1";
  setTimeout(function () { form.dataset.submitting = ""; }, 4000);
});
