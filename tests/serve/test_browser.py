"""The page at / in Debian's headless Chromium, driven by selenium: digits drawn with mouse
strokes, 200 MNIST test digits drawn onto the canvas and read back through the page's own
pipeline (canvas -> the server's digit preparation -> the model), the table form against
/predict, and /docs rendered from the server's own files. Screenshots are saved in each
test's tmp folder (their paths are printed).

Needs chromium and chromium-driver (apt); skipped without them, except under CI=true."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from lrnn.data.idx.format import read_images, read_labels

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1100,900")
DIGITS = 200
MIN_ACCURACY = 0.95


@pytest.fixture
def browser(tmp_path):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        message = (f"{CHROMIUM} and {CHROMEDRIVER} are needed: apt-get install -y chromium "
                   f"chromium-driver")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + (f"--user-data-dir={tmp_path / 'chromium-profile'}",):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(300)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


def screenshot(browser, path: Path) -> None:
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot: {path}")


def wait_answered(browser, before: int, timeout: float = 30) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout).until(lambda b: b.execute_script(
        "return Number(document.body.dataset.answers) > arguments[0] && "
        "document.body.dataset.state === 'ready'", before))


def answers(browser) -> int:
    return int(browser.execute_script("return Number(document.body.dataset.answers)"))


def shown_probabilities(browser) -> dict[str, float]:
    return browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#probabilities tr')]"
        ".map(r => [r.dataset.class, Number(r.dataset.p)]))")


def draw(browser, strokes: list[list[tuple[int, int]]]) -> None:
    """Mouse strokes on the canvas, points relative to its centre."""
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = browser.find_element("id", "draw")
    for points in strokes:
        before = answers(browser)
        actions = ActionChains(browser, duration=10)
        actions.move_to_element_with_offset(canvas, *points[0]).click_and_hold()
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            actions.move_by_offset(x1 - x0, y1 - y0)
        actions.release().perform()
        wait_answered(browser, before)


def line(start: tuple[int, int], end: tuple[int, int], steps: int = 12):
    return [(round(start[0] + (end[0] - start[0]) * t / steps),
             round(start[1] + (end[1] - start[1]) * t / steps)) for t in range(steps + 1)]


def test_drawing_with_the_mouse(serving, mnist_mlp_run, browser, tmp_path):
    server = serving(mnist_mlp_run)
    browser.get(server.url)
    draw(browser, [line((0, -100), (0, 100))])
    assert browser.find_element("id", "label").text == "1"
    probabilities = shown_probabilities(browser)
    assert sorted(probabilities) == [str(d) for d in range(10)]
    assert abs(sum(probabilities.values()) - 1) < 1e-9 and probabilities["1"] > 0.5
    seen = browser.execute_script(
        "const c = document.getElementById('seen'); return [c.width, c.height, Array.from("
        "c.getContext('2d').getImageData(0, 0, c.width, c.height).data).reduce((a, b) => a + b)]")
    assert seen[:2] == [28, 28] and seen[2] > 28 * 28 * 255  # ink, not just the opaque alpha
    screenshot(browser, tmp_path / "drawn-1.png")
    browser.find_element("id", "clear").click()
    assert browser.find_element("id", "label").text == "\u2013"
    draw(browser, [line((-80, -90), (80, -90)), line((80, -90), (-20, 110))])  # a 7
    label = browser.find_element("id", "label").text
    probabilities = shown_probabilities(browser)
    assert label in probabilities and len(probabilities) == 10
    assert max(probabilities, key=probabilities.get) == label
    print(f"the two strokes of a 7 read as {label!r}")
    screenshot(browser, tmp_path / "drawn-7.png")


DRAW_DIGITS = """
const [digits, placements, done] = arguments;
const small = document.createElement("canvas");
small.width = small.height = 28;
const pen = small.getContext("2d");
const labels = [];
const answered = (before) => new Promise((resolve) => {
  const check = () => (Number(document.body.dataset.answers) > before &&
    document.body.dataset.state === "ready") ? resolve() : setTimeout(check, 2);
  check();
});
(async () => {
  for (let i = 0; i < digits.length; i++) {
    const image = pen.createImageData(28, 28);
    digits[i].forEach((v, j) => image.data.set([v, v, v, 255], 4 * j));
    pen.putImageData(image, 0, 0);
    for (const [size, x, y] of placements[i]) {
      lrnnPage.clear();
      lrnnPage.context.imageSmoothingEnabled = true;
      lrnnPage.context.drawImage(small, x, y, size, size);
      const before = Number(document.body.dataset.answers);
      lrnnPage.predictCanvas();
      await answered(before);
      labels.push(document.getElementById("label").textContent);
    }
  }
  done(labels);
})();
"""


def test_mnist_digits_drawn_on_the_canvas(serving, mnist_mlp_run, mnist_dir, browser,
                                          tmp_path):
    """The first 200 test digits, each drawn at the canvas' size, at 40 % of it off-centre
    and at 70 % off-centre: read back through the page, at least 95 % right."""
    images = read_images(mnist_dir / "t10k-images-idx3-ubyte.gz")[:DIGITS]
    labels = read_labels(mnist_dir / "t10k-labels-idx1-ubyte.gz", 10)[:DIGITS]
    rng = np.random.default_rng(0)
    placements = [[(280, 0, 0), (112, *rng.integers(0, 280 - 112, 2).tolist()),
                   (196, *rng.integers(0, 280 - 196, 2).tolist())] for _ in range(DIGITS)]
    server = serving(mnist_mlp_run)
    browser.get(server.url)
    read = browser.execute_async_script(DRAW_DIGITS, images.reshape(DIGITS, -1).tolist(),
                                        placements)
    read = np.array(read).reshape(DIGITS, 3)
    right = read == labels.astype(str)[:, None]
    print(f"digits drawn on the canvas, read right: {right.mean():.1%} of {right.size} "
          f"(full size {right[:, 0].mean():.1%}, 40 % off-centre {right[:, 1].mean():.1%}, "
          f"70 % off-centre {right[:, 2].mean():.1%})")
    screenshot(browser, tmp_path / "last-digit.png")
    assert right.mean() >= MIN_ACCURACY
    assert right.mean(axis=0).min() >= MIN_ACCURACY - 0.02


def test_table_form_answers_as_predict(serving, chile_run, browser, tmp_path):
    from selenium.webdriver.support.ui import Select

    server = serving(chile_run)
    browser.get(server.url)
    wait_answered(browser, 0)  # the form's defaults are answered at once
    row = {"region": "SA", "population": "175000", "sex": "F", "age": "47", "education": "PS",
           "income": None, "statusquo": "-0.73"}
    for i, (name, value) in enumerate(row.items()):
        field = browser.find_element("css selector", f"[name='{name}']")
        if field.tag_name == "select":
            Select(field).select_by_value(value or "")
        else:
            field.clear()
            field.send_keys(value or "")
    before = answers(browser)
    browser.find_element("id", "predict").click()
    wait_answered(browser, before)
    shown = shown_probabilities(browser)
    sent = {"region": "SA", "population": "175000", "sex": "F", "age": 47, "education": "PS",
            "income": None, "statusquo": -0.73}
    status, _, answer = server.post_json({"instances": [sent]})
    assert status == 200
    assert shown == answer["predictions"][0]["probabilities"]
    assert browser.find_element("id", "label").text == answer["predictions"][0]["label"]
    placeholder = browser.find_element("css selector", "[name='age']").get_attribute(
        "placeholder")
    assert float(placeholder) == next(c["median"] for c in server.call("GET", "/metadata")[2][
        "input"]["columns"] if c["name"] == "age")
    screenshot(browser, tmp_path / "table-form.png")


def test_docs_render_offline(serving, chile_run, browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    server = serving(chile_run)
    browser.get(server.url + "docs")
    WebDriverWait(browser, 30).until(lambda b: "/predict" in b.execute_script(
        "return [...document.querySelectorAll('.opblock-summary-path')].map(e => "
        "e.textContent).join(' ')"))
    screenshot(browser, tmp_path / "docs.png")
