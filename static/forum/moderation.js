// Moderation queue keyboard shortcuts, and the personal-information warning on comment forms.
// Progressive enhancement only: every action is a plain form that works without this file.
(function () {
  "use strict";

  // ------------------------------------------------------------- queue keys
  var list = document.getElementById("queue-items");
  if (list) {
    var items = Array.prototype.slice.call(list.querySelectorAll(".queue-item"));
    var current = -1;
    var select = function (index, scroll) {
      if (!items.length) return;
      index = Math.max(0, Math.min(items.length - 1, index));
      if (items[current]) items[current].classList.remove("is-current");
      current = index;
      items[current].classList.add("is-current");
      items[current].focus({ preventScroll: !scroll });
      if (scroll) items[current].scrollIntoView({ block: "nearest" });
    };
    var fromHash = items.findIndex(function (item) { return "#" + item.id === window.location.hash; });
    select(fromHash >= 0 ? fromHash : 0, fromHash >= 0);
    list.addEventListener("focusin", function (event) {
      var item = event.target.closest(".queue-item");
      var index = items.indexOf(item);
      if (index >= 0 && index !== current) {
        if (items[current]) items[current].classList.remove("is-current");
        current = index;
        item.classList.add("is-current");
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      if (target.matches("input[type=text], input[type=date], input[type=number], textarea, select")) {
        if (event.key === "Escape") { target.blur(); if (items[current]) items[current].focus(); }
        return;
      }
      var item = items[current];
      switch (event.key) {
        case "j": select(current + 1, true); break;
        case "k": select(current - 1, true); break;
        case "a": case "r": case "s":
          if (!item) return;
          var button = item.querySelector("[data-key='" + event.key + "']");
          if (button) button.closest("form").requestSubmit(button);
          break;
        case "b":
          if (!item) return;
          var details = item.querySelector("details[data-key='b']");
          if (details) { details.open = true; var reason = details.querySelector("input[name=reason]"); if (reason) reason.focus(); }
          break;
        case "x":
          if (!item) return;
          var box = item.querySelector("[data-select]");
          if (box) box.checked = !box.checked;
          break;
        default: return;
      }
      event.preventDefault();
    });
  }

  // ------------------------------------- personal information, before posting
  // The same patterns as forum/lib/screening.py: e-mail addresses and phone numbers hold a comment.
  var EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/;
  var PHONE = new RegExp(
    "(?<![\\w.,+-])(?<!\\d[\\s.,])" + // not within a word or a number grouped in thousands
    "(?!\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}(?!\\d|[\\s().-]\\d))" + // a date, day or month first
    "(?!\\d*[.,]\\d+(?!\\d|[\\s().-]\\d))" + // a decimal
    "(?:\\+\\d(?:[\\s().-]{0,2}\\d){6,14}" +
    "|0(?:[\\s().-]{0,2}\\d){6,14}" +
    "|(?:1[\\s.-]?)?\\(?[2-9]\\d{2}\\)?[\\s.-]?\\d{3}[\\s.-]?\\d{4})" +
    "(?!\\w|[.,]\\d)"
  );
  var warn = function (textarea) {
    var form = textarea.form;
    var note = form.querySelector(".pi-warning");
    // Read as the server reads it: full-width digits folded, zero-width characters gone.
    var text = textarea.value.normalize("NFKC").replace(/[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, "");
    var found = EMAIL.test(text) || PHONE.test(text);
    if (found && !note) {
      note = document.createElement("p");
      note.className = "notice notice-warn pi-warning";
      note.setAttribute("role", "status");
      note.textContent = "Your comment seems to contain personal information (an e-mail address or a phone number). " +
        "It will be held for a moderator. Remove it to publish at once.";
      textarea.insertAdjacentElement("afterend", note);
    } else if (!found && note) {
      note.remove();
    }
  };
  document.addEventListener("input", function (event) {
    if (event.target.matches("form textarea[name=body]")) warn(event.target);
  });
})();
