"""What bench/bench.py asks of wrk and bench/wrk.lua, in Python, for machines without wrk.

    loadgen.py -c16 -d10s [--timeout 10s] [-H "Name: value"]... URL -- MODE [ARGS]

wrk's options (one thread; no -t, no -s) and wrk.lua's modes:
  get                      GETs of URL (headers come from -H)
  post <csrf_token> <run>  htmx POST /submit, each with its own request_id; with BENCH_RESPONSES
                           set, the HX-Push-Url of every 2xx answer is written to $BENCH_ACKED
  cycle <n> <path> <hx>... GETs round-robin over the paths (hx "1" adds HX-Request), stopping
                           after n responses
Prints wrk.lua's line of figures. Keep-alive connections on one asyncio loop, standard library
only: several times slower than wrk, so its figures are not comparable with wrk's.
"""

import argparse
import asyncio
import json
import os
import time
from urllib.parse import urlsplit


class Load:
    def __init__(self, options) -> None:
        url = urlsplit(options.url)
        self.host, self.port, self.path = url.hostname, url.port or 80, url.path or "/"
        self.headers = {"Host": url.netloc}
        for header in options.header:
            name, value = header.split(":", 1)
            self.headers[name.strip()] = value.strip()
        self.timeout = options.timeout
        self.mode, *self.args = options.args or ["get"]
        self.limit = int(self.args[0]) if self.mode == "cycle" else None
        self.record = self.mode == "post" and bool(os.environ.get("BENCH_RESPONSES"))
        self.sent = self.responses = self.bad_status = self.socket_errors = 0
        self.latencies: list[float] = []
        self.acked: list[str] = []
        if self.mode == "cycle":
            pairs = zip(self.args[1::2], self.args[2::2], strict=True)
            self.cycle = [
                self.format("GET", path, {"HX-Request": "true"} if hx == "1" else {})
                for path, hx in pairs
            ]
        self.get = self.format("GET", self.path)

    def format(self, method: str, path: str, extra: dict | None = None, body: str = "") -> bytes:
        """The request as wrk.format makes it: the -H headers, then these."""
        headers = {**self.headers, **(extra or {})}
        if body:
            headers["Content-Length"] = str(len(body.encode()))
        lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
        return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()

    def request(self) -> bytes:
        self.sent += 1
        if self.mode == "post":
            token, run = self.args
            body = (
                f"csrf_token={token}&user_input=bench+{self.sent}"
                f"&request_id=bench-{run}-{self.sent}"
            )
            return self.format("POST", "/submit", body=body)
        if self.mode == "cycle":
            return self.cycle[self.sent % len(self.cycle)]
        return self.get

    async def connection(self) -> None:
        writer = None
        while self.limit is None or self.sent < self.limit:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                data = self.request()
                started = time.perf_counter()
                writer.write(data)
                async with asyncio.timeout(self.timeout):
                    status, headers = await response(reader)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
                self.socket_errors += 1
                if writer is not None:
                    writer.close()
                writer = None
                continue
            self.latencies.append(time.perf_counter() - started)
            self.responses += 1
            self.bad_status += status > 399  # as wrk counts them
            if self.record and 200 <= status < 300:
                self.acked.append(headers.get("hx-push-url", ""))
            if headers.get("connection", "").lower() == "close":
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    async def run(self, connections: int, seconds: float) -> dict:
        started = time.perf_counter()
        tasks = [asyncio.create_task(self.connection()) for _ in range(connections)]
        _, pending = await asyncio.wait(tasks, timeout=seconds)
        for task in pending:  # requests in flight are dropped uncounted, as wrk drops them
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        duration = time.perf_counter() - started
        latencies = sorted(self.latencies) or [0.0]

        def percentile(p: int) -> int:
            return round(latencies[min(len(latencies) * p // 100, len(latencies) - 1)] * 1e6)

        return {
            "requests": self.responses,
            "duration_us": round(duration * 1e6),
            "p50_us": percentile(50),
            "p99_us": percentile(99),
            "bad_status": self.bad_status,
            "socket_errors": self.socket_errors,
        }


async def response(reader: asyncio.StreamReader) -> tuple[int, dict]:
    """Read one response: its status and headers (names in lower case); the body is skipped."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")  # no trailers: the empty line that ends the body
    else:
        await reader.readexactly(int(headers.get("content-length", 0)))
    return status, headers


def seconds(text: str) -> float:
    return float(text.removesuffix("s"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", dest="connections", type=int, default=16)
    parser.add_argument("-d", dest="duration", type=seconds, default=10.0)
    parser.add_argument("--timeout", type=seconds, default=10.0)
    parser.add_argument("-H", dest="header", action="append", default=[])
    parser.add_argument("url")
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    load = Load(options)
    figures = asyncio.run(load.run(options.connections, options.duration))
    acked = os.environ.get("BENCH_ACKED")
    if acked:
        with open(acked, "w") as out:
            out.writelines(f"{url}\n" for url in load.acked)
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
