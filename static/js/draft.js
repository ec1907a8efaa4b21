// Keeps what is typed into a record form in this browser (localStorage), so a record is not
// lost when the session ended while typing: after signing in again the form offers it back.
//   <form data-draft-key="tsunagu-draft:<user>:<form>">  saved on every input
//   <div data-draft-bar hidden> with [data-draft-restore] and [data-draft-discard] buttons
//   <div data-draft-clear="<key>">  on the page after a successful save: forget that draft
// Loaded only on the record pages; the forms work the same without it.
(function () {
  "use strict";

  var MAX_AGE_MS = 24 * 60 * 60 * 1000; // an older draft is dropped, not offered
  var SKIP_TYPES = ["hidden", "submit", "button", "reset", "file", "password", "image"];

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage disabled: nothing is kept, the form still works
    }
  }

  function read(store, key) {
    try {
      var draft = JSON.parse(store.getItem(key));
      if (draft && draft.fields && Date.now() - draft.savedAt < MAX_AGE_MS) {
        return draft;
      }
    } catch (error) {
      /* a damaged entry is dropped below */
    }
    store.removeItem(key);
    return null;
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && SKIP_TYPES.indexOf(el.type) === -1;
    });
  }

  function isText(el) {
    return el.tagName === "TEXTAREA" || el.type === "text";
  }

  function collect(form) {
    var values = {};
    fieldsOf(form).forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) values[el.name] = el.value;
      } else if (el.type === "checkbox") {
        values[el.name] = values[el.name] || [];
        if (el.checked) values[el.name].push(el.value);
      } else if (el.type === "select-multiple") {
        values[el.name] = Array.prototype.filter
          .call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function hasText(form, values) {
    return fieldsOf(form).some(function (el) {
      return isText(el) && typeof values[el.name] === "string" && values[el.name].trim() !== "";
    });
  }

  function differsFromForm(form, values) {
    return fieldsOf(form).some(function (el) {
      return isText(el) && typeof values[el.name] === "string" && values[el.name] !== el.value;
    });
  }

  function fill(form, values) {
    fieldsOf(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(values, el.name)) return;
      var value = values[el.name];
      if (el.type === "radio") {
        el.checked = el.value === value;
      } else if (el.type === "checkbox") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = Array.isArray(value) && value.indexOf(o.value) !== -1;
        });
      } else if (typeof value === "string") {
        el.value = value;
      }
    });
  }

  function keep(store, form, key) {
    var values = collect(form);
    try {
      if (hasText(form, values)) {
        store.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: values }));
      } else {
        store.removeItem(key);
      }
    } catch (error) {
      /* storage full or refused: the form still submits normally */
    }
  }

  function setUp(store, form) {
    var key = form.getAttribute("data-draft-key");
    var bar = document.querySelector("[data-draft-bar]");
    var draft = read(store, key);
    // While the kept draft is being offered, new typing does not overwrite it.
    var offering = Boolean(
      bar && draft && hasText(form, draft.fields) && differsFromForm(form, draft.fields)
    );

    function close() {
      offering = false;
      bar.hidden = true;
    }

    if (offering) {
      bar.hidden = false;
      bar.querySelector("[data-draft-restore]").addEventListener("click", function () {
        fill(form, draft.fields);
        close();
        keep(store, form, key);
        var text = form.querySelector("textarea");
        if (text) text.focus();
      });
      bar.querySelector("[data-draft-discard]").addEventListener("click", function () {
        store.removeItem(key);
        close();
        keep(store, form, key);
      });
    }

    function onChange() {
      if (!offering) keep(store, form, key);
    }
    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
  }

  function start() {
    var store = storage();
    if (!store) return;
    document.querySelectorAll("[data-draft-clear]").forEach(function (el) {
      store.removeItem(el.getAttribute("data-draft-clear"));
    });
    document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      setUp(store, form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
