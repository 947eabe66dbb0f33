"""The site served through deploy/nginx.conf by Debian's nginx, from a release that `kb publish`
wrote and `kb deploy` switched in: headers, compression, caching, and the browser suite's key
journeys with no Content-Security-Policy violation."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import re
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from generator import publish

from ..conftest import ROOT

pytestmark = pytest.mark.browser

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release archive as `make publish` writes it."""
    dist = tmp_path_factory.mktemp("dist")
    written = publish.publish(ROOT, dist)
    return next(p for p in written if p.name.endswith(".tar.gz"))


@contextlib.contextmanager
def running_nginx(prefix: Path, dest: Path) -> Iterator[str]:
    """Debian's nginx on 127.0.0.1 with deploy/nginx.conf, serving ``dest/current``."""
    port = free_port()
    server = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    server = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", server)
    server = re.sub(r"root /srv/kb/current;", f"root {dest}/current;", server)
    (prefix / "snippets").mkdir()
    shutil.copy(ROOT / "deploy" / "kb-security-headers.conf", prefix / "snippets")
    (prefix / "server.conf").write_text(server, encoding="utf-8")
    temp = prefix / "temp"
    temp.mkdir()
    (prefix / "nginx.conf").write_text(f"""
user root;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {prefix}/server.conf;
}}
""", encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                "-g", "daemon off;"], stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).close()
            break
        except (urllib.error.URLError, ConnectionError) as e:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"nginx did not start: {stderr}") from e
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory, release: Path) -> Iterator[tuple[str, Path]]:
    """nginx on 127.0.0.1 with deploy/nginx.conf, serving DEST/current after `kb deploy`."""
    prefix = tmp_path_factory.mktemp("nginx")
    dest = prefix / "dest"
    publish.deploy(release, dest)
    with running_nginx(prefix, dest) as url:
        yield url, dest


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, \
                response.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def test_security_headers_and_caching(nginx: tuple[str, Path]) -> None:
    url, _ = nginx
    status, headers, body = get(url + "monographs/ketamine/")
    assert status == 200
    assert b"Ketamine for pain" in body
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-cache"
    page = body.decode()
    css = re.search(r'href="\.\./\.\./(assets/stylesheets/main\.[0-9a-f]{8}\.min\.css)"', page)
    assert css is not None
    status, headers, body = get(url + css.group(1), **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body)
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-security-policy" in headers
    index = re.search(r'data-kb-search-index="\.\./\.\./([^"]+)"', page)
    assert index is not None and re.fullmatch(r"search/index\.[0-9a-f]{12}\.js", index.group(1))
    status, headers, body = get(url + index.group(1), **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).startswith(b"__kbSearchLoad(")
    assert headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", ["monographs/ketamine/", "formulary.fhir.json", "search/"])
def test_precompressed_copies_are_served_as_they_are(nginx: tuple[str, Path], path: str) -> None:
    """`make publish` ships a .gz beside each text file; nginx sends exactly those bytes
    (gzip_static) to a browser that accepts gzip, and the plain file to one that does not."""
    url, dest = nginx
    root = (dest / "current").resolve()
    if path == "search/":  # the search index, named by its content
        home = (root / "index.html").read_text(encoding="utf-8")
        match = re.search(r'data-kb-search-index="([^"]+)"', home)
        assert match is not None
        path = match.group(1)
    file = root / (path + "index.html" if path.endswith("/") else path)
    packed = file.with_name(file.name + ".gz")
    assert packed.is_file(), packed
    status, headers, body = get(url + path, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert body == packed.read_bytes(), "sent the stored copy, not one compressed on the fly"
    assert gzip.decompress(body) == file.read_bytes()
    status, headers, body = get(url + path)
    assert status == 200 and "content-encoding" not in headers
    assert body == file.read_bytes()


def test_no_directory_listing_and_a_404_page(nginx: tuple[str, Path]) -> None:
    url, _ = nginx
    status, _, body = get(url + "assets/")
    assert status in (403, 404)
    assert b"Index of" not in body
    status, _, body = get(url + "no-such-page/")
    assert status == 404
    assert b"Clinical Knowledge Base" in body


@pytest.mark.parametrize("path", ["", "monographs/ketamine/", "editing/", "no-such-page/"])
def test_browser_journeys_without_a_csp_violation(browser: Browser, nginx: tuple[str, Path],
                                                  path: str) -> None:
    url, _ = nginx
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script("""document.addEventListener('securitypolicyviolation', e =>
        console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));""")
    page.goto(url + path, wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("grape juice", delay=20)
    expect(page.locator(".md-search-result__item").first).to_be_visible(timeout=10_000)
    if path == "monographs/ketamine/":
        page.keyboard.press("Escape")
        page.locator("#kb-weight").press_sequentially("70")
        expect(page.locator("[data-kb-results]")).to_contain_text("10.5–21 mg")
        page.locator("#introduction sup.kb-cite a").first.click()
        expect(page.locator("#ref-marchetti2015")).to_be_in_viewport()
    problems = [p for p in problems if "404" not in p or path != "no-such-page/"]
    assert problems == []
    context.close()


def test_deploy_switches_and_rollback_returns(nginx: tuple[str, Path], release: Path,
                                              tmp_path: Path) -> None:
    url, dest = nginx
    first = get(url)[2].decode()
    # A second release with another version, deployed over the first while nginx serves.
    second = tmp_path / "site-second.tar.gz"
    unpacked = tmp_path / "unpacked"
    shutil.unpack_archive(release, unpacked)
    [top] = list(unpacked.iterdir())
    index = top / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "Content version", "Content version SECOND"), encoding="utf-8")
    top.rename(unpacked / "site-second")
    publish.write_tar_gz(unpacked / "site-second", second, "site-second", 0)
    digest = hashlib.sha256(second.read_bytes()).hexdigest()
    (tmp_path / "SHA256SUMS").write_text(f"{digest}  {second.name}\n", encoding="utf-8")
    publish.deploy(second, dest)
    assert "Content version SECOND" in get(url)[2].decode()
    assert (dest / "previous").resolve().name == release.name.removesuffix(".tar.gz")
    publish.rollback(dest)
    assert get(url)[2].decode() == first


