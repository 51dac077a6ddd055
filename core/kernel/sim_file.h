/*
 * sim_file.h: opening a file that must be a regular file (a scenario's board or profile, a trace
 * file of a run folder, the scenario a report names).
 *
 * A FIFO put where such a file belongs would block the open, or the read, for ever, and a signal
 * could not end a command waiting there; a device has no end. So the open never waits, and
 * anything but a regular file is refused.
 */
#ifndef SIM_FILE_H
#define SIM_FILE_H

/**
 * Opens `path` read-only (close-on-exec, blocking reads) when it is a regular file.
 * @return the file descriptor, or -1 with errno: that of open() or fstat(), EISDIR for a folder,
 *         ENODEV for anything else that is not a regular file.
 */
int sim_open_regular(const char *path);

#endif
