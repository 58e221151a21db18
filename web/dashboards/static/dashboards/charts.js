// Draw the figure the server built (same numbers as the table). Nothing else happens here.
(function () {
  var source = document.getElementById("trend-figure");
  var target = document.getElementById("trend");
  if (!source || !target || typeof Plotly === "undefined") { return; }
  var figure = JSON.parse(source.textContent);
  Plotly.newPlot(target, figure.data, figure.layout, figure.config).then(function () {
    target.setAttribute("data-rendered", "1");
  });
})();
