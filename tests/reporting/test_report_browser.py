"""report.html opened from disk in a real headless Chromium: every image loads, and a
full-page screenshot is saved.

Needs Debian's chromium and chromium-driver (`apt-get install -y chromium chromium-driver`;
.ci/run installs them) and selenium (in the test extra). Without them the tests are skipped
with the reason shown in pytest's summary, except under CI=true (.ci/run sets it), where they
fail.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Chromium run as root in a container, offline, with nothing left from another run
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1280,1000")


def require_browser(chromium: str = CHROMIUM, driver: str = CHROMEDRIVER) -> None:
    """Skip (with the reason in pytest's summary) when Chromium or its driver is missing, so
    that the README's test command passes on a fresh machine; fail instead under CI=true."""
    if Path(chromium).exists() and Path(driver).exists():
        return
    needed = (f"{chromium} and {driver} are needed: apt-get update && "
              f"apt-get install -y chromium chromium-driver")
    if os.environ.get("CI", "").lower() == "true":  # CI must run it (.ci/run installs them)
        pytest.fail(f"{needed} (CI=true)")
    pytest.skip(f"browser test skipped: {needed} (CI=true makes this a failure)")


def test_a_missing_browser_skips_except_in_ci(tmp_path, monkeypatch):
    missing = str(tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_browser(missing, CHROMEDRIVER)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-chromium and .* are needed"):
        require_browser(missing, CHROMEDRIVER)


@pytest.fixture
def browser(tmp_path):
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + (f"--user-data-dir={tmp_path / 'chromium-profile'}",):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


@pytest.mark.parametrize("fixture", ["mnist_logreg_run", "breast_cancer_run"])
def test_report_opens_from_disk_with_every_image(request, fixture, browser, tmp_path):
    run = request.getfixturevalue(fixture)
    browser.get((run / "report.html").resolve().as_uri())
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, "
        "i.naturalHeight])")
    expected = sorted(p.stem for p in (run / "plots").glob("*.png"))
    assert sorted(alt for alt, *_ in images) == expected
    for alt, complete, width, height in images:
        assert complete and width > 300 and height > 200, alt
    # the file's own widths, decoded by the browser, not a placeholder of some size
    for alt, _, width, height in images:
        with Image.open(run / "plots" / f"{alt}.png") as png:
            assert (width, height) == png.size
    assert browser.title.startswith("lrnn: logreg on ")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot",
                                   {"format": "png", "captureBeyondViewport": True})
    path = tmp_path / f"{fixture}-report.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    with Image.open(io.BytesIO(path.read_bytes())) as screenshot:
        page_height = browser.execute_script("return document.documentElement.scrollHeight")
        assert screenshot.width >= 1000 and screenshot.height >= page_height > 3000
        colours = screenshot.convert("RGB").getcolors(maxcolors=1 << 20)
        assert len(colours) > 1000  # the plots are drawn, not a blank page
    print(f"screenshot: {path}")
