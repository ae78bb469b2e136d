/*
 * histstore.c - the built-in history stores: one in memory for an
 * instance's life, and one in a file shared between processes (its lock,
 * reading it, rewriting it atomically).  The records and the file's text
 * are core/history.c's.
 *
 * The file store keeps a small text file that several hecat processes
 * share: readers never lock (a writer replaces the file with rename(2),
 * which is atomic), writers try an flock(2) on "FILE.lock", read the
 * file again, fold their outcomes in, and rename a new one into place.
 * Both run on the caller's event loop, which the library never blocks:
 * a writer that finds the lock held does not wait but puts its outcomes
 * off to its next write, or to the store's free (histstore.h says what
 * is lost).
 * A file that is not ours (another version, corrupt, truncated) is
 * ignored and replaced by the next write.  Nothing is fsync()ed: losing
 * a cache to a crash costs one slow dial.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "histstore.h"
#include "history.h"
#include "sysfiles.h"

/* ---- the store in memory ---------------------------------------------------- */

void *
hecat__store_mem_new(void)
{
	return calloc(1, sizeof(struct hecat__htab));
}

static void
mem_lookup(void *arg, uint64_t net, struct hecat_hist *recs, size_t n)
{
	hecat__htab_lookup(arg, net, recs, n);
}

static void
mem_record(void *arg, uint64_t net, const struct hecat_hist_obs *obs,
    size_t n)
{
	struct hecat__htab *t = arg;

	(void)hecat__htab_apply(t, net, obs, n);
	if (t->n > HECAT__HIST_MAX)
		hecat__htab_prune(t, n > 0 ? obs[0].t : time(NULL));
}

static void
mem_free(void *arg)
{
	hecat__htab_clear(arg);
	free(arg);
}

const struct hecat_store hecat__store_mem = {
	sizeof(struct hecat_store), mem_lookup, mem_record, mem_free
};

/* ---- the store in a file ------------------------------------------------------ */

/* The lock file: never a FIFO or device to block on, nor a link. */
#define LOCK_FLAGS \
	(O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)

struct fstore {
	char			*path, *lock, *tmp;
	struct hecat__htab	 tab;		/* as last read */
	bool			 read;
	dev_t			 dev;
	ino_t			 ino;
	off_t			 size;
	struct timespec		 mtime;
	struct hecat__hobs	*pend;		/* put off: lock held */
	size_t			 npend;
	struct hecat__fstats	 st;
};

void *
hecat__store_file_new(const char *path)
{
	struct fstore *s;
	size_t len = strlen(path) + 8;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->path = strdup(path)) == NULL ||
	    (s->lock = malloc(len)) == NULL ||
	    (s->tmp = malloc(len)) == NULL) {
		free(s->lock);
		free(s->path);
		free(s);
		return NULL;
	}
	snprintf(s->lock, len, "%s.lock", path);
	return s;
}

/* Read the file into tab: empty when it is missing, not ours or corrupt. */
static void
file_load(const char *path, struct hecat__htab *tab)
{
	char *buf;
	size_t len;

	tab->n = 0;
	if (hecat__read_file(path, HECAT__HIST_FILE_MAX, &buf, &len) == -1)
		return;
	(void)hecat__htab_parse(tab, buf, len);
	free(buf);
}

/*
 * The file as it is (read again only when another writer replaced it),
 * and this instance's own outcomes not written yet on top.
 */
static void
file_lookup(void *arg, uint64_t net, struct hecat_hist *recs, size_t n)
{
	struct fstore *s = arg;
	struct stat st;

	if (stat(s->path, &st) == -1) {
		s->tab.n = 0;
		s->read = false;
	} else if (!s->read || st.st_dev != s->dev || st.st_ino != s->ino ||
	    st.st_size != s->size ||
	    st.st_mtim.tv_sec != s->mtime.tv_sec ||
	    st.st_mtim.tv_nsec != s->mtime.tv_nsec) {
		file_load(s->path, &s->tab);
		s->read = true;
		s->dev = st.st_dev;
		s->ino = st.st_ino;
		s->size = st.st_size;
		s->mtime = st.st_mtim;
	}
	hecat__htab_lookup(&s->tab, net, recs, n);
	if (s->npend > 0)
		hecat__hist_fold(recs, n, net, s->pend, s->npend);
}

