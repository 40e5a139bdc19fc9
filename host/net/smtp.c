/*
 * smtp.c -- one mail through curl's SMTP: the envelope, the header lines and the MIME body.
 *
 * The body is a curl_mime tree, so curl does the boundaries and the transfer encodings
 * (quoted-printable text, base64 attachments).  This file adds what curl leaves to its user:
 * the header lines (Date, From, To, Subject in RFC 2047 when not ASCII, Message-ID), CRLF
 * line ends in the texts, attachment names (RFC 2231 when not ASCII), and refusing any field
 * that could end a header line early and so forge another.
 *
 *   multipart/mixed
 *   |- text/plain                       or, with html:  multipart/alternative
 *   |                                                   |- text/plain
 *   |                                                   `- text/html
 *   `- one part per attachment
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "net/internal.h"
#include "net/net.h"

enum { MAIL_TIMEOUT_MS = 60000 };


/*
** {==================================================================
** A growing string, for header lines
** ===================================================================
*/

typedef struct strbuf {
	char *p;
	size_t len, cap;
	int nomem;
} strbuf;

static void sb_add(strbuf *b, const char *s, size_t len)
{
	if (b->nomem)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
		char *p;
		while (cap < b->len + len + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->nomem = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Appends b's text to list as one header line and empties b.  A failure sticks, so a run
 * of lines needs only the last one's result checked. */
static int sb_line(strbuf *b, struct curl_slist **list)
{
	struct curl_slist *l = b->nomem ? NULL : curl_slist_append(*list, b->p);
	b->len = 0;
	if (!l) {
		b->nomem = 1;
		return OWED_ENOMEM;
	}
	*list = l;
	return 0;
}

/* }================================================================== */


/*
** {==================================================================
** Checking the fields: nothing may end a line or leave the envelope
** ===================================================================
*/

static int one_line(const char *s)
{
	return !strpbrk(s, "\r\n");
}

/* A bare ASCII address, user@host: no name, no brackets, nothing that separates addresses. */
static int is_address(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!s || !*p)
		return 0;
	for (; *p; p++)
		if (*p <= ' ' || *p >= 127 || strchr("<>,\"", *p))
			return 0;
	return 1;
}

static int check_mail(const net_mail *m)
{
	size_t i;
	if (!m->url || !is_address(m->from) || m->nto == 0 || !m->to)
		return OWED_EINPUT;
	for (i = 0; i < m->nto; i++)
		if (!is_address(m->to[i]))
			return OWED_EINPUT;
	if (m->subject && !one_line(m->subject))
		return OWED_EINPUT;
	if (m->message_id && (!*m->message_id || strpbrk(m->message_id, " \t\r\n")))
		return OWED_EINPUT;
	if (m->nattachments && !m->attachments)
		return OWED_EINPUT;
	for (i = 0; i < m->nattachments; i++) {
		const net_attachment *a = &m->attachments[i];
		if (!a->filename || !*a->filename || !one_line(a->filename) ||
		    (a->content_type && !one_line(a->content_type)) || (!a->data && a->len))
			return OWED_EINPUT;
	}
	return 0;
}

/* }================================================================== */


/*
** {==================================================================
** Header lines
** ===================================================================
*/

static void base64(strbuf *b, const unsigned char *s, size_t len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4];
	size_t i;
	for (i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		out[0] = digits[v >> 18 & 63];
		out[1] = digits[v >> 12 & 63];
		out[2] = i + 1 < len ? digits[v >> 6 & 63] : '=';
		out[3] = i + 2 < len ? digits[v & 63] : '=';
		sb_add(b, out, 4);
	}
}

/* Printable ASCII that no reader could take for an encoded word goes as it is. */
static int plain_ascii(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (; *p; p++)
		if ((*p < ' ' && *p != '\t') || *p >= 127)
			return 0;
	return strstr(s, "=?") == NULL;
}

/* RFC 2047: "=?UTF-8?B?...?=" words of at most 45 bytes of text (a 72-character word, under
 * the 75 allowed), each cut between two UTF-8 characters, one per folded line. */
