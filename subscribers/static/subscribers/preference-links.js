// "Copy" next to each preference link (templates/admin/subscribers/person/preference_links.html):
// copies the link, then the button says so in the words of its data-copied attribute.
document.querySelectorAll("button.copy-link").forEach(function (button) {
  button.addEventListener("click", function () {
    var input = document.getElementById(button.dataset.target);
    input.select();
    var done = function () { button.textContent = button.dataset.copied; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done);
    } else {
      document.execCommand("copy"); done();
    }
  });
});
