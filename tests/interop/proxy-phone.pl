#!/usr/bin/perl
# proxy-phone.pl: a Perl Net::SIP (libnet-sip-perl) phone for the
# netsip-proxy tool tests (tests/interop/test-netsip-proxy-tool.c).
#
#   callee: perl proxy-phone.pl --mode callee --proxy IP:PORT --bind IP
#             --user bob --password pw --domain example.com
#     registers sip:bob@DOMAIN at the proxy (digest when challenged),
#     answers one call with an RTP echo (Net::SIP's recv_echo), counts the
#     RTP it receives and exits when the call is closed by a BYE.
#   caller: perl proxy-phone.pl --mode caller --proxy IP:PORT --bind IP
#             --user alice --password pw --domain example.com
#             --to sip:bob@example.com [--packets N]
#     calls --to through the proxy (outgoing proxy; digest when challenged),
#     sends N RTP packets (12 + 160 octets each, 20 ms apart), waits 1 s for
#     the echoes, hangs up.
#
# stdout, one line each, flushed at once:
#   READY <ip>:<port>                   the SIP socket is bound
#   REGISTER <expires>|REGISTER FAILED <why>                      (callee)
#   INVITE <request-uri>, ESTABLISHED, CLOSED                      (callee)
#   INVITE <final code>, BYE done|BYE FAILED timeout               (caller)
#   RTP-SENT <packets> <octets>        RTP sent (UDP payload octets)
#   RTP-RECEIVED <packets> <octets>    RTP received
# Exit status: 0 when every step worked, 1 otherwise, 2 on bad usage.
# Every wait is bounded by --timeout seconds.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use IO::Socket::IP;
use Socket qw(SOCK_DGRAM);
use Net::SIP;
use Net::SIP::Util qw(invoke_callback);

$| = 1;

my %opt = (timeout => 15, bind => '127.0.0.1', domain => 'example.com', packets => 50,
	   debug => 0);
GetOptions(
    'mode=s'     => \$opt{mode},
    'proxy=s'    => \$opt{proxy},
    'bind=s'     => \$opt{bind},
    'user=s'     => \$opt{user},
    'password=s' => \$opt{password},
    'domain=s'   => \$opt{domain},
    'to=s'       => \$opt{to},
    'packets=i'  => \$opt{packets},
    'timeout=f'  => \$opt{timeout},
    'debug=i'    => \$opt{debug},
) or usage();
usage() if @ARGV or !$opt{mode} or !$opt{proxy} or !$opt{user}
    or ($opt{mode} ne 'caller' and $opt{mode} ne 'callee')
    or ($opt{mode} eq 'caller' and !$opt{to});
sub usage {
    print STDERR "usage: proxy-phone.pl --mode caller|callee --proxy IP:PORT --user U"
	. " [--password P] [--bind IP] [--domain D] [--to URI] [--packets N] [--timeout S]\n";
    exit 2;
}
Net::SIP::Debug->level($opt{debug}) if $opt{debug};

# names never go to real DNS: everything goes to the outgoing proxy
sub no_dns { my ($type, $name, $callback) = @_; invoke_callback($callback, []) }

my $sock = IO::Socket::IP->new(
    LocalHost => $opt{bind}, LocalPort => 0, Proto => 'udp', Type => SOCK_DGRAM,
) or do { print STDERR "proxy-phone.pl: cannot bind: $@\n"; exit 2 };
my $leg = Net::SIP::Leg->new(sock => $sock);
my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop, dnsresolv => \&no_dns,
    outgoing_proxy => $opt{proxy});
my $local = "$opt{bind}:" . $sock->sockport;
print "READY $local\n";

my $ua = Net::SIP::Simple->new(
    dispatcher => $disp,
    from       => "sip:$opt{user}\@$opt{domain}",
    contact    => "sip:$opt{user}\@$local",
    registrar  => $opt{proxy},
    defined $opt{password} ? (auth => [ $opt{user}, $opt{password} ]) : (),
);

my ($rx_packets, $rx_octets, $tx_packets, $tx_octets) = (0, 0, 0, 0);
my $payload = "\x55" x 160;
my $ok = 0;

if ($opt{mode} eq 'callee') {
    my ($reg_status, %reg_info);
    $ua->register(expires => 300, cb_final => sub {
	my ($status, %info) = @_;
	%reg_info = %info;
	$reg_status = $status;
    });
    $ua->loop($opt{timeout}, \$reg_status);
    if (($reg_status // '') ne 'OK') {
	print "REGISTER FAILED ", ($reg_info{code} // $ua->error // 'timeout'), "\n";
	$ua->cleanup;
	exit 1;
    }
    print "REGISTER ", ($reg_info{expires} // 'none'), "\n";

    my ($established, $closed);
    $ua->listen(
	# every packet received is echoed at once, same size
	init_media     => $ua->rtp('recv_echo', sub {
	    my ($data) = @_;
	    $rx_packets++;
	    $rx_octets += 12 + length($data);
	}),
	cb_create      => sub {
	    my ($call, $request) = @_;
	    print "INVITE ", $request->uri, "\n";
	    return 1;
	},
	cb_established => sub { $established = 1; print "ESTABLISHED\n" },
	cb_cleanup     => sub { $closed = 1 },
    );
    $ua->loop($opt{timeout}, \$closed);
    print "RTP-RECEIVED $rx_packets $rx_octets\n";
    print "RTP-SENT $rx_packets $rx_octets\n";   # recv_echo sends each back
    print "CLOSED\n" if $closed;
    $ok = $established && $closed;
} else {
    my ($invite_code, $sent_all);
    my $call = $ua->invite($opt{to},
	init_media  => $ua->rtp('send_recv',
	    sub {
		if ($tx_packets >= $opt{packets}) { $sent_all = 1; return }
		$tx_packets++;
		$tx_octets += 12 + length($payload);
		return $payload;
	    }, 1,
	    sub {
		my ($data) = @_;
		$rx_packets++;
		$rx_octets += 12 + length($data);
	    }),
	cb_rtp_done => sub { $sent_all = 1 },   # no BYE of its own
	cb_final    => sub {
	    my ($status, $self, %info) = @_;
	    $invite_code = $info{code} // ($status eq 'OK' ? 200 : 0);
	},
    );
    $ua->loop($opt{timeout}, \$invite_code);
    print "INVITE ", ($invite_code // 'timeout'), "\n";
    $ok = $call && defined $invite_code && $invite_code == 200 && !$call->error;
    if ($ok) {
	$ua->loop($opt{timeout}, \$sent_all);
	# the echoes of the last packets
	$ua->loop(1);
	print "RTP-SENT $tx_packets $tx_octets\n";
	print "RTP-RECEIVED $rx_packets $rx_octets\n";
	my $bye_done;
	$call->bye(cb_final => sub { $bye_done = 1 });
	$ua->loop($opt{timeout}, \$bye_done);
	print $bye_done ? "BYE done\n" : "BYE FAILED timeout\n";
	$ok = $sent_all && $bye_done;
    }
}
$ua->cleanup;
exit($ok ? 0 : 1);
