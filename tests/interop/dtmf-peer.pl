#!/usr/bin/perl
# dtmf-peer.pl: a DTMF peer on one UDP socket on 127.0.0.1 built on Perl
# Net::SIP's DTMF module (Net::SIP::DTMF: dtmf_generator, dtmf_extractor),
# for tests/interop/test-rtp-dtmf-perl.c.
#
#   dtmf-peer.pl --remote PORT [--send DIGITS --method rfc2833|audio]
#                [--codec 0|8] [--pt N] [--duration MS] [--time SECONDS]
#
# Prints "PORT <n>" when bound, then sends DIGITS (if given) to
# 127.0.0.1:PORT as RTP every 20 ms (each digit followed by 100 ms of
# silence or nothing), and reports every digit its extractor finds in
# what it receives as "DTMF <digit> <duration ms> <rfc2833|audio>".
# Ends by itself after --time seconds (default 10) with "DONE".
#
# SPDX-License-Identifier: LGPL-2.1-or-later
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time sleep);
use Getopt::Long;
use Net::SIP::DTMF;

$| = 1;
my ($remote, $send, $method, $codec, $pt, $duration, $runtime) =
    (undef, '', 'rfc2833', 0, 101, 100, 10);
GetOptions(
    'remote=i'   => \$remote,
    'send=s'     => \$send,
    'method=s'   => \$method,
    'codec=i'    => \$codec,
    'pt=i'       => \$pt,
    'duration=i' => \$duration,
    'time=f'     => \$runtime,
) or die "bad arguments\n";
defined $remote or die "--remote PORT required\n";

my $sock = IO::Socket::INET->new(
    Proto => 'udp', LocalAddr => '127.0.0.1', LocalPort => 0,
    PeerAddr => '127.0.0.1', PeerPort => $remote,
) or die "socket: $!";
print "PORT ", $sock->sockport, "\n";

my $extract = dtmf_extractor(rfc2833_type => $pt, audio_type => $codec);

# the send queue: a digit and a pause per entry; a generator measures its
# duration from its creation, so it is made when its turn comes
my @queue;
my @type = $method eq 'rfc2833' ? (rfc2833_type => $pt) : (audio_type => $codec);
for my $d (split //, $send) {
    push @queue, [ $d, $duration ], [ '', 100 ];
}
my $gen;

my $seq = int(rand(65536));
my $ts = int(rand(2**31));
my $ssrc = int(rand(2**31));
my $start = time();
my $next = $start;
my $sel = IO::Select->new($sock);
my $sent = 0;

while (time() - $start < $runtime) {
    my $wait = $next - time();
    $wait = 0 if $wait < 0;
    for my $s ($sel->can_read($wait)) {
        my $buf;
        $s->recv($buf, 2048) or next;
        my ($event, $dur, $media) = $extract->($buf, time());
        print "DTMF $event $dur $media\n" if defined $event && $event ne '';
    }
    next if time() < $next;
    $next += 0.020;
    # one packet per 20 ms tick from the head generator; a generator
    # returning undef is done, '' means nothing to send this tick
    while (@queue) {
        $gen ||= dtmf_generator($queue[0][0], $queue[0][1], @type);
        my $pkt = $gen->($seq, $ts, $ssrc);
        if (!defined $pkt) {
            shift @queue;
            $gen = undef;
            next;
        }
        if ($pkt ne '') {
            $sock->send($pkt);
            $seq = ($seq + 1) & 0xffff;
            $sent++;
        }
        last;
    }
    $ts = ($ts + 160) & 0xffffffff;
    if (!@queue && $send ne '' && !defined $main::reported) {
        print "SENT $sent\n";
        $main::reported = 1;
    }
}
print "DONE\n";
