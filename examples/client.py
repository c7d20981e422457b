"""A tiny drumsynth client: asks for the sound of a seed and prints the `/drum/done` reply.

    drumsynth serve &                     # in another terminal
    python examples/client.py --seed 42 --cls kick
    # /drum/done /drum/seed 1 /home/me/.cache/drumsynth/1-a.wav 32768 44100 9.8

Load the printed path into your sampler (SuperCollider: Buffer.read, Pd: soundfiler, Max: buffer~).
"""

from __future__ import annotations

import argparse

from pythonosc.osc_message import OscMessage
from pythonosc.udp_client import SimpleUDPClient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=57300)
    parser.add_argument("--slot", default="1", help="slot: a buffer number or a name")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--cls", default=None, help="class name; default: the model's first")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()

    client = SimpleUDPClient(args.host, args.port)
    request: list[object] = [args.slot, args.seed]
    if args.cls:
        request.append(args.cls)
    client.send_message("/drum/seed", request)  # replies come back to this socket
    dgram = client.receive(args.timeout)
    if not dgram:
        raise SystemExit(f"no reply from {args.host}:{args.port} in {args.timeout} s")
    reply = OscMessage(dgram)
    print(reply.address, *reply.params)
    if reply.address != "/drum/done":
        raise SystemExit(1)


if __name__ == "__main__":
    main()
