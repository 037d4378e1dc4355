#!/usr/bin/perl
# uac.pl: a Perl Net::SIP (libnet-sip-perl) peer that sends one OPTIONS.
#
# Sends one OPTIONS over udp, tcp or tls to --target, waits for the final
# response and prints it. Used by tests/interop/test-netsip-perl.c; runs on
# its own too:
#
#   perl tests/interop/uac.pl --proto udp --target 127.0.0.1:5070
#   perl tests/interop/uac.pl --proto tls --target 127.0.0.1:5071 \
#        --host sip.test --ca ca.pem [--cert client.pem --key client-key.pem]
#
# stdout, one line each:
#   SENT <local port>                     once the request is handed to the leg
#   PROVISIONAL <code>                    per 1xx response
#   RESPONSE <code> <reason>              the final response
#   ERROR <text>                          delivery failed (refused, TLS, ...)
# Exit status: 0 on a 200 whose Call-ID, CSeq and Via branch are those of the
# request, 1 on another final response or a failed delivery, 3 on timeout,
# 2 on bad usage.
#
# --host names the peer for TLS: the certificate is checked against it
# (IO::Socket::SSL, scheme 'sip'); it defaults to the target's address.
# The Dispatcher gets a resolver that never leaves the machine; delivery is
# given leg and destination, so nothing is resolved anyway.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use IO::Socket::IP;
use Socket qw(SOCK_DGRAM SOCK_STREAM AF_INET AF_INET6);
use Net::SIP::Leg;
use Net::SIP::Request;
use Net::SIP::Dispatcher;
use Net::SIP::Dispatcher::Eventloop;
use Net::SIP::Util qw(invoke_callback ip_string2parts sip_hdrval2parts);
use Net::SIP::Debug;

$| = 1;

my %opt = (
    proto   => 'udp',
    timeout => 10,
    debug   => 0,
);
GetOptions(
    'proto=s'   => \$opt{proto},
    'target=s'  => \$opt{target},
    'host=s'    => \$opt{host},
    'addr=s'    => \$opt{addr},
    'uri=s'     => \$opt{uri},
    'cert=s'    => \$opt{cert},
    'key=s'     => \$opt{key},
    'ca=s'      => \$opt{ca},
    'timeout=f' => \$opt{timeout},
    'debug=i'   => \$opt{debug},
) or usage();
usage() if @ARGV or !$opt{target} or $opt{proto} !~ m{^(udp|tcp|tls)\z};

sub usage {
    print STDERR "usage: uac.pl --proto udp|tcp|tls --target IP:PORT\n"
	. "    [--host NAME] [--addr LOCAL_IP] [--uri REQUEST_URI]\n"
	. "    [--ca FILE] [--cert FILE --key FILE] [--timeout SECONDS] [--debug LEVEL]\n";
    exit 2;
}

Net::SIP::Debug->level($opt{debug}) if $opt{debug};

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

my ($dst_ip, $dst_port, $family) = ip_string2parts($opt{target});
if (!$family or !$dst_port) {
    print STDERR "uac.pl: --target must be IP:PORT or [IPv6]:PORT\n";
    exit 2;
}
my $host = $opt{host} || $dst_ip;
my $local = $opt{addr} || ($family == AF_INET6 ? '::1' : '127.0.0.1');
$local =~ s{^\[(.*)\]\z}{$1};

my $sock = IO::Socket::IP->new(
    LocalHost => $local,
    LocalPort => 0,
    Proto     => $opt{proto} eq 'udp' ? 'udp' : 'tcp',
    Type      => $opt{proto} eq 'udp' ? SOCK_DGRAM : SOCK_STREAM,
    ReuseAddr => 1,
    $opt{proto} eq 'udp' ? () : ( Listen => 10 ),
) or do {
    print STDERR "uac.pl: cannot bind $opt{proto} $local: $@\n";
    exit 2;
};

