"""The chaos run's own PostgreSQL cluster and Redis, and how it finds its own processes.

Nothing here touches the machine's shared services: the cluster is a Debian cluster of
its own (``<version> chaos`` on CHAOS_PG_PORT, trust auth on the loopback, created once and
kept, stopped after each invocation), Redis a ``redis-server`` on CHAOS_REDIS_PORT with its
own directory under ``var/chaos/redis``. Processes are looked up in /proc among the
descendants of the stack's own process only, so another engineer's ``make prod`` is never a
candidate (honcho puts each process type in a session of its own).
"""

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_PORT = int(os.environ.get("CHAOS_PG_PORT", "5440"))
REDIS_PORT = int(os.environ.get("CHAOS_REDIS_PORT", "6390"))
CLUSTER = "chaos"
REDIS_DIR = ROOT / "var" / "chaos" / "redis"
# A backend whose client died is ended within a second even while it waits on a lock.
PG_CONF = """# written by bench/chaos/infra.py
listen_addresses = '127.0.0.1'
shared_buffers = 64MB
max_connections = 100
client_connection_check_interval = 1s
"""
PG_HBA = """# written by bench/chaos/infra.py: the chaos cluster is for this machine's loopback only
local all all trust
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
"""


def say(*parts: object) -> None:
    print(*parts, flush=True)


def pg_version() -> str:
    return sorted((p.name for p in Path("/etc/postgresql").iterdir()), key=float)[-1]


def _pg_ctl(action: str) -> None:
    args = ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), CLUSTER, action]
    subprocess.run([*args, *(["-m", "fast"] if action in ("stop", "restart") else [])], check=True)


def pg_ready(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT)], check=False).returncode:
        if time.monotonic() > deadline:
            raise SystemExit(f"the chaos cluster does not answer on :{PG_PORT}")
        time.sleep(0.5)


def pg_start() -> None:
    """Create the cluster when missing (kept between runs), configure it, start it."""
    version = pg_version()
    conf_dir = Path("/etc/postgresql") / version / CLUSTER
    if not conf_dir.exists():
        say(f"creating the PostgreSQL cluster {version}/{CLUSTER} on :{PG_PORT} (kept for later runs)")
        subprocess.run(["pg_createcluster", version, CLUSTER, "--port", str(PG_PORT),
                        "--start-conf", "manual"], check=True, capture_output=True)
    (conf_dir / "conf.d").mkdir(exist_ok=True)
    (conf_dir / "conf.d" / "chaos.conf").write_text(PG_CONF)
    (conf_dir / "pg_hba.conf").write_text(PG_HBA)
    status = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, "status"],
                            check=False, capture_output=True)
    _pg_ctl("restart" if status.returncode == 0 else "start")  # a restart reads the conf above
    pg_ready()


def pg_restart() -> None:
    _pg_ctl("restart")


def pg_stop() -> None:
    _pg_ctl("stop")


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-d", db,
                           "-qtAc", sql], check=True, capture_output=True, text=True).stdout.strip()


def redis_cli(*args: str) -> str:
    return subprocess.run(["redis-cli", "-p", str(REDIS_PORT), *args], check=False, capture_output=True,
                          text=True).stdout.strip()


def redis_start() -> None:
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(REDIS_PORT),
                    "--save", "", "--appendonly", "no", "--dir", str(REDIS_DIR),
                    "--pidfile", str(REDIS_DIR / "redis.pid"), "--logfile", str(REDIS_DIR / "redis.log")],
                   check=True)
    deadline = time.monotonic() + 20
    while redis_cli("ping") != "PONG":
        if time.monotonic() > deadline:
            raise SystemExit(f"the chaos Redis does not answer on :{REDIS_PORT}")
        time.sleep(0.2)


def redis_stop() -> None:
    """``SHUTDOWN NOSAVE``: everything in it (queued tasks, cache) is gone, as after a crash."""
    pidfile = REDIS_DIR / "redis.pid"
    pid = int(pidfile.read_text()) if pidfile.exists() else None
    redis_cli("shutdown", "nosave")
    deadline = time.monotonic() + 20
    while pid is not None and Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)


# --- the stack's processes ---------------------------------------------------------------


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    cmdline: str


def _proc(pid: int) -> Proc | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    return Proc(pid=pid, ppid=int(fields[1]), cmdline=cmdline.strip())


def descendants(root: int) -> dict[int, Proc]:
    """Every process under ``root`` (not ``root`` itself)."""
    every = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (proc := _proc(int(entry.name))):
            every[proc.pid] = proc
    found: dict[int, Proc] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for proc in every.values():
            if proc.ppid == parent and proc.pid not in found:
                found[proc.pid] = proc
                frontier.append(proc.pid)
    return found


def workers(root: int, marker: str) -> list[int]:
    """Worker processes under ``root``: they match ``marker``, so does their parent (a pool's
    main process, gunicorn's arbiter) and none of their children (honcho's shell and the
    main process match too, but have matching children)."""
    procs = descendants(root)
    matching = {pid for pid, p in procs.items() if marker in p.cmdline}
    parents = {procs[pid].ppid for pid in matching}
    return sorted(pid for pid in matching if procs[pid].ppid in matching and pid not in parents)


def _tcp() -> list[tuple[int, int, str, int]]:
    """(local port, remote port, state, inode) of the IPv4 TCP sockets."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local, remote = (int(parts[i].split(":")[1], 16) for i in (1, 2))
        rows.append((local, remote, parts[3], int(parts[9])))
    return rows


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = str(fd.readlink())
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    except OSError:
        pass
    return inodes


def owner_of_local_port(pids: list[int], port: int) -> int | None:
    """Which of ``pids`` owns the TCP socket bound locally to ``port``."""
    inodes = {inode for local, _, _, inode in _tcp() if local == port}
    return next((pid for pid in pids if _socket_inodes(pid) & inodes), None)


def connected_to(pids: list[int], port: int) -> list[tuple[int, int]]:
    """(pid, local port) of ``pids`` with an established connection to ``port``."""
    by_inode = {inode: local for local, remote, state, inode in _tcp() if remote == port and state == "01"}
    return [(pid, by_inode[i]) for pid in pids for i in _socket_inodes(pid) if i in by_inode]


def kill9(pid: int, root: int) -> None:
    if pid not in descendants(root):  # never anything outside the stack
        raise SystemExit(f"refusing to kill {pid}: not a process of the chaos stack")
    os.kill(pid, signal.SIGKILL)
