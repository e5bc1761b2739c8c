// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");

  // One-time notices (a restored key, a deleted or edited comment) come with a
  // query parameter: drop it from the address, so that a reload does not say it again.
  var url = new URL(window.location.href);
  var ONE_TIME = ["restored", "deleted", "edited"];
  if (ONE_TIME.some(function (name) { return url.searchParams.has(name); })) {
    ONE_TIME.forEach(function (name) { url.searchParams.delete(name); });
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  // Times the page gives in UTC (an edit's deadline) read in the reader's own time.
  document.querySelectorAll("time.js-local-time").forEach(function (time) {
    var when = new Date(time.getAttribute("datetime"));
    if (isNaN(when.getTime())) return;
    time.title = time.textContent;
    time.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + " your time";
  });

  // A comment's time: the page gives its date and time (one copy of the page
  // serves every reader without a key until the debate changes, so it never says
  // "5 minutes ago"); the script says how long ago, and keeps it true.
  function sayHowLongAgo() {
    var now = Date.now();
    document.querySelectorAll("time.js-ago").forEach(function (time) {
      var when = Date.parse(time.getAttribute("datetime"));
      if (isNaN(when)) return;
      if (!time.title) time.title = time.textContent;
      var minutes = Math.floor(Math.max(0, now - when) / 60000);
      var hours = Math.floor(minutes / 60), days = Math.floor(hours / 24);
      if (minutes < 1) time.textContent = "just now";
      else if (hours < 1) time.textContent = minutes === 1 ? "a minute ago" : minutes + "\u00a0minutes ago";
      else if (days < 1) time.textContent = hours === 1 ? "an hour ago" : hours + "\u00a0hours ago";
      else if (days < 7) time.textContent = days === 1 ? "a day ago" : days + "\u00a0days ago";
      else time.textContent = time.title;
    });
  }
  sayHowLongAgo();
  setInterval(sayHowLongAgo, 60000);

  // Copy buttons (the participant key).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = "Copied";
    });
  });

  // A comment's length as it is typed or pasted. The box has no maxlength, which
  // would cut a paste short without a word; the server refuses a text over the
  // limit and gives it back whole, and this says so before it is sent.
  function countLength(box) {
    var limit = Number(box.getAttribute("data-limit")), used = Array.from(box.value).length;
    var count = box.nextElementSibling;
    if (!count || !count.classList.contains("length-count")) {
      count = document.createElement("p");
      count.className = "help length-count";
      count.setAttribute("aria-live", "polite");
      box.after(count);
    }
    var over = used > limit;
    count.classList.toggle("over", over);
    count.textContent = over
      ? characters(used - limit) + " over the limit of " + limit.toLocaleString("en") + ": please shorten it."
      : used > limit * 0.8 ? characters(limit - used) + " left." : "";
  }
  function characters(n) {
    return n.toLocaleString("en") + (n === 1 ? " character" : " characters");
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-limit]")) countLength(event.target);
  });
  function countAll() {
    document.querySelectorAll("textarea[data-limit]").forEach(function (box) { if (box.value) countLength(box); });
  }
  countAll();

  // Sort and filter apply as soon as they change.
  document.addEventListener("change", function (event) {
    if (event.target.matches(".comment-controls select")) event.target.form.submit();
  });
  // Back to a page kept whole by the browser: its menus show the choice that
  // left it, not the one its address and comments are for. Put them back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll(".comment-controls select").forEach(function (select) {
      Array.prototype.forEach.call(select.options, function (option) {
        option.selected = option.defaultSelected;
      });
    });
  });

  // Reply and Report: the page has one form of each, which opens under the
  // comment whose link was used (without this script the links open a page of
  // their own), and closes the other. Using the same link again, or the form's
  // Cancel, closes it, as a disclosure would; what was typed stays in it.
  function closeForm(form) {
    document.querySelectorAll('[aria-controls="' + form.id + '"][aria-expanded="true"]').forEach(function (link) {
      link.setAttribute("aria-expanded", "false");
    });
    form.hidden = true;
  }
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest(".js-close-form");
    if (cancel) {
      var open = cancel.form, opener = open.previousElementSibling;
      closeForm(open);
      if (opener && opener.matches(".reply-link, .report-link")) opener.focus();
      return;
    }
    var link = event.target.closest(".reply-link, .report-link");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var replying = link.classList.contains("reply-link");
    var form = document.getElementById(replying ? "reply-form" : "report-form");
    if (!form) return;
    event.preventDefault();
    var wasOpenHere = !form.hidden && form.previousElementSibling === link;
    var other = document.getElementById(replying ? "report-form" : "reply-form");
    if (other) closeForm(other);
    closeForm(form);
    if (wasOpenHere) return;
    var item = link.closest("li.comment");
    if (replying) {
      form.elements.parent_id.value = item.id.slice(1);
      form.querySelector("label[for=reply-body]").textContent = "Your reply to " + item.querySelector(".author").textContent;
      // A name typed into the comment form, not yet posted, signs the reply too
      // (unless the reader already changed the reply's own name field).
      var typed = document.getElementById("id_author_name"), name = form.elements.author_name;
      if (typed && typed.value !== typed.defaultValue && name.value === name.defaultValue) name.value = typed.value;
    } else {
      // The page that comes back is this one (sort, filter, page), with the
      // thanks under the comment reported.
      form.action = link.href + window.location.search;
    }
    link.setAttribute("aria-controls", form.id);
    link.setAttribute("aria-expanded", "true");
    link.after(form);
    form.hidden = false;
    form.querySelector(replying ? "textarea" : "input[type=radio]").focus();
  });

  // After a form sent in place: an error first; then the key shown this once;
  // then the comment or reply just posted (the reader's own among the new ones);
  // then a notice (a report's thanks); then the comment or poll the form was in.
  function takeTo(form, hadKey, seen, aroundSelector) {
    var added = null;
    if (form.id === "comment-form" || form.id === "reply-form") {
      var fresh = [];
      document.querySelectorAll("li.comment").forEach(function (li) { if (!seen[li.id]) fresh.push(li); });
      added = fresh.filter(function (li) { return li.querySelector(":scope > article a[href$='/edit/']"); })[0] || fresh[0];
    }
    var error = document.querySelector(".notice-error");
    var keyMade = !hadKey && document.querySelector("#your-key");
    // A first comment, reply, like or report: the key, shown once above the
    // poll, is pointed to from what the reader did rather than taking them away
    // from it (on a phone, thousands of pixels up). A first vote, just under
    // the key, goes to the key.
    var atPoll = aroundSelector === "#poll";
    var focus = error ||
      (atPoll && keyMade) ||
      (added && added.querySelector("article")) ||
      document.querySelector("#comments-notice") ||
      (aroundSelector && document.querySelector(aroundSelector));
    if (!focus) return;
    if (keyMade && !atPoll && !error) {
      var note = document.createElement("p");
      note.className = "notice key-made";
      note.innerHTML = 'That gave you a secret key, shown this once at the top of the page: ' +
        '<a href="#your-key">save it</a> to edit or erase what you do here from another device.';
      focus.after(note);
    }
    focus.setAttribute("tabindex", "-1");
    focus.focus({ preventScroll: true });
    focus.scrollIntoView({ block: focus.offsetHeight > window.innerHeight / 2 ? "start" : "center" });
  }

  // Drafts survive the swap: what a reader typed in another form (a comment
  // begun before voting, a reply open under a comment) is put back, with that
  // form's own start time and idempotency key, and the reply or report form
  // reopens under the same comment.
  var KEPT = "textarea, input[type=text], input[type=radio], input[name=started], input[name=idempotency_key]";
  function keepDrafts(sent) {
    var kept = [];
    document.querySelectorAll("form[id]").forEach(function (f) {
      if (f === sent || f.hidden) return;
      var typed = Array.prototype.some.call(f.querySelectorAll("textarea, input[type=text]"), function (el) {
        return el.value !== el.defaultValue;
      });
      if (!typed) return;
      var values = {};
      f.querySelectorAll(KEPT).forEach(function (el) {
        if (el.name && (el.type !== "radio" || el.checked)) values[el.name] = el.value;
      });
      var link = f.previousElementSibling, item = f.closest("li.comment");
      var under = link && item && link.matches(".reply-link, .report-link") ? item.id : null;
      kept.push({ id: f.id, values: values, under: under });
    });
    return kept;
  }
  function restoreDrafts(kept) {
    kept.forEach(function (draft) {
      if (draft.under) {
        var link = document.querySelector("#" + draft.under + " > article " + (draft.id === "reply-form" ? ".reply-link" : ".report-link"));
        if (!link) return;
        link.click(); // the fresh form opens under the same comment
      }
      var f = document.getElementById(draft.id);
      if (!f) return;
      f.querySelectorAll(KEPT).forEach(function (el) {
        if (!(el.name in draft.values)) return;
        if (el.type === "radio") el.checked = el.value === draft.values[el.name];
        else el.value = draft.values[el.name];
      });
    });
  }

  // A refused reply comes back in the page's comment form ("Replying to a
  // comment"), as it must without this script: put it back in the reply form
  // under its comment, with the reason, and the comment form as it was. The
  // comment form takes the fresh reply form's start time and idempotency key,
  // so that a comment sent next is never taken for the reply.
  var GUARD = ["started", "idempotency_key"];
  function replyRefusedInPlace() {
    var main = document.getElementById("comment-form"), reply = document.getElementById("reply-form");
    var error = document.getElementById("comment-error");
    var parent = main && main.elements.parent_id;
    if (!reply || !error || !parent) return;
    var link = document.querySelector("#c" + parent.value + " > article .reply-link");
    if (!link) return; // not on this page any more: the comment form keeps the reply
    link.click();
    ["body", "author_name"].concat(GUARD).forEach(function (name) {
      var sent = main.elements[name].value;
      if (GUARD.indexOf(name) >= 0) main.elements[name].value = reply.elements[name].value;
      reply.elements[name].value = sent;
    });
    reply.elements.body.setAttribute("aria-invalid", "true");
    reply.querySelector("label[for=reply-body]").before(error);
    main.elements.body.value = "";
    main.elements.body.removeAttribute("aria-invalid");
    parent.nextElementSibling.remove(); // "Replying to a comment."
    parent.remove();
  }

  // Posting, replying, liking and voting in place: send the form with fetch,
  // then swap in the poll and the discussion from the page that comes back.
  var REGIONS = ["#poll", "#comments", "#your-key"];
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("js-inplace") || !window.fetch || !window.DOMParser) return;
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    // Where to take the reader afterwards: fetch drops the #fragment of the
    // redirect, so it is worked out from the page before and after.
    var hadKey = !!document.querySelector("#your-key");
    var seen = {};
    document.querySelectorAll("li.comment").forEach(function (li) { seen[li.id] = true; });
    var around = form.closest("li.comment, #poll");
    var aroundSelector = around ? "#" + around.id + (around.id === "poll" ? "" : " > article") : null;
    var drafts = keepDrafts(form);
    // A refused report (already reported, a ban, a limit) comes back open under its comment, note kept.
    var report = form.id === "report-form" ? keepDrafts(null).filter(function (d) { return d.id === form.id; }) : [];
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.text().then(function (html) { return { response: response, html: html }; });
      })
      .then(function (result) {
        var doc = new DOMParser().parseFromString(result.html, "text/html");
        if (!doc.querySelector("#comments")) { document.open(); document.write(result.html); document.close(); return; }
        REGIONS.forEach(function (selector) {
          var fresh = doc.querySelector(selector), current = document.querySelector(selector);
          if (fresh && current) current.replaceWith(fresh);
          else if (fresh && !current) { var poll = document.querySelector("#poll"); if (poll) poll.before(fresh); }
        });
        if (form.id === "reply-form" && !result.response.ok) replyRefusedInPlace();
        if (!result.response.ok) drafts = drafts.concat(report);
        if (!result.response.ok && report.length) {
          // The reason for the refusal goes with the form it refused, not above the discussion.
          setTimeout(function () {
            var alert = document.querySelector("#comments .notice-error"), opened = document.getElementById("report-form");
            if (alert && opened && !opened.hidden) { opened.prepend(alert); alert.setAttribute("tabindex", "-1"); alert.focus(); }
          }, 0);
        }
        try { sayHowLongAgo(); } catch (ignored) { /* the times read as dates until the next minute */ }
        try { restoreDrafts(drafts); countAll(); } catch (ignored) { /* the page is in place; only a draft is lost */ }
        try { takeTo(form, hadKey, seen, aroundSelector); } catch (ignored) { /* the page is in place; only the focus is lost */ }
      })
      .catch(function () { form.submit(); })
      .finally(function () { if (button) button.disabled = false; });
  });
})();