my $leg = eval {
    Net::SIP::Leg->new(
	sock  => $sock,
	proto => $opt{proto},
	$opt{proto} eq 'tls' ? ( tls => {
	    $opt{ca}   ? ( SSL_ca_file   => $opt{ca} )   : (),
	    $opt{cert} ? ( SSL_cert_file => $opt{cert} ) : (),
	    $opt{key}  ? ( SSL_key_file  => $opt{key} )  : (),
	}) : (),
    );
} or do {
    print STDERR "uac.pl: cannot create leg: $@\n";
    exit 2;
};

my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop,
    dnsresolv => \&local_resolver);

my $hostport = ($family == AF_INET6 && $host eq $dst_ip ? "[$host]" : $host)
    . ":$dst_port";
my $uri = $opt{uri} || ($opt{proto} eq 'tls' ? "sips:$hostport"
    : $opt{proto} eq 'tcp' ? "sip:$hostport;transport=tcp" : "sip:$hostport");
my $local_hp = ($family == AF_INET6 ? "[$local]" : $local) . ':' . $sock->sockport;
my $rand = sprintf('%08x%08x', int(rand(0xffffffff)), int(rand(0xffffffff)));
my $callid = "perl-uac-$rand\@$local";
my $request = Net::SIP::Request->new('OPTIONS', $uri, {
    from           => "<sip:perl-uac\@$local_hp>;tag=$rand",
    to             => "<$uri>",
    'call-id'      => $callid,
    cseq           => '1 OPTIONS',
    'max-forwards' => 70,
    contact        => '<' . ($opt{proto} eq 'tls' ? 'sips' : 'sip')
	. ":perl-uac\@$local_hp"
	. ($opt{proto} eq 'tcp' ? ';transport=tcp' : '') . '>',
    accept         => 'application/sdp',
});

# the branch the leg will put into its Via (Net::SIP::Leg::add_via)
my $branch = $leg->via_branch($request, 3);

my $result;   # exit status once known
my $done = 0;  # the event loop stops when a flag is true: 0 is an exit status
$disp->set_receiver(sub {
    my ($packet, $in_leg, $from) = @_;
    return if $packet->is_request;
    my $code = $packet->code;
    if ($code < 200) {
	print "PROVISIONAL $code\n";
	return;
    }
    return if defined $result;
    $disp->cancel_delivery($packet->tid);
    my @problems;
    my $got_callid = $packet->get_header('call-id') // '';
    push @problems, "Call-ID '$got_callid'" if $got_callid ne $callid;
    my $cseq = $packet->get_header('cseq') // '';
    push @problems, "CSeq '$cseq'" if $cseq !~ m{^\s*1\s+OPTIONS\s*\z};
    my ($via) = $packet->get_header('via');
    my (undef, $vparam) = sip_hdrval2parts(via => $via // '');
    push @problems, "Via branch '" . ($vparam->{branch} // '') . "'"
	if ($vparam->{branch} // '') ne $branch;
    print "RESPONSE $code ", $packet->msg, "\n";
    if (@problems) {
	print STDERR "uac.pl: response does not match the request: @problems\n";
	print "MISMATCH @problems\n";
	$result = 1;
    } else {
	$result = $code == 200 ? 0 : 1;
    }
    $done = 1;
});

$disp->deliver($request,
    leg      => $leg,
    dst_addr => {
	proto  => $opt{proto},
	host   => $host,
	addr   => $dst_ip,
	port   => $dst_port,
	family => $family,
    },
    callback => sub {
	my ($error) = @_;
	return if !$error or defined $result;
	print "ERROR $error\n";
	$result = 1;
	$done = 1;
    },
);
print "SENT ", $sock->sockport, "\n";

my $timeout = 0;
$disp->add_timer($opt{timeout}, sub { $timeout = 1 });
$loop->loop(undef, \$done, \$timeout);

if (!defined $result) {
    print STDERR "uac.pl: no final response within $opt{timeout} s\n";
    print "TIMEOUT\n";
    exit 3;
}
exit $result;
