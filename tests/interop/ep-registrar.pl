#!/usr/bin/perl
# ep-registrar.pl: a Perl Net::SIP registrar behind digest authentication
# (Net::SIP::Authorize, MD5), for tests/interop/test-endpoint-interop.c.
#
#   perl ep-registrar.pl --port 0 --user alice --password secret [--realm R]
#       [--count N] [--timeout S]
#
# stdout, one line each: READY <port>; REQUEST REGISTER <cseq>
# <auth|noauth> <expires>; DONE <n>. Exits 0 after --count REGISTER
# requests with credentials, 1 on timeout.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use IO::Socket::IP;
use Socket qw(SOCK_DGRAM);
use Net::SIP;
use Net::SIP::Util qw(invoke_callback);
use Net::SIP::Debug;

$| = 1;
my %opt = (addr => '127.0.0.1', port => 0, realm => 'netsip.test', count => 1,
    timeout => 20, debug => 0);
GetOptions('port=i' => \$opt{port}, 'addr=s' => \$opt{addr}, 'user=s' => \$opt{user},
    'password=s' => \$opt{password}, 'realm=s' => \$opt{realm}, 'count=i' => \$opt{count},
    'timeout=f' => \$opt{timeout}, 'debug=i' => \$opt{debug}) or exit 2;
exit 2 if !$opt{user} or !defined $opt{password};
Net::SIP::Debug->level($opt{debug}) if $opt{debug};

package Logger;
sub new { my ($class, $cb) = @_; return bless { cb => $cb }, $class }
sub receive { my $self = shift; $self->{cb}->(@_); return }   # never handles
package main;

my $sock = IO::Socket::IP->new(LocalHost => $opt{addr}, LocalPort => $opt{port},
    Proto => 'udp', Type => SOCK_DGRAM) or do { print STDERR "bind: $@\n"; exit 2 };
my $leg = Net::SIP::Leg->new(sock => $sock, proto => 'udp');
my $loop = Net::SIP::Dispatcher::Eventloop->new;
# a resolver that never leaves the machine
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop,
    dnsresolv => sub { my ($type, $name, $cb) = @_; invoke_callback($cb, []) });
my $ua = Net::SIP::Simple->new(
    dispatcher => $disp,
);
my ($with_auth, $stop) = (0, 0);
my $logger = Logger->new(sub {
    my ($packet) = @_;
    return if !$packet->is_request;
    my $auth = $packet->get_header('authorization') ? 'auth' : 'noauth';
    my $expires = $packet->get_header('expires') // '-';
    printf "REQUEST %s %s %s %s\n", $packet->method, (scalar($packet->cseq) =~ /(\d+)/)[0], $auth, $expires;
    if ($auth eq 'auth' && ++$with_auth >= $opt{count}) {
	$ua->add_timer(0.5, sub { $stop = 1 });
    }
});
my $auth = $ua->create_auth(user2pass => { $opt{user} => $opt{password} },
    realm => $opt{realm});
my $registrar = $ua->create_registrar(min_expires => 1, max_expires => 3600);
$ua->create_chain([ $logger, $auth, $registrar ]);

print "READY ", $sock->sockport, "\n";
$ua->add_timer($opt{timeout}, sub { $stop = 2 });
$ua->loop(\$stop);
print "DONE $with_auth\n";
exit($with_auth >= $opt{count} ? 0 : 1);
