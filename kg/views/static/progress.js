// The progress bar while vis-network settles a graph of more than 100 nodes, as
// pyvis draws it. Called right after the network is made, so no
// stabilizationProgress event is missed.
function kgShowProgress(network) {
  "use strict";
  var box = document.getElementById("loadingBar");
  var bar = document.getElementById("bar");
  var text = document.getElementById("text");
  network.on("stabilizationProgress", function (params) {
    box.removeAttribute("style");
    var share = params.iterations / params.total;
    bar.style.width = Math.max(20, 496 * share) + "px";
    text.textContent = Math.round(share * 100) + "%";
  });
  network.once("stabilizationIterationsDone", function () {
    text.textContent = "100%";
    bar.style.width = "496px";
    box.style.opacity = 0;
    setTimeout(function () { box.style.display = "none"; }, 500);
  });
}
