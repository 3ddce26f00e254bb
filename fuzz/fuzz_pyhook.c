/* fuzz_pyhook: libFuzzer target for what the monitor does with a record
 * from a hooked Python process (pyhook_apply), as forktop's side of the
 * hook's connection reads it. The family is this process itself (attached,
 * never signalled), so that a record can be about a member. The first byte
 * of an input chooses whether the record's sender and target are made this
 * process's PID (which an input cannot know); the rest is the record.
 * Checks that a refused record changes no member, that an accepted one was
 * well formed and about its sender, and that names stay NUL-terminated. */
#include "fuzz.h"

#include <unistd.h>

#include "../src/family.h"
#include "../src/pyhook.h"

static struct track *track;
static struct family family;
static struct pyhook hook;

static void setup(void)
{
	char err[256];

	if (track_new(&track, 256) < 0 || family_attach(&family, getpid(), track, err, sizeof err) < 0)
		abort();
	pyhook_off(&hook);
	hook.track = track;
}

/* The record of the input, with this process's PID put where the first
 * byte asks. */
static size_t record_of(const uint8_t *data, size_t size, uint8_t *out)
{
	int32_t me = (int32_t)getpid();

	if (size > sizeof(struct lab_msg) + 1)
		size = sizeof(struct lab_msg) + 1;
	memcpy(out, data + 1, size - 1);
	if ((data[0] & 1) && size - 1 >= offsetof(struct lab_msg, pid) + sizeof me)
		memcpy(out + offsetof(struct lab_msg, pid), &me, sizeof me);
	if ((data[0] & 2) && size - 1 >= offsetof(struct lab_msg, target) + sizeof me)
		memcpy(out + offsetof(struct lab_msg, target), &me, sizeof me);
	return size - 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[sizeof(struct lab_msg) + 1];
	struct member before;
	struct lab_msg msg;
	size_t len, count;
	bool applied;

	if (!track)
		setup();
	if (size < 1)
		return 0;
	len = record_of(data, size, buf);
	before = family.members[0];
	count = family.count;
	applied = pyhook_apply(&hook, &family, getpid(), buf, len);
	if (!applied) {
		FUZZ_EXPECT(family.count == count);
		FUZZ_EXPECT(!memcmp(&before, &family.members[0], sizeof before));
		return 0;
	}
	FUZZ_EXPECT(lab_msg_decode(buf, len, &msg));
	FUZZ_EXPECT(msg.pid == getpid());
	FUZZ_EXPECT(pyhook_type_allowed((enum lab_msg_type)msg.type));
	FUZZ_EXPECT(memchr(family.members[0].name, '\0', sizeof family.members[0].name));
	if (msg.type == LAB_HELLO)
		FUZZ_EXPECT(family.members[0].python && !strcmp(family.members[0].name, msg.name));
	return 0;
}
