#!/usr/bin/python3
"""
httpd.py -- a real HTTP/1.1 server for the net tests (stdlib only).

Listens on 127.0.0.1 on a free port, prints the port on stdout, and exits when its stdin
closes, so it never outlives the test that started it (even one that crashed).

Routes:
  GET|POST|... /echo         the request as JSON: method, path, headers [[name, value]...],
                             body_hex
  /status/<n>                replies with status n (3xx with a Location header)
  /slow?ms=N                 sleeps N ms, then replies "slow"
  /drip?bytes=N&ms=M         sends the headers, then N body bytes one every M ms
  /truncate                  announces Content-Length: 1000, sends 10 bytes and closes
  /big?bytes=N[&chunked=1]   N bytes of a known pattern (chunked: no Content-Length)
  /early                     a 103 Early Hints response, then the final 200
  /close                     closes the connection without replying
"""
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def pattern(n):
	"""The bytes of /big: i % 251, so a shifted or dropped byte shows."""
	return bytes(i % 251 for i in range(n))


class Handler(BaseHTTPRequestHandler):
	protocol_version = "HTTP/1.1"

	def log_message(self, format, *args):
		pass

	def reply(self, status, body, ctype="text/plain", extra=()):
		self.send_response(status)
		self.send_header("Content-Type", ctype)
		self.send_header("Content-Length", str(len(body)))
		for name, value in extra:
			self.send_header(name, value)
		self.end_headers()
		self.wfile.write(body)

	def route(self):
		url = urlsplit(self.path)
		query = {k: v[0] for k, v in parse_qs(url.query).items()}
		length = int(self.headers.get("Content-Length", "0"))
		body = self.rfile.read(length) if length else b""
		if url.path == "/echo":
			doc = {
				"method": self.command,
				"path": self.path,
				"headers": [[k, v] for k, v in self.headers.items()],
				"body_hex": body.hex(),
			}
			self.reply(200, json.dumps(doc).encode(), "application/json")
		elif url.path.startswith("/status/"):
			status = int(url.path[len("/status/"):])
			extra = [("Location", "/echo")] if 300 <= status < 400 else []
			self.reply(status, b"status %d" % status, extra=extra)
		elif url.path == "/slow":
			time.sleep(int(query.get("ms", "1000")) / 1000)
			self.reply(200, b"slow")
		elif url.path == "/drip":
			n, ms = int(query.get("bytes", "10")), int(query.get("ms", "100"))
			self.send_response(200)
			self.send_header("Content-Length", str(n))
			self.end_headers()
			self.wfile.flush()
			for _ in range(n):
				time.sleep(ms / 1000)
				self.wfile.write(b"d")
				self.wfile.flush()
		elif url.path == "/truncate":
			self.send_response(200)
			self.send_header("Content-Length", "1000")
			self.end_headers()
			self.wfile.write(b"0123456789")
			self.close_connection = True
		elif url.path == "/big":
			data = pattern(int(query.get("bytes", "0")))
			if query.get("chunked") == "1":
				self.send_response(200)
				self.send_header("Transfer-Encoding", "chunked")
				self.end_headers()
				for i in range(0, len(data), 65536):
					chunk = data[i:i + 65536]
					self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
				self.wfile.write(b"0\r\n\r\n")
			else:
				self.reply(200, data, "application/octet-stream")
		elif url.path == "/early":
			self.send_response_only(103)
			self.send_header("Link", "</style.css>; rel=preload")
			self.end_headers()
			self.reply(200, b"final", extra=[("X-Final", "1")])
		elif url.path == "/close":
			self.close_connection = True
		else:
			self.reply(404, b"no such route")

	do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = route


class Server(ThreadingHTTPServer):
	request_queue_size = 1024          # the tests open hundreds of connections at once

	def handle_error(self, request, client_address):
		# A client that timed out or cancelled hangs up on a sleeping handler; that is
		# what the tests do on purpose, so it is not worth a traceback.
		if not isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout)):
			super().handle_error(request, client_address)


def exit_on_eof():
	sys.stdin.buffer.read()
	os._exit(0)


def main():
	server = Server(("127.0.0.1", 0), Handler)
	threading.Thread(target=exit_on_eof, daemon=True).start()
	print(server.server_address[1], flush=True)
	server.serve_forever()


if __name__ == "__main__":
	main()
