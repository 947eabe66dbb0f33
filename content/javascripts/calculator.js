/* Weight-based dose calculator. Implements generator/calculator.py exactly: decimal inputs,
   exact rational arithmetic with BigInt, rounding half up of the final figure only. No library,
   no request. A browser test compares every figure with the Python specification. */
(function () {
  "use strict";

  var EN_DASH = "\u2013";
  var NUMBER = /^(\d+(\.\d+)?|\.\d+)$/;
  var TOO_SMALL = "too small to measure at this strength";

  // --- exact arithmetic: a fraction {n, d} of BigInts, d > 0 -------------------------------
  function gcd(a, b) { while (b) { var t = a % b; a = b; b = t; } return a; }
  function frac(n, d) { var g = gcd(n, d); return { n: n / g, d: d / g }; }
  function parseDecimal(text) {
    var parts = text.split(".");
    var whole = parts[0] || "0", fraction = parts[1] || "";
    return frac(BigInt(whole + fraction), 10n ** BigInt(fraction.length));
  }
  function mul(a, b) { return frac(a.n * b.n, a.d * b.d); }
  function div(a, b) { return frac(a.n * b.d, a.d * b.n); }
  function cmp(a, b) { var l = a.n * b.d, r = b.n * a.d; return l < r ? -1 : (l > r ? 1 : 0); }
  function min(a, b) { return cmp(a, b) <= 0 ? a : b; }
  function isZero(a) { return a.n === 0n; }
  function roundHalfUp(v, places) {
    var scale = 10n ** BigInt(places);
    var sn = v.n * scale;
    return { n: (2n * sn + v.d) / (2n * v.d), d: scale };
  }
  var HUNDRED = { n: 100n, d: 1n }, ONE = { n: 1n, d: 1n };
  function roundMass(v) { return roundHalfUp(v, cmp(v, HUNDRED) >= 0 ? 0 : 1); }
  function roundVolume(v) { return roundHalfUp(v, cmp(v, ONE) < 0 ? 2 : 1); }
  function roundRate(v) { return roundHalfUp(v, 1); }

  // --- the dose formatter's number rules --------------------------------------------------
  function groupThousands(digits) { return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function show(v) {
    var r = frac(v.n, v.d);
    var places = 0;
    while ((10n ** BigInt(places)) % r.d !== 0n) {
      places += 1;
      if (places > 30) { throw new Error("not a terminating decimal"); }
    }
    var scale = 10n ** BigInt(places);
    var scaled = r.n * (scale / r.d);
    var whole = scaled / scale, rest = (scaled % scale).toString().padStart(places, "0");
    rest = rest.replace(/0+$/, "");
    return groupThousands(whole.toString()) + (rest ? "." + rest : "");
  }
  function showDecimalText(text) { return show(parseDecimal(text)); }
  function showRange(low, high, unit) {
    if (cmp(low, high) === 0) { return show(low) + " " + unit; }
    return show(low) + EN_DASH + show(high) + " " + unit;
  }

  // --- reading what was typed -------------------------------------------------------------
  function readWeight(text) {
    var written = text.trim();
    if (!written) { return { value: null, message: "Enter the patient's weight in kg." }; }
    if (written.charAt(0) === "-" && NUMBER.test(written.slice(1))) {
      return { value: null, message: "Weight must be more than 0 kg." };
    }
    if (!NUMBER.test(written)) {
      return { value: null, message: "Weight must be a number in kg, like 70 or 70.5." };
    }
    var value = parseDecimal(written);
    if (isZero(value)) { return { value: null, message: "Weight must be more than 0 kg." }; }
    if (cmp(value, parseDecimal("0.5")) < 0 || cmp(value, parseDecimal("300")) > 0) {
      return { value: null, message: "Weight must be between 0.5 and 300 kg." };
    }
    return { value: value, text: written, message: "" };
  }
  function readConcentration(text) {
    var written = text.trim();
    if (!written) {
      return { value: null,
        message: "Enter the concentration of the prepared infusion to see mL/hour." };
    }
    if (!NUMBER.test(written) || isZero(parseDecimal(written)) ||
        cmp(parseDecimal(written), parseDecimal("100")) > 0) {
      return { value: null, message: "Concentration must be a number above 0 and up to 100 mg/mL." };
    }
    return { value: parseDecimal(written), message: "" };
  }

  // --- the calculation (mirrors generator.calculator.calculate) ---------------------------
  function calculate(spec, weightText, concentrationText) {
    var weight = readWeight(weightText);
    var figures = { message: weight.message };
    if (weight.value === null) { return figures; }
    var kg = weight.value;
    figures.weight = showDecimalText(weight.text) + " kg";
    var concentration = readConcentration(concentrationText);
    spec.regimens.forEach(function (regimen) {
      regimen.steps.forEach(function (step) {
        var key = regimen.id + "." + step.index;
        var low = mul(parseDecimal(step.low), kg), high = mul(parseDecimal(step.high), kg);
        if (step.cap !== null) {
          var cap = parseDecimal(step.cap);
          figures[key + ".cap"] = cmp(high, cap) > 0
            ? "capped at the maximum of " + show(cap) + " mg per dose" : "";
          low = min(low, cap); high = min(high, cap);
        }
        figures[key + ".dose"] = showRange(roundMass(low), roundMass(high),
          step.rate ? "mg/hour" : "mg");
        if (step.rate) {
          if (concentration.value === null) {
            figures[key + ".rate"] = concentration.message;
          } else {
            var rl = roundRate(div(low, concentration.value));
            var rh = roundRate(div(high, concentration.value));
            figures[key + ".rate"] = isZero(rl) ? "too small to set at this concentration"
              : showRange(rl, rh, "mL/hour");
          }
          return;
        }
        regimen.strengths.forEach(function (strength) {
          var perMl = parseDecimal(strength.mg_per_ml);
          var vl = roundVolume(div(low, perMl)), vh = roundVolume(div(high, perMl));
          figures[key + ".volume." + strength.key] = isZero(vl) ? TOO_SMALL
            : showRange(vl, vh, "mL");
        });
      });
    });
    return figures;
  }

  // --- the page ---------------------------------------------------------------------------
  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) { node.textContent = text; }
    return node;
  }
  function figure(key) { return el("strong", { "class": "kb-dose", "data-kb-figure": key }); }

  // The results only mean something with a weight, so their layout ships as data (the view the
  // generator computed) and is built here, keeping every monograph page lighter.
  function layOut(results, view) {
    view.regimens.forEach(function (r) {
      var section = el("section", { "class": "kb-calc-regimen", "aria-label": r.title });
      section.append(el("h4", {}, r.title));
      var context = el("p", { "class": "kb-calc-context" });
      context.append(el("span", { "class": "kb-qualifier" }, r.qualifier));
      context.insertAdjacentHTML("beforeend", r.cite_html);  // made and escaped by the generator
      context.append(". For: " + r.indication + ". Population: " + r.population + ".");
      section.append(context);
      r.steps.forEach(function (s) {
        var list = el("dl", { "class": "kb-calc-step" });
        var term = el("dt", {}, s.kind + ": " + s.per_kg + " \u00d7 ");
        term.append(el("span", { "data-kb-figure": "weight" }));
        var dose = el("dd");
        dose.append(figure(s.key + ".dose"), s.frequency ? " " + s.frequency + " " : " ",
          el("span", { "class": "kb-calc-cap", "data-kb-figure": s.key + ".cap" }));
        list.append(term, dose);
        if (s.rate) {
          var label = el("dt");
          label.append(el("label", { "for": "kb-infusion-concentration" },
            "Concentration of the prepared infusion, mg/mL"));
          var field = el("dd");
          field.append(el("input", { id: "kb-infusion-concentration", type: "text",
            "class": "kb-calc-concentration", inputmode: "decimal", autocomplete: "off",
            spellcheck: "false", "data-kb-concentration": "" }), " ",
          el("span", { "class": "kb-calc-help" },
            "The source names no concentration: enter the one your local protocol uses."));
          var rate = el("dd");
          rate.append(figure(s.key + ".rate"));
          list.append(label, field, el("dt", {}, "Rate"), rate);
        } else {
          s.volumes.forEach(function (v) {
            var volume = el("dd");
            volume.append(figure(s.key + ".volume." + v.key));
            list.append(el("dt", {}, "Volume of " + v.label), volume);
          });
          if (s.stock_note) { list.append(el("dd", { "class": "kb-calc-note" }, s.stock_note)); }
        }
        section.append(list);
      });
      results.append(section);
    });
    results.append(el("p", { "class": "kb-calc-rounding" }, view.rounding));
  }

  function init() {
    var root = document.querySelector("[data-kb-calculator]");
    if (!root) { return; }
    var spec = JSON.parse(document.getElementById("kb-calculator-data").textContent);
    layOut(root.querySelector("[data-kb-results]"),
      JSON.parse(document.getElementById("kb-calculator-view").textContent));
    var form = root.querySelector("[data-kb-calc-form]");
    var weight = root.querySelector("#kb-weight");
    var concentration = root.querySelector("[data-kb-concentration]");
    var results = root.querySelector("[data-kb-results]");
    form.hidden = false;
    root.querySelector("[data-kb-nojs]").hidden = true;
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    function update() {
      var figures = calculate(spec, weight.value, concentration ? concentration.value : "");
      root.querySelectorAll("[data-kb-figure]").forEach(function (el) {
        var text = figures[el.getAttribute("data-kb-figure")];
        el.textContent = text === undefined ? "" : text;
      });
      results.hidden = figures.weight === undefined;
    }
    weight.addEventListener("input", update);
    if (concentration) { concentration.addEventListener("input", update); }
    update();
  }

  window.kbCalculate = calculate;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
