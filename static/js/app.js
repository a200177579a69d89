// iFarm page behaviour. No inline scripts anywhere: the CSP only allows files from this site.

// The words these scripts show, in the page's language (components/ui_text.html, on every page): shared by
// every part below, the milk entry's and the charts' alike.
var iFarmText = (function () {
  "use strict";
  var source = document.getElementById("ui-text");
  var text = {};
  try { text = source ? JSON.parse(source.textContent) : {}; } catch (e) { text = {}; }
  return function say(key, fallback) { return text[key] || fallback; };
})();

// The phone's own store for what waits for the network: milk rows ("rows") and quick forms ("forms").
var iFarmDb = (function () {
  var opening = null;
  return function () {
    if (!window.indexedDB) { return Promise.reject(new Error("no IndexedDB")); }
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open("ifarm", 2);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains("rows")) { db.createObjectStore("rows", { keyPath: "id" }).createIndex("page", "page"); }
          if (!db.objectStoreNames.contains("forms")) { db.createObjectStore("forms", { keyPath: "key" }); }
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opening;
  };
})();

function iFarmKey() {
  return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
}

(function () {
  "use strict";

  // A message shown for its data-bs-delay (or until its close button); hovering or focusing it keeps it.
  function hideToast(el) {
    el.classList.remove("show");
    el.classList.add("hide");
  }
  function showToasts(root) {
    root.querySelectorAll(".toast:not(.show):not(.hide)").forEach(function (el) {
      var delay = parseInt(el.dataset.bsDelay || "5000", 10), timer = null;
      function later() { timer = window.setTimeout(function () { hideToast(el); }, delay); }
      el.classList.add("show");
      el.addEventListener("mouseenter", function () { window.clearTimeout(timer); });
      el.addEventListener("focusin", function () { window.clearTimeout(timer); });
      el.addEventListener("mouseleave", later);
      later();
    });
  }
  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-bs-dismiss='toast']");
    if (close && close.closest(".toast")) { hideToast(close.closest(".toast")); }
  });

  // Menus (the account menu, the organisation switch, "More"): the toggle opens its .dropdown-menu below it (above it
  // inside .dropup); a click elsewhere or Escape closes it; arrow keys move between its items.
  function menuOf(toggle) { return toggle.parentElement.querySelector(".dropdown-menu"); }
  function menuClose(toggle, focus) {
    var menu = menuOf(toggle);
    if (!menu || !menu.classList.contains("show")) { return; }
    menu.classList.remove("show");
    toggle.classList.remove("show");
    toggle.setAttribute("aria-expanded", "false");
    if (focus) { toggle.focus(); }
  }
  // Close every open menu but the one `keep` says to keep.
  function menusClose(keep) {
    document.querySelectorAll("[data-bs-toggle='dropdown'][aria-expanded='true']").forEach(function (toggle) {
      if (!keep(toggle)) { menuClose(toggle, false); }
    });
  }
  function menuItems(menu) {
    return Array.prototype.filter.call(menu.querySelectorAll(".dropdown-item"), function (item) {
      return !item.classList.contains("disabled") && item.offsetParent !== null;
    });
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-bs-toggle='dropdown']");
    if (!toggle) {
      if (!(event.target.closest && event.target.closest(".dropdown-menu form"))) { menusClose(function () { return false; }); }
      return;
    }
    event.preventDefault();
    var menu = menuOf(toggle);
    if (!menu) { return; }
    menusClose(function (other) { return other === toggle; });
    var open = !menu.classList.contains("show");
    menu.setAttribute("data-bs-popper", "static");
    menu.classList.toggle("show", open);
    toggle.classList.toggle("show", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    var inMenu = event.target.closest && event.target.closest(".dropdown-menu.show");
    var toggle = event.target.matches && event.target.matches("[data-bs-toggle='dropdown']") ? event.target : null;
    if (!inMenu && !toggle) { return; }
    toggle = toggle || inMenu.parentElement.querySelector("[data-bs-toggle='dropdown']");
    var menu = menuOf(toggle);
    if (event.key === "Escape") {
      menuClose(toggle, true);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!menu.classList.contains("show")) { toggle.click(); }
      var items = menuItems(menu);
      if (!items.length) { return; }
      var at = items.indexOf(document.activeElement);
      var next = event.key === "ArrowDown" ? Math.min(at + 1, items.length - 1) : Math.max(at - 1, 0);
      items[at === -1 ? 0 : next].focus();
    }
  });
  document.addEventListener("focusin", function (event) {
    menusClose(function (toggle) { return toggle.parentElement.contains(event.target); });
  });

  // A select marked js-autosubmit submits its form when changed (the farm switcher).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches(".js-autosubmit")) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
  });

  // Buttons with data-confirm ask before submitting (archive, remove member).
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // The farm-scope picker: the farm list only matters when "all farms" is unticked.
  function syncFarmScope(root) {
    root.querySelectorAll("input[name='all_farms']").forEach(function (box) {
      var group = box.form && box.form.querySelector(".field-farms");
      if (group) { group.hidden = box.checked; }
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "all_farms") { syncFarmScope(document); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    showToasts(document);
    syncFarmScope(document);
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    showToasts(document);
    syncFarmScope(event.target);
  });
})();

