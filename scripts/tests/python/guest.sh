#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# In the guest: Debian's python3 running threads.py as init of a pid
# namespace is stopped, checkpointed with checkpoint --tree, killed, and
# restarted as init of a new pid namespace; it must go on from its tick,
# and append to its journal file right after the last line it wrote.
# Its output goes through a pipe to cat: an external descriptor, for
# which restart hands on its own standard output.
export PYTHONHOME=/pyhome
child_of() {
	for p in /proc/[0-9]*; do
		[ "$(cut -d' ' -f4 $p/stat 2>/dev/null)" = "$1" ] && echo ${p#/proc/} && return
	done
}
{
	unshare -p -f /pylibs/ld-linux-x86-64.so.2 --library-path /pylibs \
		/python3 /threads.py 2>&1 &
	echo $! > /tmp/u.pid
	wait
} | cat > /tmp/py.out &
while [ ! -s /tmp/u.pid ]; do sleep 0.1; done
u=$(cat /tmp/u.pid)
while [ "$(grep -c '^tick' /tmp/py.out)" -lt 10 ]; do sleep 0.2; done
init=$(child_of $u)
kill -STOP $init
sleep 0.5
/checkpoint --tree $init > /tmp/py.img || echo "RESULT checkpoint failed"
before=$(grep '^tick' /tmp/py.out | tail -1)
kill -KILL $init
while kill -0 $u 2>/dev/null; do sleep 0.1; done
unshare -p -f /restart --run /tmp/py.img > /tmp/py2.out 2>&1 &
u=$!
i=0
while [ "$(grep -c '^tick' /tmp/py2.out)" -lt 10 ] && [ $i -lt 100 ]; do
	sleep 0.2; i=$((i + 1))
done
kill -KILL $(child_of $u) 2>/dev/null
wait $u
echo "RESULT before: $before"
echo "RESULT after: $(grep '^tick' /tmp/py2.out | head -1)"
echo "RESULT last: $(grep '^tick' /tmp/py2.out | tail -1)"
echo "RESULT log: $(grep -v '^tick' /tmp/py2.out | head -3)"
# The journal: every tick once, in order, across the restart.
n=$(grep -c '^journal' /tmp/journal)
last=$(tail -1 /tmp/journal | sed 's/journal //')
[ -n "$last" ] && [ "$n" = $((last + 1)) ] &&
	[ "$(sed 's/journal //' /tmp/journal | sort -n -c 2>&1)" = "" ] &&
	echo "RESULT journal: $n lines, in order" ||
	echo "RESULT journal: BROKEN ($n lines, last $last)"
