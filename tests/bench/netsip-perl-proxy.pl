#!/usr/bin/perl
# Perl Net::SIP's stateless proxy (libnet-sip-perl) on one UDP leg, for
# tests/bench/bench-proxy.py: perl netsip-perl-proxy.pl PORT
# Prints "listening on udp:127.0.0.1:PORT" once the leg is bound and runs
# until it is signalled. Its resolver never leaves the machine: targets in
# the benchmark are IP addresses; a name gets no answer.
use strict;
use warnings;
use Net::SIP;

my $port = shift or die "usage: $0 PORT\n";
$| = 1;
my $leg = Net::SIP::Leg->new(addr => '127.0.0.1', port => $port, proto => 'udp')
    or die "cannot bind udp:127.0.0.1:$port\n";
my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([$leg], $loop,
    dnsresolv => sub { my ($type, $name, $cb) = @_; $cb->(); });
my $proxy = Net::SIP::StatelessProxy->new(dispatcher => $disp);
$disp->set_receiver($proxy);
print "listening on udp:127.0.0.1:$port\n";
$loop->loop;
