/* features: see features.h. Each probe is one function in one table, and
 * says why in words a user can act on (which kernel brought it, which
 * setting forbids it). */
#include "features.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "labns.h"
#include "pidref.h"
#include "procev.h"

/* yes or no, with why: prefix and detail joined ("pidfd_open: " "ENOSYS"). */
static void say(struct feature_state *out, bool yes, const char *prefix, const char *detail)
{
	out->yes = yes;
	snprintf(out->why, sizeof out->why, "%s%s", prefix, detail ? detail : "");
}

static void probe_pidfd(struct feature_state *out)
{
	int fd = pidfd_open(getpid(), 0);

	if (fd >= 0) {
		close(fd);
		say(out, true, _("signals and waits cannot reach a recycled PID"), NULL);
		return;
	}
	/* TRANSLATORS: followed by the system's error message. */
	say(out, false, errno == ENOSYS ? _("Linux 5.3 brought pidfd_open: ") : "pidfd_open: ",
	    strerror(errno));
}

/* A child that exits with 7, reaped here: can its pidfd still tell the 7? */
static void probe_pidfd_exit(struct feature_state *out)
{
	pid_t child = fork();
	int fd, status, rc;

	if (child == 0)
		_exit(7);
	if (child < 0) {
		/* TRANSLATORS: followed by the system's error message. */
		say(out, false, _("cannot fork a probe: "), strerror(errno));
		return;
	}
	fd = pidfd_open(child, 0);
	waitpid(child, &status, 0);
	if (fd < 0) {
		/* TRANSLATORS: followed by the system's error message. */
		say(out, false, _("no pidfds: "), strerror(errno));
		return;
	}
	rc = pidref_exit_status(fd, &status);
	close(fd);
	if (rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 7)
		say(out, true, _("the exit code of a process another one reaped (PIDFD_INFO_EXIT)"),
		    NULL);
	else if (rc == -EOPNOTSUPP)
		say(out, false, _("no PIDFD_GET_INFO: Linux 6.13 brought it, 6.15 its exit code"),
		    NULL);
	else
		say(out, false, _("PIDFD_GET_INFO without PIDFD_INFO_EXIT: Linux 6.15 brought it"),
		    NULL);
}

static void probe_events(struct feature_state *out)
{
	struct procev *pe;
	char why[sizeof out->why];

	if (procev_open(&pe, 0, why, sizeof why) == 0) {
		procev_close(pe);
		say(out, true, _("every fork and exit, however short the life"), NULL);
		return;
	}
	say(out, false, why, NULL);
}

static void probe_subreaper(struct feature_state *out)
{
	int on = 0;

	if (prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0) == 0)
		/* TRANSLATORS: R is the screen's key for it. */
		say(out, true, _("orphans can come to forktop (--subreaper, R)"), NULL);
	else
		say(out, false, "PR_GET_CHILD_SUBREAPER: ", strerror(errno));
}

/* unshare(flags) in a child: 0, or the errno it failed with. */
static int try_unshare(int flags)
{
	pid_t child = fork();
	int status;

	if (child == 0)
		_exit(unshare(flags) == 0 ? 0 : errno);
	if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return child < 0 ? errno : EINVAL;
	return WEXITSTATUS(status);
}

static void probe_userns(struct feature_state *out)
{
	int err = try_unshare(CLONE_NEWUSER);

	if (!err)
		say(out, true, _("unprivileged namespaces can be made"), NULL);
	else
		say(out, false, labns_userns_hint(err), NULL);
}

static void probe_pidns(struct feature_state *out)
{
	int err = try_unshare(CLONE_NEWPID);

	if (!err) {
		say(out, true, _("--pid-namespace makes one directly (CAP_SYS_ADMIN)"), NULL);
		return;
	}
	err = try_unshare(CLONE_NEWUSER | CLONE_NEWPID);
	if (!err)
		say(out, true, _("--pid-namespace makes one through a user namespace"), NULL);
	else
		say(out, false, labns_userns_hint(err), NULL);
}

static const struct {
	const char *name;
	void (*probe)(struct feature_state *out);
} features[FEATURE_COUNT] = {
	/* TRANSLATORS: the names of what --features probes: its first column, padded
	   to 24 columns. */
	[FEATURE_PIDFD] = { N_("pidfds"), probe_pidfd },
	[FEATURE_PIDFD_EXIT] = { N_("pidfd exit information"), probe_pidfd_exit },
	[FEATURE_PROCESS_EVENTS] = { N_("process events"), probe_events },
	[FEATURE_SUBREAPER] = { N_("child subreaper"), probe_subreaper },
	[FEATURE_USER_NS] = { N_("user namespaces"), probe_userns },
	[FEATURE_PID_NS] = { N_("PID namespaces"), probe_pidns },
};

/* The name as the table keeps it: shown through _(). */
const char *feature_name(enum feature f)
{
	return (unsigned)f < FEATURE_COUNT ? features[f].name : "";
}

void feature_probe(enum feature f, struct feature_state *out)
{
	*out = (struct feature_state){ .yes = false };
	if ((unsigned)f < FEATURE_COUNT)
		features[f].probe(out);
}
