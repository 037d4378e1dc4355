#!/usr/bin/perl
# registrar-peers.pl: two Perl Net::SIP (libnet-sip-perl) user agents in one
# event loop, for a netsip-glib registrar with a redirect server at
# --registrar serving --domain:
#
#   bob registers sip:bob@DOMAIN with Net::SIP::Simple->register and
#   listens; carol calls sip:bob@DOMAIN: her dispatcher sends requests for
#   DOMAIN to --registrar (domain2proxy), the redirect server answers 302
#   with bob's contact, Net::SIP follows it (RFC 3261 §21.3.3) straight to
#   bob, who answers 200; carol hangs up. Then carol calls
#   sip:nobody@DOMAIN (not registered: 404 expected).
#
#   perl registrar-peers.pl --registrar 127.0.0.1:5070 --domain example.com
#
# stdout, one line each:
#   REGISTER <granted expires>|REGISTER FAILED <why>
#   BOB <bob's contact URI>
#   REGISTERED <a Contact of the registrar's 200> (one line per Contact)
#   INVITE <final code>|INVITE FAILED <why>
#   FOLLOWED <the contact Net::SIP followed after the 302>
#   UAS <Request-URI of the INVITE bob received>
#   BYE done|BYE FAILED timeout
#   NOBODY <final code>
# Exit status: 0 when every step gave the expected result, 1 otherwise,
# 2 on bad usage. Every wait is bounded by --timeout seconds.
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

my %opt = (timeout => 10, domain => 'example.com', expires => 300, debug => 0);
GetOptions(
    'registrar=s' => \$opt{registrar},
    'domain=s'    => \$opt{domain},
    'expires=i'   => \$opt{expires},
    'timeout=f'   => \$opt{timeout},
    'debug=i'     => \$opt{debug},
) or usage();
usage() if @ARGV or !$opt{registrar};

sub usage {
    print STDERR "usage: registrar-peers.pl --registrar IP:PORT [--domain D] [--expires S] [--timeout S]\n";
    exit 2;
}
Net::SIP::Debug->level($opt{debug}) if $opt{debug};

# never ask real DNS: DOMAIN goes to the registrar through domain2proxy,
# contacts are IP literals
sub no_dns { my ($type, $name, $callback) = @_; invoke_callback($callback, []) }

my $loop = Net::SIP::Dispatcher::Eventloop->new;

sub make_ua {
    my ($user) = @_;
    my $sock = IO::Socket::IP->new(
	LocalHost => '127.0.0.1', LocalPort => 0, Proto => 'udp', Type => SOCK_DGRAM,
    ) or do { print STDERR "registrar-peers.pl: cannot bind: $@\n"; exit 2 };
    my $leg = Net::SIP::Leg->new(sock => $sock);
    my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop,
	dnsresolv    => \&no_dns,
	domain2proxy => { $opt{domain} => $opt{registrar} },
    );
    my $contact = "sip:$user\@127.0.0.1:" . $sock->sockport;
    my $ua = Net::SIP::Simple->new(
	dispatcher => $disp,
	from       => "sip:$user\@$opt{domain}",
	contact    => $contact,
	registrar  => $opt{registrar},
    );
    return ($ua, $contact);
}

my ($bob, $bob_contact) = make_ua('bob');
my ($carol) = make_ua('carol');
my $ok = 1;

# bob registers
my ($reg_status, %reg_info);
$bob->register(expires => $opt{expires}, cb_final => sub {
    my ($status, %info) = @_;
    %reg_info = %info;
    $reg_status = $status;
});
$bob->loop($opt{timeout}, \$reg_status);
if (($reg_status // '') eq 'OK') {
    print "REGISTER ", ($reg_info{expires} // 'none'), "\n";
} else {
    print "REGISTER FAILED ", ($reg_info{code} // $bob->error // 'timeout'), "\n";
    $ok = 0;
}
print "BOB $bob_contact\n";
if ($reg_info{packet}) {
    print "REGISTERED $_\n" for $reg_info{packet}->get_header('contact');
}

# bob answers calls
my $uas_uri;
my $bob_closed;
$bob->listen(
    cb_create  => sub { my ($call, $request) = @_; $uas_uri = $request->uri; return 1 },
    cb_cleanup => sub { $bob_closed = 1 },
);

# carol calls bob's address of record
my $invite_code;
my $call = $carol->invite("sip:bob\@$opt{domain}",
    cb_final => sub {
	my ($status, $self, %info) = @_;
	$invite_code = $info{code} // ($status eq 'OK' ? 200 : 0);
    },
);
$carol->loop($opt{timeout}, \$invite_code);
if ($call && defined $invite_code && $invite_code == 200) {
    print "INVITE 200\n";
} else {
    print "INVITE FAILED ", ($call && $call->error) || $invite_code || 'timeout', "\n";
    $ok = 0;
}
# Net::SIP::Endpoint::Context keeps the contact it followed after the 302
if ($call && $call->{ctx} && $call->{ctx}{remote_contact}) {
    print "FOLLOWED $call->{ctx}{remote_contact}\n";
}
print "UAS ", ($uas_uri // 'none'), "\n";
$ok = 0 unless $uas_uri;

if ($ok) {
    my $bye_done;
    $call->bye(cb_final => sub { $bye_done = 1 });
    $carol->loop($opt{timeout}, \$bye_done);
    if ($bye_done) {
	print "BYE done\n";
    } else {
	print "BYE FAILED timeout\n";
	$ok = 0;
    }
}

# nobody is registered as sip:nobody@DOMAIN
my $nobody_code;
my $call2 = $carol->invite("sip:nobody\@$opt{domain}",
    cb_final => sub {
	my ($status, $self, %info) = @_;
	$nobody_code = $info{code} // ($status eq 'OK' ? 200 : 0);
    },
);
$carol->loop($opt{timeout}, \$nobody_code);
print "NOBODY ", ($nobody_code // 'timeout'), "\n";
$ok = 0 unless defined $nobody_code && $nobody_code == 404;

$call->cleanup if $call;
$call2->cleanup if $call2;
$carol->cleanup;
$bob->cleanup;
exit($ok ? 0 : 1);
