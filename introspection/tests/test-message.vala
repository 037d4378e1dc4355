/* test-message.vala: NetSip from Vala, through the generated VAPI.
 *
 * Built and run by `meson test --suite gi`. Prints TAP; exits 1 when a check
 * fails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

const string BRANCH = "z9hG4bK5972cd84e5eb";

int n_failed = 0;
int n_test = 0;

void check (bool cond, string what) throws GLib.Error {
	if (!cond)
		throw new GLib.IOError.FAILED ("check failed: %s", what);
}

void expect (string? got, string? want, string what) throws GLib.Error {
	if (got != want)
		throw new GLib.IOError.FAILED ("%s: got '%s', want '%s'", what, got ?? "(null)", want ?? "(null)");
}

delegate void TestFunc () throws GLib.Error;

void run (string name, TestFunc func) {
	n_test++;
	try {
		func ();
		print ("ok %d - %s\n", n_test, name);
	} catch (GLib.Error e) {
		n_failed++;
		print ("not ok %d - %s\n# %s\n", n_test, name, e.message);
	}
}

string corpus_path (string sub, string name) {
	var dir = GLib.Environment.get_variable ("NETSIP_TEST_CORPUS") ?? "tests/corpus";
	return GLib.Path.build_filename (dir, sub, name);
}

NetSip.Message parse_file (string path) throws GLib.Error {
	uint8[] data;
	GLib.FileUtils.get_data (path, out data);
	return NetSip.Message.parse (new GLib.Bytes (data));
}

int main (string[] args) {
	var invite_path = corpus_path ("realistic", "06-invite-sdp-uac.sip");
	print ("1..4\n");

	run ("parse", () => {
		var m = parse_file (invite_path);
		check (m is NetSip.Request, "parse returns a NetSip.Request");
		var req = (NetSip.Request) m;
		expect (req.get_method (), "INVITE", "method");
		expect (req.get_uri (), "sip:bob@example.org", "Request-URI");
		var via = m.get_top_via ();
		expect (via.get_transport (), "UDP", "Via transport");
		expect (via.get_host (), "192.0.2.10", "Via host");
		check (via.get_port () == 5060, "Via port");
		expect (via.get_branch (), BRANCH, "Via branch");
		uint32 number;
		unowned string method;
		check (m.get_cseq (out number, out method), "get_cseq");
		check (number == 101, "CSeq number");
		expect (method, "INVITE", "CSeq method");
		expect (m.get_from ().get_tag (), "f52dd20537", "From tag");
		expect (m.get_call_id (), "60064fdb8c05a83ad34e6fa2@192.0.2.10", "Call-ID");
		check (m.get_body ().get_size () == 238, "body size");
	});

	run ("response", () => {
		var req = (NetSip.Request) parse_file (invite_path);
		NetSip.Response resp = req.create_response (180, null, "totag");
		check (resp.get_code () == 180, "status code");
		expect (resp.get_reason (), "Ringing", "reason");
		expect (resp.get_top_via ().get_branch (), BRANCH, "response Via branch");
		expect (resp.get_to_tag (), "totag", "response To tag");
		expect (resp.get_from_tag (), "f52dd20537", "response From tag");
		check (resp.get_cseq_number () == 101, "response CSeq");
	});

	run ("serialize", () => {
		var req = (NetSip.Request) parse_file (invite_path);
		var resp = req.create_response (180, null, "totag");
		GLib.Bytes bytes = resp.to_bytes ();
		unowned uint8[] data = bytes.get_data ();
		var status_line = "SIP/2.0 180 Ringing\r\n";
		check (data.length >= status_line.length
		       && GLib.Memory.cmp (data, status_line, status_line.length) == 0,
		       "status line");
		var again = NetSip.Message.parse (bytes);
		check (again is NetSip.Response, "re-parsed type");
		check (((NetSip.Response) again).get_code () == 180, "re-parsed code");
		expect (again.get_top_via ().get_branch (), BRANCH, "re-parsed Via branch");
		expect (again.get_to_tag (), "totag", "re-parsed To tag");
	});

	run ("parse-error", () => {
		try {
			parse_file (corpus_path ("torture", "test.sip"));
			check (false, "torture/test.sip parsed");
		} catch (NetSip.ParseError e) {
			print ("# test.sip: code %d: %s\n", e.code, e.message);
		}
	});

	return n_failed > 0 ? 1 : 0;
}
