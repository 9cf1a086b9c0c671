#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# In the guest: Debian's python3 running a program as init of a pid
# namespace is stopped, checkpointed with checkpoint --tree, killed, and
# restarted as init of a new pid namespace: threads.py, which must go on
# from its tick and append to its journal file right after the last line
# it wrote, then shm.py, whose two processes must go on sharing their
# memory, then server.py, whose thread must answer on its listening unix
# socket after the restart. Output goes through a pipe to cat: an external descriptor, for
# which restart hands on its own standard output.
export PYTHONHOME=/pyhome
child_of() {
	for p in /proc/[0-9]*; do
		[ "$(cut -d' ' -f4 $p/stat 2>/dev/null)" = "$1" ] && echo ${p#/proc/} && return
	done
}
# One request to server.py, as a second python3.
client() {
	/pylibs/ld-linux-x86-64.so.2 --library-path /pylibs /python3 /client.py "$1" 2>&1
}
kids_of() {
	for p in /proc/[0-9]*; do
		[ "$(cut -d' ' -f4 $p/stat 2>/dev/null)" = "$1" ] && echo ${p#/proc/}
	done
}
# run NAME: run /NAME.py until it printed 10 ticks, checkpoint its tree,
# kill it, restart it, let it print 10 ticks more; RESULT lines.
run() {
	name=$1
	{
		unshare -p -f /pylibs/ld-linux-x86-64.so.2 --library-path /pylibs \
			/python3 /$name.py 2>&1 &
		echo $! > /tmp/u.pid
		wait
	} | cat > /tmp/$name.out &
	while [ ! -s /tmp/u.pid ]; do sleep 0.1; done
	u=$(cat /tmp/u.pid)
	rm /tmp/u.pid
	while [ "$(grep -c '^tick' /tmp/$name.out)" -lt 10 ]; do sleep 0.2; done
	[ "$name" = server ] && echo "RESULT server first answer: $(client before)"
	init=$(child_of $u)
	# The whole tree: init and the processes it forked.
	kill -STOP $init $(kids_of $init)
	sleep 0.5
	/checkpoint --tree $init > /tmp/$name.img || echo "RESULT $name checkpoint failed"
	before=$(grep '^tick' /tmp/$name.out | tail -1)
	kill -KILL $init
	while kill -0 $u 2>/dev/null; do sleep 0.1; done
	unshare -p -f /restart --run /tmp/$name.img > /tmp/$name.2.out 2>&1 &
	u=$!
	i=0
	while [ "$(grep -c '^tick' /tmp/$name.2.out)" -lt 10 ] && [ $i -lt 100 ]; do
		sleep 0.2; i=$((i + 1))
	done
	[ "$name" = server ] && echo "RESULT server answer: $(client after)"
	kill -KILL $(child_of $u) 2>/dev/null
	wait $u
	echo "RESULT $name before: $before"
	echo "RESULT $name after: $(grep '^tick' /tmp/$name.2.out | head -1)"
	echo "RESULT $name last: $(grep '^tick' /tmp/$name.2.out | tail -1)"
	echo "RESULT $name log: $(grep -v '^tick' /tmp/$name.2.out | head -3)"
}
run threads
# The journal: every tick once, in order, across the restart.
n=$(grep -c '^journal' /tmp/journal)
last=$(tail -1 /tmp/journal | sed 's/journal //')
[ -n "$last" ] && [ "$n" = $((last + 1)) ] &&
	[ "$(sed 's/journal //' /tmp/journal | sort -n -c 2>&1)" = "" ] &&
	echo "RESULT journal: $n lines, in order" ||
	echo "RESULT journal: BROKEN ($n lines, last $last)"
run shm
run server
