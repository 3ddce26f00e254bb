/* fuzz_procev: libFuzzer target for the kernel process events parser
 * (procev_parse), fed whole datagrams as recv() would give them. Checks
 * that it never reads past the input, never writes more events than it
 * was given room for, that every event is of a known kind with a
 * NUL-terminated name, and that the same bytes always parse the same. */
#include "fuzz.h"

#include <errno.h>

#include "../src/procev.h"

#define ROOM 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct procev_event ev[ROOM + 1], again[ROOM];
	size_t n = 0, m = 0;
	uint8_t *copy = malloc(size ? size : 1); /* exactly size bytes: ASan sees any overread */
	int rc, rc2;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	memset(&ev[ROOM], 0xA5, sizeof ev[ROOM]);
	rc = procev_parse(copy, size, ev, ROOM, &n);
	FUZZ_EXPECT(rc == 0 || rc == -EBADMSG || rc == -ENOSPC);
	FUZZ_EXPECT(n <= ROOM);
	for (size_t i = 0; i < sizeof ev[ROOM]; i++) /* nothing written past the room */
		FUZZ_EXPECT(((uint8_t *)&ev[ROOM])[i] == 0xA5);
	for (size_t i = 0; i < n; i++) {
		FUZZ_EXPECT(ev[i].kind >= PROCEV_ACK && ev[i].kind <= PROCEV_OTHER);
		FUZZ_EXPECT(memchr(ev[i].comm, '\0', sizeof ev[i].comm) != NULL);
	}
	rc2 = procev_parse(copy, size, again, ROOM, &m);
	FUZZ_EXPECT(rc2 == rc && m == n && !memcmp(again, ev, n * sizeof *ev));
	free(copy);
	return 0;
}
