#!/usr/bin/perl
# proxy-uac.pl: a Perl Net::SIP::Simple caller that calls --to through the
# outgoing proxy --proxy (netsip-glib's NetSipStatelessProxy in
# tests/interop/test-proxy-peers.c), sends RTP for a second, and hangs up.
#
# stdout, one line each:
#   INVITE <code>             the final response to the INVITE
#   RTP sent <n> received <m> RTP packets sent, and received back (echo)
#   BYE done | BYE FAILED ...
# Exit status: 0 when the INVITE got 200 and the BYE completed, 1
# otherwise, 2 on bad usage.
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

my %opt = (timeout => 10, debug => 0);
GetOptions(
    'proxy=s'   => \$opt{proxy},
    'to=s'      => \$opt{to},
    'timeout=f' => \$opt{timeout},
    'debug=i'   => \$opt{debug},
) or usage();
usage() if @ARGV or !$opt{proxy} or !$opt{to};
sub usage { print STDERR "usage: proxy-uac.pl --proxy IP:PORT --to SIP-URI\n"; exit 2 }
Net::SIP::Debug->level($opt{debug}) if $opt{debug};

sub no_dns { my ($type, $name, $callback) = @_; invoke_callback($callback, []) }

my $sock = IO::Socket::IP->new(
    LocalHost => '127.0.0.1', LocalPort => 0, Proto => 'udp', Type => SOCK_DGRAM,
) or do { print STDERR "proxy-uac.pl: cannot bind: $@\n"; exit 2 };
my $leg = Net::SIP::Leg->new(sock => $sock);
my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop, dnsresolv => \&no_dns,
    outgoing_proxy => $opt{proxy});
my $local = '127.0.0.1:' . $sock->sockport;

my $ua = Net::SIP::Simple->new(
    dispatcher => $disp,
    from       => "sip:alice\@$local",
    contact    => "sip:alice\@$local",
);

my $received = 0;
my $sent = 0;
my $invite_code;
my $call = $ua->invite($opt{to},
    # the callback never ends the stream (that would send a BYE by itself)
    init_media => $ua->rtp('send_recv', sub { $sent++; return "\xff" x 160 }, 0,
                           sub { $received++ }),
    cb_final => sub {
	my ($status, $self, %info) = @_;
	$invite_code = $info{code} // ($status eq 'OK' ? 200 : 0);
    },
);
$ua->loop($opt{timeout}, \$invite_code);
print "INVITE ", ($invite_code // 'timeout'), "\n";
my $ok = defined $invite_code && $invite_code == 200 && !$call->error;
if ($ok) {
    $ua->loop(1.5);
    print "RTP sent $sent received $received\n";
    my $bye_done;
    $call->bye(cb_final => sub { $bye_done = 1 });
    $ua->loop($opt{timeout}, \$bye_done);
    if ($bye_done) {
	print "BYE done\n";
    } else {
	print "BYE FAILED timeout\n";
	$ok = 0;
    }
}
$ua->cleanup;
exit($ok ? 0 : 1);
