# HECAT_CHECK_CFLAGS(VARIABLE, FLAGS)
# ------------------------------------
# Append to VARIABLE (and AC_SUBST it) each of FLAGS that the C compiler
# accepts without a diagnostic.  Each flag is tried alone with -Werror so a
# compiler that merely warns about an unknown option does not pass.
AC_DEFUN([HECAT_CHECK_CFLAGS], [
	AC_LANG_PUSH([C])
	for hecat_flag in $2; do
		AS_VAR_PUSHDEF([hecat_cv], [hecat_cv_cflag_$hecat_flag])
		AC_CACHE_CHECK([whether $CC accepts $hecat_flag], [hecat_cv], [
			hecat_save_CFLAGS=$CFLAGS
			CFLAGS="$CFLAGS -Werror $hecat_flag"
			AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
				[AS_VAR_SET([hecat_cv], [yes])],
				[AS_VAR_SET([hecat_cv], [no])])
			CFLAGS=$hecat_save_CFLAGS])
		AS_VAR_IF([hecat_cv], [yes], [$1="$$1 $hecat_flag"])
		AS_VAR_POPDEF([hecat_cv])
	done
	AC_SUBST([$1])
	AC_LANG_POP([C])
])
