#!/usr/bin/perl
# dispatcher-uac.pl: a Perl Net::SIP (libnet-sip-perl) UAC that lets
# Net::SIP::Dispatcher retransmit a request to a slow UAS, then sends the
# same request once more after the final response and expects the UAS's
# cached response again (RFC 3261 §17.2.2: a server transaction in
# Completed answers a retransmission with its last response).
#
# With --method INVITE the UAS is expected to answer with a non-2xx final
# response (486): the script does not resend then, but counts the copies
# of that response the UAS's Timer G sends (RFC 3261 §17.2.1) for
# --ack-after seconds, sends the ACK (same Via branch as the INVITE, so it
# matches the server transaction, §17.1.1.3), and checks for --quiet-after
# seconds that no more copies come.
#
# Used by tests/interop/test-dispatcher-perl.c; runs on its own too:
#
#   perl tests/interop/dispatcher-uac.pl --target 127.0.0.1:5070
#   perl tests/interop/dispatcher-uac.pl --target 127.0.0.1:5070 --method INVITE
#
# stdout, one line each:
#   READY <local port>                  the request is queued on the dispatcher
#   PROVISIONAL <code>                  each 1xx response
#   SEND <n> <seconds since the first>  each time the leg sends the request
#                                       (n = 1, 2, ...: Net::SIP's own
#                                       retransmissions, then our resend)
#   RESPONSE <code> <to-tag> <sends>    the final response, and how many
#                                       sends it took
#   RESEND                              the same request sent again
#   CACHED <code> <to-tag>              the response to the resend
#   MISMATCH <what>                     a response that does not belong to
#                                       the request, or a cached response
#                                       that differs from the first
#   ERROR <text>                        the delivery failed
#   TIMEOUT                             no (second) response in time
#   INVITE only:
#   COPY <n> <seconds after the first>  a retransmission of the final response
#   ACK <copies before it>              the ACK is sent
#   AFTER-ACK <copies>                  copies that came in --quiet-after s
#                                       after the ACK
# Exit status: OPTIONS: 0 when the first response and the cached one are
# both 200, match the request and carry the same To tag; INVITE: 0 when the
# final response is a 486 matching the request, Timer G sent at least one
# copy before the ACK and none came after it; 1 otherwise; 3 on timeout;
# 2 on bad usage.
#
# The Dispatcher gets a resolver that never leaves the machine; the
# delivery is given leg and destination anyway.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use IO::Socket::IP;
use Socket qw(SOCK_DGRAM AF_INET);
use Time::HiRes qw(time);
use Net::SIP::Leg;
use Net::SIP::Request;
use Net::SIP::Dispatcher;
use Net::SIP::Dispatcher::Eventloop;
use Net::SIP::Util qw(invoke_callback ip_string2parts sip_hdrval2parts);
use Net::SIP::Debug;

$| = 1;

my %opt = (
    timeout      => 20,
    resend_after => 0.3,
    ack_after    => 1.2,
    quiet_after  => 2.5,
    method       => 'OPTIONS',
    debug        => 0,
);
GetOptions(
    'target=s'       => \$opt{target},
    'timeout=f'      => \$opt{timeout},
    'resend-after=f' => \$opt{resend_after},
    'method=s'       => \$opt{method},
    'ack-after=f'    => \$opt{ack_after},
    'quiet-after=f'  => \$opt{quiet_after},
    'debug=i'        => \$opt{debug},
) or usage();
usage() if @ARGV or !$opt{target} or $opt{method} !~ m{^(OPTIONS|INVITE)\z};

sub usage {
    print STDERR "usage: dispatcher-uac.pl --target IP:PORT [--timeout SECONDS]\n"
	. "    [--method OPTIONS|INVITE] [--resend-after SECONDS]\n"
	. "    [--ack-after SECONDS] [--quiet-after SECONDS] [--debug LEVEL]\n";
    exit 2;
}

Net::SIP::Debug->level($opt{debug}) if $opt{debug};

sub local_resolver {
    my ($type, $name, $callback) = @_;
    # nothing leaves the machine: only literals are used here
    invoke_callback($callback, []);
}

my ($dst_ip, $dst_port, $family) = ip_string2parts($opt{target});
if (!$family or !$dst_port or $family != AF_INET) {
    print STDERR "dispatcher-uac.pl: --target must be IPv4:PORT\n";
    exit 2;
}

my $sock = IO::Socket::IP->new(
    LocalHost => '127.0.0.1',
    LocalPort => 0,
    Proto     => 'udp',
    Type      => SOCK_DGRAM,
) or do {
    print STDERR "dispatcher-uac.pl: cannot bind udp 127.0.0.1: $@\n";
    exit 2;
};
my $leg = Net::SIP::Leg->new(sock => $sock, proto => 'udp');

# count what the leg sends: Net::SIP's retransmissions go through
# Net::SIP::Leg::deliver like the first send
my ($n_sends, $t_first) = (0, undef);
{
    no warnings 'redefine';
    my $orig = \&Net::SIP::Leg::deliver;
    *Net::SIP::Leg::deliver = sub {
	my ($self, $packet) = @_;
	if ($packet->is_request && $packet->method eq $opt{method}) {
	    $t_first //= time();
	    $n_sends++;
	    printf "SEND %d %.3f\n", $n_sends, time() - $t_first;
	}
	goto &$orig;
    };
}

my $loop = Net::SIP::Dispatcher::Eventloop->new;
my $disp = Net::SIP::Dispatcher->new([ $leg ], $loop,
    dnsresolv => \&local_resolver);

