#!/bin/sh
# The man pages are clean under mandoc -T lint (warnings count as errors).
set -u
: "${srcdir:=.}"
if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc is not installed"
	exit 77
fi
rc=0
for page in "$srcdir"/man/*.[0-9]; do
	out=$(mandoc -T lint -W warning "$page" 2>&1)
	if [ -n "$out" ]; then
		echo "FAIL: $page"
		echo "$out"
		rc=1
	else
		echo "PASS: $page"
	fi
done
exit $rc
