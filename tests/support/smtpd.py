#!/usr/bin/python3
"""
smtpd.py DIR -- a real SMTP server for the net tests (Debian's python3-aiosmtpd).

Listens on 127.0.0.1 on a free port, prints the port on stdout, and exits when its stdin
closes.  Every message it accepts is saved in DIR as N.eml (the raw DATA) and N.json, a
summary parsed back with Python's email package, so a test checks what a mail client would
see: decoded subject, addresses, text and html bodies, attachments (their decoded bytes in
hex), and every defect the parser found.  Both files are complete before the 250 reply is sent.

A recipient containing "reject" is refused with 550.  While DIR/refuse exists every recipient
is refused with 451 (try again later); while DIR/hold exists the server holds its answer to
RCPT, before any message is taken, and says so by creating DIR/held (serve_sched.sh keeps a
run "running" that way, and kills it there).  AUTH PLAIN/LOGIN is offered without
TLS and accepts only owed/secret; the summary says who logged in.
"""
import email
import email.policy
import itertools
import json
import logging
import asyncio
import os
import socket
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def summary(envelope, session):
	msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
	plain = msg.get_body(("plain",))
	html = msg.get_body(("html",))
	attachments = []
	for part in msg.iter_attachments():
		data = part.get_payload(decode=True)
		attachments.append({
			"filename": part.get_filename(),
			"content_type": part.get_content_type(),
			"size": len(data),
			"data_hex": data.hex(),
		})
	defects = [str(d) for part in msg.walk() for d in part.defects]
	for name in ("subject", "from", "to"):
		defects += [str(d) for d in getattr(msg[name], "defects", ())]
	login = session.auth_data.login if session.auth_data else None
	return {
		"mail_from": envelope.mail_from,
		"rcpt_tos": envelope.rcpt_tos,
		"auth_user": login.decode() if login else None,
		"subject": str(msg["subject"]),
		"from": [a.addr_spec for a in msg["from"].addresses],
		"to": [a.addr_spec for a in msg["to"].addresses],
		"message_id": msg["message-id"],
		"has_date": msg["date"] is not None and msg["date"].datetime is not None,
		"mime_version": msg["mime-version"],
		"content_type": msg.get_content_type(),
		"text": plain.get_content().replace("\r\n", "\n") if plain else None,
		"html": html.get_content().replace("\r\n", "\n") if html else None,
		"attachments": attachments,
		"defects": defects,
	}


class Handler:
	def __init__(self, directory):
		self.directory = directory
		self.counter = itertools.count(1)

	async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
		hold = os.path.join(self.directory, "hold")
		if os.path.exists(hold):
			open(os.path.join(self.directory, "held"), "w").close()
			while os.path.exists(hold):
				await asyncio.sleep(0.05)
			os.unlink(os.path.join(self.directory, "held"))
		if os.path.exists(os.path.join(self.directory, "refuse")):
			return "451 4.3.0 try again later"
		if "reject" in address:
			return "550 5.1.1 no such user"
		envelope.rcpt_tos.append(address)
		return "250 OK"

	async def handle_DATA(self, server, session, envelope):
		n = next(self.counter)
		base = os.path.join(self.directory, str(n))
		with open(base + ".eml.tmp", "wb") as f:
			f.write(envelope.original_content)
		with open(base + ".json.tmp", "w") as f:
			json.dump(summary(envelope, session), f)
		os.rename(base + ".eml.tmp", base + ".eml")
		os.rename(base + ".json.tmp", base + ".json")
		return "250 Message accepted for delivery"


def authenticate(server, session, envelope, mechanism, auth_data):
	if isinstance(auth_data, LoginPassword) and auth_data == (b"owed", b"secret"):
		return AuthResult(success=True, auth_data=auth_data)
	return AuthResult(success=False, handled=False)


def free_port():
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


def main():
	# aiosmtpd warns about its own deprecated Session.login_data whenever a client logs in.
	logging.getLogger("mail.log").setLevel(logging.ERROR)
	port = free_port()
	controller = Controller(Handler(sys.argv[1]), hostname="127.0.0.1", port=port,
	                        authenticator=authenticate, auth_require_tls=False)
	controller.start()
	print(port, flush=True)
	sys.stdin.buffer.read()
	os._exit(0)


if __name__ == "__main__":
	main()
