#!/usr/bin/python3
"""
partner.py ROUTES.json LOG.jsonl -- a real HTTP server that stands in for a partner (a
collection agency, a credit bureau, a payment provider) in plugin specs.

ROUTES.json maps "METHOD /path" to a canned reply: {"status": 201, "body": "...",
"headers": {...}, "delay_ms": 0}.  Unknown routes get 404.  Every request is appended to
LOG.jsonl as {"method", "path", "query", "headers", "body"} before the reply is sent, so a
spec can assert exactly what the plugin sent.  Listens on 127.0.0.1 on a free port, prints the
port, and exits when its stdin closes.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ROUTES = {}
LOG = None
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
	protocol_version = "HTTP/1.1"

	def log_message(self, *args):
		pass

	def handle_any(self):
		url = urlsplit(self.path)
		length = int(self.headers.get("Content-Length") or 0)
		body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
		with LOCK, open(LOG, "a", encoding="utf-8") as f:
			f.write(json.dumps({"method": self.command, "path": url.path, "query": url.query,
			                    "headers": {k.lower(): v for k, v in self.headers.items()},
			                    "body": body}) + "\n")
		route = ROUTES.get(self.command + " " + url.path)
		if route is None:
			route = {"status": 404, "body": "no such route"}
		time.sleep(route.get("delay_ms", 0) / 1000)
		data = route.get("body", "")
		if not isinstance(data, str):
			data = json.dumps(data)
		data = data.encode("utf-8")
		self.send_response(route.get("status", 200))
		for k, v in route.get("headers", {}).items():
			self.send_header(k, v)
		self.send_header("Content-Length", str(len(data)))
		self.end_headers()
		self.wfile.write(data)

	do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


def main():
	global ROUTES, LOG
	with open(sys.argv[1], encoding="utf-8") as f:
		ROUTES = json.load(f)
	LOG = sys.argv[2]
	open(LOG, "w").close()
	server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
	server.daemon_threads = True
	threading.Thread(target=server.serve_forever, daemon=True).start()
	print(server.server_address[1], flush=True)
	sys.stdin.read()
	server.shutdown()


if __name__ == "__main__":
	main()
