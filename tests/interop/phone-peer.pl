#!/usr/bin/perl
# phone-peer.pl: a Perl Net::SIP (libnet-sip-perl) phone for the
# netsip-phone tests (tests/interop/test-netsip-phone.c).
#
#   uas: perl phone-peer.pl --mode uas [--bind IP] [--record FILE]
#          [--dtmf-methods rfc2833|audio|rfc2833,audio]
#     answers one call with an RTP echo (Net::SIP's recv_echo): every packet
#     goes back at once; the audio payload received is appended to --record;
#     DTMF is detected with Net::SIP's extractor for --dtmf-methods only
#     (cb_dtmf). Exits when the call is closed.
#   uac: perl phone-peer.pl --mode uac --to URI [--bind IP] [--proxy IP:PORT]
#          [--file F] [--packets N] [--record FILE] [--bye local|remote]
#          [--hold]
#     calls --to (through --proxy as outgoing proxy), sends N packets of
#     160 bytes (from --file, else a pattern), 20 ms apart, and records
#     what comes back. --hold: after a third of the packets a re-INVITE
#     with a=sendonly (RFC 3264 hold), 1 s later one with a=sendrecv
#     (resume); the packets received 300 ms after the hold was answered up
#     to the resume are counted apart. --hold-2543: the same with
#     Net::SIP's call_on_hold (c=0.0.0.0, RFC 2543) and the original SDP.
#     --bye local (default): BYE 1 s after
#     the last packet; --bye remote: wait for the peer's BYE.
#
# stdout, one line each, flushed at once:
#   READY <ip>:<port>                   the SIP socket is bound
#   INVITE <request-uri>, ESTABLISHED, DTMF <digit> <ms>          (uas)
#   PROVISIONAL <code>, INVITE <final code>, HOLD <code>, RESUME <code>,
#   SENT-ALL                                                      (uac)
#   RECEIVED-DURING-HOLD <packets>, RECEIVED-AFTER-RESUME <packets> (uac)
#   BYE done | BYE received | BYE FAILED <why>
#   RTP-SENT <packets> <octets>, RTP-RECEIVED <packets> <octets>
#     (RTP header + payload octets; uas: what it echoed)
#   CLOSED
# Exit status: 0 when every step worked, 1 otherwise, 2 on bad usage.
# Every wait is bounded by --timeout seconds.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use IO::Socket::IP;
use Socket qw(SOCK_DGRAM);
use Time::HiRes qw(time);
use Net::SIP;
use Net::SIP::Util qw(invoke_callback);

$| = 1;

my %opt = (timeout => 20, bind => '127.0.0.1', packets => 100, bye => 'local', debug => 0);
GetOptions(
    'mode=s'         => \$opt{mode},
    'bind=s'         => \$opt{bind},
    'proxy=s'        => \$opt{proxy},
    'to=s'           => \$opt{to},
    'file=s'         => \$opt{file},
    'packets=i'      => \$opt{packets},
    'record=s'       => \$opt{record},
    'dtmf-methods=s' => \$opt{dtmf_methods},
    'bye=s'          => \$opt{bye},
    'hold'           => \$opt{hold},
    'hold-2543'      => \$opt{hold_2543},
    'timeout=f'      => \$opt{timeout},
    'debug=i'        => \$opt{debug},
) or usage();
usage() if @ARGV or !$opt{mode}
    or ($opt{mode} ne 'uas' and $opt{mode} ne 'uac')
    or ($opt{mode} eq 'uac' and !$opt{to})
    or ($opt{bye} ne 'local' and $opt{bye} ne 'remote');
sub usage {
    print STDERR "usage: phone-peer.pl --mode uas|uac [--bind IP] [--to URI] [--proxy IP:PORT]"
	. " [--file F] [--packets N] [--record F] [--dtmf-methods M] [--bye local|remote]"
	. " [--hold|--hold-2543] [--timeout S]\n";
    exit 2;
}
Net::SIP::Debug->level($opt{debug}) if $opt{debug};

# names never go to real DNS
sub no_dns { my ($type, $name, $callback) = @_; invoke_callback($callback, []) }

