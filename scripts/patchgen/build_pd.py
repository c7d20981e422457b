"""Build the Pure Data patches in patches/pd/ (and the Pd test patch) from Python.

Run from the repository root: `python scripts/patchgen/build_pd.py`. The `.pd` files it writes
are the shipped artifacts; edit this script and rebuild rather than editing them by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pd import Canvas  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PD_DIR = ROOT / "patches" / "pd"
TEST_DIR = ROOT / "tests" / "patches" / "pd"


def slot_name_subpatch() -> Canvas:
    """slot (float or symbol) -> symbol `<prefix>-<slot>`; the prefix arrives on r $0-prefix."""
    c = Canvas(width=520, height=330, name="slot-to-array-name")
    inl = c.obj(20, 20, "inlet")
    rt = c.obj(20, 55, "route float symbol")
    mk = c.obj(20, 90, "makefilename %d")
    tr = c.obj(20, 125, "t a b")
    pre_r = c.obj(260, 20, "r $0-prefix")
    pre = c.obj(170, 125, "symbol")
    pre_codes = c.obj(170, 160, "list fromsymbol")
    dash = c.obj(170, 195, "list append 45")
    slot_codes = c.obj(20, 160, "list fromsymbol")
    join = c.obj(20, 230, "list prepend")
    tosym = c.obj(20, 265, "list tosymbol")
    outl = c.obj(20, 300, "outlet")
    c.comment(260, 60, "gan + kick -> gan-kick")
    c.comment(260, 80, "gan + 0 -> gan-0")
    c.connect(inl, 0, rt)
    c.connect(rt, 0, mk)
    c.connect(mk, 0, tr)
    c.connect(rt, 1, tr)
    c.connect(pre_r, 0, pre, 1)
    c.connect(tr, 1, pre)
    c.chain(pre, pre_codes, dash)
    c.connect(dash, 0, join, 1)
    c.connect(tr, 0, slot_codes)
    c.chain(slot_codes, join, tosym, outl)
    return c


def ensure_array_subpatch() -> Canvas:
    """array name -> the same name, after making a [table] for it in pd $0-arrays if new."""
    c = Canvas(width=620, height=420, name="make-array-if-new")
    inl = c.obj(20, 20, "inlet")
    t = c.obj(20, 55, "t a a a")
    store = c.obj(150, 160, "symbol")
    lst = c.obj(80, 90, "list")
    search = c.obj(80, 125, "text search $0-made")
    sel = c.obj(80, 160, "sel -1")
    t2 = c.obj(150, 195, "t s s b")
    count = c.obj(330, 230, "f")
    inc = c.obj(380, 230, "+ 1")
    ypos = c.obj(330, 265, "expr 10 + 25 * $f1")
    objmsg = c.msg(330, 300, "obj 10 $1 table")
    prepend = c.obj(150, 330, "list prepend")
    trim = c.obj(150, 360, "list trim")
    send = c.obj(150, 390, "s pd-$0-arrays")
    remember = c.obj(250, 230, "list")
    tset = c.obj(250, 265, "text set $0-made 1e+06")
    outl = c.obj(20, 390, "outlet")
    c.comment(330, 20, "arrays this abstraction made are")
    c.comment(330, 40, "listed in [text define $0-made]")
    c.connect(inl, 0, t)
    c.connect(t, 2, store, 1)
    c.connect(t, 1, lst)
    c.chain(lst, search, sel)
    c.connect(sel, 0, store)
    c.connect(store, 0, t2)
    c.connect(t2, 2, count)
    c.connect(count, 0, inc)
    c.connect(inc, 0, count, 1)
    c.chain(count, ypos, objmsg)
    c.connect(objmsg, 0, prepend, 1)
    c.connect(t2, 1, remember)
    c.connect(remember, 0, tset)
    c.connect(t2, 0, prepend)
    c.chain(prepend, trim, send)
    c.connect(t, 0, outl)
    return c


def abstraction() -> Canvas:
    """[drumsynth <prefix> <port> <host>]: requests in, arrays loaded, outlets say so."""
    c = Canvas(width=1100, height=820)
    c.comment(20, 10, "drumsynth: client for the drumsynth-osc server. See drumsynth-help.pd")
    c.comment(
        20,
        30,
        "args: array prefix (default drum), server port (default 57300), host (default 127.0.0.1)",
    )
    c.obj(900, 10, "text define $0-made")
    c.subpatch(900, 40, Canvas(width=300, height=600, name="$0-arrays"))

    # --- creation arguments with defaults -----------------------------------------------
    lb = c.obj(20, 70, "loadbang")
    argsmsg = c.msg(20, 100, "args")
    pdc = c.obj(20, 130, "pdcontrol")
    targs = c.obj(20, 160, "t a a")
    length = c.obj(120, 190, "list length")
    tlen = c.obj(120, 220, "t b f")
    defaults = c.msg(120, 250, "drum 57300 127.0.0.1")
    split = c.obj(120, 280, "list split")
    app = c.obj(20, 310, "list append")
    targs2 = c.obj(20, 340, "t a a")
    prefix_msg = c.msg(120, 370, "symbol $1")
    prefix_s = c.obj(120, 400, "s $0-prefix")
    connect_msg = c.msg(20, 400, "connect $3 $2")
    c.chain(lb, argsmsg, pdc, targs)
    c.connect(targs, 1, length)
    c.connect(length, 0, tlen)
    c.connect(tlen, 1, split, 1)
    c.connect(tlen, 0, defaults)
    c.connect(defaults, 0, split)
    c.connect(split, 1, app, 1)
    c.connect(targs, 0, app)
    c.connect(app, 0, targs2)
    c.connect(targs2, 1, prefix_msg)
    c.connect(prefix_msg, 0, prefix_s)
    c.connect(targs2, 0, connect_msg)

    # --- requests: "<cmd> args..." -> /drum/<cmd> args... --------------------------------
    inl = c.obj(350, 70, "inlet")
    c.comment(420, 70, "e.g. seed kick 42 kick / pca kick 1.5 -1 / connect 127.0.0.1 57300")
    route_conn = c.obj(350, 100, "route connect")
    conn_list = c.obj(350, 130, "list")
    reconnect = c.msg(350, 160, "disconnect, connect $1 $2")
    treq = c.obj(480, 100, "t a a")
    split_addr = c.obj(560, 160, "list split 1")
    set_addr = c.msg(560, 190, "set drum $1")
    split_args = c.obj(480, 220, "list split 1")
    fmt = c.obj(480, 260, "oscformat drum ping")
    prep_send = c.obj(480, 290, "list prepend send")
    trim_send = c.obj(480, 320, "list trim")
    net = c.obj(350, 440, "netsend -u -b")
    c.connect(inl, 0, route_conn)
    c.connect(route_conn, 0, conn_list)
    c.connect(conn_list, 0, reconnect)
    c.connect(reconnect, 0, net)
    c.connect(connect_msg, 0, net)
    c.connect(route_conn, 1, treq)
    c.connect(treq, 1, split_addr)
    c.connect(split_addr, 0, set_addr)
    c.connect(set_addr, 0, fmt)
    c.connect(treq, 0, split_args)
    c.connect(split_args, 1, fmt)
    c.chain(fmt, prep_send, trim_send, net)

    # --- replies ---------------------------------------------------------------------------
    parse = c.obj(440, 480, "oscparse")
    trim_in = c.obj(440, 510, "list trim")
    route_drum = c.obj(440, 540, "route drum")
    route_kind = c.obj(440, 570, "route done fail")
    connected = c.obj(350, 480, "list prepend connected")
    c.connect(net, 1, parse)
    c.chain(parse, trim_in, route_drum, route_kind)
    c.connect(net, 0, connected)

    # done: cmd slot path frames sr ms ... -> soundfiler read -resize path <prefix>-<slot>
    tdone = c.obj(440, 610, "t a a")
    drop_cmd = c.obj(620, 640, "list split 1")
    get_slot = c.obj(620, 670, "list split 1")
    tslot = c.obj(620, 700, "t a a")
    name = c.subpatch(760, 700, slot_name_subpatch())
    ensure = c.subpatch(760, 730, ensure_array_subpatch())
    pair = c.obj(620, 760, "list append")
    drop2 = c.obj(440, 640, "list split 2")
    get_path = c.obj(440, 670, "list split 1")
    path_name = c.obj(440, 700, "list append")
    readmsg = c.msg(440, 730, "read -resize $1 $2")
    sf = c.obj(440, 760, "soundfiler")
    ready = c.obj(440, 790, "list prepend")
    c.connect(route_kind, 0, tdone)
    c.connect(tdone, 1, drop_cmd)
    c.connect(drop_cmd, 1, get_slot)
    c.connect(get_slot, 0, tslot)
    c.connect(tslot, 1, name)
    c.connect(name, 0, ensure)
    c.connect(ensure, 0, pair, 1)
    c.connect(ensure, 0, path_name, 1)
    c.connect(tslot, 0, pair)
    c.connect(pair, 0, ready, 1)
    c.connect(tdone, 0, drop2)
    c.connect(drop2, 1, get_path)
    c.connect(get_path, 0, path_name)
    c.chain(path_name, readmsg, sf, ready)

    out_ready = c.obj(440, 830 - 10, "outlet")  # placed below; ready: slot array frames
    out_fail = c.obj(700, 600, "outlet")
    out_other = c.obj(900, 600, "outlet")
    c.connect(ready, 0, out_ready)
    c.connect(route_kind, 1, out_fail)
    c.connect(route_kind, 2, out_other)
    c.connect(connected, 0, out_other)
    c.comment(700, 560, "fail: cmd slot reason")
    c.comment(900, 560, "other replies: pong / info ... / latent ... / status ... / connected 1")
    c.comment(440, 850, "ready: slot array frames")
    return c


#: Every request of the protocol as a help-patch message and its comment.
HELP_ROWS = (
    ("ping", "/drum/ping -> /drum/pong (on the right outlet): is the server up?"),
    ("info", "/drum/info -> model version sr frames classes pca device port"),
    ("seed kick 42 kick", "/drum/seed slot seed [class] [psi]: the drum of a seed"),
    ("seed snare 7 snare 0.7", "psi < 1 pulls towards the class average"),
    ("random hat hat", "/drum/random slot [class]: a random drum"),
    ("pca kick 1.5 -0.5 0", "/drum/pca slot c1 [c2 ... cK]: std devs along the class PCA axes"),
    ("morph mix kick snare 0.5", "/drum/morph slot slotA slotB t: blend two slots"),
    ("path walk kick snare 8 slerp", "/drum/path slot slotA slotB steps [lin|slerp]: a walk"),
    ("invert mine /path/to/drum.wav 50", "/drum/invert slot path [refine_steps]: your own WAV"),
    ("break amen /path/to/loop.wav", "/drum/break slot path [refine_steps]: hit i -> amen-i"),
    ("latent kick", "/drum/latent slot -> latent slot class c1 ... cK (right outlet)"),
    ("status", "/drum/status -> counters (right outlet)"),
    ("cancel amen", "/drum/cancel slot: drop its queued work, stop a break in flight"),
    ("pcaabs kick 0.5 -1 0 0", "/drum/pcaabs slot c1 ... cK: absolute coordinates (as latent)"),
    ("mix both kick snare 7", "/drum/mix slot A B [layer]: A's coarse styles, B's fine ones"),
    ("hybrid kt kick 0.7 tom 0.3 5", "/drum/hybrid slot class1 w1 ... [seed]: class blend"),
    ("kit k 42", "/drum/kit prefix seed [psi]: slots k-<class> + SuperDirt bank folder"),
    ("store kick fat", "/drum/store slot name -> stored slot name (right outlet)"),
    ("recall kick fat", "/drum/recall slot name: a preset back into a slot"),
    ("presets", "/drum/presets -> presets name1 ... (right outlet)"),
    ("forget fat", "/drum/forget name: delete a preset"),
    ("slices amen", "/drum/slices slot -> slices slot onsets... (right outlet)"),
    ("breakpca amen 1 0.5", "/drum/breakpca slot c1 ... cK: every hit of the break at once"),
    ("breakmix bm amen jungle 0.5", "/drum/breakmix slot A B t: hit-by-hit morph of breaks"),
    ("connect 127.0.0.1 57300", "talk to another server (not an OSC address)"),
)


def help_patch() -> Canvas:
    """drumsynth-help.pd: every address as a clickable message, the outlets printed."""
    top = 80 + 33 * (len(HELP_ROWS) + 1) + 20  # below the rows
    c = Canvas(width=980, height=top + 160)
    c.comment(20, 10, "[drumsynth] - play the drumsynth-osc server from vanilla Pd")
    c.comment(
        20,
        32,
        "Start the server (drumsynth serve) and click the messages. Each finished sound "
        "is loaded into the array <prefix>-<slot> (made by the abstraction and resized) "
        "and the left outlet says: slot array frames",
    )
    ds = c.obj(20, top, "drumsynth gan 57300 127.0.0.1")
    c.comment(280, top, "args: array prefix (drum) / server port (57300) / server host (127.0.0.1)")
    for i, (text, note) in enumerate(HELP_ROWS):
        box = c.msg(20, 80 + 33 * i, text)
        c.comment(300, 80 + 33 * i, note)
        c.connect(box, 0, ds)
    # no clickable /drum/reply: it would send this abstraction's own replies away from it
    c.comment(
        20,
        80 + 33 * len(HELP_ROWS),
        "/drum/reply is for Max's separate sockets: [drumsynth] needs none",
    )
    ready = c.obj(20, top + 50, "print ready")
    fail = c.obj(140, top + 50, "print fail")
    other = c.obj(260, top + 50, "print reply")
    c.connect(ds, 0, ready)
    c.connect(ds, 1, fail)
    c.connect(ds, 2, other)
    c.comment(20, top + 80, "outlets: ready (slot array frames) / fail (cmd slot reason) / replies")
    play = c.msg(600, top + 50, "set gan-kick, bang")
    tab = c.obj(600, top + 80, "tabplay~")
    gain = c.obj(600, top + 110, "*~ 0.5")
    dac = c.obj(600, top + 140, "dac~")
    c.msg(760, top + 50, "; pd dsp 1")
    c.connect(play, 0, tab)
    c.chain(tab, gain, dac)
    c.connect(gain, 0, dac, 1)
    c.comment(760, top + 80, "turn audio on")
    # Wekinator's message, sent as Wekinator sends it (not through [drumsynth])
    c.comment(600, 80, "Wekinator: /wek/outputs f... moves the server's --wekinator-slot")
    c.comment(600, 100, "(default wek; seed it first) along the PCA axes, as /drum/pca")
    conn = c.msg(600, 130, "connect localhost 57300")
    values = c.msg(780, 130, "0.5 -0.25")
    wek = c.obj(780, 160, "oscformat wek outputs")
    send = c.obj(780, 190, "list prepend send")
    trim = c.obj(780, 220, "list trim")
    net = c.obj(600, 250, "netsend -u -b")
    c.chain(values, wek, send, trim, net)
    c.connect(conn, 0, net)
    return c


def demo_patch() -> Canvas:
    """drumsynth-demo.pd: step sequencer, PCA sliders, morph, path renderer, invert."""
    c = Canvas(width=1100, height=760)
    c.comment(20, 10, "drumsynth demo: start drumsynth serve, click the seeds, turn on the metro")
    ds = c.obj(20, 620, "drumsynth gan")
    c.connect(c.msg(20, 40, "seed kick 1 kick, seed snare 2 snare, seed hat 3 hat"), 0, ds)
    c.connect(c.msg(440, 40, "random kick kick, random snare snare, random hat hat"), 0, ds)
    c.msg(860, 40, "; pd dsp 1")
    # sequencer: metro -> counter 0..15 -> one [list store] pattern per voice
    on = c.toggle(20, 80)
    metro = c.obj(50, 80, "metro 125")
    count = c.obj(50, 110, "f")
    inc = c.obj(90, 110, "+ 1")
    wrap = c.obj(130, 110, "mod 16")
    c.connect(on, 0, metro)
    c.chain(metro, count, inc, wrap)
    c.connect(wrap, 0, count, 1)
    out = c.obj(50, 480, "*~ 0.3")
    dac = c.obj(50, 510, "dac~")
    c.connect(out, 0, dac)
    c.connect(out, 0, dac, 1)
    lb = c.obj(600, 80, "loadbang")
    voices = (
        ("kick", "1 0 0 0 0 0 1 0 1 0 0 0 0 0 0 0"),
        ("snare", "0 0 0 0 1 0 0 0 0 0 0 0 1 0 0 1"),
        ("hat", "1 0 1 0 1 0 1 1 1 0 1 0 1 0 1 0"),
    )
    for i, (slot, pattern) in enumerate(voices):
        x = 50 + 200 * i
        pat = c.msg(x, 190, pattern)
        get = c.msg(x, 150, "get $1 1")
        store = c.obj(x, 250, "list store")
        hit = c.obj(x, 280, "sel 1")
        play = c.msg(x, 310, f"set gan-{slot}, bang")
        tab = c.obj(x, 340, "tabplay~")
        c.connect(count, 0, get)
        c.connect(lb, 0, pat)
        c.connect(pat, 0, store, 1)
        c.connect(get, 0, store)
        c.chain(store, hit, play, tab, out)
    c.comment(50, 400, "edit the patterns (one value per 16th) and click them to store")
    # PCA sliders: kick's first three axes, in std devs
    c.comment(700, 120, "kick: PCA axes 1-3 (std devs)")
    sliders = [c.hslider(700, 150 + 30 * k, -3, 3) for k in range(3)]
    pack = c.obj(700, 250, "pack f f f")
    c.connect(sliders[0], 0, pack)
    for k in (1, 2):
        t = c.obj(880 + 60 * (k - 1), 250, "t b f")
        c.connect(sliders[k], 0, t)
        c.connect(t, 1, pack, k)
        c.connect(t, 0, pack)
    pca = c.obj(700, 280, "list prepend pca kick")
    trim = c.obj(700, 310, "list trim")
    c.chain(pack, pca, trim, ds)
    # morph slider between kick and snare into slot mix
    c.comment(700, 350, "morph kick -> snare into slot mix")
    morph = c.hslider(700, 380, 0, 1)
    morph_msg = c.msg(700, 410, "morph mix kick snare $1")
    c.chain(morph, morph_msg, ds)
    # path renderer and invert
    c.comment(440, 450, "path kick -> snare into slot walk")
    c.connect(c.msg(440, 480, "path walk kick snare 8 slerp"), 0, ds)
    c.comment(700, 450, "invert a WAV file of yours into slot mine")
    pick = c.bang(700, 480)
    panel = c.obj(730, 480, "openpanel")
    inv = c.obj(730, 510, "list prepend invert mine")
    inv_trim = c.obj(730, 540, "list trim")
    c.connect(pick, 0, panel)
    c.chain(panel, inv, inv_trim, ds)
    for j, slot in enumerate(("mix", "walk", "mine")):
        play = c.msg(440 + 120 * j, 560, f"set gan-{slot}, bang")
        tab = c.obj(440 + 120 * j, 590, "tabplay~")
        c.chain(play, tab, out)
    ready = c.obj(20, 660, "print ready")
    fail = c.obj(140, 660, "print fail")
    c.connect(ds, 0, ready)
    c.connect(ds, 1, fail)
    return c


def test_patch() -> Canvas:
    """Headless test: `-send "drumtest go PORT SEED"`, prints `drumtest: slot array n size peak`."""
    c = Canvas(width=900, height=600)
    c.comment(20, 10, "drumsynth test patch: driven by -send messages, results on [print]")
    r = c.obj(20, 40, "r drumtest")
    route = c.obj(20, 70, "route go")
    tgo = c.obj(20, 100, "t a a")
    conn = c.msg(120, 130, "connect 127.0.0.1 $1")
    reqs = c.msg(20, 160, "seed 0 $2, random probe")
    ds = c.obj(20, 200, "drumsynth dtest")
    tready = c.obj(20, 240, "t a a")
    getname1 = c.obj(200, 270, "list split 1")
    getname2 = c.obj(200, 300, "list split 1")
    tname = c.obj(200, 330, "t s s s")
    setmin = c.obj(400, 360, "t b s")
    amin = c.obj(400, 390, "array min")
    neg = c.obj(400, 420, "* -1")
    setmax = c.obj(300, 360, "t b s")
    amax = c.obj(300, 390, "array max")
    peak = c.obj(300, 450, "expr max($f1, $f2)")
    setsize = c.obj(200, 360, "t b s")
    asize = c.obj(200, 390, "array size")
    sizepeak = c.obj(200, 480, "pack f f")
    result = c.obj(20, 510, "list append")
    pr = c.obj(20, 540, "print drumtest")
    prfail = c.obj(130, 240, "print drumtest-fail")
    prother = c.obj(280, 240, "print drumtest-other")
    c.chain(r, route, tgo)
    c.connect(tgo, 1, conn)
    c.connect(conn, 0, ds)
    c.connect(tgo, 0, reqs)
    c.connect(reqs, 0, ds)
    c.connect(ds, 0, tready)
    c.connect(ds, 1, prfail)
    c.connect(ds, 2, prother)
    c.connect(tready, 1, getname1)
    c.connect(getname1, 1, getname2)
    c.connect(getname2, 0, tname)
    c.connect(tname, 2, setmin)
    c.connect(setmin, 1, amin, 2)
    c.chain(setmin, amin, neg)
    c.connect(neg, 0, peak, 1)
    c.connect(tname, 1, setmax)
    c.connect(setmax, 1, amax, 2)
    c.chain(setmax, amax, peak)
    c.connect(peak, 0, sizepeak, 1)
    c.connect(tname, 0, setsize)
    c.connect(setsize, 1, asize, 1)
    c.chain(setsize, asize, sizepeak)
    c.connect(sizepeak, 0, result, 1)
    c.connect(tready, 0, result)
    c.connect(result, 0, pr)
    return c


def main() -> None:
    PD_DIR.mkdir(parents=True, exist_ok=True)
    TEST_DIR.mkdir(parents=True, exist_ok=True)
    abstraction().save(str(PD_DIR / "drumsynth.pd"))
    help_patch().save(str(PD_DIR / "drumsynth-help.pd"))
    demo_patch().save(str(PD_DIR / "drumsynth-demo.pd"))
    test_patch().save(str(TEST_DIR / "drumsynth_test.pd"))


if __name__ == "__main__":
    main()
