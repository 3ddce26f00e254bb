/* fuzz_labmsg: libFuzzer target for the control channel's decoder
 * (lab_msg_decode), fed directly and through a real SOCK_SEQPACKET pair
 * with lab_msg_recv, as the monitor reads what lab processes send. Checks
 * that an accepted record is exactly the bytes sent and well formed, that
 * a refused one leaves the output alone, and that the receiving side
 * agrees with the decoder. */
#include "fuzz.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "../src/labmsg.h"

/* Larger records are refused by size alone; the socket path stays within
 * the default socket buffer. */
#define SOCKET_BYTES_MAX 4096

static void check_accepted(const struct lab_msg *m, const uint8_t *data)
{
	FUZZ_EXPECT(!memcmp(m, data, sizeof *m));
	FUZZ_EXPECT(m->magic == LAB_MSG_MAGIC);
	FUZZ_EXPECT(m->type >= LAB_HELLO && m->type < LAB_MSG_TYPE_END);
	FUZZ_EXPECT(strlen(m->name) < sizeof m->name);
	FUZZ_EXPECT(strlen(m->text) < sizeof m->text);
	FUZZ_EXPECT(m->pid >= 0 && m->target >= 0 && m->creator >= 0 && m->sent_ns >= 0);
	FUZZ_EXPECT(m->error >= 0);
	/* a report names a kind a lab process may report; nothing else names one */
	FUZZ_EXPECT(m->type == LAB_REPORT ? event_kind_from_lab((enum event_kind)m->kind)
					  : m->kind == 0);
	/* a thread report names its thread: a TID, a name, a flag of 0 or 1 */
	if (m->type == LAB_REPORT && event_kind_names_thread((enum event_kind)m->kind))
		FUZZ_EXPECT(m->target > 0 && m->name[0] && (m->value == 0 || m->value == 1));
}

/* The monitor's and a lab process's ends of one channel, made once. */
static int *channel(void)
{
	static int sp[2] = { -1, -1 };

	if (sp[0] < 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0)
		abort();
	return sp;
}

static void check_received(const uint8_t *data, size_t size, bool decoded,
			   const struct lab_msg *direct)
{
	int *sp = channel(), fd = -2;
	struct lab_msg m;
	int rc;

	if (send(sp[1], data, size, MSG_NOSIGNAL) != (ssize_t)size)
		abort();
	rc = lab_msg_recv(sp[0], &m, &fd);
	FUZZ_EXPECT(fd == -1);
	if (decoded) {
		FUZZ_EXPECT(rc == 1);
		FUZZ_EXPECT(!memcmp(&m, direct, sizeof m));
	} else {
		FUZZ_EXPECT(rc == -EBADMSG);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lab_msg m, untouched;
	bool decoded;

	memset(&m, 0xa5, sizeof m);
	untouched = m;
	decoded = lab_msg_decode(data, size, &m);
	if (decoded)
		check_accepted(&m, data);
	else
		FUZZ_EXPECT(!memcmp(&m, &untouched, sizeof m));
	if (size <= SOCKET_BYTES_MAX)
		check_received(data, size, decoded, &m);
	return 0;
}
