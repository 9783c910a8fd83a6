// Check-in sliders: show their number as it changes (<input type="range" data-output="id">),
// and send no value for a slider the person never moved. A range input always has a value,
// so the page renders it without a name (data-name) and this gives it its name when it is
// moved: a skipped question comes back as "Please answer this question", never stored as
// the midpoint. A slider that already had an answer (the form came back with errors) counts
// as answered. Without scripts the slider stays hidden and a number box (<noscript>) is sent.
(function () {
  "use strict";
  function show(input) {
    var output = document.getElementById(input.dataset.output);
    if (output) output.textContent = input.dataset.touched === "1" ? input.value : "–";
  }
  function touch(input) {
    input.dataset.touched = "1";
    if (input.dataset.name) input.name = input.dataset.name;
    show(input);
  }
  document.querySelectorAll("input[type=range][data-output]").forEach(function (input) {
    var row = input.closest("[data-slider]");
    if (row) row.classList.add("live");
    if (row && row.dataset.answered === "1") touch(input);
    else show(input);
  });
  ["input", "change"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var input = event.target;
      if (input instanceof HTMLInputElement && input.type === "range" && input.dataset.output) {
        touch(input);
      }
    });
  });
})();
