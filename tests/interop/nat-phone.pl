#!/usr/bin/perl
# nat-phone.pl: a Perl Net::SIP (libnet-sip-perl) phone with RTP, for the
# NAT helper test (tests/interop/test-nat-helper-perl.c).
#
#   callee: perl nat-phone.pl --role callee --addr 127.0.0.2
#     listens, answers a call with PCMU and echoes every RTP packet it
#     receives (Net::SIP::Simple rtp('recv_echo')); exits once the call is
#     over (BYE received) or after --timeout seconds.
#   caller: perl nat-phone.pl --role caller --addr 127.0.0.1 \
#              --proxy 127.0.0.1:PORT --to sip:callee@127.0.0.2:PORT
#     calls --to through the outgoing proxy --proxy, sends --packets RTP
#     packets of 160 octets of PCMU (rtp('send_recv') with a callback),
#     waits --linger seconds for the echoes, then hangs up.
#     --late-offer: the offer goes in the 200 and the answer in the ACK
#     (Net::SIP::Simple sdp_on_ack).
#
# stdout, one line each, flushed at once:
#   READY <port>                     (callee) once listening
#   RTP-SENT <packets> <octets>      datagrams sent (RTP header included)
#   RTP-RECEIVED <packets> <octets>  datagrams received
#   CALL <status>                    (caller) OK, or why the call failed
#   DONE
# Exit status: 0 when the call happened, 1 otherwise, 2 on bad usage.
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

my %opt = (timeout => 20, packets => 50, linger => 0.5, debug => 0);
GetOptions(
    'role=s'     => \$opt{role},
    'addr=s'     => \$opt{addr},
    'proxy=s'    => \$opt{proxy},
    'to=s'       => \$opt{to},
    'packets=i'  => \$opt{packets},
    'linger=f'   => \$opt{linger},
    'late-offer' => \$opt{late_offer},
    'timeout=f'  => \$opt{timeout},
    'debug=i'    => \$opt{debug},
) or usage();
usage() if @ARGV or !$opt{role} or !$opt{addr}
    or ($opt{role} eq 'caller' and (!$opt{proxy} or !$opt{to}))
    or ($opt{role} ne 'caller' and $opt{role} ne 'callee');

sub usage {
    print STDERR "usage: nat-phone.pl --role callee --addr IP | "
	. "--role caller --addr IP --proxy IP:PORT --to URI [--packets N] [--late-offer]\n";
    exit 2;
}
Net::SIP::Debug->level($opt{debug}) if $opt{debug};

# never ask real DNS
sub no_dns { my ($type, $name, $callback) = @_; invoke_callback($callback, []) }

my $sock = IO::Socket::IP->new(
    LocalHost => $opt{addr}, LocalPort => 0, Proto => 'udp', Type => SOCK_DGRAM,
) or do { print STDERR "nat-phone.pl: cannot bind: $@\n"; exit 2 };
my $leg = Net::SIP::Leg->new(sock => $sock);
my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop, dnsresolv => \&no_dns);
my $local = "$opt{addr}:" . $sock->sockport;

my $ua = Net::SIP::Simple->new(
    dispatcher => $disp,
    from       => "sip:$opt{role}\@$local",
    contact    => "sip:$opt{role}\@$local",
);
# set on the dispatcher: given to Net::SIP::Simple it would add a leg on
# port 5060 to reach the proxy
$disp->outgoing_proxy("sip:$opt{proxy}") if $opt{proxy};

my ($sent_packets, $sent_octets, $recv_packets, $recv_octets) = (0, 0, 0, 0);
my $ok = 0;

if ($opt{role} eq 'callee') {
    my $done;
    # every packet received (and so echoed) is counted: 12 octets of RTP
    # header plus the payload, as recv_echo sends it back
    my $count = sub {
	my ($payload) = @_;
	$recv_packets++;
	$recv_octets += 12 + length($payload);
	$sent_packets++;
	$sent_octets += 12 + length($payload);
    };
    $ua->listen(
	init_media => $ua->rtp('recv_echo', $count),
	recv_bye   => sub { $done = 1 },
    );
    print "READY ", $sock->sockport, "\n";
    $ua->loop($opt{timeout}, \$done);
    $ok = $done ? 1 : 0;
    # the BYE's 200 goes out before we leave
    $ua->loop(0.2);
} else {
    my ($call_done, $status);
    my $n = 0;
    my $send = sub {
	return if $n >= $opt{packets};
	$n++;
	$sent_packets++;
	$sent_octets += 12 + 160;
	return chr(0xff) x 160;
    };
    my $recv = sub {
	my ($payload) = @_;
	$recv_packets++;
	$recv_octets += 12 + length($payload);
    };
    my $rtp_done;
    my $call = $ua->invite($opt{to},
	init_media  => $ua->rtp('send_recv', $send, 1, $recv),
	# all sent (instead of Net::SIP's default: BYE at once)
	cb_rtp_done => sub { $rtp_done = 1 },
	cb_final => sub {
	    my ($st, $self, %info) = @_;
	    $status = $st eq 'OK' ? 'OK' : "FAILED " . ($info{code} // $st);
	    $call_done = 1 if $st ne 'OK';
	},
	$opt{late_offer} ? (sdp_on_ack => 1) : (),
    );
    $ua->loop($opt{timeout}, \$rtp_done, \$call_done);
    if ($rtp_done && !$call_done) {
	# wait for the echoes (a timer added inside a callback would not wake
	# Net::SIP's loop before its next known timer), then hang up
	$ua->loop($opt{linger});
	$call->bye(cb_final => sub { $call_done = 1 });
	$ua->loop($opt{timeout}, \$call_done);
    }
    $status //= 'FAILED timeout';
    $status = 'FAILED no RTP sent' if $status eq 'OK' && !$rtp_done;
    print "CALL $status\n";
    $ok = $status eq 'OK' && $call_done ? 1 : 0;
}

print "RTP-SENT $sent_packets $sent_octets\n";
print "RTP-RECEIVED $recv_packets $recv_octets\n";
print "DONE\n";
$ua->cleanup;
exit($ok ? 0 : 1);
