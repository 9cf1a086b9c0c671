#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# In the guest: a busybox pipeline, producer | filter | consumer, run by
# a shell as init of a pid namespace, is frozen mid-stream (cgroup v2
# freezer), checkpointed with checkpoint --tree, killed, and restarted
# as init of a new pid namespace. The consumer's file must end up as an
# uninterrupted run leaves it: nothing lost or doubled in the pipes.
cat > /tmp/pipeline.sh <<'SCRIPT'
i=0
while [ $i -lt 1000 ]; do
	echo "line $i"
	i=$((i + 1))
	[ -n "$SLOW" ] && usleep 20000
done | sed 's/line/LINE/' | while read -r word n; do
	echo "$word $((n * 2))"
done > /tmp/out
SCRIPT

# The reference: the same pipeline, uninterrupted.
sh /tmp/pipeline.sh && mv /tmp/out /tmp/expected

mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
mkdir -p /sys/fs/cgroup/pipeline
child_of() {
	for p in /proc/[0-9]*; do
		[ "$(cut -d' ' -f4 $p/stat 2>/dev/null)" = "$1" ] && echo ${p#/proc/} && return
	done
}
SLOW=1 sh -c 'echo $$ > /sys/fs/cgroup/pipeline/cgroup.procs &&
	exec unshare -p -f sh /tmp/pipeline.sh' &
u=$!
init=
while [ -z "$init" ]; do sleep 0.2; init=$(child_of $u); done
while [ "$(wc -l < /tmp/out 2>/dev/null || echo 0)" -lt 40 ]; do sleep 0.1; done
# Frozen between two usleep children, not with one just exited and not
# yet reaped (a zombie, which checkpoint refuses): try again if so.
tries=0
while :; do
	echo 1 > /sys/fs/cgroup/pipeline/cgroup.freeze
	while ! grep -q 'frozen 1' /sys/fs/cgroup/pipeline/cgroup.events; do sleep 0.1; done
	/checkpoint --tree $init > /tmp/pipeline.img && break
	tries=$((tries + 1))
	[ $tries -lt 5 ] || { echo "RESULT checkpoint failed"; break; }
	echo 0 > /sys/fs/cgroup/pipeline/cgroup.freeze
	sleep 0.1
done
echo "RESULT at checkpoint: $(wc -l < /tmp/out) lines written"
kill -KILL $init
echo 0 > /sys/fs/cgroup/pipeline/cgroup.freeze
wait $u
unshare -p -f /restart --run /tmp/pipeline.img
echo "RESULT restart exit $?"
if cmp -s /tmp/out /tmp/expected; then
	echo "RESULT output: same as an uninterrupted run ($(wc -l < /tmp/out) lines)"
else
	echo "RESULT output: DIFFERS: $(wc -l < /tmp/out) lines, want $(wc -l < /tmp/expected)"
	diff /tmp/expected /tmp/out | head -20
fi
