// test-message.js: NetSip through GJS (the typelib, not the C API).
//
// Run by `meson test --suite gi`, or by hand:
//   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
//     gjs introspection/tests/test-message.js
// Prints TAP; exits 1 when a check fails.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

imports.gi.versions.GLib = '2.0';
imports.gi.versions.NetSip = '1.0';
const {GLib, NetSip} = imports.gi;
const System = imports.system;

const here = GLib.path_get_dirname(System.programPath);
const corpus = GLib.getenv('NETSIP_TEST_CORPUS') ||
    GLib.build_filenamev([here, '..', '..', 'tests', 'corpus']);
const INVITE = GLib.build_filenamev([corpus, 'realistic', '06-invite-sdp-uac.sip']);
const RINGING = GLib.build_filenamev([corpus, 'realistic', '09-180-ringing.sip']);
const TORTURE_TEST = GLib.build_filenamev([corpus, 'torture', 'test.sip']);
const BRANCH = 'z9hG4bK5972cd84e5eb';

function read(path) {
    const [ok, contents] = GLib.file_get_contents(path);  // Uint8Array
    if (!ok)
        throw new Error(`cannot read ${path}`);
    return contents;
}

function parseFile(path) {
    return NetSip.Message.parse(new GLib.Bytes(read(path)));
}

function eq(got, want, what) {
    if (got !== want)
        throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

function check(cond, what) {
    if (!cond)
        throw new Error(what);
}

const tests = {
    parse() {
        const m = parseFile(INVITE);
        check(m instanceof NetSip.Request, 'parse() returns a NetSip.Request');
        check(m.is_request(), 'is_request()');
        eq(m.get_method(), 'INVITE', 'method');
        eq(m.get_uri(), 'sip:bob@example.org', 'Request-URI');
        eq(m.get_call_id(), '60064fdb8c05a83ad34e6fa2@192.0.2.10', 'Call-ID');
        eq(m.get_body().get_size(), 238, 'body size');
    },

    via() {
        const via = parseFile(INVITE).get_top_via();
        check(via instanceof NetSip.Via, 'get_top_via returns NetSip.Via');
        eq(via.get_transport(), 'UDP', 'Via transport');
        eq(via.get_host(), '192.0.2.10', 'Via host');
        eq(via.get_port(), 5060, 'Via port');
        eq(via.get_branch(), BRANCH, 'Via branch');
    },

    cseq() {
        const m = parseFile(INVITE);
        const [ok, number, method] = m.get_cseq();
        eq(ok, true, 'get_cseq returns true');
        eq(number, 101, 'CSeq number (out)');
        eq(method, 'INVITE', 'CSeq method (out)');
    },

    from() {
        const m = parseFile(INVITE);
        const from = m.get_from();
        eq(from.get_display_name(), 'Alice Liddell', 'From display name');
        eq(from.get_uri_string(), 'sip:alice@example.com', 'From URI');
        eq(from.get_tag(), 'f52dd20537', 'From tag');
        eq(m.get_from_tag(), 'f52dd20537', 'get_from_tag');
        eq(m.get_to_tag(), null, 'no To tag');
    },

    headers() {
        const m = parseFile(INVITE);
        const allow = m.get_headers('Allow');
        eq(allow.length, 12, 'Allow values');
        eq(allow[0], 'INVITE', 'first Allow value');
        eq(allow[11], 'INFO', 'last Allow value');
    },

    response() {
        const req = parseFile(INVITE);
        const resp = req.create_response(180, null, 'totag');
        check(resp instanceof NetSip.Response, 'create_response returns NetSip.Response');
        eq(resp.get_code(), 180, 'status code');
        eq(resp.get_reason(), 'Ringing', 'default reason');
        eq(resp.get_top_via().get_branch(), BRANCH, 'response Via branch');
        eq(resp.get_from_tag(), 'f52dd20537', 'response From tag');
        eq(resp.get_to_tag(), 'totag', 'response To tag');
        const [, number, method] = resp.get_cseq();
        eq(`${number} ${method}`, '101 INVITE', 'response CSeq');
        eq(resp.get_call_id(), req.get_call_id(), 'response Call-ID');

        const bytes = resp.to_bytes();
        check(bytes instanceof GLib.Bytes, 'to_bytes returns GLib.Bytes');
        const text = new TextDecoder().decode(bytes.toArray());
        check(text.startsWith('SIP/2.0 180 Ringing\r\n'), `status line: ${text.slice(0, 30)}`);

        const again = NetSip.Message.parse(bytes);
        check(again instanceof NetSip.Response, 're-parsed type');
        eq(again.get_code(), 180, 're-parsed code');
        eq(again.get_to_tag(), 'totag', 're-parsed To tag');
        eq(again.get_top_via().get_branch(), BRANCH, 're-parsed Via branch');
        eq(again.get_cseq()[1], 101, 're-parsed CSeq');
    },

    parseError() {
        let error = null;
        try {
            parseFile(TORTURE_TEST);
        } catch (e) {
            error = e;
        }
        check(error !== null, 'parsing torture/test.sip did not throw');
        check(error instanceof GLib.Error, `threw a GLib.Error, not ${error}`);
        eq(error.domain, NetSip.parse_error_quark(), 'error domain');
        eq(GLib.quark_to_string(error.domain), 'net-sip-parse-error-quark', 'domain name');
        check(Object.values(NetSip.ParseError).includes(error.code),
            `code ${error.code} is a NetSip.ParseError`);
        check(error.matches(NetSip.parse_error_quark(), error.code), 'GLib.Error.matches');
        print(`# test.sip: code ${error.code}: ${error.message}`);
    },

    streamFramer() {
        const a = read(INVITE), b = read(RINGING);
        const stream = new Uint8Array(a.length + b.length);
        stream.set(a);
        stream.set(b, a.length);
        const framer = NetSip.StreamFramer.new();
        const got = [];
        for (let i = 0; i < stream.length; i += 101) {
            framer.push_bytes(new GLib.Bytes(stream.subarray(i, i + 101)));
            for (let m; (m = framer.next()) !== null;)
                got.push(m);
        }
        eq(got.length, 2, 'messages from the stream');
        eq(got[0].get_method(), 'INVITE', 'first message');
        eq(got[1].get_code(), 180, 'second message');
    },

    uri() {
        const a = NetSip.Uri.parse('sip:alice@example.com;transport=udp');
        eq(a.get_host(), 'example.com', 'URI host');
        check(a.equal(NetSip.Uri.parse('sip:alice@EXAMPLE.com;transport=UDP')),
            'URI equality (RFC 3261 19.1.4)');
        check(!a.equal(NetSip.Uri.parse('sip:ALICE@example.com;transport=udp')),
            'user part is case-sensitive');
    },
};

const names = Object.keys(tests);
print(`1..${names.length}`);
let failed = 0;
names.forEach((name, i) => {
    try {
        tests[name]();
        print(`ok ${i + 1} - ${name}`);
    } catch (e) {
        failed++;
        print(`not ok ${i + 1} - ${name}`);
        for (const line of `${e}\n${e.stack || ''}`.trimEnd().split('\n'))
            print(`# ${line}`);
    }
});

if (failed > 0)
    System.exit(1);
