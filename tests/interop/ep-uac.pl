#!/usr/bin/perl
# ep-uac.pl: a Perl Net::SIP::Simple caller for a netsip-glib UAS. Called
# by tests/interop/test-endpoint-interop.c.
#
#   perl ep-uac.pl --to sip:bob@127.0.0.1:PORT [--proto udp|tcp] [--timeout S]
#
# Calls --to, re-INVITEs, hangs up with BYE. stdout, one line each:
#   INVITE <OK|FAIL> <call-id>, REINVITE <OK|FAIL>, BYE <code|error>, DONE
# Exit status 0 when all three succeeded, 1 otherwise, 2 on bad usage.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use IO::Socket::IP;
use Socket qw(SOCK_DGRAM SOCK_STREAM);
use Net::SIP;
use Net::SIP::Util qw(invoke_callback);
use Net::SIP::Debug;

$| = 1;
my %opt = (proto => 'udp', addr => '127.0.0.1', timeout => 20, debug => 0);
GetOptions('to=s' => \$opt{to}, 'proto=s' => \$opt{proto}, 'addr=s' => \$opt{addr},
    'timeout=f' => \$opt{timeout}, 'debug=i' => \$opt{debug}) or exit 2;
exit 2 if !$opt{to};
Net::SIP::Debug->level($opt{debug}) if $opt{debug};

my $sock = IO::Socket::IP->new(LocalHost => $opt{addr}, LocalPort => 0,
    Proto => $opt{proto}, Type => $opt{proto} eq 'udp' ? SOCK_DGRAM : SOCK_STREAM,
    $opt{proto} eq 'udp' ? () : (Listen => 10))
    or do { print STDERR "ep-uac.pl: bind: $@\n"; exit 2 };
my $leg = Net::SIP::Leg->new(sock => $sock, proto => $opt{proto});
my $loop = Net::SIP::Dispatcher::Eventloop->new;
# a resolver that never leaves the machine
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop,
    dnsresolv => sub { my ($type, $name, $cb) = @_; invoke_callback($cb, []) });
my $ua = Net::SIP::Simple->new(
    from => "sip:perl\@$opt{addr}",
    dispatcher => $disp,
);
my $failed = 0;
my $timer = $ua->add_timer($opt{timeout}, sub { print "TIMEOUT\n"; exit 1 });

my ($final, $code) = (0, 0);
my $call = $ua->invite($opt{to},
    cb_final => sub { my ($status, $call, %args) = @_; $final = $status; $code = $args{code} },
    init_media => undef,
);
$ua->loop(\$final);
printf "INVITE %s %s\n", $final, $call->{ctx}->callid;
$failed++ if $final ne 'OK';

$ua->loop(0.3);
$final = 0;
$call->reinvite(cb_final => sub { my ($status) = @_; $final = $status });
$ua->loop(\$final);
printf "REINVITE %s\n", $final;
$failed++ if $final ne 'OK';

$ua->loop(0.3);
my $bye = 0;
$call->bye(cb_final => sub {
    my ($args, %more) = @_;
    $bye = 1;
});
$ua->loop(\$bye);
print "BYE OK\n";
$ua->loop(0.3);
print "DONE\n";
exit($failed ? 1 : 0);
