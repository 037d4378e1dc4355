/* phone.vala: a small phone on NetSip.Agent and NetSip.Call (Vala, through
 * the generated VAPI).
 *
 *   phone-vala --from sip:alice@example.com --registrar sip:127.0.0.1:5060
 *       [--proxy sip:127.0.0.1:5060] [--user alice --password secret]
 *       [--listen udp:127.0.0.1:0] [--call sip:bob@example.com
 *       [--send FILE.pcmu] [--dtmf 123#] [--duration SECONDS]]
 *       [--timeout SECONDS]
 *
 * The same phone as examples/python/phone.py, with the same output, one
 * line per event. Exit status 0 when the registration (and the call, with
 * --call) worked, 1 otherwise, 2 on bad arguments. Built when valac is
 * found (examples/meson.build): _build/examples/phone-vala.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

static string? opt_from = null;
static string? opt_registrar = null;
static string? opt_proxy = null;
static string? opt_user = null;
static string? opt_password = null;
static string? opt_listen = null;   /* udp:127.0.0.1:0 */
static string? opt_call = null;
static string? opt_send = null;
static string? opt_dtmf = null;
static double opt_duration = 2.0;
static int opt_timeout = 30;

const OptionEntry[] options = {
    { "from", 0, 0, OptionArg.STRING, ref opt_from, "our address of record", "URI" },
    { "registrar", 0, 0, OptionArg.STRING, ref opt_registrar, "registrar URI", "URI" },
    { "proxy", 0, 0, OptionArg.STRING, ref opt_proxy, "outgoing proxy URI", "URI" },
    { "user", 0, 0, OptionArg.STRING, ref opt_user, "digest user name", "NAME" },
    { "password", 0, 0, OptionArg.STRING, ref opt_password, "digest password", "PASSWORD" },
    { "listen", 0, 0, OptionArg.STRING, ref opt_listen, "our leg", "SPEC" },
    { "call", 0, 0, OptionArg.STRING, ref opt_call, "the address to call", "URI" },
    { "send", 0, 0, OptionArg.FILENAME, ref opt_send, "raw 8 kHz PCMU file to play", "FILE" },
    { "dtmf", 0, 0, OptionArg.STRING, ref opt_dtmf, "digits to send once established", "DIGITS" },
    { "duration", 0, 0, OptionArg.DOUBLE, ref opt_duration, "seconds before hanging up", "S" },
    { "timeout", 0, 0, OptionArg.INT, ref opt_timeout, "bound of the whole run", "S" },
    { null }
};

static void say (string line) {
    stdout.printf ("%s\n", line);
    stdout.flush ();
}

static string nick (Type enum_type, int value) {
    var klass = (EnumClass) enum_type.class_ref ();
    unowned EnumValue? v = klass.get_value (value);
    return v != null ? v.value_nick : value.to_string ();
}

class Phone : Object {
    MainLoop loop = new MainLoop ();
    NetSip.Agent agent;
    NetSip.Call? call = null;
    int status = 1;
    bool established = false;

    public Phone () throws Error {
        agent = new NetSip.Agent (opt_from, { opt_listen ?? "udp:127.0.0.1:0" });
        agent.registrar = opt_registrar;
        if (opt_proxy != null)
            agent.outgoing_proxy = opt_proxy;
        if (opt_user != null) {
            agent.username = opt_user;
            agent.password = opt_password ?? "";
        }
    }

    public int run () {
        Timeout.add_seconds (opt_timeout, () => {
            say ("timeout after %d s".printf (opt_timeout));
            status = 1;
            loop.quit ();
            return Source.REMOVE;
        });
        agent.register_async.begin (300, null, on_registered);
        loop.run ();
        return status;
    }

    void on_registered (Object? source, AsyncResult result) {
        uint expires;
        try {
            agent.register_async.end (result, out expires);
        } catch (Error e) {
            say ("registration failed: " + e.message);
            finish (1);
            return;
        }
        say ("registered %u".printf (expires));
        if (opt_call == null) {
            finish (0);
            return;
        }
        try {
            call = agent.invite (opt_call);
            if (opt_send != null)
                call.get_rtp_session ().send_file (opt_send, NetSip.Codec.PCMU, false);
        } catch (Error e) {
            say ("call failed: " + e.message);
            finish (1);
            return;
        }
        call.state_changed.connect (on_state);
        call.dtmf_received.connect ((digit, duration_ms, method) => {
            say ("dtmf received %s (%s)".printf (digit, nick (typeof (NetSip.DtmfMethod), method)));
        });
    }

    void on_state (NetSip.Call c, NetSip.CallState state, NetSip.Response? response) {
        say ("call %s %s".printf (nick (typeof (NetSip.CallState), state),
                                  response != null ? response.get_code ().to_string () : ""));
        if (state == NetSip.CallState.ESTABLISHED) {
            established = true;
            if (opt_dtmf != null) {
                try {
                    c.send_dtmf (opt_dtmf, NetSip.DtmfMethod.AUTO, 100);
                    say ("dtmf sent " + opt_dtmf);
                } catch (Error e) {
                    say ("dtmf failed: " + e.message);
                }
            }
            Timeout.add ((uint) (opt_duration * 1000), () => {
                c.hangup ();
                return Source.REMOVE;
            });
        } else if (state == NetSip.CallState.CLOSED) {
            var session = c.get_rtp_session ();
            say ("rtp sent %llu received %llu lost %lld".printf (session.get_packets_sent (),
                                                                session.get_packets_received (),
                                                                session.get_packets_lost ()));
            finish (established ? 0 : 1);
        }
    }

    /* unregisters, ends what is left, closes the legs */
    void finish (int result_status) {
        agent.shutdown_async.begin (null, (obj, res) => {
            try {
                agent.shutdown_async.end (res);
            } catch (Error e) {
                say ("shutdown: " + e.message);
            }
            if (!agent.registered && result_status == 0)
                say ("unregistered");
            status = result_status;
            loop.quit ();
        });
    }
}

int main (string[] args) {
    try {
        var context = new OptionContext ("- a small SIP phone on NetSip.Agent");
        context.add_main_entries (options, null);
        context.parse (ref args);
        if (opt_from == null || opt_registrar == null)
            throw new OptionError.BAD_VALUE ("--from and --registrar are needed");
    } catch (Error e) {
        stderr.printf ("phone-vala: %s\n", e.message);
        return 2;
    }
    try {
        return new Phone ().run ();
    } catch (Error e) {
        stderr.printf ("phone-vala: %s\n", e.message);
        return 2;
    }
}
