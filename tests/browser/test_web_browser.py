"""The web app in a real browser (headless Chromium through selenium) against the real Rasa
server and action server: a rep signs in and plays a short role-play in the browser chat, then
a trainer of his team opens that transcript, comments on a turn and corrects a score.
Screenshots go to artifacts/."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from harness.rasa_processes import ROOT, free_port, running_servers
from webapp import create_app
from webapp.services import services

pytestmark = pytest.mark.slow

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "artifacts"
PASSWORD = "browser-pass-1"
LINES = [
    "王厂长您好,我是XX喷码的小李,就占用您十分钟。",
    "贵厂现在几条线在用喷码机?",
    "用下来有没有让您头疼的地方?",
]
WAIT_SECONDS = 60


@pytest.fixture(scope="module")
def web_url(trained_model, tmp_path_factory) -> Iterator[str]:
    """The web app served for real (werkzeug, threaded) on the database the bot writes to."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("needs Debian's chromium: apt-get install chromium chromium-driver")
    with running_servers(trained_model, tmp_path_factory.mktemp("browser")) as servers:
        app = create_app(
            servers.database_url,
            rasa_url=servers.url,
            web_chat_secret=servers.secrets.web_chat_secret,
            secret_key="browser-test",
        )
        with app.app_context():
            accounts = services().accounts
            team = accounts.create_team("华东一组")
            # Named as the demo users once were, with the team in the name.
            accounts.create_user("rep_li", "李销售(华东一组)", PASSWORD, "rep", team)
            accounts.create_user("trainer_chen", "陈培训", PASSWORD, "trainer", team)
        server = make_server("127.0.0.1", free_port(), app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join()


@pytest.fixture
def browser() -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,1000"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def _sign_in(driver, url: str, username: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{url}/login")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()


def _shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"web_{name}.png"))


def test_a_rep_practises_in_the_browser_and_his_trainer_comments(web_url, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, WAIT_SECONDS)

    def bot_count() -> int:
        return len(browser.find_elements(By.CSS_SELECTOR, ".bubble.bot:not(.typing)"))

    def wait_idle() -> None:
        wait.until(lambda _: not browser.find_elements(By.CSS_SELECTOR, ".bubble.typing"))

    _sign_in(browser, web_url, "rep_li")
    wait.until(ready.presence_of_element_located((By.ID, "start")))
    Select(browser.find_element(By.ID, "scenario")).select_by_value("inkjet_factory")
    Select(browser.find_element(By.ID, "persona")).select_by_value("tiger")
    browser.find_element(By.ID, "start").click()
    wait.until(lambda _: "王厂长:" in browser.find_element(By.ID, "messages").text)
    wait_idle()
    for line in LINES:
        before = bot_count()
        feedback_before = len(browser.find_elements(By.CSS_SELECTOR, ".bubble.feedback"))
        browser.find_element(By.ID, "text").send_keys(line)
        browser.find_element(By.ID, "send").click()
        wait.until(lambda _, before=before: bot_count() > before)
        wait_idle()
        feedback = browser.find_elements(By.CSS_SELECTOR, ".bubble.feedback")
        assert len(feedback) == feedback_before + 1  # live feedback from the stored assessment
    messages = browser.find_element(By.ID, "messages").text
    assert "喷头" in messages  # the problem question revealed the hidden need
    assert "难点问题" in browser.find_elements(By.CSS_SELECTOR, ".bubble.feedback")[-1].text
    _shot(browser, "1_chat")
    browser.find_element(By.CSS_SELECTOR, "[data-say='结束对练']").click()
    link = wait.until(ready.element_to_be_clickable((By.ID, "open-report")))
    link.click()
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#radar svg")))
    assert "对练报告" in browser.page_source and "SPIN提问" in browser.page_source
    # An unscored dimension (未评 in the table) has no point on the radar, not one at 0.
    unscored = len(
        [
            cell
            for cell in browser.find_elements(By.CSS_SELECTOR, ".scores td")
            if cell.text == "未评"
        ]
    )
    points = browser.find_elements(By.CSS_SELECTOR, "#radar svg .automatic circle")
    assert len(points) == 6 - unscored
    _shot(browser, "2_report")
    browser.find_element(By.CSS_SELECTOR, ".who button").click()  # sign out

    _sign_in(browser, web_url, "trainer_chen")
    wait.until(ready.presence_of_element_located((By.ID, "session-list")))
    row = browser.find_element(By.CSS_SELECTOR, "#session-list tbody tr")
    assert "李销售" in row.text
    row.find_element(By.LINK_TEXT, "查看").click()
    turn = wait.until(ready.presence_of_element_located((By.ID, "turn-5")))
    assert LINES[2] in turn.text and "难点问题" in turn.text
    # The rep's words as he typed them (full-width , and 。 kept), moves by their names.
    assert LINES[0] in browser.find_element(By.ID, "turn-1").text
    for cell in browser.find_elements(By.CSS_SELECTOR, "#transcript .assessment"):
        assert not re.search(r"[a-z]+_[a-z_]+", cell.text), cell.text
    meta = browser.find_element(By.CSS_SELECTOR, ".meta").text
    assert "李销售(华东一组)" in meta and "(华东一组)(华东一组)" not in meta
    turn.find_element(By.TAG_NAME, "summary").click()
    turn.find_element(By.NAME, "text").send_keys("问得好!下一句可以追问停线对交货的影响。")
    turn.find_element(By.CSS_SELECTOR, ".comment-form button").click()
    turn = wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#turn-5 .comment")))
    assert "问得好!下一句可以追问停线对交货的影响。" in turn.text and "陈培训" in turn.text
    assert "点评已保存" in browser.page_source
    _shot(browser, "3_transcript_comment")

    # A corrected dimension moves the overall, shown beside the automatic one.
    form = browser.find_element(By.ID, "override-form")
    Select(form.find_element(By.NAME, "dimension")).select_by_value("visit_flow")
    form.find_element(By.NAME, "score").send_keys("20")
    form.find_element(By.NAME, "reason").send_keys("开场后没有确认客户的时间。")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(lambda _: "分数修订已保存" in browser.page_source)
    overall = browser.find_element(By.CSS_SELECTOR, ".meta .overall-pair").text
    automatic, revised = (int(n) for n in re.findall(r"\d+", overall))
    assert overall.startswith("自动") and "修订后" in overall and revised < automatic
    radar = browser.find_element(By.CSS_SELECTOR, "#scores .radar svg")
    assert "自动评分" in radar.text and "培训师修订后" in radar.text  # the legend
    outline = radar.find_element(By.CSS_SELECTOR, ".automatic polygon")
    assert outline.get_attribute("fill") == "none"  # the automatic scores stay visible
    _shot(browser, "4_override")
    browser.get(f"{web_url}/trainer/sessions")
    row = wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#session-list tbody tr")))
    assert f"自动 {automatic} → 修订后 {revised}" in row.text