/* mkdir -p of path's directory, new parts 0700. */
static void
make_parent(const char *path)
{
	char *dir, *p;

	if ((dir = strdup(path)) == NULL)
		return;
	if ((p = strrchr(dir, '/')) != NULL && p != dir) {
		*p = '\0';
		for (p = dir + 1; *p != '\0'; p++)
			if (*p == '/') {
				*p = '\0';
				(void)mkdir(dir, 0700);
				*p = '/';
			}
		(void)mkdir(dir, 0700);
	}
	free(dir);
}

static int
write_all(int fd, const char *s, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Put off outcomes until the lock can be had: HECAT__HIST_PEND_MAX at
 * most, the oldest dropped beyond that.
 */
static void
pend_add(struct fstore *s, uint64_t net, const struct hecat_hist_obs *obs,
    size_t n)
{
	const size_t max = HECAT__HIST_PEND_MAX;
	size_t i, over;

	if (s->pend == NULL &&
	    (s->pend = calloc(max, sizeof(*s->pend))) == NULL) {
		s->st.dropped += n;
		return;
	}
	if (n > max) {
		s->st.dropped += n - max;
		obs += n - max;
		n = max;
	}
	if (s->npend + n > max) {
		over = s->npend + n - max;
		memmove(s->pend, s->pend + over,
		    (s->npend - over) * sizeof(*s->pend));
		s->npend -= over;
		s->st.dropped += over;
	}
	for (i = 0; i < n; i++) {
		s->pend[s->npend].net = net;
		s->pend[s->npend++].o = obs[i];
	}
}

/*
 * Write the outcomes put off, if the lock can be had now: the file as it
 * is, the outcomes folded in, written beside it and renamed over it.
 * The lock is only tried, never waited for: held by another process,
 * the outcomes stay put off.  Other failures leave the old file and drop
 * them (history is a cache: a dial never fails for it).
 */
static void
file_flush(struct fstore *s)
{
	struct hecat__htab tab = { NULL, 0, 0 };
	char *text = NULL;
	size_t len, i;
	int lfd, fd, r = -1;

	if (s->npend == 0)
		return;
	if ((lfd = open(s->lock, LOCK_FLAGS, 0600)) == -1) {
		make_parent(s->path);
		if ((lfd = open(s->lock, LOCK_FLAGS, 0600)) == -1)
			goto out;
	}
	while (flock(lfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			s->st.busy++;
			close(lfd);
			return;
		}
		goto out;
	}
	file_load(s->path, &tab);
	for (i = 0; i < s->npend; i++)
		if (hecat__htab_apply(&tab, s->pend[i].net, &s->pend[i].o,
		    1) == -1)
			goto out;
	hecat__htab_prune(&tab, s->pend[s->npend - 1].o.t);
	if ((text = hecat__htab_format(&tab, &len)) == NULL)
		goto out;
	snprintf(s->tmp, strlen(s->path) + 8, "%s.XXXXXX", s->path);
	if ((fd = mkostemp(s->tmp, O_CLOEXEC)) == -1)
		goto out;
	r = write_all(fd, text, len);
	if (close(fd) == -1)
		r = -1;
	if (r == 0)
		r = rename(s->tmp, s->path);
	if (r == -1)
		unlink(s->tmp);
out:
	if (r == 0)
		s->st.written += s->npend;
	else
		s->st.dropped += s->npend;
	s->npend = 0;
	if (lfd != -1)
		close(lfd);		/* and the lock with it */
	free(text);
	hecat__htab_clear(&tab);
}

static void
file_record(void *arg, uint64_t net, const struct hecat_hist_obs *obs,
    size_t n)
{
	struct fstore *s = arg;

	if (n > 0)
		pend_add(s, net, obs, n);
	file_flush(s);
}

void
hecat__store_file_stats(void *arg, struct hecat__fstats *st)
{
	struct fstore *s = arg;

	*st = s->st;
	st->pending = s->npend;
}

void
hecat__store_file_close(void *arg, struct hecat__fstats *st)
{
	struct fstore *s = arg;

	file_flush(s);			/* one last try */
	s->st.dropped += s->npend;
	s->npend = 0;
	if (st != NULL)
		hecat__store_file_stats(s, st);
	hecat__htab_clear(&s->tab);
	free(s->pend);
	free(s->path);
	free(s->lock);
	free(s->tmp);
	free(s);
}

static void
file_free(void *arg)
{
	hecat__store_file_close(arg, NULL);
}

const struct hecat_store hecat__store_file = {
	sizeof(struct hecat_store), file_lookup, file_record, file_free
};
