// parse-message.js: parse a SIP message with netsip-glib from GJS.
//   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
//     gjs examples/parse-message.js tests/corpus/realistic/06-invite-sdp-uac.sip
imports.gi.versions.NetSip = '1.0';
const {GLib, NetSip} = imports.gi;

for (const path of ARGV) {
    const [, data] = GLib.file_get_contents(path);  // Uint8Array: Content-Length counts octets
    let msg;
    try {
        msg = NetSip.Message.parse(new GLib.Bytes(data));
    } catch (e) {                                   // GLib.Error, domain NetSip.parse_error_quark()
        print(`${path}: parse error ${e.code}: ${e.message}`);
        continue;
    }
    const first = msg.is_request()
        ? `${msg.get_method()} ${msg.get_uri()}`
        : `${msg.get_code()} ${msg.get_reason()}`;
    const [, number, method] = msg.get_cseq();
    const via = msg.get_top_via();
    print(`${path}: ${first}  CSeq ${number} ${method}  From tag ${msg.get_from_tag()}  ` +
          `Via ${via.get_transport()} ${via.get_host()}:${via.get_port()} ${via.get_branch()}`);
    if (msg.is_request())                           // answer it, as a UAS would
        print(msg.create_response(180, null, 'as83kd9bs').to_string());
}
