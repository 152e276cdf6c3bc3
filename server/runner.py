"""Running the server process: a start that fails within seconds with one line, signals, a shutdown that ends.

Why not aiohttp's web.run_app: it turns every SIGTERM/SIGINT into an exception raised wherever the
loop happens to be, so a second signal (make forwards one to the whole process group; an impatient
Ctrl-C) aborted the graceful shutdown half-way: sockets got 1011 instead of 1001, the final snapshot
was not written, and the aiosqlite threads never closed, so the process waited forever in
threading._shutdown. Start-up failures (a port in use, a bad APP_HOST, an unusable DB_PATH) were
tracebacks. Here:

- the order is: instance lock (one server per database), descriptor limit, listening sockets, the app
  (database, judge, rooms), serving; each failure is a StartupError line naming the variable, and
  everything opened before it is closed again;
- the first SIGTERM/SIGINT starts the shutdown; more are logged and ignored until the final snapshot
  is written, except that the third exits at once (after flushing the log);
- SIGHUP reloads CONTESTS_DIR and logs what changed;
- the process ends even when some thread would not: leftover threads get a few seconds, then it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import web

from .access_log import AccessLog
from .app import create_app
from .config import Config
from .contests.loader import ReloadReport
from .instance_lock import InstanceLock
from .keys import CONNECTIONS, CONTEST_INSTALLER
from .listen import BACKLOG, bind_sockets, close_all, urls
from .memory import tune_gc
from .quietlog import LoopExceptionHandler, RequestErrorLog
from .resources import raise_fd_limit
from .startup import StartupError

log = logging.getLogger("server")

SHUTDOWN_GRACE = 10.0  # seconds requests under way get once the listening sockets are closed
FORCE_AT = 3  # the third SIGTERM/SIGINT ends the process at once...
FORCE_AFTER = 2.0  # ...when it comes this many seconds after the first: `make run` alone delivers 2-4 at once
THREAD_GRACE = 5.0  # seconds leftover threads get after the loop has finished


class Signals:
    """SIGTERM/SIGINT start one graceful shutdown; SIGHUP asks for a contest reload."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        on_reload: Callable[[], None],
        exit_now: Callable[[int], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loop = loop
        self._on_reload = on_reload
        self._exit_now = exit_now or _exit_now
        self._clock = clock
        self._first_at = 0.0
        self.stop = asyncio.Event()
        self.received = 0
        self.shutting_down = False

    def install(self) -> None:
        """Take over the signals from their default actions."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._loop.add_signal_handler(sig, self.on_stop_signal, sig)
        self._loop.add_signal_handler(signal.SIGHUP, self.on_reload_signal)

    def uninstall(self) -> None:
        """Give the signals back (after the final snapshot nothing is left to protect)."""
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            self._loop.remove_signal_handler(sig)

    def on_stop_signal(self, sig: signal.Signals) -> None:
        """SIGTERM/SIGINT: the first stops, the next are ignored; the FORCE_AT-th exits at once if it came late.

        Signals in a burst are one request: a Ctrl-C under `make run` reaches the server from the
        terminal and again from make, which forwards it (2-4 signals within milliseconds). Only a
        FORCE_AT-th signal FORCE_AFTER seconds after the first, someone insisting on a shutdown that
        takes too long, ends the process without the final snapshot.
        """
        self.received += 1
        name = sig.name
        now = self._clock()
        if self.received == 1:
            self._first_at = now
            log.info("%s received: shutting down (sockets closed with 1001, then the final snapshot)", name)
            self.stop.set()
        elif self.received >= FORCE_AT and now - self._first_at >= FORCE_AFTER:
            log.critical("%s received %d times: exiting now, without the final snapshot", name, self.received)
            self._exit_now(128 + sig.value)
        else:
            log.warning(
                "%s received again: ignored, the shutdown is still under way (one more, %.0f s or later after "
                "the first, exits at once, losing editor text not yet snapshotted)",
                name,
                FORCE_AFTER,
            )

    def on_reload_signal(self) -> None:
        """SIGHUP: reload the contests, unless shutting down."""
        if self.shutting_down:
            log.info("SIGHUP ignored: shutting down")
            return
        self._on_reload()


def _exit_now(code: int) -> None:
    """Flush every log handler and end the process without waiting for anything."""
    logging.shutdown()
    with contextlib.suppress(Exception):
        sys.stderr.flush()
        sys.stdout.flush()
    os._exit(code)


def describe_reload(before: set[int], report: ReloadReport) -> str:
    """What a contest reload changed, for the log."""
    new = sorted(set(report.loaded) - before)
    again = sorted(set(report.loaded) & before)
    parts = [f"new {new}" if new else "", f"reloaded {again}" if again else ""]
    parts += [f"removed {report.removed}" if report.removed else "", f"kept old {report.kept}" if report.kept else ""]
    parts += [f"broken {folder}: {'; '.join(errors)[:200]}" for folder, errors in report.failed.items()]
    return ", ".join(p for p in parts if p) or "no contests"


class Reloader:
    """One contest reload at a time on SIGHUP (the installer serialises them too); failures are logged."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self.task: asyncio.Task[None] | None = None

    def __call__(self) -> None:
        """Start a reload now (SIGHUP)."""
        self.task = asyncio.get_running_loop().create_task(self._reload(), name="sighup-reload")

    async def _reload(self) -> None:
        installer = self._app[CONTEST_INSTALLER]
        before = set(installer.catalog.contests)
        log.info("SIGHUP received: reloading contests from %s", installer.contests_dir)
        try:
            report = await installer.reload()
        except Exception as exc:  # a reload that fails leaves the catalog as it was
            log.error("contest reload failed: %s: %s", type(exc).__name__, exc)
            return
        log.info("contests reloaded: %s", describe_reload(before, report))

    async def cancel(self) -> None:
        """Stop a reload still running at shutdown."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


async def _tune_gc(app: web.Application) -> None:
    """on_startup: everything built so far is frozen, and young collections become rare (see tune_gc)."""
    tune_gc()


class Serving:
    """The app started and listening behind its connection guard; stop() undoes it all, in order."""

    def __init__(self, app: web.Application, config: Config) -> None:
        self.app = app
        self.runner = web.AppRunner(
            app,
            handle_signals=False,
            access_log=logging.getLogger("server.access") if config.access_log else None,
            access_log_class=AccessLog,
            keepalive_timeout=config.http_header_timeout,  # bounds the heads of later requests on a connection
            shutdown_timeout=SHUTDOWN_GRACE,
            logger=RequestErrorLog(logging.getLogger("aiohttp.server")),
        )
        self.servers: list[asyncio.Server] = []

    async def start(self, sockets: list[socket.socket]) -> None:
        """Start the app (database, judge, rooms) and serve on the sockets; on failure call stop() all the same."""
        await self.runner.setup()
        assert self.runner.server is not None
        loop = asyncio.get_running_loop()
        factory = self.app[CONNECTIONS].wrap(self.runner.server)
        for sock in sockets:
            self.servers.append(await loop.create_server(factory, sock=sock, backlog=BACKLOG))

    async def stop(self) -> None:
        """Stop listening; 1001 to every socket, requests under way finish, final snapshot, close."""
        for server in self.servers:
            server.close()
        await self.runner.cleanup()


async def _main(app: web.Application, config: Config, sockets: list[socket.socket]) -> int:
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(LoopExceptionHandler(log))
    reloader = Reloader(app)
    signals = Signals(loop, reloader)
    signals.install()
    app.on_startup.append(_tune_gc)
    serving = Serving(app, config)
    clean = True
    try:
        await serving.start(sockets)
        log.info("listening on %s (at most %d connections)", ", ".join(urls(sockets)), app[CONNECTIONS].cap)
        await signals.stop.wait()
    finally:
        signals.shutting_down = True
        await reloader.cancel()
        try:
            await serving.stop()
        except Exception as exc:  # logged once here; whatever the rest released stays released
            log.error("shutdown was not clean: %s: %s", type(exc).__name__, exc)
            clean = False
        finally:
            signals.uninstall()
    log.info("stopped")
    return 0 if clean else 1


def _run(main: Coroutine[Any, Any, int], ignore: frozenset[threading.Thread]) -> int:
    """Run the main coroutine on a new loop, then end what it left: tasks, generators, executor threads.

    Threads in `ignore` were running before (a caller's own, when main() is called from Python).
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(main)
    finally:
        try:
            tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            with contextlib.suppress(TimeoutError):
                loop.run_until_complete(asyncio.wait_for(loop.shutdown_default_executor(), THREAD_GRACE))
            # Threads that report to the loop (aiosqlite's) must finish while it is still open.
            _join_threads(THREAD_GRACE, ignore)
        finally:
            asyncio.set_event_loop(None)
            loop.close()


def _join_threads(limit_s: float, ignore: frozenset[threading.Thread] = frozenset()) -> list[threading.Thread]:
    """Wait up to limit_s in all for non-daemon threads (but those in ignore); returns those still running."""
    deadline = time.monotonic() + limit_s
    left = []
    for thread in threading.enumerate():
        if thread is threading.current_thread() or thread.daemon or thread in ignore:
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            left.append(thread)
    return left


def _say(line: str) -> None:
    """One line on stderr, after the log so far: printed, so that it shows whatever logging is set to."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    print(line, file=sys.stderr, flush=True)


def serve(config: Config) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit code (0 after a clean shutdown, see server.startup).

    A start that fails prints one line, `cannot start: VARIABLE: cause`, on stderr. If a thread this
    call started would keep the process from ending, it ends anyway a few seconds later.
    """
    before = frozenset(threading.enumerate())
    lock = InstanceLock(config.db_path)
    sockets: list[socket.socket] = []
    code = 1
    try:
        lock.acquire()
        raise_fd_limit()
        sockets = bind_sockets(config.app_host, config.app_port)
        app = create_app(config)
        code = _run(_main(app, config, sockets), before)
    except StartupError as exc:
        _say(f"cannot start: {exc}")
        code = exc.exit_code
    except Exception as exc:  # not foreseen: still one line (the traceback only at DEBUG)
        log.debug("start-up failure", exc_info=True)
        _say(f"cannot start: {type(exc).__name__}: {exc}")
        code = 1
    finally:
        close_all(sockets)
        lock.release()
    left = _join_threads(THREAD_GRACE, before)
    if left:
        log.error("exiting with %d threads still running: %s", len(left), ", ".join(t.name for t in left))
        _exit_now(code or 1)
    return code
