/* Visit form: keep what was typed on the phone until the server confirms it, add the GPS
   position, and send the form when a lost connection returns. The form works without this. */
(function () {
  "use strict";
  var PREFIX = "visit-draft:";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  // The server saved a visit: forget its edit draft and every draft that carried its client_id.
  var saved = document.querySelector("[data-saved-draft]");
  if (saved && storage()) {
    var store = storage();
    var savedId = saved.getAttribute("data-saved-client-id");
    store.removeItem(PREFIX + saved.getAttribute("data-saved-draft"));
    if (savedId) {
      for (var i = store.length - 1; i >= 0; i--) {
        var key = store.key(i);
        if (key && key.indexOf(PREFIX) === 0) {
          try {
            if (JSON.parse(store.getItem(key)).client_id === savedId) store.removeItem(key);
          } catch (e) { store.removeItem(key); }
        }
      }
    }
  }

  var form = document.querySelector("form[data-visit-draft]");
  if (!form) return;
  var store = storage();
  var key = PREFIX + form.getAttribute("data-visit-draft");
  var notice = form.querySelector(".draft-notice");
  var positionStatus = form.querySelector(".position-status");
  var msg = function (name) { return form.getAttribute("data-msg-" + name) || ""; };

  function field(name) { return form.elements.namedItem(name); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // randomUUID needs a secure context; getRandomValues does not.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function show(text) {
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = !text;
  }

  function collect() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "file" || el.type === "submit") return;
      if (el.type === "checkbox") {
        data[el.name] = data[el.name] || [];
        if (el.checked) data[el.name].push(el.value);
      } else if (el.type === "radio") {
        if (el.checked) data[el.name] = el.value;
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function save(extra) {
    if (!store) return;
    var data = collect();
    for (var k in extra || {}) data[k] = extra[k];
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full or denied */ }
  }

  function restore(data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.type === "file" || el.type === "submit" || el.name === "csrfmiddlewaretoken") return;
      var value = data[el.name];
      if (el.type === "checkbox") el.checked = value.indexOf(el.value) !== -1;
      else if (el.type === "radio") el.checked = el.value === value;
      else el.value = value;
    });
  }

  var draft = null;
  try { draft = store && JSON.parse(store.getItem(key)); } catch (e) { draft = null; }
  if (draft) {
    restore(draft);
    show(msg("restored") + " " + msg("photos"));
    if (notice) {
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button-link";
      discard.textContent = msg("discard");
      discard.addEventListener("click", function () {
        store.removeItem(key);
        window.location.reload();
      });
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(discard);
    }
  }

  var clientId = field("client_id");
  if (clientId && !clientId.value) clientId.value = uuid();

  var lat = field("latitude"), lng = field("longitude"), acc = field("accuracy_m");
  if (lat && !lat.value && navigator.geolocation) {
    if (positionStatus) positionStatus.textContent = msg("locating");
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
      acc.value = Math.round(pos.coords.accuracy);
      if (positionStatus) positionStatus.textContent = msg("located").replace("%(metres)s", acc.value);
      save();
    }, function () {
      if (positionStatus) positionStatus.textContent = msg("no-position");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  save();
  form.addEventListener("input", function () { save(); });
  form.addEventListener("change", function () { save(); });

  // Offline at submit: keep the draft with the button pressed, and send it when back online.
  form.addEventListener("submit", function (event) {
    if (navigator.onLine !== false) return;
    event.preventDefault();
    var button = event.submitter;
    save({ pending: button ? button.value : "draft" });
    show(msg("offline"));
    window.addEventListener("online", function () {
      show(msg("sending"));
      if (button) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = button.name;
        hidden.value = button.value;
        form.appendChild(hidden);
      }
      form.submit();  // does not fire "submit" again
    }, { once: true });
  });
}());
