package ai.candlefish.collab.core;

/**
 * A range of one client's clocks, {@code [clock, clock + length)}: an entry of a delete set.
 *
 * @param client the client id (an unsigned 32-bit value in practice)
 * @param clock the first clock of the range
 * @param length how many clocks the range covers
 */
public record IdRange(long client, int clock, int length) {}
