/* Draws the page's charts from their JSON specs, brings the selected quote into view, and ties
   a document's records to their quotes. Sets document.body.dataset.charts to "drawn" once every
   chart is drawn, or "failed". */
(function () {
  "use strict";

  var OPTIONS = {
    actions: false,
    renderer: "svg",
    defaultStyle: false,  // the page's stylesheet styles the charts; no inline <style>
    tooltip: {disableDefaultStyle: true},
    loader: {target: "_self"}  // a point's link opens in this tab
  };

  function fail(target, error) {
    target.classList.add("chart-failed");
    target.textContent = "This chart could not be drawn: " + ((error && error.message) || error);
    throw error;
  }

  function draw(target) {
    return new Promise(function (resolve) {
      var spec = JSON.parse(document.getElementById(target.dataset.spec).textContent);
      resolve(window.vegaEmbed(target, spec, OPTIONS));
    }).catch(function (error) { fail(target, error); });
  }

  function drawCharts() {
    var containers = Array.prototype.slice.call(document.querySelectorAll("[data-spec]"));
    if (!containers.length) {
      return;
    }
    if (typeof window.vegaEmbed !== "function") {
      containers.forEach(function (target) {
        target.classList.add("chart-failed");
        target.textContent = "The chart library did not load.";
      });
      document.body.dataset.charts = "failed";
      return;
    }
    Promise.all(containers.map(draw)).then(
      function () { document.body.dataset.charts = "drawn"; },
      function () { document.body.dataset.charts = "failed"; });
  }

  function showMark() {
    var mark = document.getElementById("mark");
    if (mark && (!location.hash || location.hash === "#mark")) {
      mark.scrollIntoView({block: "center"});
    }
  }

  /* Pointing at a record in the list lights up its quote in the text. */
  function linkRecords() {
    Array.prototype.forEach.call(document.querySelectorAll("li[data-key]"), function (item) {
      var pieces = document.querySelectorAll('mark[data-r~="' + item.dataset.key + '"]');
      function light(on) {
        Array.prototype.forEach.call(pieces, function (piece) {
          piece.classList.toggle("lit", on);
        });
      }
      item.addEventListener("mouseenter", function () { light(true); });
      item.addEventListener("mouseleave", function () { light(false); });
    });
  }

  drawCharts();
  showMark();
  linkRecords();
})();
