"""Build the Max patches in patches/max/ with py2max.

Run from the repository root: `python scripts/patchgen/build_max.py` (needs `pip install py2max`).
The `.maxpat` files it writes are the shipped artifacts; edit this script and rebuild.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from py2max import Patcher

ROOT = Path(__file__).resolve().parents[2]
MAX_DIR = ROOT / "patches" / "max"

#: Requests the abstraction forwards: message selector -> OSC address.
REQUESTS = (
    "seed", "random", "pca", "morph", "path", "invert", "break", "latent", "reply", "cancel",
    "pcaabs", "mix", "hybrid", "kit", "store", "recall", "forget", "slices", "breakpca",
    "breakmix", "wek",
)  # fmt: skip
#: Requests whose OSC address is not `/drum/<selector>`.
ADDRESSES = {"wek": "/wek/outputs"}
NO_ARGS = ("ping", "info", "status", "presets")

W, H = 22, 22  # box height


class Layout:
    """Places boxes on a grid so that no two overlap (py2max warns on overlaps)."""

    def __init__(self, patcher: Patcher) -> None:
        self.p = patcher

    def obj(self, x: float, y: float, text: str, w: float = 120) -> Any:
        return self.p.add_textbox(text, patching_rect=[x, y, w, H])

    def msg(self, x: float, y: float, text: str, w: float = 120) -> Any:
        return self.p.add_message(text, patching_rect=[x, y, w, H])

    def note(self, x: float, y: float, text: str, w: float = 400, h: float = 20) -> Any:
        return self.p.add_comment(text, patching_rect=[x, y, w, h])

    def line(self, a: Any, b: Any, outlet: int = 0, inlet: int = 0) -> None:
        self.p.add_line(a, b, outlet=outlet, inlet=inlet)

    def chain(self, *boxes: Any) -> None:
        for a, b in zip(boxes, boxes[1:], strict=False):
            self.line(a, b)


def abstraction() -> Patcher:
    """[drumsynth <prefix> <server-port> <reply-port>]: the Max twin of the Pd abstraction."""
    p = Patcher(str(MAX_DIR / "drumsynth.maxpat"), validate_connections=False)
    p.rect = [50.0, 50.0, 1300.0, 980.0]
    g = Layout(p)
    g.note(20, 10, "drumsynth: client for the drumsynth-osc server. See drumsynth.maxhelp.", 700)
    g.note(
        20,
        32,
        "args: buffer prefix (drum), server port (57300), reply port (57301). Buffers are "
        "named <prefix>-<slot> and made here with [thispatcher] scripting.",
        900,
    )

    # arguments with defaults -> udpsend port, udpreceive port and /drum/reply to the server
    args = g.obj(20, 70, "patcherargs drum 57300 57301", 200)
    targs = g.obj(20, 100, "t l l l", 200)
    prefix = g.obj(260, 130, "zl.nth 1")
    prefix_store = g.obj(260, 160, "zl.reg")
    sport = g.obj(140, 130, "zl.nth 2")
    sport_msg = g.msg(140, 160, "port $1", 80)
    rport = g.obj(20, 130, "zl.nth 3", 100)
    trport = g.obj(20, 160, "t i i", 100)
    recv_port = g.msg(20, 190, "port $1", 80)
    reply_msg = g.msg(140, 190, "/drum/reply $1", 110)
    g.line(args, targs)
    g.line(targs, prefix, outlet=2)
    g.line(prefix, prefix_store, inlet=1)
    g.line(targs, sport, outlet=1)
    g.line(sport, sport_msg)
    g.line(targs, rport, outlet=0)
    g.line(rport, trport)
    g.line(trport, reply_msg, outlet=0)

    # requests: "<cmd> args..." -> "/drum/<cmd> args..."
    inl = g.obj(500, 70, "inlet", 40)
    g.note(560, 70, "seed kick 42 kick / pca kick 1.5 -1 / connect 127.0.0.1 57300", 500)
    route = g.obj(500, 100, "route " + " ".join(REQUESTS + NO_ARGS + ("connect",)), 700)
    send = g.obj(500, 160 + 40 * ((len(REQUESTS) + 3) // 4), "udpsend 127.0.0.1 57300", 180)
    g.line(inl, route)
    for i, cmd in enumerate(REQUESTS):
        box = g.obj(
            500 + 90 * (i % 4),
            150 + 40 * (i // 4),
            f"prepend {ADDRESSES.get(cmd, '/drum/' + cmd)}",
            86,
        )
        g.line(route, box, outlet=i)
        g.line(box, send)
    for j, cmd in enumerate(NO_ARGS):
        box = g.msg(860 + 90 * j, 150, f"/drum/{cmd}", 86)
        g.line(route, box, outlet=len(REQUESTS) + j)
        g.line(box, send)
    conn = g.obj(860, 190, "unpack s 57300", 110)
    host_msg = g.msg(860, 230, "host $1", 70)
    port_msg = g.msg(940, 230, "port $1", 70)
    g.line(route, conn, outlet=len(REQUESTS) + len(NO_ARGS))
    g.line(conn, host_msg, outlet=0)
    g.line(conn, port_msg, outlet=1)
    g.line(host_msg, send)
    g.line(port_msg, send)
    g.line(sport_msg, send)
    g.line(reply_msg, send)

    # replies
    recv = g.obj(20, 340, "udpreceive 57301", 140)
    g.line(recv_port, recv)
    g.line(trport, recv_port, outlet=1)
    rroute = g.obj(20, 380, "route /drum/done /drum/fail", 220)
    g.line(recv, rroute)
    # done: cmd slot path frames sr ms ... -> buffer~ <prefix>-<slot> replace <path>
    tdone = g.obj(20, 420, "t l l l", 160)
    get_frames = g.obj(200, 450, "zl.nth 4", 80)
    get_path = g.obj(110, 450, "zl.nth 3", 80)
    get_slot = g.obj(20, 450, "zl.nth 2", 80)
    g.line(rroute, tdone)
    g.line(tdone, get_frames, outlet=2)
    g.line(tdone, get_path, outlet=1)
    g.line(tdone, get_slot, outlet=0)
    frames_store = g.obj(200, 480, "i", 40)
    path_store = g.obj(110, 480, "zl.reg", 80)
    g.line(get_frames, frames_store, inlet=1)
    g.line(get_path, path_store, inlet=1)
    # slot -> symbol (kept for the ready outlet); prefix + slot -> "gan kick" -> "gan-kick"
    tslot = g.obj(20, 510, "t b l", 80)
    g.line(get_slot, tslot)
    slot_sym = g.obj(110, 540, "tosymbol", 70)
    tslotsym = g.obj(110, 570, "t s s", 60)
    slot_store = g.obj(20, 600, "zl.reg", 60)
    name_pair = g.obj(260, 540, "pack s s", 80)
    g.line(tslot, slot_sym, outlet=1)
    g.line(slot_sym, tslotsym)
    g.line(tslotsym, name_pair, outlet=1, inlet=1)
    g.line(tslotsym, slot_store, outlet=0, inlet=1)
    g.line(tslot, prefix_store, outlet=0)
    g.line(prefix_store, name_pair)
    tosym = g.obj(260, 570, "tosymbol @separator -", 150)
    g.line(name_pair, tosym)
    g.note(430, 540, "prefix gan, slot kick -> buffer~ gan-kick", 300)
    # tname: flag = 0; flag = 1 if the coll knows the name; store the name three times
    tname = g.obj(260, 610, "t s s s s s b", 200)
    g.line(tosym, tname)
    zero = g.msg(700, 640, "0", 30)
    flag = g.obj(700, 700, "i", 40)
    g.line(tname, zero, outlet=5)
    g.line(zero, flag, inlet=1)
    known = g.obj(600, 640, "coll", 60)
    one = g.msg(600, 670, "1", 30)
    g.line(tname, known, outlet=4)
    g.line(known, one)
    g.line(one, flag, inlet=1)
    name_new = g.obj(520, 700, "zl.reg", 60)
    name_read = g.obj(440, 700, "zl.reg", 60)
    name_ready = g.obj(360, 700, "zl.reg", 60)
    g.line(tname, name_new, outlet=3, inlet=1)
    g.line(tname, name_read, outlet=2, inlet=1)
    g.line(tname, name_ready, outlet=1, inlet=1)
    # then, in order: make the buffer~ if new, read the file into it, report the slot ready
    tsteps = g.obj(260, 650, "t b b b b", 120)
    g.line(tname, tsteps, outlet=0)
    g.line(tsteps, flag, outlet=3)
    is_new = g.obj(700, 730, "sel 0", 50)
    g.line(flag, is_new)
    g.line(is_new, name_new)
    tnew = g.obj(520, 760, "t s s", 60)
    g.line(name_new, tnew)
    remember = g.msg(640, 790, "store $1 1", 90)
    make = g.msg(520, 830, "script newdefault $1 1200 20 buffer~ $1", 280)
    tp = g.obj(440, 870, "thispatcher", 100)
    g.line(tnew, remember, outlet=1)
    g.line(remember, known)
    g.line(tnew, make, outlet=0)
    g.line(make, tp)
    read = g.obj(440, 760, "pack s s", 70)
    readmsg = g.msg(440, 800, "script send $1 replace $2", 170)
    g.line(tsteps, path_store, outlet=2)
    g.line(path_store, read, inlet=1)
    g.line(tsteps, name_read, outlet=1)
    g.line(name_read, read)
    g.line(read, readmsg)
    g.line(readmsg, tp)
    ready = g.obj(20, 790, "pack s s 0", 100)
    tready = g.obj(20, 700, "t b b b", 100)
    g.line(tsteps, tready, outlet=0)
    g.line(tready, frames_store, outlet=2)
    g.line(frames_store, ready, inlet=2)
    g.line(tready, name_ready, outlet=1)
    g.line(name_ready, ready, inlet=1)
    g.line(tready, slot_store, outlet=0)
    g.line(slot_store, ready)
    deferred = g.obj(20, 830, "deferlow", 70)
    g.line(ready, deferred)
    out_ready = g.obj(20, 900, "outlet", 40)
    out_fail = g.obj(120, 900, "outlet", 40)
    out_other = g.obj(220, 900, "outlet", 40)
    g.line(deferred, out_ready)
    g.line(rroute, out_fail, outlet=1)
    g.line(rroute, out_other, outlet=2)
    g.note(20, 930, "ready: slot buffer frames    fail: cmd slot reason    other replies", 500)
    return p


def help_patch() -> Patcher:
    """drumsynth.maxhelp: every address of the protocol as a clickable message."""
    p = Patcher(str(MAX_DIR / "drumsynth.maxhelp"), validate_connections=False)
    g = Layout(p)
    g.note(20, 10, "drumsynth: play the drumsynth-osc server from Max (server: drumsynth serve)")
    g.note(
        20,
        32,
        "[drumsynth prefix server-port reply-port]: requests in, buffer~ <prefix>-<slot> loaded",
        700,
    )
    rows = [
        ("ping", "/drum/ping -> /drum/pong: is the server up?"),
        ("info", "/drum/info -> model, sr, frames, classes, pca, device, port"),
        ("seed kick 42 kick", "/drum/seed slot seed [class] [psi]: a drum from a seed"),
        ("seed snare 7 snare 0.7", "psi < 1 pulls towards the class average"),
        ("random hat hat", "/drum/random slot [class]: a random drum"),
        ("pca kick 1.5 -0.5 0", "/drum/pca slot c1 [c2 ... cK]: std devs along PCA axes"),
        ("morph mix kick snare 0.5", "/drum/morph slot slotA slotB t: blend two slots"),
        ("path walk kick snare 8 slerp", "/drum/path slot slotA slotB steps [lin|slerp]"),
        ("invert mine /path/to/drum.wav 50", "/drum/invert slot path [refine_steps]"),
        ("break amen /path/to/loop.wav", "/drum/break slot path [refine_steps]: hit i -> amen-i"),
        ("latent kick", "/drum/latent slot -> /drum/latent slot class c1 ... cK"),
        ("status", "/drum/status -> counters"),
        ("cancel amen", "/drum/cancel slot: drop its queued work, stop a break"),
        ("reply 57301", "/drum/reply [host] port: where replies go (done at load)"),
        ("connect 127.0.0.1 57300", "point the abstraction at another server"),
        ("pcaabs kick 0.5 -1 0 0", "/drum/pcaabs slot c1 ... cK: absolute, as latent answers"),
        ("mix both kick snare 7", "/drum/mix slot A B [layer]: A's coarse, B's fine styles"),
        ("hybrid kt kick 0.7 tom 0.3 5", "/drum/hybrid slot class1 w1 ... [seed]"),
        ("kit k 42", "/drum/kit prefix seed [psi]: k-<class> slots + SuperDirt bank"),
        ("store kick fat", "/drum/store slot name -> /drum/stored slot name"),
        ("recall kick fat", "/drum/recall slot name: a preset back into a slot"),
        ("presets", "/drum/presets -> /drum/presets name1 ..."),
        ("forget fat", "/drum/forget name: delete a preset"),
        ("slices amen", "/drum/slices slot -> /drum/slices slot onsets..."),
        ("breakpca amen 1 0.5", "/drum/breakpca slot c1 ... cK: every hit at once"),
        ("breakmix bm amen jungle 0.5", "/drum/breakmix slot A B t: hit-by-hit morph"),
    ]
    top = 60 + 33 * len(rows) + 20  # below the rows
    p.rect = [50.0, 50.0, 1000.0, top + 240.0]
    ds = g.obj(20, top, "drumsynth gan 57300 57301", 200)
    for i, (text, comment) in enumerate(rows):
        box = g.msg(20, 60 + 33 * i, text, 220)
        g.note(260, 60 + 33 * i, comment, 500)
        g.line(box, ds)
    ready = g.obj(20, top + 50, "print ready", 90)
    fail = g.obj(130, top + 50, "print fail", 90)
    other = g.obj(240, top + 50, "print reply", 90)
    g.line(ds, ready, outlet=0)
    g.line(ds, fail, outlet=1)
    g.line(ds, other, outlet=2)
    g.note(
        20, top + 90, "Replies: /drum/done cmd slot path frames sr ms / /drum/fail cmd slot reason"
    )
    # play a loaded slot
    play = g.msg(500, top, "0", 30)
    setbuf = g.msg(560, top, "set gan-kick", 100)
    groove = g.obj(500, top + 50, "groove~ gan-kick", 130)
    rate = g.obj(680, top, "sig~ 1", 60)
    gain = g.obj(500, top + 90, "*~ 0.5", 60)
    dac = g.obj(500, top + 130, "ezdac~", 45)
    g.line(play, groove)
    g.line(setbuf, groove)
    g.line(rate, groove)
    g.line(groove, gain)
    g.line(gain, dac)
    g.line(gain, dac, inlet=1)
    g.note(640, top + 50, "click 0 to play slot kick", 250)
    # Wekinator's message, as Wekinator sends it: moves the server's --wekinator-slot
    wek = g.msg(500, top + 170, "/wek/outputs 0.5 -0.25", 180)
    wek_send = g.obj(700, top + 170, "udpsend 127.0.0.1 57300", 180)
    g.line(wek, wek_send)
    g.note(500, top + 195, "Wekinator: /wek/outputs f... = /drum/pca on slot wek", 400)
    return p


def demo_patch() -> Patcher:
    """drumsynth-demo.maxpat: step sequencer, PCA sliders, morph, path and invert."""
    p = Patcher(str(MAX_DIR / "drumsynth-demo.maxpat"), validate_connections=False)
    p.rect = [50.0, 50.0, 1200.0, 820.0]
    g = Layout(p)
    g.note(20, 10, "drumsynth demo: start `drumsynth serve`, turn on audio, click the messages")
    ds = g.obj(20, 600, "drumsynth gan 57300 57301", 200)
    # slots
    init = g.msg(20, 40, "seed kick 1 kick, seed snare 2 snare, seed hat 3 hat", 380)
    g.line(init, ds)
    rand = g.msg(420, 40, "random kick kick, random snare snare, random hat hat", 380)
    g.line(rand, ds)
    # sequencer: metro -> counter -> one pattern per voice
    on = g.p.add_textbox("toggle", patching_rect=[20, 80, 24, 24])
    metro = g.obj(60, 80, "metro 125", 80)
    count = g.obj(60, 110, "counter 0 15", 90)
    g.line(on, metro)
    g.line(metro, count)
    voices = [
        ("kick", "1 0 0 0 0 0 1 0 1 0 0 0 0 0 0 0"),
        ("snare", "0 0 0 0 1 0 0 0 0 0 0 0 1 0 0 1"),
        ("hat", "1 0 1 0 1 0 1 1 1 0 1 0 1 0 1 0"),
    ]
    out = g.obj(60, 460, "*~ 0.5", 60)
    dac = g.obj(60, 500, "ezdac~", 45)
    g.line(out, dac)
    g.line(out, dac, inlet=1)
    rate = g.obj(700, 110, "sig~ 1", 60)
    ready_route = g.obj(250, 640, "route kick snare hat mix walk mine", 200)
    g.line(ds, ready_route)
    for i, (slot, pattern) in enumerate(voices):
        x = 60 + 300 * i
        step = g.obj(x, 150, "t b i", 60)
        pat = g.msg(x, 190, pattern, 260)
        nth = g.obj(x, 230, "zl.mth", 60)
        hit = g.obj(x, 270, "sel 1", 50)
        zero = g.msg(x, 310, "0", 30)
        groove = g.obj(x, 350, f"groove~ gan-{slot}", 140)
        g.line(count, step)
        g.line(step, nth, outlet=1, inlet=1)
        g.line(step, pat, outlet=0)
        g.line(pat, nth)
        g.line(nth, hit)
        g.line(hit, zero)
        g.line(zero, groove)
        g.line(rate, groove)
        g.line(groove, out)
        # a new sound for this slot: point groove~ at its buffer (made on the first done)
        name = g.obj(250 + 110 * i, 680, "zl.nth 1", 80)
        setmsg = g.msg(250 + 110 * i, 720, "set $1", 60)
        g.line(ready_route, name, outlet=i)
        g.line(name, setmsg)
        g.line(setmsg, groove)
    # the morph, path and invert slots: click to play (as the Pd demo)
    g.note(580, 615, "play slot mix / walk / mine", 300)
    for j, slot in enumerate(("mix", "walk", "mine")):
        x = 580 + 110 * j
        start = g.msg(x, 640, "0", 30)
        groove = g.obj(x, 760, f"groove~ gan-{slot}", 100)
        name = g.obj(x, 680, "zl.nth 1", 80)
        setmsg = g.msg(x, 720, "set $1", 60)
        g.line(ready_route, name, outlet=len(voices) + j)
        g.line(name, setmsg)
        g.line(setmsg, groove)
        g.line(start, groove)
        g.line(rate, groove)
        g.line(groove, out)
    g.note(60, 420, "edit the patterns: one value per 16th note", 400)
    # PCA sliders for the kick
    sliders = []
    for k in range(3):
        s = g.p.add_textbox("slider", patching_rect=[960 + 40 * k, 150, 20, 140])
        sc = g.obj(960 + 40 * k, 300, "scale 0 127 -3. 3.", 36)
        g.line(s, sc)
        sliders.append(sc)
    g.note(960, 120, "kick: PCA axes 1-3 (std devs)", 220)
    pak = g.obj(900, 340, "pak 0. 0. 0.", 110)
    for k, sc in enumerate(sliders):
        g.line(sc, pak, inlet=k)
    pca = g.obj(900, 380, "prepend pca kick", 120)
    g.line(pak, pca)
    g.line(pca, ds)
    # morph between kick and snare into slot kick? no: into slot hat's neighbour "mix"
    morph_slider = g.p.add_textbox("slider", patching_rect=[900, 440, 140, 20], orientation=1)
    morph_scale = g.obj(900, 470, "scale 0 127 0. 1.", 120)
    morph_msg = g.msg(900, 500, "morph mix kick snare $1", 180)
    g.line(morph_slider, morph_scale)
    g.line(morph_scale, morph_msg)
    g.line(morph_msg, ds)
    g.note(900, 415, "morph kick -> snare into slot mix", 250)
    # path renderer and invert
    path_msg = g.msg(420, 500, "path walk kick snare 8 slerp", 200)
    g.line(path_msg, ds)
    g.note(420, 475, "render a path kick -> snare into slot walk", 300)
    open_btn = g.msg(420, 560, "open", 50)
    dialog = g.obj(480, 560, "opendialog sound", 130)
    # Max paths read "Macintosh HD:/Users/..."; the server wants /Users/...
    conform = g.obj(620, 560, "conformpath slash absolute", 170)
    invert = g.obj(800, 560, "prepend invert mine", 140)
    g.line(open_btn, dialog)
    g.line(dialog, conform)
    g.line(conform, invert)
    g.line(invert, ds)
    g.note(420, 535, "invert a WAV of your own into slot mine", 300)
    fail = g.obj(250, 760, "print drumsynth-fail", 150)
    g.line(ds, fail, outlet=1)
    return p


def main() -> None:
    MAX_DIR.mkdir(parents=True, exist_ok=True)
    for patch in (abstraction(), help_patch(), demo_patch()):
        patch.save()


if __name__ == "__main__":
    main()
