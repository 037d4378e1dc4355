#!/usr/bin/perl
# uas.pl: a Perl Net::SIP (libnet-sip-perl) peer that answers OPTIONS.
#
# Listens on one leg, answers every OPTIONS with 200 OK (and any other
# request but ACK with 405), and exits after --count requests or --timeout
# seconds. Used by tests/interop/test-netsip-perl.c; runs on its own too:
#
#   perl tests/interop/uas.pl --proto udp --addr 127.0.0.1 --port 0
#   perl tests/interop/uas.pl --proto tls --addr 127.0.0.1 --port 0 \
#        --cert server.pem --key server-key.pem --ca ca.pem
#
# stdout, one line each, flushed at once:
#   READY <port>                       once the leg is bound
#   REQUEST <method> <proto>:<addr>:<port> <call-id>   per request received
#   DONE <n>                           before exiting
# Exit status: 0 when --count requests were answered, 1 on timeout, 2 on bad
# usage or when the leg could not be created. Debug output (--debug N) goes
# to stderr.
#
# Net::SIP::Simple does not answer OPTIONS, so this drives a bare
# Net::SIP::Dispatcher with a receiver callback. The socket is bound here
# (port 0 = ephemeral): Net::SIP::Leg given port 0 would try 5060 and
# 5062..5100 first. The Dispatcher gets a resolver that never leaves the
# machine.
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
use Net::SIP::Util qw(invoke_callback);
use Net::SIP::Debug;

$| = 1;

my %opt = (
    proto   => 'udp',
    addr    => '127.0.0.1',
    port    => 0,
    count   => 1,
    timeout => 30,
    code    => 200,
    verify_client => 0,
    debug   => 0,
);
GetOptions(
    'proto=s'   => \$opt{proto},
    'addr=s'    => \$opt{addr},
    'port=i'    => \$opt{port},
    'cert=s'    => \$opt{cert},
    'key=s'     => \$opt{key},
    'ca=s'      => \$opt{ca},
    'verify-client=i' => \$opt{verify_client},
    'count=i'   => \$opt{count},
    'timeout=f' => \$opt{timeout},
    'code=i'    => \$opt{code},
    'debug=i'   => \$opt{debug},
) or usage();
usage() if @ARGV or $opt{proto} !~ m{^(udp|tcp|tls)\z};
if ($opt{proto} eq 'tls' and !($opt{cert} and $opt{key})) {
    print STDERR "uas.pl: --proto tls needs --cert and --key\n";
    exit 2;
}

sub usage {
    print STDERR "usage: uas.pl --proto udp|tcp|tls [--addr IP] [--port N]\n"
	. "    [--cert FILE --key FILE [--ca FILE] [--verify-client -1|0|1]]\n"
	. "    [--count N] [--timeout SECONDS] [--code CODE] [--debug LEVEL]\n";
    exit 2;
}

Net::SIP::Debug->level($opt{debug}) if $opt{debug};

# A resolver that never leaves the machine: a few fixed names, nothing else.
my %hosts = (
    'localhost' => [ [ 'A', '127.0.0.1' ], [ 'AAAA', '::1' ] ],
    'sip.test'  => [ [ 'A', '127.0.0.1' ], [ 'AAAA', '::1' ] ],
);
sub local_resolver {
    my ($type, $name, $callback) = @_;
    my @ans = map { [ @$_, $name ] }
	grep { $_->[0] eq $type } @{ $hosts{lc $name} || [] };
    invoke_callback($callback, \@ans);
}

my $addr = $opt{addr};
$addr =~ s{^\[(.*)\]\z}{$1};
my $sock = IO::Socket::IP->new(
    LocalHost => $addr,
    LocalPort => $opt{port},
    Proto     => $opt{proto} eq 'udp' ? 'udp' : 'tcp',
    Type      => $opt{proto} eq 'udp' ? SOCK_DGRAM : SOCK_STREAM,
    ReuseAddr => 1,
    $opt{proto} eq 'udp' ? () : ( Listen => 100 ),
) or do {
    print STDERR "uas.pl: cannot bind $opt{proto} $addr:$opt{port}: $@\n";
    exit 2;
};

my $leg = eval {
    Net::SIP::Leg->new(
	sock  => $sock,
	proto => $opt{proto},
	$opt{proto} eq 'tls' ? ( tls => {
	    SSL_cert_file => $opt{cert},
	    SSL_key_file  => $opt{key},
	    $opt{ca} ? ( SSL_ca_file => $opt{ca} ) : (),
	    verify_client => $opt{verify_client},
	}) : (),
    );
} or do {
    print STDERR "uas.pl: cannot create leg: $@\n";
    exit 2;
};

my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop,
    dnsresolv => \&local_resolver);

my $answered = 0;
my $stop = 0;
my $tag = sprintf('perl%08x', int(rand(0xffffffff)));

$disp->set_receiver(sub {
    my ($packet, $in_leg, $from) = @_;
    return if !$packet->is_request;     # no requests of our own
    my $method = $packet->method;
    printf "REQUEST %s %s:%s:%s %s\n", $method,
	$from->{proto} || $opt{proto}, $from->{addr}, $from->{port},
	scalar($packet->get_header('call-id')) // '-';
    return if $method eq 'ACK';

    my $code = $method eq 'OPTIONS' ? $opt{code} : 405;
    my $to = $packet->get_header('to') // '';
    $to .= ";tag=$tag" if $to !~ m{;\s*tag=}i;
    my $response = $packet->create_response($code, undef, { to => $to });
    $disp->deliver($response,
	leg      => $in_leg,
	dst_addr => $from,
	do_retransmits => 0,
    );
    $answered++;
    if ($answered >= $opt{count}) {
	# let a stream write finish, then stop
	$disp->add_timer(0.3, sub { $stop = 1 });
    }
});

print "READY ", $sock->sockport, "\n";

$disp->add_timer($opt{timeout}, sub { $stop = 2 });
$loop->loop(undef, \$stop);

print "DONE $answered\n";
if ($answered < $opt{count}) {
    print STDERR "uas.pl: timeout after $opt{timeout} s with $answered of "
	. "$opt{count} requests\n";
    exit 1;
}
exit 0;
