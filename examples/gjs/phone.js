// phone.js: a small phone on NetSip.Agent and NetSip.Call (GJS).
//
//   gjs phone.js --from sip:alice@example.com --registrar sip:127.0.0.1:5060
//       [--proxy sip:127.0.0.1:5060] [--user alice --password secret]
//       [--listen udp:127.0.0.1:0] [--call sip:bob@example.com
//       [--send FILE.pcmu] [--dtmf 123#] [--duration SECONDS]]
//       [--timeout SECONDS]
//
// The same phone as examples/python/phone.py, with the same output, one
// line per event (registered 300, call established 200, dtmf sent 12,
// dtmf received 1 (rfc4733), rtp sent N received N lost 0, unregistered).
// Exit status 0 when the registration (and the call, with --call) worked,
// 1 otherwise, 2 on bad arguments.
// From the build tree:
//   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
//     gjs examples/gjs/phone.js --from ... --registrar ...
//
// SPDX-License-Identifier: LGPL-2.1-or-later

imports.gi.versions.GLib = '2.0';
imports.gi.versions.NetSip = '1.0';
const {GLib, NetSip} = imports.gi;
const System = imports.system;

function say(...words) {
    print(words.join(' '));
}

function parseArgs(argv) {
    const opts = {listen: 'udp:127.0.0.1:0', password: '', duration: 2, timeout: 30};
    const names = ['from', 'registrar', 'proxy', 'user', 'password', 'listen', 'call',
        'send', 'dtmf', 'duration', 'timeout'];
    for (let i = 0; i < argv.length; i += 2) {
        const name = argv[i].replace(/^--/, '');
        if (!argv[i].startsWith('--') || !names.includes(name) || i + 1 >= argv.length)
            throw new Error(`bad argument ${argv[i]}`);
        opts[name] = argv[i + 1];
    }
    if (!opts.from || !opts.registrar)
        throw new Error('--from and --registrar are needed');
    opts.duration = Number(opts.duration);
    opts.timeout = Number(opts.timeout);
    return opts;
}

class Phone {
    constructor(opts) {
        this.opts = opts;
        this.loop = new GLib.MainLoop(null, false);
        this.status = 1;
        this.established = false;
        this.agent = NetSip.Agent.new(opts.from, [opts.listen]);
        this.agent.registrar = opts.registrar;
        if (opts.proxy)
            this.agent.outgoing_proxy = opts.proxy;
        if (opts.user) {
            this.agent.username = opts.user;
            this.agent.password = opts.password;
        }
        this.call = null;
    }

    run() {
        GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, this.opts.timeout, () => {
            say(`timeout after ${this.opts.timeout} s`);
            this.status = 1;
            this.loop.quit();
            return GLib.SOURCE_REMOVE;
        });
        this.agent.register_async(300, null, (agent, result) => this.onRegistered(agent, result));
        this.loop.run();
        return this.status;
    }

    onRegistered(agent, result) {
        let expires;
        try {
            [, expires] = agent.register_finish(result);
        } catch (e) {
            say('registration failed:', e.message);
            this.finish(1);
            return;
        }
        say('registered', expires);
        if (!this.opts.call) {
            this.finish(0);
            return;
        }
        this.call = agent.invite(this.opts.call);
        if (this.opts.send)
            this.call.get_rtp_session().send_file(this.opts.send, NetSip.Codec.PCMU, false);
        this.call.connect('state-changed', (call, state, response) => this.onState(call, state, response));
        this.call.connect('dtmf-received', (call, digit, durationMs, method) => {
            say(`dtmf received ${digit} (${nick(NetSip.DtmfMethod, method)})`);
        });
    }

    onState(call, state, response) {
        say('call', nick(NetSip.CallState, state), response ? String(response.get_code()) : '');
        if (state === NetSip.CallState.ESTABLISHED) {
            this.established = true;
            if (this.opts.dtmf) {
                call.send_dtmf(this.opts.dtmf, NetSip.DtmfMethod.AUTO, 100);
                say('dtmf sent', this.opts.dtmf);
            }
            GLib.timeout_add(GLib.PRIORITY_DEFAULT, Math.round(this.opts.duration * 1000), () => {
                call.hangup();
                return GLib.SOURCE_REMOVE;
            });
        } else if (state === NetSip.CallState.CLOSED) {
            const session = call.get_rtp_session();
            say(`rtp sent ${session.get_packets_sent()} received ${session.get_packets_received()} ` +
                `lost ${session.get_packets_lost()}`);
            this.finish(this.established ? 0 : 1);
        }
    }

    finish(status) {
        // unregisters, ends what is left, closes the legs
        this.agent.shutdown_async(null, (agent, result) => {
            agent.shutdown_finish(result);
            if (!agent.registered && status === 0)
                say('unregistered');
            this.status = status;
            this.loop.quit();
        });
    }
}

// the nick of an enum value, as PyGObject's value_nick: "established"
function nick(enumObject, value) {
    for (const [key, v] of Object.entries(enumObject)) {
        if (v === value)
            return key.toLowerCase();
    }
    return String(value);
}

let opts;
try {
    opts = parseArgs(ARGV);
} catch (e) {
    printerr(`phone.js: ${e.message}`);
    System.exit(2);
}
System.exit(new Phone(opts).run());
