"""``kb serve``: MkDocs' live-reload server in front of the incremental :class:`Preview`.

Two changes to MkDocs' server: a save is seen through inotify at once rather than at the next
poll of thousands of files, and while a save has a mistake every page served carries a banner
with the problem (the page under it is the last good one).
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import watchdog.events
import watchdog.observers
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer

from . import parallel
from .editorfiles import is_editor_file
from .errors import KbError
from .preview import CodeChangedError, Preview, PreviewError

log = logging.getLogger("mkdocs.kb.serve")

BANNER = (
    '<div role="alert" id="kb-preview-error" style="position:sticky;top:0;z-index:10;'
    'margin:0;padding:1em;background:#b71c1c;color:#fff;font:16px/1.4 system-ui,sans-serif">'
    "<strong>This preview is not up to date.</strong> The last save has a problem, so the "
    "page below is the last version that built. Fix the file and save it again."
    '<pre style="white-space:pre-wrap;margin:.5em 0 0;font-size:15px;color:#fff;'
    'background:none">{problem}</pre></div>')


IGNORED_EVENTS = {watchdog.events.EVENT_TYPE_OPENED, watchdog.events.EVENT_TYPE_CLOSED_NO_WRITE}


def is_change(event: watchdog.events.FileSystemEvent) -> bool:
    """Whether an event of the watched folders may change the site: not a folder's, not a file
    only opened or read (inotify reports those too, and the preview reads the file it
    rebuilds), and not an editor's working file alone (Vim rewrites its swap file every few
    seconds while one types: each would reload the browser's page)."""
    if event.is_directory or event.event_type in IGNORED_EVENTS:
        return False
    paths = [event.src_path, getattr(event, "dest_path", "") or event.src_path]
    return not all(is_editor_file(os.fsdecode(path)) for path in paths)


class PreviewServer(LiveReloadServer):
    """Serves ``preview.site_dir`` and brings it up to date on every save."""

    def __init__(self, preview: Preview, host: str, port: int) -> None:
        super().__init__(builder=self.rebuild, host=host, port=port,
                         root=str(preview.site_dir))
        self.preview = preview
        self.observer = watchdog.observers.Observer()  # type: ignore[assignment]
        self.build_delay = 0.05  # a save is one write; wait no longer for more

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        """As MkDocs' ``watch``, but only what ``is_change`` says is a change starts a build."""
        path = os.path.abspath(path)
        if path in self._watched_paths:
            self._watched_paths[path] += 1
            return
        self._watched_paths[path] = 1

        def changed(event: watchdog.events.FileSystemEvent) -> None:
            if not is_change(event):
                return
            with self._rebuild_cond:
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        handler = watchdog.events.FileSystemEventHandler()
        handler.on_any_event = changed  # type: ignore[method-assign]
        self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

    def rebuild(self) -> None:
        """Called by the server's loop after each save."""
        start = time.perf_counter()
        try:
            done = self.preview.update()
        except PreviewError as e:
            print(f"kb serve: this save is not shown:\n{e}", file=sys.stderr, flush=True)
            return
        except CodeChangedError:
            log.info("The generator's code changed: starting again")
            self.shutdown()
            shutil.rmtree(self.preview.site_dir.parent, ignore_errors=True)  # it makes its own
            os.execv(sys.executable, [sys.executable, "-m", "generator", *sys.argv[1:]])
        log.info(f"{done[:1].upper()}{done[1:]} in {time.perf_counter() - start:.2f} s")

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        content = super()._inject_js_into_html(content, epoch)  # type: ignore[no-untyped-call]
        problem = self.preview.error
        if problem is None:
            return content
        banner = BANNER.format(problem=html.escape(problem)).encode("utf-8")
        start = content.find(b"<body")
        end = content.find(b">", start) + 1 if start >= 0 else 0
        return content[:end] + banner + content[end:]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(config_file: Path, dev_addr: str) -> int:
    """Build the preview, then serve it until interrupted."""
    logging.basicConfig(format="%(levelname)-7s -  %(message)s")
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    host, _, port = dev_addr.rpartition(":")
    if not port.isdigit():
        raise KbError(f"--dev-addr is host:port, like 127.0.0.1:8000, not '{dev_addr}'")
    folder = Path(tempfile.mkdtemp(prefix="kb-serve-"))
    signal.signal(signal.SIGTERM, _interrupt)  # stopped by a service manager: still clean up
    try:
        preview = Preview(config_file, folder / "site")
        log.info("Building the preview: the first build reads every monograph (under a minute "
                 "for 2,000); after that a save rebuilds only what it changed")
        try:
            preview.build()
        except MkDocsException as e:
            raise KbError(str(e)) from e
        parallel.single_process()  # the server's threads start now
        server = PreviewServer(preview, host or "127.0.0.1", int(port))
        for path in preview.watched():
            if path.is_dir():
                server.watch(str(path))
            elif path.exists():  # mkdocs.yml: its folder, not the folders below it
                server.watch(str(path.parent), recursive=False)
        try:
            server.serve()  # type: ignore[no-untyped-call]
        except KeyboardInterrupt:
            log.info("Shutting down")
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0
