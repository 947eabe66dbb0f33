/* Clinical KB search: typo-tolerant, spelling- and abbreviation-aware, offline.

   The index is written at build time by generator/search.py as script files (a page opened from
   file:// can load a script but not fetch a file): search/index.<hash>.js with the documents and
   the vocabulary, and search/shard-<n>.<hash>.js with the postings of the words that hash to n.
   A query loads only the shards it needs; their names change with their content, so the browser
   keeps them between pages. Words are folded exactly as generator/search.py folds them.

   Safety: results are built from text nodes only (never markup from the data); a drug name
   matched by a near spelling is marked, drugs with similar names are listed as different drugs,
   and nothing opens by itself: Enter in the box does nothing, a result opens only when chosen. */
(function () {
  "use strict";

  var box = document.querySelector("[data-kb-search]");
  if (!box) { return; }
  var input = box.querySelector("input.md-search__input");
  var form = box.querySelector("form");
  var meta = box.querySelector(".kb-search-meta");
  var list = box.querySelector(".md-search-result__list");
  var suggestBox = box.querySelector(".kb-search-suggest");
  var toggle = document.getElementById("__search");
  var indexUrl = new URL(box.getAttribute("data-kb-search-index"), document.baseURI);
  var rootUrl = new URL("../", indexUrl);

  var WEIGHTS = [1, 3, 5, 10];          /* body, heading, class, name */
  var PAGE_WEIGHT = 0.35;               /* a guide page weighs about a third of a monograph */
  var EXACT = 1, VARIANT = 0.6, PREFIX = 0.8, FUZZY1 = 0.6, FUZZY2 = 0.45;
  var MAX_RESULTS = 20, MAX_PREFIX = 300, MAX_WORDS = 12;  /* a pasted paragraph stays fast */
  var MAX_ALIKE = 5;
  var FINAL = "0123456789abcdefghijklmnopqrstuv";
  var CONT = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_";
  var DIGIT = new Int8Array(128).fill(-1);
  for (var d = 0; d < 32; d++) { DIGIT[FINAL.charCodeAt(d)] = d; DIGIT[CONT.charCodeAt(d)] = 32 + d; }
  var TOKEN = /[a-z0-9]+(?:\.[0-9]+)*/g;

  var E = null;                         /* the prepared index */
  var shards = [];                      /* shard number -> {word: postings text} */
  var decoded = new Map();              /* word -> Int32Array of doc, field, section */
  var requested = {};
  var sequence = 0;

  /* ---- loading ---------------------------------------------------------------------------- */

  window.__kbSearchLoad = function (payload) {
    if (typeof payload.shard === "number") { shards[payload.shard] = payload.postings; }
    else { prepare(payload); }
  };

  function loadScript(key, src) {
    if (!requested[key]) {
      requested[key] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.async = true;
        script.onload = function () { resolve(); };
        script.onerror = function () { delete requested[key]; reject(new Error(src)); };
        document.head.appendChild(script);
      });
    }
    return requested[key];
  }

  function loadMain() { return E ? Promise.resolve() : loadScript("main", indexUrl.href); }

  function loadShards(numbers) {
    return Promise.all(numbers.filter(function (n) { return !shards[n]; }).map(function (n) {
      return loadScript("shard" + n, new URL(E.shardFiles[n], indexUrl).href);
    }));
  }

  /* ---- words, folded as generator/search.py folds them ------------------------------------- */

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function spell(word) {
    var rules = E.spellings;
    for (var i = 0; i < rules.length; i++) {
      var b = rules[i][0], a = rules[i][1], where = rules[i][2];
      if (where === "anywhere") { word = word.split(b).join(a); }
      else if (where === "start" && word.startsWith(b)) { word = a + word.slice(b.length); }
      else if (where === "end" && word.endsWith(b)) { word = word.slice(0, word.length - b.length) + a; }
    }
    return word;
  }

  function words(text) {
    var tokens = fold(text).match(TOKEN) || [];
    var out = [];
    for (var i = 0; i < tokens.length; i++) {
      if (!E.stop.has(tokens[i])) { out.push(spell(tokens[i])); }
    }
    return out;
  }

  function fnv1a(word) {
    var h = 2166136261;
    for (var i = 0; i < word.length; i++) { h = Math.imul(h ^ word.charCodeAt(i), 16777619) >>> 0; }
    return h;
  }

  /* Optimal string alignment distance, or limit + 1 once it is over limit. */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) { return limit + 1; }
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) { prev.push(j); }
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var value = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) { value = Math.min(value, prev2[j - 2] + 1); }
        cur.push(value);
        if (value < best) { best = value; }
      }
      if (best > limit) { return limit + 1; }
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  function prepare(data) {
    var vocabulary = data.vocabulary ? data.vocabulary.split("\n") : [];
    var byLength = [];
    vocabulary.forEach(function (word) {
      if (/[0-9]/.test(word)) { return; }           /* numbers are matched exactly, never near */
      (byLength[word.length] = byLength[word.length] || []).push(word);
    });
    E = {
      docs: data.docs, sections: data.sections, shardFiles: data.shards,
      vocabulary: vocabulary, known: new Set(vocabulary), byLength: byLength,
      stop: new Set(data.stopwords), spellings: data.spellings,
      abbreviations: new Map(data.abbreviations), alike: data.alike,
      names: data.names, nameDocs: new Map()
    };
    data.names.forEach(function (pair) {
      var docs = E.nameDocs.get(pair[0]) || [];
      docs.push(pair[1]);
      E.nameDocs.set(pair[0], docs);
    });
    /* each meaning, in index words, with the abbreviations that mean it */
    E.meanings = new Map();
    data.abbreviations.forEach(function (entry) {
      entry[1].forEach(function (meaning) {
        var key = words(meaning).join(" ");
        if (!key) { return; }
        var abbrs = E.meanings.get(key) || [];
        abbrs.push(entry[0]);
        E.meanings.set(key, abbrs);
      });
    });
  }

  /* ---- queries ------------------------------------------------------------------------------ */

  function alternativesFor(meaningKeys, except) {
    var alts = [];
    meaningKeys.forEach(function (key) {
      alts.push(key.split(" "));
      (E.meanings.get(key) || []).forEach(function (abbr) {
        if (abbr !== except) {
          var w = words(abbr);
          if (w.length) { alts.push(w); }
        }
      });
    });
    return alts;
  }

  /* Alternatives without repeats, and without those made only of single letters (N/V as "n"
     and "v" would match every author's initials). */
  function unique(alts) {
    var seen = new Set();
    return alts.filter(function (alt) {
      var key = alt.join(" ");
      if (seen.has(key) || alt.every(function (w) { return w.length < 2 && !/[0-9]/.test(w); })) { return false; }
      seen.add(key);
      return true;
    });
  }

  /* A query is groups that must all match; a group is alternatives (the word itself, its
     abbreviation's meanings, the abbreviations of a meaning); an alternative is words. */
  function parse(query) {
    var groups = [];
    query.split(/\s+/).slice(0, MAX_WORDS).forEach(function (piece) {
      if (!piece) { return; }
      var key = fold(piece).replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
      var tokens = words(piece);
      var meanings = E.abbreviations.get(key);
      if (meanings && !E.stop.has(key)) {
        var keys = meanings.map(function (m) { return words(m).join(" "); }).filter(Boolean);
        var alts = unique((tokens.length ? [tokens] : []).concat(alternativesFor(keys, key)));
        if (alts.length) { groups.push({ typed: piece, alts: alts, abbreviation: true }); }
        return;
      }
      tokens.forEach(function (token) {
        if (token.length < 2 && !/[0-9]/.test(token)) { return; }   /* a lone letter */
        var alts = [[token]];
        if (E.meanings.has(token)) { alts = alts.concat(alternativesFor([token], null)); }
        groups.push({ typed: token, alts: unique(alts), single: true });
      });
    });
    /* a meaning typed in full ("heart rate") also finds its abbreviation (HR) */
    E.meanings.forEach(function (abbrs, key) {
      var phrase = key.split(" ");
      if (phrase.length < 2) { return; }
      for (var i = 0; i + phrase.length <= groups.length; i++) {
        var match = true;
        for (var j = 0; j < phrase.length && match; j++) {
          match = groups[i + j].single && groups[i + j].typed === phrase[j];
        }
        if (match) {
          var merged = { typed: phrase.join(" "), alts: unique(alternativesFor([key], null)) };
          groups.splice(i, phrase.length, merged);
        }
      }
    });
    return groups;
  }

  function lowerBound(words_, word) {
    var lo = 0, hi = words_.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (words_[mid] < word) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }

  /* Index words a typed word may stand for: itself, words it starts (four letters or more),
     words one or two edits away (five letters or more: one; nine or more: two). Numbers match
     only themselves: a near number is a different dose. */
  function candidates(word, variant, exactOnly) {
    var found = new Map();
    function add(term, quality, kind) {
      var old = found.get(term);
      if (!old || old.quality < quality) { found.set(term, { term: term, quality: quality, kind: kind }); }
    }
    if (E.known.has(word)) { add(word, variant ? VARIANT : EXACT, variant ? "variant" : "exact"); }
    if (exactOnly || /[0-9]/.test(word)) { return Array.from(found.values()); }
    if (word.length >= 4) {
      for (var i = lowerBound(E.vocabulary, word), n = 0; i < E.vocabulary.length && n < MAX_PREFIX; i++, n++) {
        var term = E.vocabulary[i];
        if (!term.startsWith(word)) { break; }
        if (term !== word) { add(term, PREFIX, "prefix"); }
      }
    }
    var limit = word.length >= 9 ? 2 : word.length >= 5 ? 1 : 0;
    for (var len = word.length - limit; limit && len <= word.length + limit; len++) {
      var bucket = E.byLength[len] || [];
      for (var k = 0; k < bucket.length; k++) {
        if (bucket[k] === word) { continue; }
        var dist = distance(word, bucket[k], limit);
        if (dist <= limit) { add(bucket[k], dist === 1 ? FUZZY1 : FUZZY2, "fuzzy"); }
      }
    }
    return Array.from(found.values());
  }

  function postings(term) {
    var cached = decoded.get(term);
    if (cached) { return cached; }
    var text = shards[fnv1a(term) & (E.shardFiles.length - 1)][term];
    if (!text) { return null; }
    var numbers = [], value = 0, shift = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text.charCodeAt(i)];
      if (digit >= 32) { value += (digit - 32) * Math.pow(2, shift); shift += 5; }
      else { numbers.push(value + digit * Math.pow(2, shift)); value = 0; shift = 0; }
    }
    var out = new Int32Array(numbers.length / 2 * 3), doc = -1;
    for (var p = 0, q = 0; p < numbers.length; p += 2, q += 3) {
      doc += numbers[p];
      out[q] = doc; out[q + 1] = numbers[p + 1] & 3; out[q + 2] = numbers[p + 1] >> 2;
    }
    decoded.set(term, out);
    return out;
  }

  function plan(query) {
    var groups = parse(query);
    var needed = new Set();
    groups.forEach(function (group) {
      group.slots = group.alts.map(function (alt, a) {
        return alt.map(function (word) {
          /* an abbreviation as typed matches itself only: "eps" is not the start of a name */
          var found = candidates(word, a > 0, group.abbreviation && a === 0);
          found.forEach(function (c) { needed.add(fnv1a(c.term) & (E.shardFiles.length - 1)); });
          return found;
        });
      });
    });
    return { groups: groups, shards: Array.from(needed) };
  }

  /* Score every document that matches every group. */
  function rank(query, groups) {
    var total = E.docs.length, scores = null;
    function idfOf(term) {
      var posts = postings(term);
      return posts ? Math.log(1 + total / (posts.length / 3)) : 0;
    }
    groups.forEach(function (group) {
      var best = new Map();
      /* A doc found through another form of the words (an abbreviation's meaning, the
         abbreviation of a meaning) weighs as the words typed would: otherwise a rare "hr"
         (hour) would outrank every page that says "heart rate". */
      var typed = group.slots[0].map(function (found) {
        var exact = found.filter(function (c) { return c.kind === "exact"; });
        return exact.length ? idfOf(exact[0].term) : 0;
      });
      var typedIdf = typed.every(function (x) { return x > 0; }) && typed.length ?
        typed.reduce(function (a, b) { return a + b; }, 0) / typed.length : 0;
      group.slots.forEach(function (alt, a) {
        var altScores = null;
        alt.forEach(function (found) {
          var slot = new Map();
          found.forEach(function (c) {
            var posts = postings(c.term);
            if (!posts) { return; }
            var idf = a > 0 && typedIdf ? typedIdf : Math.log(1 + total / (posts.length / 3));
            for (var i = 0; i < posts.length; i += 3) {
              var s = c.quality * WEIGHTS[posts[i + 1]] * idf;
              var old = slot.get(posts[i]);
              if (!old || old.s < s) {
                slot.set(posts[i], { s: s, kind: c.kind, term: c.term, field: posts[i + 1], section: posts[i + 2] });
              }
            }
          });
          if (altScores === null) {
            altScores = new Map();
            slot.forEach(function (hit, doc) { altScores.set(doc, { s: hit.s, hits: [hit] }); });
          } else {
            var next = new Map();
            altScores.forEach(function (v, doc) {
              var hit = slot.get(doc);
              if (hit) { next.set(doc, { s: v.s + hit.s, hits: v.hits.concat([hit]) }); }
            });
            altScores = next;
          }
        });
        (altScores || new Map()).forEach(function (v, doc) {
          var s = v.s / alt.length, old = best.get(doc);
          if (!old || old.s < s) { best.set(doc, { s: s, hits: v.hits }); }
        });
      });
      if (scores === null) { scores = best; return; }
      var next = new Map();
      scores.forEach(function (v, doc) {
        var g = best.get(doc);
        if (g) { next.set(doc, { s: v.s + g.s, hits: v.hits.concat(g.hits) }); }
      });
      scores = next;
    });
    var results = [];
    var exact = E.nameDocs.get(words(query).join(" ")) || [];
    (scores || new Map()).forEach(function (v, doc) {
      var named = exact.indexOf(doc) >= 0;
      var s = v.s * (E.docs[doc][2] === "monograph" ? 1 : PAGE_WEIGHT) + (named ? 1000 : 0);
      results.push({ doc: doc, s: s, hits: v.hits, named: named });
    });
    results.sort(function (a, b) {
      return b.s - a.s || (E.docs[a.doc][1] < E.docs[b.doc][1] ? -1 : 1);
    });
    return results;
  }

  /* The closest drug names to what was typed, for a search that found nothing. */
  function closestNames(query) {
    var typed = words(query).join(" ");
    if (typed.length < 3) { return []; }
    var limit = Math.max(1, Math.floor(typed.length / 3)), found = [], seen = new Set();
    E.names.forEach(function (pair) {
      var dist = distance(typed, pair[0], limit);
      if (dist <= limit && !seen.has(pair[1])) { seen.add(pair[1]); found.push({ doc: pair[1], d: dist }); }
    });
    found.sort(function (a, b) { return a.d - b.d || (E.docs[a.doc][1] < E.docs[b.doc][1] ? -1 : 1); });
    return found.slice(0, 5);
  }

  /* ---- showing results (text nodes only) ---------------------------------------------------- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function docLink(doc, anchor) {
    var a = el("a", "md-search-result__link");
    a.href = new URL(E.docs[doc][0], rootUrl).href + (anchor ? "#" + anchor : "");
    return a;
  }

  function alikeLine(doc) {
    var others = (E.alike[String(doc)] || []).slice(0, MAX_ALIKE);
    if (!others.length) { return null; }
    var p = el("p", "kb-search-alike");
    p.appendChild(el("strong", null, others.length > 1 ? "Different drugs with similar names: " : "Different drug with a similar name: "));
    others.forEach(function (other, i) {
      if (i) { p.appendChild(document.createTextNode(", ")); }
      var a = docLink(other, "");
      a.className = "kb-search-other";
      a.textContent = E.docs[other][1];
      p.appendChild(a);
    });
    return p;
  }

  function resultItem(result, typed) {
    var doc = E.docs[result.doc];
    var li = el("li", "md-search-result__item");
    var where = null;
    result.hits.forEach(function (hit) { if (hit.section && (!where || hit.s > where.s)) { where = hit; } });
    var a = docLink(result.doc, where ? E.sections[where.section][0] : "");
    a.appendChild(el("span", "kb-search-title", doc[1]));
    a.appendChild(el("span", "kb-search-kind", doc[2] === "monograph" ? "Monograph" : "Guide"));
    if (where) { a.appendChild(el("span", "kb-search-where", "In " + E.sections[where.section][1])); }
    li.appendChild(a);
    var nameHit = result.hits.filter(function (h) { return h.field === 3; });
    if (doc[3].length && nameHit.length) { li.appendChild(el("p", "kb-search-names", "Also: " + doc[3].join(", "))); }
    if (doc[4].length) { li.appendChild(el("p", "kb-search-classes", doc[4].join(" · "))); }
    var near = result.named ? [] : nameHit.filter(function (h) { return h.kind === "fuzzy"; });
    if (near.length) {
      li.classList.add("kb-search-near");
      li.appendChild(el("p", "kb-search-warning", "Spelled differently from your search (\u201c" + typed +
        "\u201d): check this is the drug you mean."));
    }
    var alike = doc[2] === "monograph" ? alikeLine(result.doc) : null;
    if (alike) { li.appendChild(alike); }
    return li;
  }

  function show(query, results) {
    list.textContent = "";
    suggestBox.textContent = "";
    suggestBox.hidden = true;
    if (!results.length) {
      meta.textContent = "No page found for \u201c" + query + "\u201d.";
      var names = closestNames(query);
      if (names.length) {
        suggestBox.appendChild(el("p", null, "Closest drug names. Check the spelling: each is a different drug from what you typed."));
        var ul = el("ul", "kb-search-closest");
        names.forEach(function (n) {
          var li = el("li"), a = docLink(n.doc, "");
          a.textContent = E.docs[n.doc][1];
          li.appendChild(a);
          ul.appendChild(li);
        });
        suggestBox.appendChild(ul);
        suggestBox.hidden = false;
      }
      return;
    }
    meta.textContent = (results.length === 1 ? "1 page found" :
      results.length + " pages found" + (results.length > MAX_RESULTS ? ", the first " + MAX_RESULTS + " shown" : "")) +
      (query.split(/\s+/).length > MAX_WORDS ? " (for the first " + MAX_WORDS + " words)" : "");
    results.slice(0, MAX_RESULTS).forEach(function (result) { list.appendChild(resultItem(result, query)); });
  }

  function search() {
    var query = input.value.trim().slice(0, 200);
    var mine = ++sequence;
    if (!query) {
      list.textContent = "";
      suggestBox.hidden = true;
      meta.textContent = "Type a drug, a symptom or a dose";
      return;
    }
    loadMain().then(function () {
      if (mine !== sequence) { return null; }
      var p = plan(query);
      if (p.shards.some(function (n) { return !shards[n]; })) { meta.textContent = "Searching\u2026"; }
      return loadShards(p.shards).then(function () {
        if (mine === sequence) { show(query, rank(query, p.groups)); }
      });
    }).catch(function () {
      if (mine === sequence) { meta.textContent = "Search could not load its index. Reload the page and try again."; }
    });
  }

  /* ---- keyboard and focus -------------------------------------------------------------------- */

  function open() { if (toggle) { toggle.checked = true; } }
  function close() { if (toggle) { toggle.checked = false; } input.blur(); }
  function links() { return Array.prototype.slice.call(list.querySelectorAll("a.md-search-result__link")); }

  input.addEventListener("focus", function () { open(); loadMain().catch(function () {}); });
  input.addEventListener("input", search);
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      var first = links()[0];
      if (first) { event.preventDefault(); first.focus(); }
    } else if (event.key === "Enter") {
      event.preventDefault();             /* never open a result by itself: say how to choose */
      if (links().length && !/to open one/.test(meta.textContent)) {
        meta.textContent += ". Press \u2193 then Enter, or click, to open one.";
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  list.addEventListener("keydown", function (event) {
    var all = links(), at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) { input.focus(); } else if (next < all.length) { all[next].focus(); }
    } else if (event.key === "Escape") {
      event.preventDefault();
      input.focus();
    }
  });
  box.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("a")) { if (toggle) { toggle.checked = false; } }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(function () { search(); input.focus(); }, 0); });
  if (toggle) {
    toggle.addEventListener("change", function () { if (toggle.checked) { input.focus(); } });
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    if (event.key === "/" || event.key === "s" || event.key === "S") {
      event.preventDefault();
      open();
      input.focus();
    }
  });

  /* for the tests: the same folding as generator/search.py */
  window.__kbSearchWords = function (text) { return loadMain().then(function () { return words(text); }); };
})();
