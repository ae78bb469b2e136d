/*
 * fdrecv.c - hecat-fdrecv, what ssh does with ProxyUseFdpass yes: run a
 * command with its stdout on one end of a unix socketpair, receive one
 * descriptor from the other end, then use it.
 *
 *	hecat-fdrecv [-s TEXT] command [arg ...]
 *
 * Sends TEXT (if given) on the received socket, shuts down its write
 * side, copies what comes back to stdout, and exits with the command's
 * exit status, or 100 if no descriptor arrived within 10 s.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

/* Receive one descriptor on s within ms; -1 if none. */
static int
recv_fd(int s, int ms)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsg;
	struct pollfd pfd = { s, POLLIN, 0 };
	struct cmsghdr *c;
	struct msghdr msg;
	struct iovec iov;
	char byte;
	int fd;

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsg.buf;
	msg.msg_controllen = sizeof(cmsg.buf);
	if (recvmsg(s, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	if ((c = CMSG_FIRSTHDR(&msg)) == NULL || c->cmsg_level != SOL_SOCKET ||
	    c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int
main(int argc, char *argv[])
{
	const char *text = NULL;
	char buf[4096];
	int sv[2], fd, status, ch;
	ssize_t n;
	pid_t pid;

	while ((ch = getopt(argc, argv, "+s:")) != -1) {
		if (ch != 's') {
			fprintf(stderr, "usage: hecat-fdrecv [-s text] "
			    "command [arg ...]\n");
			return EX_USAGE;
		}
		text = optarg;
	}
	if (optind == argc)
		return EX_USAGE;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		perror("socketpair");
		return EX_OSERR;
	}
	if ((pid = fork()) == -1) {
		perror("fork");
		return EX_OSERR;
	}
	if (pid == 0) {
		/* As ssh: the command's stdin and stdout are the socket. */
		dup2(sv[1], STDIN_FILENO);
		dup2(sv[1], STDOUT_FILENO);
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	close(sv[1]);
	fd = recv_fd(sv[0], 10000);
	close(sv[0]);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		status = 1 << 8;
	if (fd == -1) {
		fprintf(stderr, "hecat-fdrecv: no descriptor received\n");
		return 100;
	}
	if (text != NULL &&
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror("write");
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return WEXITSTATUS(status);
}
