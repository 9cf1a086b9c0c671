# SPDX-License-Identifier: GPL-2.0-only
#
# A real program that serves requests: a thread answers on a listening
# unix socket, blocked in accept() between requests, while the main
# thread prints a tick. Each answer names the tick it was given at, so a
# client can tell the server goes on after a restart and is not a new
# one that started again from tick 0.
import os, socket, threading, time

tick = 0

def serve(srv):
    while True:
        conn, _ = srv.accept()
        req = conn.recv(100)
        conn.sendall(b"pong " + req + b" at tick %d" % tick)
        conn.close()

try:
    os.unlink("/tmp/py.sock")
except FileNotFoundError:
    pass
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind("/tmp/py.sock")
srv.listen(4)
threading.Thread(target=serve, args=(srv,), daemon=True).start()
print("server pid", os.getpid(), flush=True)
for tick in range(1000):
    time.sleep(0.1)
    print("tick", tick, flush=True)
