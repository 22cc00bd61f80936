#!/usr/bin/perl
# tests/lib/hostile.pl: the byte-exact side of the hostile-input tests
# (tests/cgi/t0500-hostile.t, tests/integ/t1900-hostile.t, driven by
# tests/data/hostile-paths.tsv).  A shell cannot hold every byte a hostile
# request carries, and curl normalises; this does neither.
#
#	hostile.pl decode TARGET
#		the raw request target of a data file's TARGET field: "{N*S}"
#		is S repeated N times, then "\xHH" is the byte 0xHH (every
#		other byte stands for itself)
#	hostile.pl cgi FCGI OUT STRACELOG METHOD TARGET [NAME=VALUE...]
#		run FCGI as a CGI program for that request (REQUEST_METHOD,
#		REQUEST_URI set byte for byte, stdin empty), its output to OUT;
#		under strace -f when STRACELOG is not "-", the file system
#		calls logged there with every string in hex
#	hostile.pl http PORT OUT METHOD TARGET
#		send "METHOD TARGET HTTP/1.1" (no normalisation at all) to
#		127.0.0.1:PORT with Host and Connection: close, the whole
#		answer to OUT ("" when the server closed without one)
#	hostile.pl audit STRACELOG WRITABLE READABLE...
#		every path the traced program named: print one line per path
#		outside the READABLE prefixes (or WRITABLE's), and per
#		write-mode open, create, mkdir, rename, link or unlink outside
#		WRITABLE; nothing when all is well.  Paths are taken as named,
#		made absolute against the call's directory descriptor (strace
#		-y) and ".." folded, so a traversal that leaves a prefix is
#		seen however it is spelt.
use strict;
use warnings;
use IO::Socket::INET;

# decode TARGET: the data file's notation into bytes.
sub decode {
	my ($t) = @_;
	$t =~ s/\{(\d+)\*([^}]*)\}/$2 x $1/ge;
	$t =~ s/\\x([0-9A-Fa-f]{2})/chr(hex($1))/ge;
	return $t;
}

# The calls audited: name => (index of the path arguments, index of the
# flags argument for an open, -1 when the call always writes).
my %calls = (
	open => [[0], 1], openat => [[1], 2], creat => [[0], -1],
	mkdir => [[0], -1], mkdirat => [[1], -1],
	rename => [[0, 1], -1], renameat => [[1, 3], -1],
	renameat2 => [[1, 3], -1], link => [[0, 1], -1],
	linkat => [[1, 3], -1], unlink => [[0], -1], unlinkat => [[1], -1],
	symlink => [[1], -1], symlinkat => [[2], -1],
);

# split_args ARGS: a strace argument list cut at top-level commas.
sub split_args {
	my ($s) = @_;
	my (@a, $cur, $depth, $inq);
	($cur, $depth, $inq) = ('', 0, 0);
	for my $c (split //, $s) {
		if ($inq) {
			$inq = 0 if $c eq '"';
			$cur .= $c;
			next;
		}
		if ($c eq '"') { $inq = 1 }
		elsif ($c eq '(' || $c eq '[' || $c eq '{') { $depth++ }
		elsif ($c eq ')' || $c eq ']' || $c eq '}') { $depth-- }
		elsif ($c eq ',' && $depth == 0) {
			push @a, $cur;
			$cur = '';
			next;
		}
		$cur .= $c;
	}
	push @a, $cur if $cur ne '';
	s/^\s+|\s+$//g for @a;
	return @a;
}

# unhex S: a strace -xx string ("\x2f\x74...") into bytes.
sub unhex {
	my ($s) = @_;
	$s =~ s/\\x([0-9a-f]{2})/chr(hex($1))/ge;
	return $s;
}

# fold PATH: ".", ".." and "//" folded lexically.
sub fold {
	my ($p) = @_;
	my @o;
	for my $e (split m{/}, $p) {
		next if $e eq '' || $e eq '.';
		if ($e eq '..') { pop @o; next }
		push @o, $e;
	}
	return '/' . join('/', @o);
}

