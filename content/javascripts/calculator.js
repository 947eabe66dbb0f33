/* Weight-based dose calculator. Implements generator/calculator.py exactly: decimal inputs,
   exact rational arithmetic with BigInt, rounding half up of the final figure only. No library,
   no request. A browser test compares every figure with the Python specification. */
(function () {
  "use strict";

  var EN_DASH = "\u2013";
  var NUMBER = /^(\d+(\.\d+)?|\.\d+)$/;
  var TOO_SMALL = "too small to measure at this strength";
  var ABOVE_CAP = "not shown: even the lowest dose is above the maximum";
  var MAX_CONCENTRATION = 100000;

  // --- exact arithmetic: a fraction {n, d} of BigInts, d > 0 -------------------------------
  function gcd(a, b) { while (b) { var t = a % b; a = b; b = t; } return a < 0n ? -a : a; }
  function frac(n, d) { var g = gcd(n, d) || 1n; return { n: n / g, d: d / g }; }
  function parseDecimal(text) {
    var parts = text.split(".");
    var whole = parts[0] || "0", fraction = parts[1] || "";
    return frac(BigInt(whole + fraction), 10n ** BigInt(fraction.length));
  }
  function parseExact(text) {  // "n/d", as the specification writes exact values
    var parts = text.split("/");
    return frac(BigInt(parts[0]), BigInt(parts[1]));
  }
  function int(n) { return { n: BigInt(n), d: 1n }; }
  function mul(a, b) { return frac(a.n * b.n, a.d * b.d); }
  function div(a, b) { return frac(a.n * b.d, a.d * b.n); }
  function cmp(a, b) { var l = a.n * b.d, r = b.n * a.d; return l < r ? -1 : (l > r ? 1 : 0); }
  function isZero(a) { return a.n === 0n; }
  function roundHalfUp(v, places) {
    var scale = 10n ** BigInt(places);
    return { n: (2n * v.n * scale + v.d) / (2n * v.d), d: scale };
  }
  function roundDown(v, places) {
    var scale = 10n ** BigInt(places);
    return { n: (v.n * scale) / v.d, d: scale };
  }
  var HUNDRED = int(100), ONE = int(1);
  var GRIDS = {
    mass: function (v) { return cmp(v, HUNDRED) >= 0 ? 0 : 1; },
    volume: function (v) { return cmp(v, ONE) < 0 ? 2 : 1; },
    rate: function () { return 1; }
  };
  function roundCapped(v, limit, grid) {
    var places = GRIDS[grid];
    var rounded = roundHalfUp(v, places(v));
    if (limit !== null && cmp(rounded, limit) > 0) { return roundDown(limit, places(limit)); }
    return rounded;
  }

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
  function showRange(low, high, unit) {
    var sep = unit.charAt(0) === "%" ? "" : " ";
    if (cmp(low, high) === 0) { return show(low) + sep + unit; }
    return show(low) + EN_DASH + show(high) + sep + unit;
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
    if (cmp(value, parseDecimal("0.5")) < 0 || cmp(value, int(300)) > 0) {
      return { value: null, message: "Weight must be between 0.5 and 300 kg." };
    }
    return { value: value, message: "" };
  }
  function readConcentration(text, unit) {
    var written = text.trim();
    if (!written) {
      return { value: null, message: "Enter the concentration in " + unit + "/mL to see mL/hour." };
    }
    if (!NUMBER.test(written) || isZero(parseDecimal(written)) ||
        cmp(parseDecimal(written), int(MAX_CONCENTRATION)) > 0) {
      return { value: null, message: "Concentration must be a number above 0 and up to " +
        show(int(MAX_CONCENTRATION)) + " " + unit + "/mL." };
    }
    return { value: parseDecimal(written), message: "" };
  }

  // --- the calculation (mirrors generator.calculator.calculate) ---------------------------
  function limitOf(limits, kg) {
    var best = { value: null, text: "" };
    limits.forEach(function (limit) {
      var value = parseExact(limit.value);
      if (limit.per_kg) { value = mul(value, kg); }
      value = div(value, int(limit.divisor));
      if (best.value === null || cmp(value, best.value) < 0) {
        best = { value: value, text: limit.text };
      }
    });
    return best;
  }
  function capped(low, high, limits, kg) {
    var best = limitOf(limits, kg);
    if (best.value === null) { return { low: low, high: high, limit: null, note: "" }; }
    if (cmp(low, best.value) > 0 && cmp(low, high) !== 0) {
      return { low: low, high: high, limit: best.value, note: "the maximum is " + best.text,
        above: true };
    }
    if (cmp(high, best.value) > 0) {
      return { low: cmp(low, best.value) > 0 ? best.value : low, high: best.value,
        limit: best.value, note: "capped at the maximum of " + best.text };
    }
    return { low: low, high: high, limit: best.value, note: "" };
  }
  function stepFigures(step, key, kg, typed, out) {
    var c = capped(mul(parseExact(step.low), kg), mul(parseExact(step.high), kg),
      step.limits || [], kg);
    out[key + ".cap"] = c.note;
    if (c.above) { out[key + ".dose"] = ABOVE_CAP; return; }
    var grid = step.grid;
    out[key + ".dose"] = showRange(roundCapped(c.low, c.limit, grid),
      roundCapped(c.high, c.limit, grid), step.unit);
    var dose = c;
    if (step.divided) {
      var n = int(step.divided);
      var d = capped(div(c.low, n), div(c.high, n), step.divided_limits || [], kg);
      out[key + ".divided.cap"] = d.note;
      if (d.above) { out[key + ".divided"] = ABOVE_CAP; return; }
      out[key + ".divided"] = showRange(roundCapped(d.low, d.limit, grid),
        roundCapped(d.high, d.limit, grid), step.amount_unit);
      dose = d;
    } else if (step.per === "day") {
      return;
    }
    if (step.per === "minute" || step.per === "hour" || step.over_minutes) {
      var minutes = step.per === "minute" ? int(1) : step.per === "hour" ? int(60)
        : parseExact(step.over_minutes);
      var reading = readConcentration(typed, step.amount_unit);
      if (reading.value === null) {
        out[key + ".rate"] = reading.message;
      } else {
        var toRate = div(div(int(60), minutes), reading.value);
        var rateLimit = dose.limit === null ? null : mul(dose.limit, toRate);
        var rl = roundCapped(mul(dose.low, toRate), rateLimit, "rate");
        var rh = roundCapped(mul(dose.high, toRate), rateLimit, "rate");
        out[key + ".rate"] = isZero(rl) ? "too small to set at this concentration"
          : showRange(rl, rh, "mL/hour");
      }
      if (step.per !== "dose") { return; }
    }
    (step.strengths || []).forEach(function (strength) {
      var perMl = parseExact(strength.per_ml);
      var volLimit = dose.limit === null ? null : div(dose.limit, perMl);
      var vl = roundCapped(div(dose.low, perMl), volLimit, "volume");
      var vh = roundCapped(div(dose.high, perMl), volLimit, "volume");
      out[key + ".volume." + strength.key] = isZero(vl) ? TOO_SMALL : showRange(vl, vh, "mL");
    });
  }
  function calculate(spec, weightText, concentrations) {
    var weight = readWeight(weightText);
    var figures = { message: weight.message };
    if (weight.value === null) { return figures; }
    figures.weight = show(weight.value) + " kg";
    spec.regimens.forEach(function (regimen) {
      regimen.steps.forEach(function (step) {
        var key = regimen.id + "." + step.index;
        stepFigures(step, key, weight.value, (concentrations || {})[key] || "", figures);
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
        dose.append(figure(s.key + ".dose"), s.timing ? " " + s.timing + " " : " ",
          el("span", { "class": "kb-calc-cap", "data-kb-figure": s.key + ".cap" }));
        list.append(term, dose);
        if (s.divided) {
          var each = el("dd");
          each.append(s.divided + ": ", figure(s.key + ".divided"), " ",
            el("span", { "class": "kb-calc-cap", "data-kb-figure": s.key + ".divided.cap" }));
          list.append(el("dt", {}, "Each dose"), each);
        }
        if (s.concentration) {
          var id = "kb-conc-" + s.key.replace(/[^a-z0-9]+/g, "-");
          var label = el("dt");
          label.append(el("label", { "for": id }, s.concentration));
          var field = el("dd");
          field.append(el("input", { id: id, type: "text", "class": "kb-calc-concentration",
            inputmode: "decimal", autocomplete: "off", spellcheck: "false",
            "data-kb-concentration": s.key }), " ",
          el("span", { "class": "kb-calc-help" }, s.concentration_help));
          var rate = el("dd");
          rate.append(figure(s.key + ".rate"));
          list.append(label, field, el("dt", {}, s.rate_label), rate);
        }
        (s.volumes || []).forEach(function (v) {
          var volume = el("dd");
          volume.append(figure(s.key + ".volume." + v.key));
          list.append(el("dt", {}, "Volume of " + v.label), volume);
        });
        if (s.stock_note) { list.append(el("dd", { "class": "kb-calc-note" }, s.stock_note)); }
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
    var fields = root.querySelectorAll("[data-kb-concentration]");
    var results = root.querySelector("[data-kb-results]");
    form.hidden = false;
    root.querySelector("[data-kb-nojs]").hidden = true;
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    function update() {
      var typed = {};
      fields.forEach(function (f) { typed[f.getAttribute("data-kb-concentration")] = f.value; });
      var figures = calculate(spec, weight.value, typed);
      root.querySelectorAll("[data-kb-figure]").forEach(function (el) {
        var text = figures[el.getAttribute("data-kb-figure")];
        el.textContent = text === undefined ? "" : text;
      });
      results.hidden = figures.weight === undefined;
    }
    weight.addEventListener("input", update);
    fields.forEach(function (f) { f.addEventListener("input", update); });
    update();
  }

  window.kbCalculate = calculate;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