my $sock = IO::Socket::IP->new(
    LocalHost => $opt{bind}, LocalPort => 0, Proto => 'udp', Type => SOCK_DGRAM,
) or do { print STDERR "phone-peer.pl: cannot bind: $@\n"; exit 2 };
my $leg = Net::SIP::Leg->new(sock => $sock);
my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop, dnsresolv => \&no_dns,
    $opt{proxy} ? (outgoing_proxy => $opt{proxy}) : ());
my $local = "$opt{bind}:" . $sock->sockport;
print "READY $local\n";

my $ua = Net::SIP::Simple->new(
    dispatcher => $disp,
    from       => "sip:perl\@$opt{bind}",
    contact    => "sip:perl\@$local",
);

my ($rx_packets, $rx_octets, $tx_packets, $tx_octets) = (0, 0, 0, 0);
my $record_fh;
if ($opt{record}) {
    open($record_fh, '>', $opt{record}) or die "$opt{record}: $!";
    binmode($record_fh);
}
my $ok = 0;

if ($opt{mode} eq 'uas') {
    my ($established, $closed);
    $ua->listen(
	# every packet received is echoed at once (DTMF events too); the
	# audio payload is recorded
	init_media     => $ua->rtp('recv_echo', sub {
	    my ($payload, $seq, $tstamp, $channel, $pt) = @_;
	    $rx_packets++;
	    $rx_octets += 12 + length($payload);
	    syswrite($record_fh, $payload) if $record_fh and ($pt == 0 or $pt == 8);
	}),
	cb_create      => sub {
	    my ($call, $request) = @_;
	    print "INVITE ", $request->uri, "\n";
	    return 1;
	},
	cb_established => sub { $established = 1; print "ESTABLISHED\n" },
	cb_dtmf        => sub { my ($event, $duration) = @_; print "DTMF $event $duration\n" },
	$opt{dtmf_methods} ? (dtmf_methods => $opt{dtmf_methods}) : (),
	recv_bye       => sub { print "BYE received\n" },
	cb_cleanup     => sub { $closed = 1 },
    );
    $ua->loop($opt{timeout}, \$closed);
    print "RTP-RECEIVED $rx_packets $rx_octets\n";
    print "RTP-SENT $rx_packets $rx_octets\n";   # recv_echo sends each back
    print "CLOSED\n" if $closed;
    $ok = $established && $closed;
} else {
    my $data = '';
    if ($opt{file}) {
	open(my $fh, '<', $opt{file}) or die "$opt{file}: $!";
	binmode($fh);
	local $/;
	$data = <$fh>;
	close($fh);
	$opt{packets} = int(length($data) / 160);
    } else {
	# a pattern of 8-bit values that are no DTMF tone
	$data .= pack('C', 0x80 + ($_ % 32)) x 160 for (0 .. $opt{packets} - 1);
    }
    $opt{hold} = 1 if $opt{hold_2543};
    my $hold_at = $opt{hold} ? int($opt{packets} / 3) : -1;
    my ($invite_code, $sent_all, $bye_received, $hold_state, $hold_rx_from);
    my ($rx_hold, $rx_resume) = (0, 0);

    my $call;
    $call = $ua->invite($opt{to},
	init_media  => $ua->rtp('send_recv',
	    sub {
		if ($tx_packets >= $opt{packets}) { $sent_all = 1; return }
		my $payload = substr($data, 160 * $tx_packets, 160);
		$tx_packets++;
		$tx_octets += 12 + length($payload);
		return $payload;
	    }, 1,
	    sub {
		my ($payload) = @_;
		$rx_packets++;
		$rx_octets += 12 + length($payload);
		syswrite($record_fh, $payload) if $record_fh;
		if (defined $hold_state) {
		    $rx_hold++ if $hold_state eq 'held' and time() >= $hold_rx_from;
		    $rx_resume++ if $hold_state eq 'resumed';
		}
	    }),
	cb_rtp_done => sub { $sent_all = 1 },   # no BYE of its own
	recv_bye    => sub { $bye_received = 1 },
	cb_preliminary => sub { my ($self, $code) = @_; print "PROVISIONAL $code\n" },
	cb_final    => sub {
	    my ($status, $self, %info) = @_;
	    $invite_code = $info{code} // ($status eq 'OK' ? 200 : 0);
	},
    );
    $ua->loop($opt{timeout}, \$invite_code);
    print "INVITE ", ($invite_code // 'timeout'), "\n";
    $ok = $call && defined $invite_code && $invite_code == 200 && !$call->error;

    if ($ok && $opt{hold}) {
	# wait for a third of the packets
	my $deadline = time() + $opt{timeout};
	$ua->loop(0.02) while $tx_packets < $hold_at and time() < $deadline;
	my $sdp = $call->get_param('sdp');
	my $text = $sdp->as_string;
	my ($o_user, $o_sid, $o_ver, $o_rest) = $text =~ m{^o=(\S+) (\d+) (\d+) (.*?)\r?$}m
	    or die "no o= line in our SDP";
	my ($m) = $sdp->get_media;
	my $make = sub {
	    my ($version, $direction) = @_;
	    return Net::SIP::SDP->new(
		{ addr => $opt{bind}, o => "$o_user $o_sid $version $o_rest" },
		{ media => 'audio', proto => 'RTP/AVP', port => $m->{port}, fmt => [ 0, 101 ],
		  a => [ 'rtpmap:0 PCMU/8000', 'rtpmap:101 telephone-event/8000',
			 'fmtp:101 0-16', $direction ] },
	    );
	};
	for my $step ([ 'HOLD', 'sendonly', 'held' ], [ 'RESUME', 'sendrecv', 'resumed' ]) {
	    my ($name, $direction, $state) = @$step;
	    my $code;
	    my $cb_final = sub {
		my ($status, $self, %info) = @_;
		$code = $info{code} // ($status eq 'OK' ? 200 : 0);
	    };
	    # neither held nor resumed while the re-INVITE is on its way
	    $hold_state = 'changing' if defined $hold_state;
	    if ($opt{hold_2543}) {
		# Net::SIP's own hold: the same SDP with c=0.0.0.0 (RFC 2543),
		# then the original again (given as sdp: Net::SIP 0.835 would
		# send the held copy again), o= unchanged as Net::SIP does
		if ($state eq 'held') {
		    $call->reinvite(call_on_hold => 1, cb_final => $cb_final);
		} else {
		    $call->reinvite(sdp => $call->get_param('_sdp_saved'), cb_final => $cb_final);
		}
	    } else {
		my $new = $make->(++$o_ver, $direction);
		$call->reinvite(sdp => $new, _sdp_saved => $new, cb_final => $cb_final);
	    }
	    $ua->loop($opt{timeout}, \$code);
	    print "$name ", ($code // 'timeout'), "\n";
	    if (!defined $code or $code != 200) { $ok = 0; last }
	    # echoes already on their way when the hold was answered are not
	    # counted: 300 ms
	    $hold_rx_from = time() + 0.3;
	    $hold_state = $state;
	    $ua->loop(1) if $state eq 'held';
	}
	print "RECEIVED-DURING-HOLD $rx_hold\n";
    }
    if ($ok) {
	$ua->loop($opt{timeout}, \$sent_all);
	print "SENT-ALL\n";
	print "RECEIVED-AFTER-RESUME $rx_resume\n" if $opt{hold};
	if ($opt{bye} eq 'local') {
	    # the echoes of the last packets
	    $ua->loop(1);
	    my $bye_done;
	    $call->bye(cb_final => sub { $bye_done = 1 });
	    $ua->loop($opt{timeout}, \$bye_done);
	    print $bye_done ? "BYE done\n" : "BYE FAILED timeout\n";
	    $ok = $sent_all && $bye_done;
	} else {
	    $ua->loop($opt{timeout}, \$bye_received);
	    print $bye_received ? "BYE received\n" : "BYE FAILED no BYE from the peer\n";
	    $ok = $sent_all && $bye_received;
	}
	print "RTP-SENT $tx_packets $tx_octets\n";
	print "RTP-RECEIVED $rx_packets $rx_octets\n";
	print "CLOSED\n";
    }
}
close($record_fh) if $record_fh;
$ua->cleanup;
exit($ok ? 0 : 1);
