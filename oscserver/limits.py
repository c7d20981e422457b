"""Every bound of the project, defined once: the server, the CLI and the engine import them.

Pure constants: nothing here imports TensorFlow, numpy or a socket, so `drumsynth --help` and
the protocol table stay light. A bound that a performer can change (`drumsynth serve --slots`)
is the default here and the option's range comes from here too.
"""

from __future__ import annotations

from typing import Final

# ---- what a sound is asked for with ---------------------------------------------------------

#: Largest seed: every seed below 2**24 survives the trip through a 32-bit float (Pd, Max), so
#: the server and the CLI take the same seeds and a seed printed by one works in the other.
MAX_SEED: Final = 2**24 - 1

#: Truncation psi: 0 is the class's average sound, 1 the full variety, above 1 exaggerated.
PSI_RANGE: Final = (0.0, 2.0)

#: Largest PCA coordinate, in standard deviations, either side of the base latent.
COORD_LIMIT: Final = 10.0

#: Sounds on a path the engine and the CLI render (and most hits a break is cut into).
MAX_PATH_STEPS: Final = 1024

#: Gradient steps of an inversion's refinement the engine and the CLI accept.
MAX_REFINE_STEPS: Final = 500

#: Sounds on one `/drum/path` (a request's cost bound: 256 steps are 32 MiB of float32 WAV).
OSC_STEPS_RANGE: Final = (2, 256)

#: Refinement steps of one `/drum/invert` or `/drum/break` hit (a request's cost bound).
OSC_REFINE_RANGE: Final = (0, 200)

#: Output sample rates (`--sr`).
SR_RANGE: Final = (8000, 192000)

# ---- slots and the output folder ------------------------------------------------------------

#: Longest slot name.
MAX_SLOT_CHARS: Final = 64

#: Slots a server keeps by default; past it the least recently used one is evicted and its
#: files deleted, so cycling slot names cannot fill the disk.
DEFAULT_MAX_SLOTS: Final = 1024

#: Range of `serve --slots`.
SLOTS_RANGE: Final = (1, 65536)

#: Free bytes that must stay on the output folder's disk after a write; below it: "disk full".
MIN_FREE_BYTES: Final = 64 * 1024 * 1024

#: Presets kept per model: their names fit one `/drum/presets` reply (MAX_REPLY_BYTES).
MAX_PRESETS: Final = 48

# ---- audio files a request names ------------------------------------------------------------

#: Largest audio file `/drum/invert` and `/drum/break` read, in bytes (checked before reading).
MAX_FILE_BYTES: Final = 100 * 1000 * 1000

#: Longest audio file they read, in seconds (checked from the header before reading).
MAX_FILE_SECONDS: Final = 60.0

#: Highest sample rate and most channels of a file they read (bounds the decoded size).
MAX_FILE_RATE: Final = 384000
MAX_FILE_CHANNELS: Final = 64

#: Peak below which a file counts as silent ("silent input").
SILENCE_PEAK: Final = 1e-5

# ---- work -----------------------------------------------------------------------------------

#: Most slots waiting at once by default, and the range of `serve --queue`.
DEFAULT_QUEUE: Final = 64
QUEUE_RANGE: Final = (1, 4096)

#: Seconds a long job (an inversion with refinement, a break) may run before it is abandoned
#: with "deadline exceeded", and the range of `serve --deadline`.
DEFAULT_DEADLINE_S: Final = 60.0
DEADLINE_RANGE: Final = (1.0, 3600.0)

#: Seconds shutdown waits for the render in flight before abandoning it.
SHUTDOWN_GRACE_S: Final = 2.0

#: Longest `/drum/path` served in the live lane; a longer one is a job (see `LIVE_BATCH`).
LIVE_PATH_STEPS: Final = 32

#: Most live renders queued for different slots that the worker renders in one batched call.
LIVE_BATCH: Final = 16

#: Seconds of a long job's work between two checks: the engine sizes its chunks (refinement
#: steps, sounds) to about this, and the worker serves the queued live requests between them.
JOB_SLICE_S: Final = 0.02

#: Least seconds between two `/drum/progress` replies of one job (at most 10 a second).
PROGRESS_EVERY_S: Final = 0.1

# ---- the wire -------------------------------------------------------------------------------

#: Biggest datagram read (the UDP limit).
MAX_DATAGRAM: Final = 65535

#: Replies never exceed this many bytes (Pd's [netreceive -u -b] truncates at 4096).
MAX_REPLY_BYTES: Final = 4096

#: Deepest bundle nesting accepted; deeper datagrams are dropped as malformed.
MAX_BUNDLE_DEPTH: Final = 8

#: Most messages in one datagram (a bundle and all bundles inside it).
MAX_BUNDLE_MESSAGES: Final = 256

#: Most arguments in one message (the longest request, `/drum/pca`, has one per PCA axis).
MAX_MESSAGE_ARGS: Final = 256

#: `/drum/fail` replies to one host: a bucket of FAIL_BURST refilled at FAIL_RATE a second.
FAIL_RATE: Final = 20.0
FAIL_BURST: Final = 40

#: Hosts whose fail budget, and senders whose `/drum/reply` target, are remembered at once
#: (the least recently seen are forgotten).
MAX_TRACKED_HOSTS: Final = 4096

# ---- logs -----------------------------------------------------------------------------------

#: Seconds during which a repeated log line is counted instead of written.
LOG_THROTTLE_S: Final = 10.0