sub under {
	my ($p, @prefixes) = @_;
	for my $x (@prefixes) {
		my $f = fold($x);
		return 1 if $p eq $f || index($p, $f eq '/' ? '/' :
		    "$f/") == 0;
	}
	return 0;
}

sub audit {
	my ($log, $writable, @readable) = @_;
	my ($cwd, %seen) = ('');
	open(my $f, '<', $log) or die "$log: $!";
	while (my $l = <$f>) {
		chomp $l;
		$l =~ s/^\d+\s+//;
		next unless $l =~ /^(\w+)\((.*)\)\s+=/ || $l =~ /^(\w+)\((.*)\s+<unfinished/;
		my ($name, $args) = ($1, $2);
		next unless $calls{$name};
		my @a = split_args($args);
		my ($idx, $fl) = @{$calls{$name}};
		my $write = $fl < 0 ? 1 :
		    (defined $a[$fl] && $a[$fl] =~ /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/) ? 1 : 0;
		for my $i (@$idx) {
			my $arg = $a[$i] // next;
			next unless $arg =~ /^"((?:\\x[0-9a-f]{2})*)"/;
			my $p = unhex($1);
			if ($p !~ m{^/}) {
				# relative: to the directory descriptor before it
				my $d = $i > 0 ? $a[$i - 1] : 'AT_FDCWD';
				if ($d =~ /<((?:\\x[0-9a-f]{2}|[^>])*)>$/) {
					$p = unhex($1) . "/$p";
				} else {
					$p = "(relative to $d)/$p";
				}
			}
			$p = fold($p) if $p =~ m{^/};
			my $why;
			if ($p !~ m{^/}) {
				$why = 'relative path';
			} elsif ($write && !under($p, $writable)) {
				$why = 'write outside the state';
			} elsif (!under($p, $writable, @readable)) {
				$why = 'outside the allowed paths';
			}
			next unless $why;
			my $k = "$name $p: $why";
			print "$k\n" unless $seen{$k}++;
		}
	}
	close $f;
}

sub cgi {
	my ($fcgi, $out, $slog, $method, $target, @vars) = @_;
	$ENV{REQUEST_METHOD} = $method;
	$ENV{REQUEST_URI} = decode($target);
	$ENV{GATEWAY_INTERFACE} = 'CGI/1.1';
	$ENV{SERVER_PROTOCOL} = 'HTTP/1.1';
	for (@vars) {
		my ($k, $v) = split /=/, $_, 2;
		$ENV{$k} = $v;
	}
	open(STDIN, '<', '/dev/null') or die;
	open(STDOUT, '>', $out) or die "$out: $!";
	my @cmd = ($fcgi);
	@cmd = ('strace', '-f', '-y', '-xx', '-s', '65536', '-qq', '-o', $slog,
	    '-e', 'trace=' . join(',', sort keys %calls), '--', $fcgi)
	    if $slog ne '-';
	exec(@cmd) or die "exec $cmd[0]: $!";
}

sub http {
	my ($port, $out, $method, $target) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
	    Proto => 'tcp', Timeout => 20) or die "connect: $!";
	binmode $s;
	print $s "$method " . decode($target) . " HTTP/1.1\r\n" .
	    "Host: 127.0.0.1:$port\r\nConnection: close\r\n\r\n";
	my $r = '';
	eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm 30;
		while (sysread($s, my $buf, 65536)) { $r .= $buf }
		alarm 0;
	};
	open(my $f, '>', $out) or die "$out: $!";
	binmode $f;
	print $f $r;
	close $f;
}

my $mode = shift @ARGV // '';
if ($mode eq 'decode') { binmode STDOUT; print decode($ARGV[0]) }
elsif ($mode eq 'cgi') { cgi(@ARGV) }
elsif ($mode eq 'http') { http(@ARGV) }
elsif ($mode eq 'audit') { audit(@ARGV) }
else { die "usage: hostile.pl decode|cgi|http|audit ...\n" }
