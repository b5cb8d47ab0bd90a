"""Fan-out benchmark: N clients spread over M rooms, a given total send rate.

Starts a real `papote serve` (SQLite by default) and drives it over real WebSockets from
client worker processes. Prints deliveries per second, p50/p99 delivery latency (send to
receipt), and the server's CPU time per delivery. Not a test: figures go in docs/performance.md.

    python bench/fanout.py --clients 200 --rooms 10 --rate 1000 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support import ServerProcess

ROOMS = [
    "accueil",
    "jeux-video",
    "musique",
    "18-25",
    "25-40",
    "40-plus",
    "lgbt",
    "ile-de-france",
    "auvergne-rhone-alpes",
    "sud",
]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def open_client(url: str, name: str, room: str) -> ClientConnection:
    async with httpx.AsyncClient(base_url=url) as http:
        body = {"pseudo": name, "birth_date": "1990-01-01", "accept_rules": True}
        response = await http.post("/api/enter", json=body)
        response.raise_for_status()
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    ws = await connect(
        url.replace("http", "ws") + "/ws", additional_headers={"Cookie": cookie}, max_size=2**22
    )
    await ws.recv()  # hello
    await ws.send(orjson.dumps({"type": "join", "room": room, "ref": "j"}).decode())
    while orjson.loads(await ws.recv()).get("ref") != "j":
        pass
    return ws


async def receive(
    ws: ClientConnection, latencies: list[float], counts: list[int], stop_at: float, measure: bool
) -> None:
    """Count every delivery; time them on the measuring connections only (parsing costs client CPU)."""
    while time.time() < stop_at:
        raw = await ws.recv(decode=False)
        if b'"type":"message"' not in raw:
            if b'"type":"ping"' in raw:
                await ws.send('{"type":"pong"}')
            continue
        counts[0] += 1
        if measure:
            text = orjson.loads(raw)["text"]
            if text.startswith("b "):
                latencies.append((time.time_ns() - int(text[2:])) / 1e6)


async def send_loop(ws: ClientConnection, room: str, rate: float, stop_at: float, sent: list[int]) -> None:
    interval = 1 / rate
    next_at = time.monotonic()
    count = 0
    while time.time() < stop_at:
        await ws.send(
            orjson.dumps(
                {"type": "send", "room": room, "id": f"{id(ws)}-{count}", "text": f"b {time.time_ns()}"}
            ).decode()
        )
        count += 1
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    sent.append(count)


async def worker_main(
    url: str,
    index: int,
    names: list[tuple[str, str, bool]],
    rate_per_sender: float,
    ready: Any,
    seconds: float,
    queue: mp.Queue,
) -> None:  # type: ignore[type-arg]
    clients = [await open_client(url, name, room) for name, room, _ in names]
    latencies: list[float] = []
    counts = [0]
    sent: list[int] = []
    await asyncio.to_thread(ready.wait)  # every worker has its clients in their rooms
    stop_at = time.time() + seconds
    receivers = [
        asyncio.create_task(receive(ws, latencies, counts, stop_at + 2, measure=i % 10 == 0))
        for i, ws in enumerate(clients)
    ]
    senders = [
        send_loop(ws, room, rate_per_sender, stop_at, sent)
        for ws, (_, room, is_sender) in zip(clients, names, strict=True)
        if is_sender
    ]
    await asyncio.gather(*senders)
    await asyncio.sleep(2)
    for task in receivers:
        task.cancel()
    queue.put((latencies, sum(sent), counts[0]))


def worker(*args: object) -> None:
    asyncio.run(worker_main(*args))  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--senders-per-room", type=int, default=2)
    parser.add_argument("--rate", type=float, default=500, help="messages per second, all senders together")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2, help="client processes")
    parser.add_argument("--database", default="", help="database URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    rooms = ROOMS[: args.rooms]
    with tempfile.TemporaryDirectory() as data_dir:
        server = ServerProcess(Path(data_dir), database=args.database).start()
        try:
            run(args, rooms, server)
        finally:
            server.stop()


def run(args: argparse.Namespace, rooms: list[str], server: ServerProcess) -> None:
    plan = []
    for i in range(args.clients):
        room = rooms[i % len(rooms)]
        plan.append((f"bench{i:05d}x", room, i < len(rooms) * args.senders_per_room))
    senders = sum(1 for _, _, s in plan if s)
    rate_per_sender = args.rate / senders
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    ready = mp.Barrier(args.workers + 1)
    procs = [
        mp.Process(
            target=worker,
            args=(server.url, w, plan[w :: args.workers], rate_per_sender, ready, args.seconds, queue),
        )
        for w in range(args.workers)
    ]
    for p in procs:
        p.start()
    assert server.process is not None
    ready.wait()
    if os.environ.get("PAPOTE_BENCH_STARTED"):  # lets a profiler sample only the measured window
        Path(os.environ["PAPOTE_BENCH_STARTED"]).touch()
    cpu_before = cpu_seconds(server.process.pid)
    time.sleep(args.seconds + 1)
    cpu_after = cpu_seconds(server.process.pid)
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for lat, _, _ in results for x in lat)
    sent = sum(s for _, s, _ in results)
    deliveries = sum(c for _, _, c in results)
    report(args, latencies, sent, deliveries, cpu_after - cpu_before)


def report(args: argparse.Namespace, latencies: list[float], sent: int, deliveries: int, cpu: float) -> None:
    """Latency is timed on one connection in ten; deliveries are counted on all of them."""
    p = statistics.quantiles(latencies, n=100) if len(latencies) > 100 else [float("nan")] * 99
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, {dt.date.today()}")
    print(
        f"clients {args.clients} rooms {args.rooms} senders {args.rooms * args.senders_per_room} "
        f"target rate {args.rate:.0f} msg/s for {args.seconds:.0f} s, database {args.database or 'sqlite'}"
    )
    print(
        f"messages sent {sent} ({sent / args.seconds:.0f}/s), deliveries {deliveries} "
        f"({deliveries / args.seconds:.0f}/s)"
    )
    print(
        f"delivery latency (1 connection in 10) p50 {p[49]:.1f} ms, p99 {p[98]:.1f} ms, "
        f"max {max(latencies, default=0):.1f} ms"
    )
    if deliveries:
        print(f"server CPU {cpu:.2f} s = {cpu / deliveries * 1e6:.1f} µs per delivery")


if __name__ == "__main__":
    main()
