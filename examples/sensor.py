"""A simulated sensor: 200 `/drum/morph` messages a second sweeping between two sounds.

The server coalesces them per slot, so the latest position is rendered and no backlog grows;
this script prints how many `/drum/done` replies came back each second.

    drumsynth serve &
    python examples/sensor.py --rate 200 --seconds 5
"""

from __future__ import annotations

import argparse
import math
import time

from pythonosc.osc_message import OscMessage
from pythonosc.udp_client import SimpleUDPClient


def ask(client: SimpleUDPClient, address: str, *args: object, timeout: float = 10.0) -> OscMessage:
    """Sends one request and returns its reply."""
    client.send_message(address, list(args))
    dgram = client.receive(timeout)
    if not dgram:
        raise SystemExit(f"no reply to {address}")
    return OscMessage(dgram)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=57300)
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--speed", type=float, default=0.5, help="sweeps per second")
    args = parser.parse_args()

    client = SimpleUDPClient(args.host, args.port)
    for slot, seed in (("sensor-a", 1), ("sensor-b", 2)):
        reply = ask(client, "/drum/seed", slot, seed)
        print(reply.address, *reply.params)

    client._sock.setblocking(False)  # read replies between sends without waiting
    period = 1.0 / args.rate
    start = next_send = time.perf_counter()
    sent = done = 0
    second = 0
    while (now := time.perf_counter()) - start < args.seconds:
        if now >= next_send:
            t = 0.5 - 0.5 * math.cos(2 * math.pi * args.speed * (now - start))
            client.send_message("/drum/morph", ["sensor", "sensor-a", "sensor-b", t])
            sent += 1
            next_send += period
        try:
            while dgram := client._sock.recv(4096):
                reply = OscMessage(dgram)
                if reply.address == "/drum/done":
                    done += 1
                else:
                    print(reply.address, *reply.params)
        except BlockingIOError:
            pass
        if int(now - start) > second:
            second = int(now - start)
            print(f"{second:3d} s: sent {sent}, rendered {done}")
        time.sleep(min(0.001, max(0.0, next_send - time.perf_counter())))
    client._sock.setblocking(True)
    client.send_message("/drum/status", [])
    while dgram := client.receive(10.0):  # the last renders, then the status
        reply = OscMessage(dgram)
        if reply.address == "/drum/status":
            print(f"sent {sent}, rendered {done}")
            print(reply.address, *reply.params)
            break
        done += reply.address == "/drum/done"


if __name__ == "__main__":
    main()
