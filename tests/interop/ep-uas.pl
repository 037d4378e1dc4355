#!/usr/bin/perl
# ep-uas.pl: a Perl Net::SIP (libnet-sip-perl) user agent server built on
# Net::SIP::Endpoint, the layer NetSipEndpoint rebuilds. Called by
# tests/interop/test-endpoint-interop.c.
#
#   perl ep-uas.pl --port 0 [--proto udp|tcp] [--no-answer] [--bye-after-acks N]
#       [--answer-delay SECONDS] [--calls N] [--timeout SECONDS]
#
# A new INVITE gets 100 (from Net::SIP::Endpoint::Context), 180 Ringing, and
# after --answer-delay 200 OK with SDP (never with --no-answer: the call
# then waits for a CANCEL, which the Context answers with 200 and 487). A
# re-INVITE gets 200 at once. With --bye-after-acks N the UAS hangs up
# (BYE) after the N-th ACK of a call.
#
# stdout, one line each, flushed:
#   READY <port>
#   REQUEST <method> <cseq> <call-id>     per request received
#   BYE-RESPONSE <code>                   for the BYE it sent
#   DONE <calls ended>
# Exit status 0 when --calls calls ended (BYE or CANCEL), 1 on timeout,
# 2 on bad usage.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use IO::Socket::IP;
use Socket qw(SOCK_DGRAM SOCK_STREAM);
use Net::SIP::Leg;
use Net::SIP::Dispatcher;
use Net::SIP::Dispatcher::Eventloop;
use Net::SIP::Endpoint;
use Net::SIP::SDP;
use Net::SIP::Util qw(invoke_callback);
use Net::SIP::Debug;

$| = 1;

my %opt = (proto => 'udp', addr => '127.0.0.1', port => 0, calls => 1,
    timeout => 30, answer_delay => 0.3, no_answer => 0, bye_after_acks => 0,
    debug => 0);
GetOptions(
    'proto=s' => \$opt{proto}, 'addr=s' => \$opt{addr}, 'port=i' => \$opt{port},
    'calls=i' => \$opt{calls}, 'timeout=f' => \$opt{timeout},
    'answer-delay=f' => \$opt{answer_delay}, 'no-answer' => \$opt{no_answer},
    'bye-after-acks=i' => \$opt{bye_after_acks}, 'debug=i' => \$opt{debug},
) or exit 2;
exit 2 if @ARGV or $opt{proto} !~ m{^(udp|tcp)\z};
Net::SIP::Debug->level($opt{debug}) if $opt{debug};

sub local_resolver {
    my ($type, $name, $callback) = @_;
    invoke_callback($callback, []);   # names never leave the machine
}

my $sock = IO::Socket::IP->new(
    LocalHost => $opt{addr}, LocalPort => $opt{port},
    Proto => $opt{proto}, Type => $opt{proto} eq 'udp' ? SOCK_DGRAM : SOCK_STREAM,
    ReuseAddr => 1, $opt{proto} eq 'udp' ? () : (Listen => 10),
) or do { print STDERR "ep-uas.pl: bind: $@\n"; exit 2 };
my $leg = Net::SIP::Leg->new(sock => $sock, proto => $opt{proto});
my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop, dnsresolv => \&local_resolver);
my $ep = Net::SIP::Endpoint->new($disp);

my $sdp = "v=0\r\no=- 2 2 IN IP4 $opt{addr}\r\ns=-\r\nc=IN IP4 $opt{addr}\r\n"
    . "t=0 0\r\nm=audio 40002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
my $contact = sprintf('<sip:perl@%s:%d%s>', $opt{addr}, $sock->sockport,
    $opt{proto} eq 'tcp' ? ';transport=tcp' : '');
my ($ended, $stop) = (0, 0);
my %acks;        # call-id → ACKs seen
my %answered;    # call-id → INVITE answered finally

sub call_ended {
    $ended++;
    $disp->add_timer(0.5, sub { $stop = 1 }) if $ended >= $opt{calls};
}

$ep->set_application(sub {
    my ($endpoint, $ctx, $request, $leg, $from) = @_;
    my $method = $request->method;
    my $callid = $request->callid;
    printf "REQUEST %s %s %s\n", $method, (scalar($request->cseq) =~ /(\d+)/)[0], $callid;

    if ($method eq 'INVITE') {
	my $to = $request->get_header('to');
	if (!$answered{$callid}) {
	    $endpoint->new_response($ctx, $request->create_response('180', 'Ringing',
		{ contact => $contact }), $leg, $from);
	    return if $opt{no_answer};
	    $disp->add_timer($opt{answer_delay}, sub {
		$answered{$callid} = 1;
		$endpoint->new_response($ctx, $request->create_response('200', 'OK',
		    { contact => $contact }, Net::SIP::SDP->new($sdp)), $leg, $from);
	    });
	} else {
	    $endpoint->new_response($ctx, $request->create_response('200', 'OK',
		{ contact => $contact }, Net::SIP::SDP->new($sdp)), $leg, $from);
	}
    } elsif ($method eq 'ACK') {
	$acks{$callid}++;
	if ($opt{bye_after_acks} && $acks{$callid} == $opt{bye_after_acks}) {
	    $disp->add_timer(0.2, sub {
		$endpoint->new_request('BYE', $ctx, sub {
		    my ($endpoint, $ctx, $errno, $code, $packet) = @_;
		    printf "BYE-RESPONSE %s\n", $code // "error $errno";
		    call_ended();
		});
	    });
	}
    } elsif ($method eq 'BYE' || $method eq 'CANCEL') {
	call_ended();    # the Context answered (200, and 487 for CANCEL)
    } else {
	$endpoint->new_response($ctx, $request->create_response('405', 'Method Not Allowed'),
	    $leg, $from);
    }
});

print "READY ", $sock->sockport, "\n";
$disp->add_timer($opt{timeout}, sub { $stop = 2 });
$loop->loop(undef, \$stop);
print "DONE $ended\n";
exit($ended >= $opt{calls} ? 0 : 1);