// Herd search: Enter (what a stick reader types after the number) opens the animal the search names, if it names one.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || input.id !== "id_q" || !input.form || !input.form.dataset.scan || !input.value.trim()) { return; }
    event.preventDefault();
    window.location.assign(input.form.getAttribute("action") + "?scan=1&q=" + encodeURIComponent(input.value.trim()));
  });
})();

// Milk entry: Enter moves to the next cow; a failed save keeps the value, marks the row and retries.
(function () {
  "use strict";
  var RETRY_DELAYS = [2000, 4000, 8000, 15000, 30000];

  function rowOf(el) { return el && el.closest ? el.closest(".milk-row") : null; }

  // A stick reader in keyboard mode types the tag's number and Enter into the scan box: go to that cow.
  // ISO 11784/11785 numbers come with or without spaces; they match the EID's digits, anything else the tag.
  function findCow(typed) {
    var digits = typed.replace(/\D/g, ""), tag = typed.replace(/\s+/g, "").toUpperCase();
    var rows = document.querySelectorAll(".milk-row");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      if ((digits.length >= 10 && row.dataset.eid === digits) || (row.dataset.tag || "").replace(/\s+/g, "").toUpperCase() === tag) {
        return row;
      }
    }
    return null;
  }

  function goToCow(typed, input) {
    var state = document.getElementById("scan-state");
    var row = typed.trim() ? findCow(typed) : null;
    if (state) { state.textContent = row || !typed.trim() ? "" : say("notFound", "No cow with that tag or EID in this list."); }
    if (row) {
      var qty = row.querySelector(".milk-qty");
      if (input) { input.value = ""; }
      qty.focus({ preventScroll: true });
      qty.select();
      row.scrollIntoView({ block: "center" });
    }
  }

  // A reader on a serial port (USB or Bluetooth serial), where the browser has Web Serial: each line it sends is a
  // number; a line of 15 digits or more is read as its last 15 (an ISO 11784/11785 number behind a reader's prefix).
  var connect = document.getElementById("reader-connect");
  if (connect && "serial" in navigator) {
    connect.hidden = false;
    connect.addEventListener("click", function () {
      navigator.serial.requestPort().then(function (port) {
        return port.open({ baudRate: 9600 }).then(function () {
          connect.textContent = say("readerOn", "Reader connected");
          connect.disabled = true;
          var reader = port.readable.pipeThrough(new TextDecoderStream()).getReader();
          var buffer = "";
          function next() {
            return reader.read().then(function (chunk) {
              if (chunk.done) { return; }
              buffer += chunk.value;
              var lines = buffer.split(/[\r\n]+/);
              buffer = lines.pop();
              lines.forEach(function (line) {
                var digits = line.replace(/\D/g, "");
                goToCow(digits.length >= 15 ? digits.slice(-15) : line, null);
              });
              return next();
            });
          }
          return next();
        });
      }).catch(function () { /* no port chosen, or it closed */ });
    });
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key === "Enter" && input.id === "scan") {
      event.preventDefault();
      goToCow(input.value, input);
      return;
    }
    if (event.key !== "Enter" || !input.classList || !input.classList.contains("milk-qty")) { return; }
    event.preventDefault();
    var inputs = Array.prototype.slice.call(document.querySelectorAll(".milk-qty"));
    var next = inputs[inputs.indexOf(input) + 1];
    if (next) {
      // Centre the next cow: a focused field scrolled only "into view" can land under the fixed
      // bottom bar or the sticky totals, and the milker types blind.
      next.focus({ preventScroll: true });
      next.select();
      (rowOf(next) || next).scrollIntoView({ block: "center" });
    } else { input.blur(); }
  });

  // Emptying a saved value deletes the record: ask first, and put the value back if the answer is no.
  document.body.addEventListener("htmx:confirm", function (event) {
    var row = rowOf(event.target);
    if (!row || row.dataset.saved !== "1") { return; }
    var input = row.querySelector(".milk-qty");
    if (input && input.value.trim() === "") {
      event.preventDefault();
      var question = say("deleteRecord", "Delete the %(session)s record of %(tag)s?")
        .replace("%(session)s", (row.querySelector("[name=session]") || {}).value).replace("%(tag)s", row.dataset.tag);
      if (window.confirm(question)) {
        event.detail.issueRequest(true);
      } else {
        input.value = input.dataset.value || "";
      }
    }
  });

  var say = iFarmText;

  function markFailed(row, message) {
    if (!row) { return; }
    row.classList.add("save-failed");
    var state = row.querySelector(".row-state");
    if (state) { state.textContent = message; }
    var retry = row.querySelector(".retry");
    if (retry) { retry.hidden = false; }
    var attempt = parseInt(row.dataset.attempt || "0", 10);
    row.dataset.attempt = String(attempt + 1);
    clearTimeout(row._retryTimer);
    row._retryTimer = setTimeout(function () {
      if (document.body.contains(row)) { htmx.trigger(row, "retry"); }
    }, RETRY_DELAYS[Math.min(attempt, RETRY_DELAYS.length - 1)]);
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var row = rowOf(event.target);
    if (row) {
      var state = row.querySelector(".row-state");
      if (state) { state.textContent = say("saving", "saving…"); }
    }
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    markFailed(rowOf(event.target), say("offline", "offline, will retry"));
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 500 || status === 0) { markFailed(rowOf(event.target), say("failed", "not saved, will retry")); }
    if (status === 402) {  // the organisation is read-only: no use trying again
      var row = rowOf(event.target);
      var state = row && row.querySelector(".row-state");
      if (state) { state.textContent = say("readOnly", "read-only: not saved"); }
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.classList && event.target.classList.contains("retry")) {
      var row = rowOf(event.target);
      clearTimeout(row._retryTimer);
      htmx.trigger(row, "retry");
    }
  });
  // Without IndexedDB a row that failed to save lives only in the page: warn before leaving it.
  window.addEventListener("beforeunload", function (event) {
    if (!window.indexedDB && document.querySelector(".milk-row.save-failed")) { event.preventDefault(); event.returnValue = ""; }
  });
})();

