# SPDX-License-Identifier: GPL-2.0-only
#
# A real program that uses threads: two workers count, each checks on
# every round that the kernel's tid for it (gettid(), which
# threading.get_native_id() asks) is still the one Python cached when it
# started (Thread.native_id), and the main thread prints a tick and
# appends it to a journal file it keeps open.
import os, threading, time

count = [0, 0]
same = [True, True]
workers = []

def work(i):
    while True:
        count[i] += 1
        same[i] = threading.get_native_id() == workers[i].native_id
        time.sleep(0.05)

workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(2)]
for t in workers:
    t.start()
journal = open("/tmp/journal", "a")
print("python pid", os.getpid(), "tids", [t.native_id for t in workers], flush=True)
for n in range(1000):
    time.sleep(0.1)
    print("tick", n, count[0], count[1], "tids", "same" if all(same) else "CHANGED", flush=True)
    journal.write("journal %d\n" % n)
    journal.flush()
