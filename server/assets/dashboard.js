// persona dashboard: the segment filter and the member list. Charts,
// highlighting and sortable tables come from chart/vega's page.js.
(function () {
  "use strict";
  var filter = document.querySelector("select[data-seg-filter]");
  if (filter && window.persona) {
    var apply = function () {
      var v = filter.value === "" ? undefined : parseInt(filter.value, 10);
      if (v === undefined) { if (window.persona.current() !== null) window.persona.highlight(); }
      else if (window.persona.current() !== v) window.persona.highlight(v);
    };
    filter.addEventListener("change", apply);
    // Keep the select in step when a chart click or Escape moves the highlight.
    new MutationObserver(function () {
      var cur = window.persona.current();
      filter.value = cur === null ? "" : String(cur);
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-highlight"] });
  }

  var members = document.getElementById("members");
  if (!members) return;
  var seg = members.getAttribute("data-segment");
  var body = members.querySelector("tbody");
  var more = document.getElementById("members-more");
  var count = document.getElementById("members-count");
  var next = "";
  function load() {
    var url = "/api/segments/" + encodeURIComponent(seg) + "/users?limit=50" + (next ? "&after=" + encodeURIComponent(next) : "");
    more.disabled = true;
    fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.statusText); return j; });
    }).then(function (page) {
      page.users.forEach(function (u) {
        var tr = document.createElement("tr");
        var a = document.createElement("a");
        a.href = "/users/" + encodeURIComponent(u.user_id);
        a.textContent = u.user_id;
        var td = document.createElement("td");
        td.appendChild(a);
        var d = document.createElement("td");
        d.className = "n";
        if (u.distance !== null) {
          d.setAttribute("data-sort", String(u.distance));
          d.textContent = u.distance.toPrecision(4);
        }
        tr.appendChild(td);
        tr.appendChild(d);
        body.appendChild(tr);
      });
      next = page.next || "";
      more.hidden = !next;
      more.disabled = false;
      count.textContent = body.rows.length + " of " + page.total + " users shown.";
      members.setAttribute("data-loaded", String(body.rows.length));
    }).catch(function (err) {
      count.textContent = "The member list could not be loaded: " + err.message;
      members.setAttribute("data-loaded", "error");
    });
  }
  more.addEventListener("click", load);
  load();
})();