static void encode_words(strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	while (left > 0) {
		size_t n = left < 45 ? left : 45;
		while (n < left && n > 0 && (p[n] & 0xC0) == 0x80)
			n--;
		if (n == 0)                /* not UTF-8 at all: cut anywhere rather than loop */
			n = left < 45 ? left : 45;
		if (p != (const unsigned char *)s)
			sb_puts(b, "\r\n ");
		sb_puts(b, "=?UTF-8?B?");
		base64(b, p, n);
		sb_puts(b, "?=");
		p += n;
		left -= n;
	}
}

/* RFC 5322 date in UTC, spelled out by hand: strftime's names follow the locale. */
static void date_line(strbuf *b)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char text[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	snprintf(text, sizeof text, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000",
	         days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	         tm.tm_hour, tm.tm_min, tm.tm_sec);
	sb_puts(b, text);
}

static int header_lines(const net_mail *m, struct curl_slist **list)
{
	strbuf b = { 0 };
	const char *subject = m->subject ? m->subject : "";
	size_t i;
	int rc;
	date_line(&b);
	sb_line(&b, list);
	sb_puts(&b, "From: ");
	sb_puts(&b, m->from);
	sb_line(&b, list);
	sb_puts(&b, "To: ");
	for (i = 0; i < m->nto; i++) {
		if (i > 0)
			sb_puts(&b, ",\r\n ");
		sb_puts(&b, m->to[i]);
	}
	sb_line(&b, list);
	sb_puts(&b, "Subject: ");
	if (plain_ascii(subject))
		sb_puts(&b, subject);
	else
		encode_words(&b, subject);
	sb_line(&b, list);
	if (m->message_id) {
		int bare = m->message_id[0] != '<';
		sb_puts(&b, bare ? "Message-ID: <" : "Message-ID: ");
		sb_puts(&b, m->message_id);
		sb_puts(&b, bare ? ">" : "");
		sb_line(&b, list);
	}
	sb_puts(&b, "MIME-Version: 1.0");
	rc = sb_line(&b, list);
	free(b.p);
	return rc;
}

/* }================================================================== */


/*
** {==================================================================
** The body
** ===================================================================
*/

