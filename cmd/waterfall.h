/*
 * waterfall.h - the race drawn on a terminal (--waterfall, -vvv): a row
 * per DNS query and per attempt (and per stage after TCP's), bars on a
 * time axis scaled to the width, long idle stretches compressed, the
 * outcome of each row at its right.  Built from the trace events alone.
 */
#ifndef HECAT_WATERFALL_H
#define HECAT_WATERFALL_H

#include <stdbool.h>
#include <stdio.h>

#include "hecat.h"

struct waterfall;

struct wf_style {
	int	width;		/* columns in all, 40 or more */
	bool	utf8;		/* block characters; else ASCII */
	bool	color;		/* ANSI colours */
};

struct waterfall *wf_new(void);
void		 wf_free(struct waterfall *);
/* Keep what an event says about the race (the dial's own events). */
void		 wf_event(struct waterfall *, const struct hecat_trace *);
/* Draw it; nothing if no event was kept. */
void		 wf_render(const struct waterfall *, FILE *,
		    const struct wf_style *);
/* The style for stderr: COLUMNS (or the terminal's width, or 80); UTF-8
   if LC_ALL, LC_CTYPE or LANG says so; colour on a terminal unless
   NO_COLOR is set. */
void		 wf_style_for(int fd, struct wf_style *);

#endif /* HECAT_WATERFALL_H */