// Milk entry offline: every row typed is kept in IndexedDB (with its own idempotency key, when it was typed and the
// value the row showed) until the server has answered it, so a reload, a closed tab or a restarted phone loses
// nothing; kept rows go back into the page and are sent in the order they were typed when the network returns.
// The server's rule for a row changed meanwhile on another device: the later save on the server wins and the row
// shows the value that lost. The service worker (/sw.js) keeps the page itself for when there is no network.
(function () {
  "use strict";
  var rows = document.querySelector(".milk-rows[data-queue]");
  if (!rows) { return; }
  var page = rows.dataset.queue;  // member|farm|date|session
  var kept = {};  // animal id -> {key, quantity, base, typedAt}, mirrored in IndexedDB
  var db = null;

  var uuid = iFarmKey;
  function store(mode) { return db.transaction("rows", mode).objectStore("rows"); }
  function save(animal) { if (db) { store("readwrite").put(Object.assign({ id: page + "|" + animal, page: page }, kept[animal])); } }
  function forget(animal) { delete kept[animal]; if (db) { store("readwrite").delete(page + "|" + animal); } }
  function animalOf(row) { var field = row.querySelector("[name=animal]"); return field ? field.value : ""; }
  function say(key, fallback) { return iFarmText(key, fallback); }

  function sendKept() {
    if (!navigator.onLine) { return; }
    Object.keys(kept).sort(function (a, b) { return kept[a].typedAt - kept[b].typedAt; }).forEach(function (animal) {
      var row = document.getElementById("cow-" + animal);
      if (row) { htmx.trigger(row, "retry"); }
    });
  }

  function showAge() {
    var note = document.getElementById("offline-note");
    if (!note) { return; }
    if (navigator.onLine) { note.hidden = true; return; }
    var drawn = new Date(parseInt(rows.dataset.drawnAt, 10) * 1000);
    var minutes = Math.max(0, Math.round((Date.now() - drawn.getTime()) / 60000));
    var time = ("0" + drawn.getHours()).slice(-2) + ":" + ("0" + drawn.getMinutes()).slice(-2);
    note.textContent = note.dataset.asOf.replace("{time}", time).replace("{minutes}", String(minutes));
    note.hidden = false;
  }

  // Each save says when its value was typed and what the row showed then, with the key of that typing.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var row = event.target.closest ? event.target.closest(".milk-row") : null;
    if (!row || !row.closest(".milk-rows[data-queue]")) { return; }
    var animal = animalOf(row), input = row.querySelector(".milk-qty");
    var entry = kept[animal];
    if (!entry || entry.quantity !== input.value) {
      entry = kept[animal] = { key: uuid(), quantity: input.value, base: input.dataset.value || "", typedAt: Date.now() };
      save(animal);
    }
    event.detail.parameters.typed_at = String(entry.typedAt);
    event.detail.parameters.base = entry.base;
    row.dataset.sentTypedAt = String(entry.typedAt);  // a row's save is an upsert: sent twice, it stores the same value
  });
  // The server answered (saved, refused with a reason, or told the row lost to another device): nothing left to keep.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var row = event.target.closest ? event.target.closest(".milk-row") : null;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (row && (event.detail.successful || status === 422)) {
      var animal = animalOf(row);
      if (kept[animal] && String(kept[animal].typedAt) === row.dataset.sentTypedAt) { forget(animal); }
    }
  });

  window.addEventListener("online", function () { showAge(); sendKept(); });
  window.addEventListener("offline", showAge);
  showAge();

  iFarmDb().then(function (database) {
    db = database;
    var request = store("readonly").index("page").getAll(page);
    request.onsuccess = function () {
      request.result.forEach(function (entry) {
        var animal = entry.id.split("|").pop();
        var row = document.getElementById("cow-" + animal);
        if (!row) { return; }
        kept[animal] = { key: entry.key, quantity: entry.quantity, base: entry.base, typedAt: entry.typedAt };
        row.querySelector(".milk-qty").value = entry.quantity;
        row.classList.add("save-failed");
        var state = row.querySelector(".row-state");
        if (state) { state.textContent = say("kept", "kept on this phone, will send"); }
      });
      sendKept();
    };
  }).catch(function () { /* no IndexedDB: rows live in the page, and leaving it warns */ });

})();

