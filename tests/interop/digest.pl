#!/usr/bin/perl
# digest.pl: Perl Net::SIP answers a challenge, for test-digest-perl.
#
#   digest.pl REQUEST-FILE RESPONSE-FILE USER PASSWORD
#
# Reads a SIP request and the 401/407 that challenged it, lets
# Net::SIP::Request::authorize add credentials, and prints each
# Authorization / Proxy-Authorization value on a line of its own, then
# "done". Ends itself after 20 s whatever happens.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
use strict;
use warnings;
use Net::SIP;

alarm 20;
my ($req_file, $resp_file, $user, $pass) = @ARGV;
die "usage: digest.pl REQUEST RESPONSE USER PASSWORD\n" unless defined $pass;

sub slurp {
    my $f = shift;
    open my $fh, '<:raw', $f or die "$f: $!\n";
    local $/;
    return <$fh>;
}

my $req  = Net::SIP::Packet->new(slurp($req_file));
my $resp = Net::SIP::Packet->new(slurp($resp_file));
$req->authorize($resp, [ $user, $pass ]) or die "authorize added nothing\n";
for my $h (qw(authorization proxy-authorization)) {
    print "$h: $_\n" for $req->get_header($h);
}
print "done\n";