LOAD_THREADS = 8
LOAD_REQUESTS = 1_000
"""Requests per thread, at least: 8,000 requests at a concurrency of 8, across the deploys below
(each reader goes on until the last deploy has finished)."""


def renamed_release(release: Path, folder: Path, name: str) -> Path:
    """The same site as another release under another name, with its SHA256SUMS."""
    folder.mkdir()
    target = folder / f"{name}.tar.gz"
    old = release.name.removesuffix(".tar.gz")
    with tarfile.open(release, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            member.name = name + member.name.removeprefix(old)
            out.addfile(member, data)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    (folder / "SHA256SUMS").write_text(f"{digest}  {target.name}\n", encoding="utf-8")
    return target


def test_deploys_redeploys_and_rollbacks_under_load_serve_only_200(
        tmp_path: Path, release: Path) -> None:
    """Readers never see a missing or half-written release: every request during deploys of a
    new release, a re-deploy of the live one and rollbacks is answered 200."""
    other = renamed_release(release, tmp_path / "other", "site-load-other")
    dest = tmp_path / "dest"
    publish.deploy(release, dest)
    with running_nginx(tmp_path, dest) as url:
        page = get(url + "monographs/ketamine/")[2].decode()
        css = re.search(r'href="\.\./\.\./(assets/stylesheets/main\.[0-9a-f]{8}\.min\.css)"',
                        page)
        assert css is not None
        index = re.search(r'data-kb-search-index="\.\./\.\./([^"]+)"', page)
        assert index is not None
        paths = ["", "monographs/ketamine/", "editing/", css.group(1), index.group(1),
                 "javascripts/calculator.js"]
        statuses: list[int] = []
        lock = threading.Lock()

        reading_ended: list[float] = []

        finished: list[float] = []

        def reader(offset: int) -> None:
            i = 0  # at least LOAD_REQUESTS each, and on until the last deploy has finished
            while i < LOAD_REQUESTS or not finished:
                status = get(url + paths[(offset + i) % len(paths)])[0]
                with lock:
                    statuses.append(status)
                i += 1
            with lock:
                reading_ended.append(time.monotonic())

        operations = [lambda: publish.deploy(other, dest), lambda: publish.deploy(other, dest),
                      lambda: publish.rollback(dest), lambda: publish.deploy(release, dest),
                      lambda: publish.rollback(dest), lambda: publish.deploy(release, dest)]

        def deployer() -> None:
            for operation in operations:
                operation()
            finished.append(time.monotonic())

        threads = [threading.Thread(target=reader, args=(n,)) for n in range(LOAD_THREADS)]
        deploying = threading.Thread(target=deployer)
        for thread in [*threads, deploying]:
            thread.start()
        for thread in [*threads, deploying]:
            thread.join()
    assert finished, "every deploy and rollback ran"
    assert finished[0] < max(reading_ended), "they ran while the readers were reading"
    assert len(statuses) >= LOAD_THREADS * LOAD_REQUESTS
    assert [s for s in statuses if s != 200] == []


def test_the_formulary_as_data_is_served_with_its_types_and_cors(nginx: tuple[str, Path]
                                                                 ) -> None:
    url, _ = nginx
    for path, media in [("monographs/ketamine/monograph.json", "application/json"),
                        ("formulary.json", "application/json"),
                        ("monographs/ketamine/medicationknowledge.fhir.json",
                         "application/fhir+json"),
                        ("formulary.fhir.json", "application/fhir+json")]:
        status, headers, body = get(url + path, Origin="http://ehr.intranet.example")
        assert status == 200, path
        assert headers["content-type"].startswith(media), (path, headers["content-type"])
        assert headers["access-control-allow-origin"] == "*"
        assert headers["x-content-type-options"] == "nosniff"
        assert json.loads(body)
    assert "access-control-allow-origin" not in get(url + "monographs/ketamine/")[1]
