/*
 * tcp.c - the connect stage: a non-blocking socket, bound as asked,
 * connected; and the TCP facts the adapter reads around it (tcp.h).
 *
 * A connect that completes or fails at once and one that completes
 * later (writable, then how it ended) are the same stage outcome.  A
 * connection the server accepted is connected, even when the server
 * reset it before the writable event was handled: what it sent is
 * there to read, and the reset comes after it.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "stage.h"
#include "tcp.h"

const struct hecat__stage_ops *hecat__stage_connect_override;

/*
 * Bind to the source address and port asked for, if any.  A fixed port
 * is shared by the attempts of one family (they go to different
 * destinations), hence SO_REUSEADDR.  Returns 0 or -1 (errno).
 */
static int
tcp_bind(const struct hecat__stage *st, int fd)
{
	struct sockaddr_storage ss;
	struct hecat__ip ip;
	socklen_t len;
	uint16_t port;
	int one = 1;

	if (st->source == NULL && st->source_port == 0)
		return 0;
	memset(&ip, 0, sizeof(ip));
	ip.family = st->addr->sa_family;	/* the wildcard address */
	port = st->source_port;
	if (st->source != NULL) {
		hecat__ip_from_sa(&ip, st->source);
		if (port == 0)
			port = hecat__sa_port(st->source);
	}
	len = hecat__ip_to_sa(&ip, port, &ss);
	if (port != 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		return -1;
	return bind(fd, (struct sockaddr *)&ss, len);
}

static enum hecat__stage_rc
tcp_start(struct hecat__stage *st)
{
	int fd;

	fd = socket(st->addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd == -1)
		return hecat__stage_fail(st, errno, NULL);
	st->fd = fd;
	if (tcp_bind(st, fd) == -1)
		return hecat__stage_fail(st, errno, NULL);
	if (connect(fd, st->addr, st->addrlen) == 0)
		return HECAT__STAGE_DONE;
	if (errno != EINPROGRESS)
		return hecat__stage_fail(st, errno, NULL);
	return HECAT__STAGE_WANT_WRITE;
}

/*
 * How the handshake went, read from TCP_INFO, which leaves the socket's
 * pending error alone (SO_ERROR would take a reset away from the reads
 * that follow): 1 it completed (the state is past SYN-SENT, or closed
 * again after a SYN-ACK gave a round-trip sample: accepted, then reset),
 * 0 it is still under way, -1 it did not complete.
 */
static int
handshake(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return -1;
	switch (ti.tcpi_state) {
	case TCP_SYN_SENT:
		return 0;
	case TCP_CLOSE:
		return ti.tcpi_rtt != 0 ? 1 : -1;
	default:
		return 1;
	}
}

static enum hecat__stage_rc
tcp_ready(struct hecat__stage *st)
{
	socklen_t len = sizeof(int);
	int err = 0;

	switch (handshake(st->fd)) {
	case 1:
		return HECAT__STAGE_DONE;
	case 0:
		return HECAT__STAGE_WANT_WRITE;	/* woken early */
	default:
		break;
	}
	/* Writable is not success: SO_ERROR says how the connect ended. */
	if (getsockopt(st->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	/*
	 * Linux says ECONNREFUSED for a reset answering the SYN; a reset
	 * of an accepted connection whose round trip was not sampled (a
	 * retransmitted SYN, no timestamps) still means it was accepted.
	 */
	if (err == 0 || err == ECONNRESET)
		return HECAT__STAGE_DONE;
	return hecat__stage_fail(st, err, NULL);
}

const struct hecat__stage_ops hecat__stage_tcp = {
	HECAT_STAGE_TCP,
	tcp_start,
	tcp_ready,
	NULL
};

uint32_t
hecat__tcp_rtt_us(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (fd == -1 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return 0;
	return ti.tcpi_rtt;
}

void
hecat__tcp_probe_source(const struct hecat__ip *dst, uint16_t port,
    const struct sockaddr *source, struct hecat__ip *src)
{
	struct sockaddr_storage sa, local;
	struct hecat__ip sip;
	socklen_t len;
	int fd;

	memset(src, 0, sizeof(*src));
	if ((fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	if (source != NULL) {
		/* The source address, not its port: the probe is UDP. */
		hecat__ip_from_sa(&sip, source);
		len = hecat__ip_to_sa(&sip, 0, &local);
		if (sip.family != dst->family ||
		    bind(fd, (struct sockaddr *)&local, len) == -1)
			goto out;
	}
	len = hecat__ip_to_sa(dst, port != 0 ? port : 9, &sa);
	if (connect(fd, (struct sockaddr *)&sa, len) == -1)
		goto out;
	len = sizeof(local);
	if (getsockname(fd, (struct sockaddr *)&local, &len) == 0)
		hecat__ip_from_sa(src, (struct sockaddr *)&local);
out:
	close(fd);
}
