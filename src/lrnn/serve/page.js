"use strict";
// The page to try a model: a canvas for image models, a form for table models. Both send
// their input to this server's POST /predict and show the answer; nothing else is fetched.
(() => {
  const meta = JSON.parse(document.getElementById("lrnn-meta").textContent);
  const token = new URLSearchParams(location.search).get("token");
  const page = document.body;
  const $ = (selector) => document.querySelector(selector);

  async function predict(payload) {
    const headers = {"Content-Type": "application/json"};
    if (token) headers.Authorization = "Bearer " + token;
    const body = JSON.stringify(payload);
    const response = await fetch("predict", {method: "POST", headers, body});
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
    return answer;
  }

  function showProbabilities(prediction) {
    $("#label").textContent = prediction.label;
    const rows = $("#probabilities tbody");
    rows.replaceChildren();
    for (const name of meta.classes) {
      const p = prediction.probabilities[name];
      const row = rows.insertRow();
      row.dataset.class = name;
      row.dataset.p = String(p);  // the answer's number itself, for scripts reading the page
      if (name === prediction.label) row.className = "top";
      const label = row.insertCell();
      label.className = "name";
      label.textContent = name;
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.style.width = (100 * p).toFixed(1) + "%";
      row.insertCell().appendChild(bar);
      const value = row.insertCell();
      value.className = "value";
      value.textContent = (100 * p).toFixed(1) + " %";
    }
  }

  function showAnswer(answer) {
    showProbabilities(answer.predictions[0]);
    const list = $("#warnings");
    list.replaceChildren(...answer.warnings.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
    $("#error").textContent = "";
  }

  function resetAnswer() {
    $("#label").textContent = "\u2013";
    $("#probabilities tbody").replaceChildren();
    $("#warnings").replaceChildren();
    $("#error").textContent = "";
  }

  // One request at a time; input that changes meanwhile is sent once the answer is in, so the
  // page always ends showing the answer for what is on screen. data-state tells scripts.
  function latestOnly(send) {
    let busy = false;
    let again = false;
    async function run() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      page.dataset.state = "busy";
      try {
        showAnswer(await send());
      } catch (error) {
        $("#error").textContent = error.message;
      }
      page.dataset.answers = String(Number(page.dataset.answers) + 1);
      busy = false;
      if (again) {
        again = false;
        run();
      } else {
        page.dataset.state = "ready";
      }
    }
    return run;
  }

  function imagePage() {
    $("#image-input").hidden = false;
    const canvas = $("#draw");
    const ctx = canvas.getContext("2d", {willReadFrequently: true});
    const seen = $("#seen").getContext("2d");
    // strokes as wide as MNIST's pen relative to its digits: a digit spanning most of the
    // canvas ends 20 pixels tall with strokes about 2 pixels wide
    ctx.lineWidth = canvas.width / 14;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = ctx.fillStyle = "#fff";
    let drawing = false;
    let inked = false;
    let last = null;
    let lastSent = 0;

    function clear() {
      ctx.save();
      ctx.fillStyle = "#000";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.restore();
      seen.clearRect(0, 0, seen.canvas.width, seen.canvas.height);
      inked = false;
      resetAnswer();
    }

    function point(event) {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width,
              (event.clientY - box.top) * canvas.height / box.height];
    }

    function stroke(from, to) {
      ctx.beginPath();
      ctx.moveTo(from[0], from[1]);
      ctx.lineTo(to[0], to[1]);
      ctx.stroke();
    }

    function pixels() {  // the red channel of the white-on-black canvas, as rows of 0..255
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const rows = [];
      for (let y = 0; y < canvas.height; y++) {
        const row = new Array(canvas.width);
        for (let x = 0; x < canvas.width; x++) row[x] = data[4 * (y * canvas.width + x)];
        rows.push(row);
      }
      return rows;
    }

    function showSeen(prepared) {
      const [height, width] = [prepared.length, prepared[0].length];
      const image = seen.createImageData(width, height);
      prepared.flat().forEach((value, i) => {
        image.data.set([value, value, value, 255], 4 * i);
      });
      seen.canvas.width = width;
      seen.canvas.height = height;
      seen.putImageData(image, 0, 0);
    }

    const queue = latestOnly(async () => {
      const answer = await predict({instances: [pixels()], prepare_digits: true});
      showSeen(answer.predictions[0].prepared);
      return answer;
    });
    const send = () => {
      if (inked) queue();
    };

    canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      inked = true;
      last = point(event);
      stroke(last, last);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const next = point(event);
      stroke(last, next);
      last = next;
      if (performance.now() - lastSent > 150) {  // live answers while drawing
        lastSent = performance.now();
        send();
      }
    });
    const end = () => {
      if (!drawing) return;
      drawing = false;
      send();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    $("#clear").addEventListener("click", clear);
    clear();
    // for scripts: what a drawing does when it ends (the tests draw through these)
    window.lrnnPage = {canvas, context: ctx, predictCanvas: () => { inked = true; send(); }, clear};
  }

  function field(column, index) {
    let input;
    if (column.type === "number") {
      input = document.createElement("input");
      input.type = "number";
      input.step = "any";
      input.placeholder = column.median !== undefined ? String(column.median) : "a number";
      input.required = !column.missing;
    } else {
      input = document.createElement("select");
      const options = (column.missing ? [["", "(missing)"]] : []).concat(
        column.levels.map((level) => [level, level]));
      for (const [value, text] of options) input.add(new Option(text, value));
      input.value = column.missing_in_training || !column.levels.length ? "" : column.levels[0];
    }
    input.id = "column-" + index;
    input.name = column.name;
    input.dataset.type = column.type;
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = column.name;
    return [label, input];
  }

  function tablePage() {
    $("#table-input").hidden = false;
    const form = $("#row-form");
    const inputs = meta.input.columns.map((column, i) => {
      const [label, input] = field(column, i);
      form.append(label, input);
      return input;
    });
    const row = () => Object.fromEntries(inputs.map((input) => {
      if (input.value === "") return [input.name, null];
      return [input.name, input.dataset.type === "number" ? Number(input.value) : input.value];
    }));
    const send = latestOnly(() => predict({instances: [row()]}));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (form.reportValidity()) send();
    });
    form.addEventListener("change", () => {
      if (form.checkValidity()) send();
    });
    window.lrnnPage = {form, row, predictRow: send};
    if (form.checkValidity()) send();
  }

  if (meta.input.kind === "image") imagePage();
  else tablePage();
  if (page.dataset.state === "loading") page.dataset.state = "ready";
})();