// Pages used without a network (the milking entry page, an animal's page and its quick forms): kept by the service
// worker, and this one kept now, since its first visit was not yet under the service worker's care.
(function () {
  "use strict";
  var marker = document.querySelector(".milk-rows[data-queue], form[data-offline]");
  if (!marker || !("serviceWorker" in navigator) || !window.caches) { return; }
  function keep() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () { return navigator.serviceWorker.ready; })
      .then(function () { if (navigator.onLine) { return caches.open("ifarm-pages").then(function (cache) { return cache.add(location.href); }); } })
      .then(function () { document.body.dataset.kept = "1"; })
      .catch(function () { /* no network or no room: the page works as before */ });
  }
  // Once the page is loaded and the phone idle: the worker's downloads do not compete with the page's own.
  function later() { (window.requestIdleCallback || function (work) { window.setTimeout(work, 1); })(keep, { timeout: 3000 }); }
  if (document.readyState === "complete") { later(); } else { window.addEventListener("load", later); }
})();

// Quick forms without a network (a weighing, a heat, a health check, a treatment): kept on the phone with their own
// idempotency key and sent in the order they were filled when the network returns; the server answers a repeat once.
// The page lists what waits and what the server answered.
(function () {
  "use strict";
  var member = document.body.dataset.member || "";
  var say = iFarmText;

  function token() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  function panel() {
    var box = document.getElementById("offline-forms");
    if (!box) {
      box = document.createElement("div");
      box.id = "offline-forms";
      box.className = "alert alert-warning small py-1 px-2";
      box.setAttribute("role", "status");
      var main = document.getElementById("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
    return box;
  }
  function show(lines) {
    if (!lines.length && !document.getElementById("offline-forms")) { return; }  // nothing kept: the page stays as drawn
    var box = panel();
    box.textContent = "";
    lines.forEach(function (line) { var item = document.createElement("div"); item.textContent = line; box.appendChild(item); });
    box.hidden = !lines.length;
  }
  function time(ms) { var at = new Date(ms); return ("0" + at.getHours()).slice(-2) + ":" + ("0" + at.getMinutes()).slice(-2); }
  function all(db) {
    return new Promise(function (resolve) {
      var request = db.transaction("forms", "readonly").objectStore("forms").getAll();
      request.onsuccess = function () { resolve(request.result.filter(function (e) { return e.member === member; })); };
      request.onerror = function () { resolve([]); };
    });
  }
  var answers = [];
  function list() {
    return iFarmDb().then(all).then(function (entries) {
      show(entries.sort(function (a, b) { return a.typedAt - b.typedAt; }).map(function (e) {
        return say("keptForm", "Kept on this phone, will send: %(what)s (%(time)s)").replace("%(what)s", e.title).replace("%(time)s", time(e.typedAt));
      }).concat(answers));
    }).catch(function () {});
  }
  function forget(db, key) { db.transaction("forms", "readwrite").objectStore("forms").delete(key); }
  // A phone on weak signal may say it is online while nothing gets through, and say nothing when it does again:
  // what failed to go is tried again after a while, not only when the phone reports the network back.
  var RETRY_DELAYS = [5000, 15000, 30000, 60000];
  var sending = false, failures = 0, retryTimer = null;
  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(send, RETRY_DELAYS[Math.min(failures, RETRY_DELAYS.length - 1)]);
    failures += 1;
  }
  function post(db, entry) {
    return fetch(entry.action, { method: "POST", body: new URLSearchParams(entry.fields), credentials: "same-origin",
                                 headers: { "X-CSRFToken": token(), "Idempotency-Key": entry.key } })
      .then(function (response) {
        if (response.ok) {
          forget(db, entry.key);
          answers.push(say("sentForm", "Sent: %(what)s").replace("%(what)s", entry.title));
        } else if (response.status >= 400 && response.status < 500) {  // refused with a reason: the page says why
          forget(db, entry.key);
          answers.push(say("refusedForm", "Not saved: %(what)s. Fill it again to see why.").replace("%(what)s", entry.title));
        }
        return response.status < 500;  // the server failed: it waits, and goes again later
      }).catch(function () { return false; /* no network after all: it waits */ });
  }
  function send() {
    if (sending || !navigator.onLine || !member) { return; }
    sending = true;
    iFarmDb().then(function (db) {
      return all(db).then(function (entries) {
        return entries.sort(function (a, b) { return a.typedAt - b.typedAt; }).reduce(function (chain, entry) {
          return chain.then(function (through) { return through ? post(db, entry) : false; });
        }, Promise.resolve(true));
      });
    }).then(function (through) {
      if (through === false) { retryLater(); } else { failures = 0; }
    }).then(list).catch(function () {}).then(function () { sending = false; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline]") || navigator.onLine || !window.indexedDB || !member) { return; }
    event.preventDefault();
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrfmiddlewaretoken") { fields.push([name, value]); }
    });
    var entry = { key: iFarmKey(), action: form.action, fields: fields, typedAt: Date.now(), title: form.dataset.offline, member: member };
    iFarmDb().then(function (db) {
      return new Promise(function (resolve) {
        var tx = db.transaction("forms", "readwrite");
        tx.objectStore("forms").put(entry);
        tx.oncomplete = resolve;
      });
    }).then(function () { form.reset(); return list(); });
  });
  window.addEventListener("online", send);
  if (navigator.onLine && member) { send(); } else { list(); }  // a send lists what is kept once it is done
})();

