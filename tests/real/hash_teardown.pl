#!/usr/bin/perl
# hash_teardown.pl - a Perl program that builds a hash of 100000 strings
# (1 to 300 bytes, as a parser's or an index's records), a list of arrays
# beside it, reads them back, and drops them: the hash destroyed in its
# bucket order, not in the order its entries were made, so the frees come
# from every slab at once (the slab's out-of-order flush, docs/benchmarks.md
# "Real programs"). Run with PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0 so the
# bucket order, and with it every allocator call, is the same on every run.
# Prints what it read; the output must not depend on the malloc under it.
use strict;
use warnings;

my $n = 100000;
my %h;
for my $i (1 .. $n) {
	$h{"key$i"} = 'x' x (1 + $i % 300);
}
my @rows = map { [ $_, "row$_", $_ * 2 ] } 1 .. $n / 4;
my ($total, $sum) = (0, 0);
$total += length($h{$_}) for keys %h;
$sum += $_->[2] for @rows;
printf "hash %d entries, %d bytes; rows %d, sum %d\n", scalar(keys %h), $total, scalar(@rows), $sum;
undef %h;
undef @rows;
print "dropped\n";
