/*
DrumSynth: a SuperCollider client for the drumsynth-osc server.

Every request of the server's OSC protocol is a method; each finished sound (/drum/done) is read
into a Buffer on the server. A slot (an Integer >= 0 or a Symbol such as \kick) owns two Buffers
and loads every new sound into the one that is not playing, then swaps: a Synth playing the
current buffer is never cut by a new sound.

	d = DrumSynth(s);                       // server 127.0.0.1:57300, replies come to sclang
	d.seed(\kick, 42, \kick, action: { |buf| Synth(\drumsynthPlayer, [buf: buf]) });
	d.buffer(\kick);                        // the slot's current Buffer (or nil)
	d.pca(\kick, [1.5, -0.5]);              // std devs along the class PCA axes
	d.onReady = { |slot, buf, cmd| [slot, buf, cmd].postln };

Install: see ../README.md. Examples: ../drumsynth-example.scd, ../superdirt-example.scd.
*/

DrumSynth {
	classvar <addresses, <defaultPort = 57300;
	var <server, <addr, <slots, <pending, <replyActions, <responders;
	var <>onReady, <>onFail, <>onReply, <>verbose = false;

	*initClass {
		// Every OSC address this class sends or listens to (tests check them against the server).
		addresses = #[
			'/drum/ping', '/drum/pong', '/drum/info', '/drum/seed', '/drum/random', '/drum/pca',
			'/drum/morph', '/drum/path', '/drum/invert', '/drum/break', '/drum/latent',
			'/drum/status', '/drum/reply', '/drum/cancel', '/drum/done', '/drum/fail',
			'/drum/cancelled', '/drum/pcaabs', '/drum/mix', '/drum/hybrid', '/drum/kit',
			'/drum/store', '/drum/stored', '/drum/recall', '/drum/presets', '/drum/forget',
			'/drum/forgotten', '/drum/slices', '/drum/breakpca', '/drum/breakmix', '/wek/outputs'
		];
		StartUp.add { this.addSynthDefs };
	}

	*new { |server, host = "127.0.0.1", port|
		^super.new.init(server ? Server.default, NetAddr(host, port ? defaultPort))
	}

	*slotKey { |slot|
		// Integers and Symbols are the two kinds of slot; OSC strings arrive as Symbols.
		^if(slot.isNumber) { slot.asInteger } { slot.asSymbol }
	}

	*addSynthDefs {
		// One-shot player for a slot's buffer (mono files), freed when the sound ends.
		SynthDef(\drumsynthPlayer, { |out = 0, buf = 0, rate = 1, amp = 0.5, pan = 0, start = 0|
			var sig = PlayBuf.ar(1, buf, BufRateScale.kr(buf) * rate,
				startPos: start * BufFrames.kr(buf), doneAction: Done.freeSelf);
			Out.ar(out, Pan2.ar(sig * amp, pan));
		}).add;
	}

	init { |argServer, argAddr|
		server = argServer;
		addr = argAddr;
		slots = IdentityDictionary.new;
		pending = IdentityDictionary.new;
		replyActions = IdentityDictionary.new;
		this.prMakeResponders;
	}

	// ---- requests: one method per address -----------------------------------------------------

	ping { |action| this.prExpect(\pong, action); this.prSend('/drum/ping') }

	info { |action| this.prExpect(\info, action); this.prSend('/drum/info') }

	status { |action| this.prExpect(\status, action); this.prSend('/drum/status') }

	cancel { |slot, action|
		// Drop the slot's queued requests and stop a break in flight; action.(n) with how many.
		this.prExpect(\cancelled, action);
		this.prSend('/drum/cancel', slot)
	}

	seed { |slot, seed, class, psi, action|
		var args = [slot, seed.asInteger];
		if(class.notNil) { args = args.add(class) };
		if(psi.notNil) {
			if(class.isNil) { Error("DrumSynth:seed: psi needs a class").throw };
			args = args.add(psi.asFloat)
		};
		this.prRequest('/drum/seed', slot, args, action)
	}

	random { |slot, class, action|
		var args = [slot];
		if(class.notNil) { args = args.add(class) };
		this.prRequest('/drum/random', slot, args, action)
	}

	pca { |slot, coords, action|
		this.prRequest('/drum/pca', slot, [slot] ++ coords.asArray.collect(_.asFloat), action)
	}

	morph { |slot, slotA, slotB, t = 0.5, action|
		this.prRequest('/drum/morph', slot, [slot, slotA, slotB, t.asFloat], action)
	}

	path { |slot, slotA, slotB, steps = 8, mode = \slerp, action|
		this.prRequest('/drum/path', slot, [slot, slotA, slotB, steps.asInteger, mode], action)
	}

	invert { |slot, path, refineSteps, action|
		var args = [slot, path.asString.standardizePath];
		if(refineSteps.notNil) { args = args.add(refineSteps.asInteger) };
		this.prRequest('/drum/invert', slot, args, action)
	}

	invertBreak { |slot, path, refineSteps, action|
		// /drum/break: the re-synthesised loop into slot, hit i into the slot "<slot>-i"
		// (e.g. \amen -> 'amen-0'); action.(buf, slot, cmd, [frames, sr, ms, hits])
		var args = [slot, path.asString.standardizePath];
		if(refineSteps.notNil) { args = args.add(refineSteps.asInteger) };
		this.prRequest('/drum/break', slot, args, action)
	}

	pcaabs { |slot, coords, action|
		// absolute coordinates, as `latent` answers them: sending those back keeps the sound
		this.prRequest('/drum/pcaabs', slot, [slot] ++ coords.asArray.collect(_.asFloat), action)
	}

	mix { |slot, slotA, slotB, layer, action|
		// style mixing: A's coarse layers, B's fine ones, split at layer (default: the middle)
		var args = [slot, slotA, slotB];
		if(layer.notNil) { args = args.add(layer.asInteger) };
		this.prRequest('/drum/mix', slot, args, action)
	}

	hybrid { |slot, blend, seed, action|
		// blend: [\kick, 0.7, \tom, 0.3]: the class embeddings mixed inside the mapping network
		var args = [slot] ++ blend.asArray.collect { |x| if(x.isNumber) { x.asFloat } { x } };
		if(seed.notNil) { args = args.add(seed.asInteger) };
		this.prRequest('/drum/hybrid', slot, args, action)
	}

	kit { |prefix, seed, psi, action|
		// one seed through every class: slots "<prefix>-<class>", and a SuperDirt bank whose
		// folder is the first extra value: action.(buf, slot, cmd, [frames, sr, ms, bank, n])
		var args = [prefix, seed.asInteger];
		if(psi.notNil) { args = args.add(psi.asFloat) };
		this.prRequest('/drum/kit', prefix, args, action)
	}

	store { |slot, name, action|
		this.prExpect(\stored, action);
		this.prSend('/drum/store', slot, name)
	}

	recall { |slot, name, action|
		this.prRequest('/drum/recall', slot, [slot, name], action)
	}

	presets { |action|
		// action.(names)
		this.prExpect(\presets, action);
		this.prSend('/drum/presets')
	}

	forget { |name, action|
		this.prExpect(\forgotten, action);
		this.prSend('/drum/forget', name)
	}

	slices { |slot, action|
		// action.(onsets): where the hits of the slot's break start, in frames
		this.prExpect(\slices, action);
		this.prSend('/drum/slices', slot)
	}

	breakPca { |slot, coords, action|
		this.prRequest('/drum/breakpca', slot, [slot] ++ coords.asArray.collect(_.asFloat), action)
	}

	breakMix { |slot, slotA, slotB, t = 0.5, action|
		this.prRequest('/drum/breakmix', slot, [slot, slotA, slotB, t.asFloat], action)
	}

	wek { |...values|
		// what Wekinator sends: moves the server's --wekinator-slot along the PCA axes
		this.prSend('/wek/outputs', *values.collect(_.asFloat))
	}

	latent { |slot, action|
		// action.(class, coords): the slot's class and its coordinates along the PCA axes
		this.prExpect(\latent, action);
		this.prSend('/drum/latent', slot)
	}

	reply { |port, host|
		// Ask the server to send replies to host:port instead of to this sender.
		if(host.notNil) { this.prSend('/drum/reply', host, port.asInteger) } {
			this.prSend('/drum/reply', port.asInteger)
		}
	}

	// ---- buffers --------------------------------------------------------------------------

	buffer { |slot| ^slots[this.class.slotKey(slot)] !? { |s| s.current } }

	bufnum { |slot| ^this.buffer(slot) !? { |b| b.bufnum } }

	slotNames { ^slots.keys.asArray.sort { |a, b| a.asString <= b.asString } }

	play { |slot, args|
		var buf = this.buffer(slot);
		^buf !? { Synth(\drumsynthPlayer, [buf: buf] ++ (args ? [])) }
	}

	free {
		responders.do(_.free);
		responders = nil;
		slots.do(_.free);
		slots.clear;
	}

	// ---- private ------------------------------------------------------------------------

	prSend { |address ... args|
		if(verbose) { ([address] ++ args).postln };
		addr.sendMsg(address, *args)
	}

	prRequest { |address, slot, args, action|
		var key = this.class.slotKey(slot);
		if(action.notNil) { pending[key] = pending[key].add(action) };
		this.prSend(address, *args)
	}

	prExpect { |kind, action|
		if(action.notNil) { replyActions[kind] = replyActions[kind].add(action) }
	}

	prReply { |kind, args|
		var actions = replyActions.removeAt(kind);
		actions.do { |f| f.value(*args) };
		onReply.value(kind, args);
	}

	prMakeResponders {
		// Replies come from the server's own port; other OSC traffic to sclang is ignored.
		var on = { |address, f|
			OSCFunc({ |msg, time, from| if(from.port == addr.port) { f.value(msg) } }, address).fix
		};
		responders = [
			on.('/drum/done', { |msg| this.prDone(msg) }),
			on.('/drum/fail', { |msg| this.prFail(msg) }),
			on.('/drum/pong', { |msg| this.prReply(\pong, [msg.drop(1)]) }),
			on.('/drum/info', { |msg| this.prReply(\info, [this.class.parseInfo(msg.drop(1))]) }),
			on.('/drum/latent', { |msg|
				this.prReply(\latent, [msg[2], msg.drop(3), this.class.slotKey(msg[1])])
			}),
			on.('/drum/status', { |msg| this.prReply(\status, [msg.drop(1)]) }),
			on.('/drum/cancelled', { |msg| this.prReply(\cancelled, [msg[2]]) }),
			on.('/drum/stored', { |msg| this.prReply(\stored, [msg[2]]) }),
			on.('/drum/presets', { |msg| this.prReply(\presets, [msg.drop(1)]) }),
			on.('/drum/forgotten', { |msg| this.prReply(\forgotten, [msg[1]]) }),
			on.('/drum/slices', { |msg| this.prReply(\slices, [msg.drop(2)]) })
		]
	}

	*parseInfo { |args|
		// key value pairs -> Event; `classes` is a space-separated list of class names
		var info = ();
		args.pairsDo { |k, v| info[k.asSymbol] = v };
		info[\classes] !? { |c| info[\classes] = c.asString.split($ ).collect(_.asSymbol) };
		^info
	}

	prDone { |msg|
		// /drum/done cmd slot path frames sr ms [extra...]
		var cmd = msg[1].asSymbol, key = this.class.slotKey(msg[2]), path = msg[3].asString;
		var slot = slots[key];
		if(slot.isNil) { slot = DrumSynthSlot(server); slots.put(key, slot) };
		if(verbose) { msg.postln };
		slot.load(path, { |buf|
			var actions = pending[key];
			var action = actions !? { actions.removeAt(0) };
			if(actions.notNil and: { actions.isEmpty }) { pending.removeAt(key) };
			action.value(buf, key, cmd, msg.drop(4));
			onReady.value(key, buf, cmd, msg.drop(4));
			this.changed(\ready, key, buf, cmd);
		})
	}

	prFail { |msg|
		// /drum/fail cmd slot-or-empty reason
		var cmd = msg[1], slot = msg[2], reason = msg[3];
		var key = if(slot.notNil and: { slot.asString.notEmpty }) { this.class.slotKey(slot) };
		key !? { pending[key] !? { |a| a.removeAt(0); if(a.isEmpty) { pending.removeAt(key) } } };
		if(onFail.notNil) { onFail.value(cmd, key, reason) } {
			"DrumSynth: % failed for slot %: %".format(cmd, key, reason).warn
		};
		this.changed(\fail, key, cmd, reason);
	}
}

DrumSynthSlot {
	// Two Buffers per slot: new sounds go into the idle one, which then becomes current.
	var <server, <bufnums, <buffers, <currentIndex, <path;

	*new { |server| ^super.new.init(server) }

	init { |argServer|
		server = argServer;
		bufnums = [server.nextBufferNumber(1), server.nextBufferNumber(1)];
		buffers = [nil, nil];
	}

	current { ^currentIndex !? { buffers[currentIndex] } }

	load { |argPath, action|
		var index = if(currentIndex.isNil) { 0 } { 1 - currentIndex };
		buffers[index] = Buffer.read(server, argPath, 0, -1, { |buf|
			currentIndex = index;
			path = argPath;
			action.value(buf)
		}, bufnums[index]);
	}

	free {
		buffers.do { |b, i| if(b.notNil) { b.free } { server.bufferAllocator.free(bufnums[i]) } };
		buffers = [nil, nil];
		currentIndex = nil;
	}
}