my $local_hp = '127.0.0.1:' . $sock->sockport;
my $uri = "sip:slow-uas\@$dst_ip:$dst_port";
my $rand = sprintf('%08x%08x', int(rand(0xffffffff)), int(rand(0xffffffff)));
my $callid = "perl-disp-$rand\@127.0.0.1";
my $request = Net::SIP::Request->new($opt{method}, $uri, {
    from           => "<sip:perl-uac\@$local_hp>;tag=$rand",
    to             => "<$uri>",
    'call-id'      => $callid,
    cseq           => "1 $opt{method}",
    'max-forwards' => 70,
    contact        => "<sip:perl-uac\@$local_hp>",
});
# the branch the leg puts into its Via, the same on every send
my $branch = $leg->via_branch($request, 3);
my $dst = {
    proto  => 'udp',
    host   => $dst_ip,
    addr   => $dst_ip,
    port   => $dst_port,
    family => $family,
};

my ($result, $first_tag, $t_final);
my $done = 0;
my $resent = 0;
my ($copies, $acked, $after_ack) = (0, 0, 0);

sub finish {
    my $status = shift;
    $result //= $status;
    $done = 1;
}

sub check_response {
    my $packet = shift;
    my @problems;
    my $got_callid = $packet->get_header('call-id') // '';
    push @problems, "Call-ID '$got_callid'" if $got_callid ne $callid;
    my $cseq = $packet->get_header('cseq') // '';
    push @problems, "CSeq '$cseq'" if $cseq !~ m{^\s*1\s+\Q$opt{method}\E\s*\z};
    my ($via) = $packet->get_header('via');
    my (undef, $vparam) = sip_hdrval2parts(via => $via // '');
    push @problems, "Via branch '" . ($vparam->{branch} // '') . "'"
	if ($vparam->{branch} // '') ne $branch;
    return @problems;
}

$disp->set_receiver(sub {
    my ($packet, $in_leg, $from) = @_;
    return if $packet->is_request;
    my $code = $packet->code;
    if ($code < 200) {
	print "PROVISIONAL $code\n";
	return;
    }
    my (undef, $tparam) = sip_hdrval2parts(to => scalar($packet->get_header('to')) // '');
    my $tag = $tparam->{tag} // '';
    if (my @problems = check_response($packet)) {
	print "MISMATCH @problems\n";
	return finish(1);
    }
    if ($opt{method} eq 'INVITE') {
	return invite_response($packet, $code, $tag);
    }
    if (!defined $first_tag) {
	# the final response: stop Net::SIP's retransmissions, then send
	# the request once more after a pause
	$disp->cancel_delivery($packet->tid);
	$first_tag = $tag;
	print "RESPONSE $code $tag $n_sends\n";
	return finish(1) if $code != 200;
	$disp->add_timer($opt{resend_after}, sub {
	    $resent = 1;
	    print "RESEND\n";
	    # through the leg, as Net::SIP retransmits: same Via branch
	    $leg->deliver($request, { %$dst });
	});
	return;
    }
    return if !$resent;   # a late answer to an earlier retransmission
    print "CACHED $code $tag\n";
    if ($tag ne $first_tag) {
	print "MISMATCH To tag '$tag' of the cached response, first '$first_tag'\n";
	return finish(1);
    }
    finish($code == 200 ? 0 : 1);
});

# INVITE: the final response, then Timer G's copies of it until our ACK
sub invite_response {
    my ($packet, $code, $tag) = @_;
    if (!defined $first_tag) {
	$disp->cancel_delivery($packet->tid);
	$first_tag = $tag;
	$t_final = time();
	print "RESPONSE $code $tag $n_sends\n";
	return finish(1) if $code != 486;
	my ($via) = $packet->get_header('via');
	$disp->add_timer($opt{ack_after}, sub {
	    # RFC 3261 §17.1.1.3: the ACK of a non-2xx has the INVITE's
	    # Via (branch), From, Call-ID, CSeq number, the response's To
	    my $ack = Net::SIP::Request->new('ACK', $uri, {
		via            => $via,
		from           => scalar($request->get_header('from')),
		to             => scalar($packet->get_header('to')),
		'call-id'      => $callid,
		cseq           => '1 ACK',
		'max-forwards' => 70,
	    });
	    $acked = 1;
	    print "ACK $copies\n";
	    # sendto: no Via of the leg's own on top
	    $leg->sendto($ack, { %$dst });
	    $disp->add_timer($opt{quiet_after}, sub {
		print "AFTER-ACK $after_ack\n";
		finish($copies >= 1 && $after_ack == 0 ? 0 : 1);
	    });
	});
	return;
    }
    if ($tag ne $first_tag or $code != 486) {
	print "MISMATCH copy $code with To tag '$tag', first '$first_tag'\n";
	return finish(1);
    }
    if ($acked) {
	$after_ack++;
	return;
    }
    $copies++;
    printf "COPY %d %.3f\n", $copies, time() - $t_final;
}

$disp->deliver($request,
    leg      => $leg,
    dst_addr => { %$dst },
    callback => sub {
	my ($error) = @_;
	return if !$error or defined $result;
	print "ERROR $error\n";
	finish(1);
    },
);
print "READY ", $sock->sockport, "\n";

my $timeout = 0;
$disp->add_timer($opt{timeout}, sub { $timeout = 1 });
# Net::SIP's event loop does not sort a timer added from a timer callback
# before it computes its select timeout (the ACK timer adds the quiet
# timer): a short repeating timer keeps it sorting and waking up
$disp->add_timer(0.05, sub {}, 0.05);
$loop->loop(undef, \$done, \$timeout);

if (!defined $result) {
    print STDERR "dispatcher-uac.pl: no "
	. (defined $first_tag ? "cached" : "final") . " response within $opt{timeout} s\n";
    print "TIMEOUT\n";
    exit 3;
}
exit $result;
