#!/usr/bin/perl
# auth-uac.pl: a Perl Net::SIP (libnet-sip-perl) user agent that
# authenticates with digest (auth => [user, password]) against a server:
# REGISTER at --target, then a call to sip:bob@--target (INVITE, ACK, BYE).
# Each request is expected to be challenged (401) and retried with
# credentials by Net::SIP::Endpoint (MD5: Net::SIP skips the SHA-256
# challenge it does not know).
#
#   perl tests/interop/auth-uac.pl --target 127.0.0.1:5070 --user u --password p
#
# stdout, one line each:
#   REGISTER <granted expires>|FAILED <error>
#   INVITE <code>|FAILED <error>
#   BYE done|FAILED timeout
# Exit status: 0 when all three succeeded, 1 otherwise, 2 on bad usage.
# Every wait is bounded by --timeout seconds.
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
    'target=s'   => \$opt{target},
    'user=s'     => \$opt{user},
    'password=s' => \$opt{password},
    'timeout=f'  => \$opt{timeout},
    'debug=i'    => \$opt{debug},
) or usage();
usage() if @ARGV or !$opt{target} or !defined $opt{user} or !defined $opt{password};

sub usage {
    print STDERR "usage: auth-uac.pl --target IP:PORT --user USER --password PASSWORD [--timeout S]\n";
    exit 2;
}
Net::SIP::Debug->level($opt{debug}) if $opt{debug};

# never ask real DNS
sub no_dns { my ($type, $name, $callback) = @_; invoke_callback($callback, []) }

my $sock = IO::Socket::IP->new(
    LocalHost => '127.0.0.1', LocalPort => 0, Proto => 'udp', Type => SOCK_DGRAM,
) or do { print STDERR "auth-uac.pl: cannot bind: $@\n"; exit 2 };
my $leg = Net::SIP::Leg->new(sock => $sock);
my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop, dnsresolv => \&no_dns);
my $local = '127.0.0.1:' . $sock->sockport;

my $ua = Net::SIP::Simple->new(
    dispatcher => $disp,
    from       => "sip:$opt{user}\@$local",
    contact    => "sip:$opt{user}\@$local",
    registrar  => $opt{target},
    auth       => [ $opt{user}, $opt{password} ],
);

my $ok = 1;

my $expires = $ua->register(expires => 300);
if ($expires) {
    print "REGISTER $expires\n";
} else {
    print "REGISTER FAILED ", ($ua->error || 'no answer'), "\n";
    $ok = 0;
}

my $invite_code;
my $call = $ua->invite("sip:bob\@$opt{target}",
    cb_final => sub {
	my ($status, $self, %info) = @_;
	$invite_code = $info{code} // ($status eq 'OK' ? 200 : 0);
    },
);
$ua->loop($opt{timeout}, \$invite_code);
if ($call && !$call->error && defined $invite_code && $invite_code == 200) {
    print "INVITE 200\n";
} else {
    print "INVITE FAILED ", ($call && $call->error) || $invite_code || 'timeout', "\n";
    $ok = 0;
}

if ($ok) {
    # Net::SIP::Simple::Call::bye calls back once the BYE is final (after
    # its own retry with credentials) without telling the code: the test
    # checks on the server side that the BYE got through and was answered
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
