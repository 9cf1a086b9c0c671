# SPDX-License-Identifier: GPL-2.0-only
#
# A real program that shares memory between processes: the parent and a
# forked child share anonymous memory (mmap.mmap(-1, ...), which is
# MAP_SHARED) and a memfd they both map. The child counts in both; the
# parent prints, every tick, what it reads there. If the memory were not
# shared, or not carried across a restart, the parent would see the
# count stand still or fall back.
import mmap, os, time

anon = mmap.mmap(-1, 4096)
fd = os.memfd_create("pyshm")
os.ftruncate(fd, 4096)
mfd = mmap.mmap(fd, 4096)
if os.fork() == 0:
    n = 0
    while True:
        n += 1
        anon[0:8] = n.to_bytes(8, "little")
        mfd[0:8] = n.to_bytes(8, "little")
        time.sleep(0.05)
print("shm pid", os.getpid(), flush=True)
for t in range(1000):
    time.sleep(0.1)
    a = int.from_bytes(anon[0:8], "little")
    m = int.from_bytes(mfd[0:8], "little")
    f = int.from_bytes(os.pread(fd, 8, 0), "little")
    print("tick", t, a, m, "memfd", "same" if f == m else "DIFFERENT", flush=True)
