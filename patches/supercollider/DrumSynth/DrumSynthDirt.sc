/*
DrumSynthDirt: exposes DrumSynth slots to SuperDirt as one sample bank (default \gan) and
refreshes the bank on every /drum/done, so `s "gan:0 gan:1"` in Tidal plays the newest sounds.

	~dirt = SuperDirt(2, s); ~dirt.start(57120, 0 ! 12);
	d = DrumSynth(s);
	g = DrumSynthDirt(d, ~dirt, \gan, [\kick, \snare, \hat]);   // gan:0 kick, gan:1 snare ...

Without a slot list the bank holds every slot, sorted by name. The bank shares DrumSynth's
buffers: SuperDirt never frees them (this class edits the sound library's tables directly, as
addBuffer would free the previous ones), and `g.free` removes the bank only.
*/

DrumSynthDirt {
	var <drumsynth, <dirt, <bank, <>slots, <updater;

	*new { |drumsynth, dirt, bank = \gan, slots|
		^super.newCopyArgs(drumsynth, dirt, bank.asSymbol, slots).init
	}

	init {
		updater = { |who, what| if(what == \ready) { this.refresh } };
		drumsynth.addDependant(updater);
		this.refresh;
	}

	buffers {
		^(slots ?? { drumsynth.slotNames }).collect { |slot| drumsynth.buffer(slot) }.reject(_.isNil)
	}

	refresh {
		var lib = dirt.soundLibrary, bufs = this.buffers;
		if(bufs.isEmpty) { ^this.prRemove };
		lib.buffers.put(bank, bufs);
		lib.bufferEvents.put(bank, bufs.collect { |b| lib.makeEventForBuffer(b) });
	}

	free {
		drumsynth.removeDependant(updater);
		this.prRemove;
	}

	prRemove {
		var lib = dirt.soundLibrary;
		lib.buffers.removeAt(bank);
		lib.bufferEvents.removeAt(bank);
	}
}