// Signed out: the pages kept for the parlour are one member's; another person on this phone must not see them.
(function () {
  "use strict";
  if (!document.body.classList.contains("with-nav") && window.caches) { caches.delete("ifarm-pages"); }
})();

// Animal form: the breed list shows only the breeds of the chosen species.
(function () {
  "use strict";

  function syncBreeds(form) {
    var species = form.querySelector("select[name='species']");
    var breed = form.querySelector("select.js-breed");
    if (!species || !breed) { return; }
    breed.querySelectorAll("option[data-species]").forEach(function (option) {
      var other = option.dataset.species !== species.value;
      option.hidden = other;
      option.disabled = other;
      if (other && option.selected) { breed.value = ""; }
    });
    breed.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "species" && event.target.form) { syncBreeds(event.target.form); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(syncBreeds);
  });
})();

// A long list of animals to tick (vaccinate): find by tag or name, show one farm or group, tick all that are shown.
(function () {
  "use strict";
  var say = iFarmText;

  function refresh(box) {
    var text = (box.querySelector(".js-tick-search") || {}).value || "";
    var farm = (box.querySelector(".js-tick-farm") || {}).value || "";
    var group = (box.querySelector(".js-tick-group") || {}).value || "";
    var words = text.trim().toLowerCase();
    var shown = 0, ticked = 0;
    box.querySelectorAll(".tick-list .form-check").forEach(function (line) {
      var fits = (!words || line.dataset.text.indexOf(words) !== -1) && (!farm || line.dataset.farm === farm) &&
        (!group || line.dataset.group === group);
      line.hidden = !fits;
      if (fits) { shown += 1; }
      if (line.querySelector("input").checked) { ticked += 1; }
    });
    var count = box.querySelector(".js-tick-count");
    if (count) {
      count.textContent = say("ticked", "%(ticked)s ticked, %(shown)s shown")
        .replace("%(ticked)s", ticked).replace("%(shown)s", shown);
    }
  }

  function tickShown(box, value) {
    box.querySelectorAll(".tick-list .form-check:not([hidden]) input").forEach(function (input) { input.checked = value; });
    refresh(box);
  }

  document.addEventListener("input", function (event) {
    var box = event.target.closest && event.target.closest(".js-tick-filter");
    if (box) { refresh(box); }
  });
  document.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest(".js-tick-filter");
    if (box) { refresh(box); }
  });
  document.addEventListener("click", function (event) {
    var box = event.target.closest && event.target.closest(".js-tick-filter");
    if (!box) { return; }
    if (event.target.classList.contains("js-tick-all")) { tickShown(box, true); }
    if (event.target.classList.contains("js-untick-all")) { tickShown(box, false); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".js-tick-filter").forEach(refresh);
  });
})();
