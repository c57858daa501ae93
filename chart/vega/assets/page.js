// persona's interactive pages: draws every chart of the page with
// vega-embed, links the segment highlight across charts, and sorts tables.
// Loaded after vega, vega-lite and vega-embed; see package chart/vega.
(function () {
  "use strict";
  var views = {};
  var current = null; // the highlighted segment id, or null

  // segmentOf finds the segment id behind a clicked item: a mark's row
  // carries "seg"; a legend entry carries its label, "ID name" or
  // "no segment: name" (vega.Segment.Label).
  function segmentOf(item) {
    for (var it = item; it; it = it.mark && it.mark.group) {
      var d = it.datum;
      if (d && typeof d === "object") {
        if (typeof d.seg === "number") return d.seg;
        var label = typeof d.value === "string" ? d.value : (typeof d.label === "string" ? d.label : null);
        if (label !== null) {
          if (/^no segment/.test(label)) return -1;
          var m = /^(\d+) /.exec(label);
          if (m) return parseInt(m[1], 10);
        }
      }
    }
    return null;
  }

  function highlight(id) {
    current = (id === undefined || id === current) ? null : id;
    var all = [];
    Object.keys(views).forEach(function (k) {
      all.push(views[k].signal("hl", current).runAsync());
    });
    document.querySelectorAll("[data-seg]").forEach(function (el) {
      el.classList.toggle("dim", current !== null && parseInt(el.getAttribute("data-seg"), 10) !== current);
      el.classList.toggle("lit", current !== null && parseInt(el.getAttribute("data-seg"), 10) === current);
    });
    document.documentElement.setAttribute("data-highlight", current === null ? "" : String(current));
    return Promise.all(all);
  }

  // A report opened from the dashboard (persona serve's /report) links
  // users to that dashboard, wherever the report's links pointed when it
  // was written (persona serve's default address).
  function linkLoader() {
    var base = vega.loader();
    var loader = Object.create(base);
    loader.sanitize = function (uri, options) {
      if (options && options.context === "href" && /^https?:$/.test(location.protocol) && /\/report$/.test(location.pathname)) {
        uri = String(uri).replace(/^https?:\/\/[^\/]+(\/users\/)/, location.origin + "$1");
      }
      return base.sanitize(uri, options);
    };
    return loader;
  }

  function embedAll() {
    var opts = {
      mode: "vega-lite", renderer: "svg", actions: false,
      ast: true, expr: vega.expressionInterpreter,
      tooltip: { theme: "light" },
      loader: linkLoader()
    };
    var jobs = [];
    document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (s) {
      var id = s.getAttribute("data-chart");
      var el = document.getElementById(id);
      if (!el) return;
      var spec = JSON.parse(s.textContent);
      jobs.push(vegaEmbed(el, spec, opts).then(function (res) {
        views[id] = res.view;
        res.view.addEventListener("click", function (event, item) {
          if (item && item.datum && item.datum.href) return; // a link: let it open
          var seg = segmentOf(item);
          if (seg !== null) highlight(seg);
        });
        // Legend entries are not interactive marks: find the label
        // under the click (or the symbol left of it) by its box.
        el.addEventListener("click", function (e) {
          var labels = el.querySelectorAll(".role-legend-label text");
          for (var i = 0; i < labels.length; i++) {
            var r = labels[i].getBoundingClientRect();
            if (e.clientX >= r.left - 18 && e.clientX <= r.right + 2 && e.clientY >= r.top - 3 && e.clientY <= r.bottom + 3) {
              var seg = segmentOf({ datum: { label: labels[i].textContent } });
              if (seg !== null) highlight(seg);
              return;
            }
          }
        });
        el.setAttribute("data-ready", "true");
      }).catch(function (err) {
        el.textContent = "This chart could not be drawn: " + err;
        el.setAttribute("data-ready", "error");
        console.error(err);
      }));
    });
    return Promise.all(jobs);
  }

  // Sortable tables: a click on a header sorts by that column, again
  // reverses. Cells sort by data-sort when they have it (numbers), else by
  // their text.
  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      th.setAttribute("tabindex", "0");
      th.setAttribute("role", "button");
      var sort = function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var c = row.cells[col];
          if (!c) return "";
          var v = c.getAttribute("data-sort");
          if (v !== null && v !== "" && !isNaN(+v)) return +v;
          return c.textContent.trim().toLowerCase();
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b), r;
          if (typeof x === "number" && typeof y === "number") r = x - y;
          else r = String(x).localeCompare(String(y), undefined, { numeric: true });
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  }

  function start() {
    document.querySelectorAll("table.sortable").forEach(sortable);
    document.querySelectorAll("[data-seg]").forEach(function (el) {
      if (el.hasAttribute("data-seg-click")) {
        el.addEventListener("click", function (e) {
          if (e.target.closest("a")) return;
          highlight(parseInt(el.getAttribute("data-seg"), 10));
        });
      }
    });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape" && current !== null) highlight(); });
    window.persona.ready = embedAll();
  }

  window.persona = { views: views, highlight: highlight, current: function () { return current; }, ready: null };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
