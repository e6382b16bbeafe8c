package ai.candlefish.collab.core;

/**
 * A run of consecutive clocks of one client: an {@link Item} (content), a {@link GC} (collected, only its length
 * is kept) or a {@link Skip} (a gap in an update, never stored).
 */
abstract class AbstractStruct {
  final long client;
  int clock;
  int length;

  AbstractStruct(long client, int clock, int length) {
    this.client = client;
    this.clock = clock;
    this.length = length;
  }

  abstract boolean isDeleted();

  /** Merges {@code right} (the struct that directly follows) into this one, if both allow it. */
  abstract boolean mergeWith(AbstractStruct right);

  /** Writes this struct, skipping its first {@code offset} clocks. */
  abstract void write(UpdateEncoder encoder, int offset);

  /** Integrates this struct into the document, skipping its first {@code offset} clocks (already known). */
  abstract void integrate(Transaction txn, int offset);

  /**
   * The client whose missing structs prevent integration, or {@code -1} if everything this struct depends on is
   * present (in which case references are resolved).
   */
  long getMissing(Transaction txn, StructStore store) {
    return -1;
  }

  final int endClock() {
    return clock + length;
  }

  final ID id() {
    return new ID(client, clock);
  }
}
