# SPDX-License-Identifier: GPL-2.0-only
#
# A client of server.py: one request, its answer printed.
import socket, sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect("/tmp/py.sock")
s.sendall(sys.argv[1].encode())
print(s.recv(100).decode())
