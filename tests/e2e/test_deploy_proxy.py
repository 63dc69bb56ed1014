"""deploy/nginx-salescoach.conf in a real nginx (Debian's package) in front of the real Rasa
server, action server and web app: through it the web app and the WeCom callback answer, and
nothing else of Rasa or the action server is reachable."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from harness.rasa_processes import ROOT, Servers, free_port, running_servers
from webapp import create_app

pytestmark = pytest.mark.slow
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = ROOT / "deploy" / "nginx-salescoach.conf"


@pytest.fixture(scope="module")
def stack(trained_model, tmp_path_factory) -> Iterator[tuple[str, Servers]]:
    """(the proxy's URL, the servers behind it)."""
    if not Path(NGINX).exists():
        pytest.skip("needs Debian's nginx: apt-get install nginx (make test installs it)")
    workdir = tmp_path_factory.mktemp("proxy")
    with running_servers(trained_model, workdir) as servers:
        app = create_app(
            servers.database_url,
            rasa_url=servers.url,
            web_chat_secret=servers.secrets.web_chat_secret,
            secret_key="proxy-test",
        )
        web = make_server("127.0.0.1", free_port(), app, threaded=True)
        thread = threading.Thread(target=web.serve_forever, daemon=True)
        thread.start()
        listen = free_port()
        rasa_port = int(servers.url.rsplit(":", 1)[1])
        site = CONFIG.read_text(encoding="utf-8")
        site = site.replace("127.0.0.1:8000", f"127.0.0.1:{web.server_port}")
        site = site.replace("127.0.0.1:5005", f"127.0.0.1:{rasa_port}")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
        site = site.replace("listen [::]:80;", "")
        (workdir / "site.conf").write_text(site, encoding="utf-8")
        (workdir / "nginx.conf").write_text(
            f"pid {workdir}/nginx.pid;\nerror_log {workdir}/error.log;\n"
            "events {}\n"
            f"http {{\n access_log {workdir}/access.log;\n"
            f" client_body_temp_path {workdir}/body;\n proxy_temp_path {workdir}/proxy;\n"
            f" include {workdir}/site.conf;\n}}\n",
            encoding="utf-8",
        )
        proxy = subprocess.Popen(
            [NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"]
        )
        url = f"http://127.0.0.1:{listen}"
        try:
            for _ in range(50):
                try:
                    requests.get(url, timeout=2)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            yield url, servers
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)
            web.shutdown()
            thread.join()


def test_the_web_app_and_the_wecom_callback_are_served(stack) -> None:
    url, _servers = stack
    sign_in = requests.get(f"{url}/login", timeout=10)
    assert sign_in.status_code == 200 and "登录销售陪练" in sign_in.text
    # The WeCom channel answers (503 here: no WECOM_* settings in this test).
    callback = requests.get(f"{url}/webhooks/wecom/webhook", timeout=10)
    assert callback.status_code == 503 and "WeCom" in callback.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/status"),
        ("GET", "/version"),
        ("POST", "/model/parse"),
        ("GET", "/conversations/web:1/tracker"),
        ("POST", "/conversations/web:1/tracker/events"),
        ("POST", "/webhooks/web/webhook"),  # the web app's signed chat: loopback only
        ("POST", "/webhooks/rest/webhook"),
        ("GET", "/webhooks/rest/"),
        ("POST", "/webhook"),  # the action server's endpoint
        ("GET", "/health"),
        ("GET", "/actions"),
    ],
)
def test_nothing_else_of_rasa_or_the_action_server_is_reachable(stack, method, path) -> None:
    url, _servers = stack
    body = {"sender": "someone", "message": "你好", "text": "你好", "event": "slot"}
    through = requests.request(method, f"{url}{path}", json=body, timeout=10)
    assert through.status_code == 404, f"{path} reached through the proxy: {through.text[:200]}"
    # A 404 of the web app or of nginx itself, never an answer of Rasa or the action server.
    is_json = through.headers.get("Content-Type", "").startswith("application/json")
    said = through.json()["error"] if is_json else through.text
    assert "找不到这个页面" in said or "nginx" in said
    assert "sender_id" not in through.text and "rasa" not in through.text.lower()