/* Mail lines end in CRLF; a bare LF would go out quoted-printable as "=0A". */
static char *crlf_copy(const char *s, size_t *len)
{
	size_t n = 0, extra = 0, i;
	char *out;
	for (i = 0; s[i]; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			extra++;
	if ((out = malloc(i + extra + 1)) == NULL)
		return NULL;
	for (i = 0; s[i]; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			out[n++] = '\r';
		out[n++] = s[i];
	}
	out[n] = '\0';
	*len = n;
	return out;
}

static int add_text(curl_mime *mime, const char *text, const char *type)
{
	curl_mimepart *part = curl_mime_addpart(mime);
	size_t len;
	char *data = crlf_copy(text, &len);
	int ok = part && data && curl_mime_data(part, data, len) == CURLE_OK &&
	         curl_mime_type(part, type) == CURLE_OK &&
	         curl_mime_encoder(part, "quoted-printable") == CURLE_OK;
	free(data);                        /* curl_mime_data copies */
	return ok ? 0 : OWED_ENOMEM;
}

/* attr-char of RFC 2231 / 5987: what may stand unescaped in filename*=UTF-8''... */
static int attr_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$&+-.^_`|~", c));
}

/* Content-Disposition with the name quoted when it is plain ASCII, else as RFC 2231's
 * percent-encoded UTF-8, which mail clients decode. */
static void disposition(strbuf *b, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	if (plain_ascii(name) && !strpbrk(name, "\"\\")) {
		sb_puts(b, "Content-Disposition: attachment; filename=\"");
		sb_puts(b, name);
		sb_puts(b, "\"");
		return;
	}
	sb_puts(b, "Content-Disposition: attachment; filename*=UTF-8''");
	for (p = (const unsigned char *)name; *p; p++) {
		char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
		if (attr_char(*p))
			sb_add(b, (const char *)p, 1);
		else
			sb_add(b, esc, 3);
	}
}

static int add_attachment(curl_mime *mime, const net_attachment *a)
{
	curl_mimepart *part = curl_mime_addpart(mime);
	struct curl_slist *headers = NULL;
	strbuf b = { 0 };
	int rc;
	disposition(&b, a->filename);
	rc = sb_line(&b, &headers);
	free(b.p);
	if (rc != 0 || !part || curl_mime_headers(part, headers, 1) != CURLE_OK) {
		curl_slist_free_all(headers);
		return OWED_ENOMEM;
	}
	if (curl_mime_data(part, a->len ? a->data : "", a->len) != CURLE_OK ||
	    curl_mime_type(part, a->content_type ? a->content_type : "application/octet-stream")
	        != CURLE_OK ||
	    curl_mime_encoder(part, "base64") != CURLE_OK)
		return OWED_ENOMEM;
	return 0;
}

static int add_alternative(curl_mime *mime, CURL *easy, const net_mail *m, const char *text)
{
	curl_mimepart *part = curl_mime_addpart(mime);
	curl_mime *alt = curl_mime_init(easy);
	if (!part || !alt || add_text(alt, text, "text/plain; charset=UTF-8") != 0 ||
	    add_text(alt, m->html, "text/html; charset=UTF-8") != 0 ||
	    curl_mime_subparts(part, alt) != CURLE_OK) {
		curl_mime_free(alt);
		return OWED_ENOMEM;
	}
	/* alt belongs to part now */
	return curl_mime_type(part, "multipart/alternative") == CURLE_OK ? 0 : OWED_ENOMEM;
}

static int build_body(net_transfer *t, const net_mail *m)
{
	const char *text = m->text ? m->text : "";
	size_t i;
	int rc;
	if ((t->mime = curl_mime_init(t->easy)) == NULL)
		return OWED_ENOMEM;
	if (m->html)
		rc = add_alternative(t->mime, t->easy, m, text);
	else
		rc = add_text(t->mime, text, "text/plain; charset=UTF-8");
	for (i = 0; rc == 0 && i < m->nattachments; i++)
		rc = add_attachment(t->mime, &m->attachments[i]);
	return rc;
}

/* }================================================================== */


static int envelope(net_transfer *t, const net_mail *m)
{
	size_t i;
	for (i = 0; i < m->nto; i++) {
		struct curl_slist *l = curl_slist_append(t->rcpt, m->to[i]);
		if (!l)
			return OWED_ENOMEM;
		t->rcpt = l;
	}
	if (curl_easy_setopt(t->easy, CURLOPT_MAIL_FROM, m->from) != CURLE_OK)
		return OWED_ENOMEM;
	curl_easy_setopt(t->easy, CURLOPT_MAIL_RCPT, t->rcpt);
	return 0;
}

int net_smtp(net *n, const net_mail *m, net_done_cb cb, void *ud, net_transfer **handle)
{
	net_transfer *t;
	CURL *e;
	int rc = check_mail(m);
	if (rc != 0)
		return rc;
	rc = net_xfer_new(n, m->url, "smtp,smtps", m->timeout_ms ? m->timeout_ms : MAIL_TIMEOUT_MS,
	                  0, m->insecure, cb, ud, &t);
	if (rc != 0)
		return rc;
	e = t->easy;
	t->mail = 1;
	if ((rc = envelope(t, m)) != 0 || (rc = header_lines(m, &t->headers)) != 0 ||
	    (rc = build_body(t, m)) != 0) {
		net_xfer_free(t);
		return rc;
	}
	/* For SMTP, curl sends CURLOPT_HTTPHEADER as the message's header lines. */
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_MIMEPOST, t->mime);
	curl_easy_setopt(e, CURLOPT_USE_SSL,
	                 m->require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if ((m->username && curl_easy_setopt(e, CURLOPT_USERNAME, m->username) != CURLE_OK) ||
	    (m->password && curl_easy_setopt(e, CURLOPT_PASSWORD, m->password) != CURLE_OK)) {
		net_xfer_free(t);
		return OWED_ENOMEM;
	}
	return net_xfer_start(t, handle);
}
