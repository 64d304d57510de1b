/* SPDX-License-Identifier: MIT */
#include "netlisten.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"
#include "log.h"

static int split_spec(const char *spec, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= hlen)
			return DFK_ERR_INVAL;
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		host[end - spec - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= hlen)
			return DFK_ERR_INVAL;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
	}
	if (strlen(colon + 1) == 0 || strlen(colon + 1) >= plen || strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return DFK_ERR_INVAL;
	strcpy(port, colon + 1);
	if (atol(port) > 65535)
		return DFK_ERR_INVAL;
	return DFK_OK;
}

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

int net_listen(const char *spec, int backlog, bool loopback_only, const char *what, char *bound, size_t bound_len)
{
	char host[INET6_ADDRSTRLEN + 2], port[8];
	struct addrinfo hints, *res = NULL;
	int fd, one = 1, rc;

	if (split_spec(spec, host, sizeof(host), port, sizeof(port)) < 0) {
		log_err("%s: bad address '%s' (expected ADDR:PORT, e.g. 127.0.0.1:3240 or [::1]:3240)", what, spec);
		return DFK_ERR_INVAL;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc != 0) {
		log_err("%s: cannot resolve '%s': %s", what, spec, gai_strerror(rc));
		return DFK_ERR_INVAL;
	}
	if (loopback_only && !is_loopback(res->ai_addr)) {
		log_err("%s: '%s' is not a loopback address: only local processes may connect", what, spec);
		freeaddrinfo(res);
		return DFK_ERR_INVAL;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, backlog) < 0) {
		log_err("%s: cannot listen on %s: %s", what, spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return DFK_ERR_IO;
	}
	freeaddrinfo(res);

	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char h[INET6_ADDRSTRLEN] = "?", p[16] = "?";
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(bound, bound_len, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
	if (!is_loopback((struct sockaddr *)&ss)) {
		/* the protocols served here carry no authentication: say so where the operator looks */
		log_warn("%s on %s is reachable from other machines. It has no authentication and no "
			 "encryption: whoever reaches this port can import the camera, read its frames and "
			 "change its settings. Listen on a private, trusted network only (see README, Security).",
			 what, bound);
	}
	return fd;
}
