#!/usr/bin/perl
# proxy-uas.pl: a Perl Net::SIP::Simple callee behind netsip-glib's
# NetSipStatelessProxy (tests/interop/test-proxy-peers.c).
#
# Listens on 127.0.0.1 (UDP, --port or an ephemeral port), accepts calls with an RTP echo
# and exits after the first call is closed by a BYE, or after --timeout s.
#
# stdout, one line each, flushed at once:
#   READY <port>              once the leg is bound
#   INVITE <request-uri>      per INVITE received
#   ESTABLISHED               when the ACK arrived
#   CLOSED                    when the call was ended by the peer
# Exit status: 0 when a call was established and closed, 1 on timeout,
# 2 on bad usage.
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

my %opt = (timeout => 20, debug => 0, port => 0);
GetOptions(
    'timeout=f' => \$opt{timeout},
    'port=i'    => \$opt{port},
    'debug=i'   => \$opt{debug},
) or do { print STDERR "usage: proxy-uas.pl [--port P] [--timeout S]\n"; exit 2 };
Net::SIP::Debug->level($opt{debug}) if $opt{debug};

sub no_dns { my ($type, $name, $callback) = @_; invoke_callback($callback, []) }

my $sock = IO::Socket::IP->new(
    LocalHost => '127.0.0.1', LocalPort => $opt{port}, Proto => 'udp', Type => SOCK_DGRAM,
) or do { print STDERR "proxy-uas.pl: cannot bind: $@\n"; exit 2 };
my $leg = Net::SIP::Leg->new(sock => $sock);
my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop, dnsresolv => \&no_dns);
my $local = '127.0.0.1:' . $sock->sockport;

my $ua = Net::SIP::Simple->new(
    dispatcher => $disp,
    from       => "sip:bob\@$local",
    contact    => "sip:bob\@$local",
);

my ($established, $closed);
$ua->listen(
    init_media     => $ua->rtp('recv_echo'),
    cb_create      => sub {
	my ($call, $request) = @_;
	print "INVITE ", $request->uri, "\n";
	return 1;
    },
    cb_established => sub { $established = 1; print "ESTABLISHED\n" },
    cb_cleanup     => sub { $closed = 1; print "CLOSED\n" },
);
print "READY ", $sock->sockport, "\n";
$ua->loop($opt{timeout}, \$closed);
$ua->cleanup;
exit($established && $closed ? 0 : 1);
